"""Snakemake script: the phase-diagram slice's boundaries against training time."""

import logging

from rmtsgd.io import read_json, setup_logging
from rmtsgd.phase_diagram.slice_plots import boundary_trend
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
fig = boundary_trend(read_json(snakemake.input[0]), snakemake.params.inv_sigma_w)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
