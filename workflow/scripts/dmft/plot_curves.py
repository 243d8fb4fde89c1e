"""Snakemake script: learning curves of the DMFT against simulations (dmft_k2, dmft_k3)."""

import logging

from rmtsgd.dmft.plots import fig_curves
from rmtsgd.io import load_npz, setup_logging
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
p, files = snakemake.params, snakemake.input
curves = [
    {"curve": p.curves[name], "solution": load_npz(sol), "simulation": load_npz(sim)}
    for name, sol, sim in zip(p.curves, files.solutions, files.simulations, strict=True)
]
save_figure(fig_curves(curves, p.d), snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
