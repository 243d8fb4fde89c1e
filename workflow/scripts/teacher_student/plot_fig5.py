"""Snakemake script: seed 002 Fig 5 (stationary density, one- and two-species fits, per Z)."""

import logging

from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.teacher_student.plots import fig5, fig5_panel_inputs

setup_logging(snakemake.log[0])
panels = [
    fig5_panel_inputs(load_npz(spectra), read_json(fit))
    for spectra, fit in zip(snakemake.input.spectra, snakemake.input.fits, strict=True)
]
for panel in panels:
    logging.info("%s: %d stationary samples", panel["case"], panel["x"].size)
save_figure(fig5(panels, snakemake.params.bins), snakemake.output.pdf, snakemake.output.png)
