"""Snakemake script: the DMFT module's checks in one figure (dmft_checks)."""

import logging

from rmtsgd.dmft.plots import fig_checks
from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
files = snakemake.input
fig = fig_checks(read_json(files.summary), load_npz(files.early), load_npz(files.early_simulation))
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
