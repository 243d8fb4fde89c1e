"""Snakemake script: seed 002 Fig 4 (relaxation of the squared singular values, one panel per Z)."""

import logging

from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.teacher_student.plots import fig4, fig4_panel_inputs

setup_logging(snakemake.log[0])
panels = [
    fig4_panel_inputs(load_npz(spectra), read_json(fit), snakemake.params.networks)
    for spectra, fit in zip(snakemake.input.spectra, snakemake.input.fits, strict=True)
]
for panel in panels:
    logging.info("%s: %d epochs shown", panel["case"], len(panel["epochs"]))
save_figure(fig4(panels), snakemake.output.pdf, snakemake.output.png)
