"""Snakemake script: fitted exponents against the predictions (si_exponents)."""

import logging

from rmtsgd.io import read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.single_index.plots import fig_exponents

setup_logging(snakemake.log[0])
fig = fig_exponents(read_json(snakemake.input[0]), snakemake.params.claims)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
