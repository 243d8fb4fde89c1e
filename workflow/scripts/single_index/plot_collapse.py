"""Snakemake script: samples / d^2 against eta d^{1/2} for every d (si_collapse)."""

import logging

from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.single_index.plots import fig_collapse, points_of

setup_logging(snakemake.log[0])
points = sorted(
    (points_of(load_npz(path)) for path in snakemake.input.medians), key=lambda p: p["d"]
)
crossover = read_json(snakemake.input.fitted)["crossover"]
if crossover["curve"] != snakemake.params.curve or crossover["dims"] != [p["d"] for p in points]:
    raise ValueError(f"the crossover fit is of {crossover['curve']} at d = {crossover['dims']}")
logging.info("eta_c per d: %s", crossover["eta_c"]["value"])
fig = fig_collapse(points, crossover)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
logging.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)
