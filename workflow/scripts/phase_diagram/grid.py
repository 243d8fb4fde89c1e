"""Join the observables of every shard into per-grid-point arrays, summaries and phases."""

import logging

import numpy as np

from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.phase_diagram.analysis import assemble_grid
from rmtsgd.phase_diagram.observables import PHASES

setup_logging(snakemake.log[0])
shards = [load_npz(path) for path in snakemake.input]
for shard in shards:
    shard.pop("provenance", None)
grid = assemble_grid(shards, snakemake.params.pd)
counts = {name: int(np.sum(grid["phase"] == k)) for k, name in enumerate(PHASES)}
logging.info("phases of the grid points: %s", counts)
save_npz(snakemake.output[0], **grid)
