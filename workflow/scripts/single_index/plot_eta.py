"""Snakemake script: samples to learn against eta at one d, every curve (si_eta)."""

import logging

from rmtsgd.io import load_npz, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.single_index.plots import fig_eta, points_of

setup_logging(snakemake.log[0])
p = snakemake.params
curves = []
for name, path in zip(p.curves, snakemake.input, strict=True):
    points = points_of(load_npz(path))
    if points["d"] != p.d:
        raise ValueError(f"{path} holds d = {points['d']}, expected {p.d}")
    curves.append({"name": name, **p.curves[name], "points": points})
    logging.info("%s: medians %s", name, points["median"])
fig = fig_eta(curves, p.d)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
