"""Snakemake script: phase-diagram Fig 6 (x(t) at one grid point of each phase)."""

import logging

from rmtsgd.io import load_npz, setup_logging
from rmtsgd.phase_diagram.analysis import point_networks
from rmtsgd.phase_diagram.plots import pd6
from rmtsgd.plotting.style import save_figure

setup_logging(snakemake.log[0])
shards = [load_npz(path) for path in snakemake.input]
points = {}
for phase, point in snakemake.params.points.items():
    networks = point_networks(shards, point["eps"], point["sigma_w"])
    networks.update(T=point["eps"] / snakemake.params.batch, inv_sigma_w=1 / point["sigma_w"])
    logging.info("%s: %d networks", phase, len(networks["x"]))
    points[phase] = networks
fig = pd6(points)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
