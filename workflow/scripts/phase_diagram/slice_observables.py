"""Observables of one phase-diagram slice shard at every trend epoch, each epoch read as the
run stopped there (rmtsgd.phase_diagram.slice)."""

import logging

import numpy as np

from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.phase_diagram.model import TanhNet, make_instance
from rmtsgd.phase_diagram.slice import trend_observables

setup_logging(snakemake.log[0])
p = snakemake.params
net = TanhNet(**p.model)
instances = {k: make_instance(net, s, p.n_train, p.n_test) for k, s in enumerate(p.slot_seeds)}
shard = load_npz(snakemake.input[0])
weights = shard.pop("weights").astype(np.float64)
observables = trend_observables(
    weights, shard["snapshots"], instances, shard["slot"], p.trend_epochs
)
logging.info("%d networks, %d diverged by the last epoch", len(weights), shard["diverged"].sum())
save_npz(
    snakemake.output[0],
    **observables,
    **shard,
    **{key: np.int64(v) for key, v in p.model.items()},
)
