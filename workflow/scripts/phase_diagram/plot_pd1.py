"""Snakemake script: phase-diagram Fig 1 (density of tanh(z), linear and jamming regimes)."""

import logging

from rmtsgd.io import setup_logging
from rmtsgd.phase_diagram.plots import pd1
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
fig = pd1(snakemake.params.s2)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
