"""Snakemake script: simulations approaching the DMFT as d grows (dmft_convergence)."""

import logging

from rmtsgd.dmft.plots import fig_convergence
from rmtsgd.io import read_json, setup_logging
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
save_figure(
    fig_convergence(read_json(snakemake.input[0])), snakemake.output.pdf, snakemake.output.png
)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
