"""Boundaries of the phase-diagram slice at every trend epoch, their fits in log t and the
extrapolation, with bootstrap errors over the networks (slots)."""

import logging

from rmtsgd.io import load_npz, setup_logging, write_json
from rmtsgd.phase_diagram.slice import slice_trend

setup_logging(snakemake.log[0])
shards = [load_npz(path) for path in snakemake.input]
trend = slice_trend(shards, snakemake.params.pd, snakemake.params.seed)
for name in ("boundary", "tc", "classifier"):
    fit = {key: trend["statistics"][f"{name}_{key}"] for key in ("slope", "extrapolated")}
    logging.info("%s: %s", name, fit)
write_json(snakemake.output[0], trend)
