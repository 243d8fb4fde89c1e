"""Observables of every network of one phase-diagram shard (test loss and x at every snapshot,
final loss, gradient norms, q, alignment, Lyapunov rate, saturated share, classifier terms
at every snapshot)."""

import logging

import numpy as np

from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.phase_diagram.analysis import network_observables
from rmtsgd.phase_diagram.model import TanhNet, make_instance

setup_logging(snakemake.log[0])
p = snakemake.params
net = TanhNet(**p.model)
instances = {k: make_instance(net, s, p.n_train, p.n_test) for k, s in enumerate(p.slot_seeds)}
shard = load_npz(snakemake.input[0])
weights = shard.pop("weights").astype(np.float64)
observables = network_observables(weights, shard["snapshots"], instances, shard["slot"])
logging.info("%d networks, %d diverged", len(weights), shard["diverged"].sum())
save_npz(
    snakemake.output[0],
    **observables,
    **shard,
    **{key: np.int64(v) for key, v in p.model.items()},
)
