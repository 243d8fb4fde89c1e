"""Snakemake script: the phase-diagram figures drawn from the grid summary (pd2-5, 7-9, map)."""

import logging

from rmtsgd.io import load_npz, setup_logging
from rmtsgd.phase_diagram.plots import GRID_FIGURES
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
grid = load_npz(snakemake.input[0])
for name in snakemake.params.figures:
    fig = GRID_FIGURES[name](grid, snakemake.params.tc_sigma_w)
    pdf, png = snakemake.output[f"{name}_pdf"], snakemake.output[f"{name}_png"]
    save_figure(fig, pdf, png)
    logging.info("wrote %s and %s", pdf, png)
