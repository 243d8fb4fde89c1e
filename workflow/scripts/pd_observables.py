"""Observables of every network of one phase-diagram shard (test loss and x at every snapshot,
final loss, gradient norms, q, alignment, Lyapunov rate, classifier terms)."""

import logging

import numpy as np

from rmtsgd.analysis.phase_diagram import network_observables
from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.models.tanh_net import TanhNet, draw_teacher, make_dataset
from rmtsgd.phases import x_eigenvalues

setup_logging(snakemake.log[0])
p = snakemake.params
net = TanhNet(**p.model)
teacher = draw_teacher(net, p.data_seeds["teacher"])
train_set = make_dataset(teacher, p.n_train, p.data_seeds["train"])
test_set = make_dataset(teacher, p.n_test, p.data_seeds["test"])
shard = load_npz(snakemake.input[0])
weights = shard.pop("weights").astype(np.float64)
observables = network_observables(
    weights, shard["snapshots"], teacher, train_set, test_set, p.classifier_epoch
)
logging.info("%d networks, %d diverged", len(weights), shard["diverged"].sum())
save_npz(
    snakemake.output[0],
    **observables,
    **shard,
    teacher_x=x_eigenvalues(teacher.w),
    **{key: np.int64(v) for key, v in p.model.items()},
)
