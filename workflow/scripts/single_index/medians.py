"""Medians of one (curve, d): shards joined, bootstrap replicates over runs, run counts."""

import logging

import numpy as np

from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.single_index.analysis import point_counts, point_medians

setup_logging(snakemake.log[0])
p = snakemake.params
shards = [load_npz(path) for path in snakemake.input]
runs = {
    key: np.concatenate([s[key] for s in shards], axis=1)
    for key in ("samples", "hit", "diverged", "final_overlap")
}
medians = point_medians(runs["samples"], runs["hit"], p.bootstrap, np.random.default_rng(p.seed))
counts = point_counts(runs["hit"], runs["diverged"], runs["final_overlap"])
logging.info("%s d=%s: hit fractions %s", p.curve, p.d, np.round(counts["hit_fraction"], 3))
save_npz(
    snakemake.output[0],
    medians=medians,
    **counts,
    eta=shards[0]["eta"],
    gamma=shards[0]["gamma"],
    d=p.d,
    budget=shards[0]["budget"],
    seeds=np.array([s["seed"] for s in shards], dtype=np.uint64),
    bootstrap_seed=np.uint64(p.seed),
)
