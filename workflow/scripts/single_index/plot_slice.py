"""Snakemake script: the slice's exponents against c and the d range (si_slice)."""

import logging

from rmtsgd.io import read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.single_index.slice_plots import fig_slice

setup_logging(snakemake.log[0])
fig = fig_slice(read_json(snakemake.input[0]))
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
