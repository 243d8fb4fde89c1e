"""Snakemake script: one phase-diagram figure drawn from the grid summary (pd2-5, 7-9, map)."""

import logging

from rmtsgd.io import load_npz, setup_logging
from rmtsgd.plotting.phase_diagram import GRID_FIGURES
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
grid = load_npz(snakemake.input[0])
fig = GRID_FIGURES[snakemake.params.figure](grid, snakemake.params.tc_sigma_w)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
