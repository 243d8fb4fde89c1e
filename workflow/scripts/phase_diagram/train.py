"""Train one shard of the phase-diagram grid: all its networks in one batched SGD run."""

import json

import numpy as np
import torch

from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.phase_diagram.model import (
    SGDTrainer,
    TanhNet,
    draw_teacher,
    initial_weights,
    make_dataset,
)
from rmtsgd.phase_diagram.model import train as train_networks
from rmtsgd.training import pick_device

setup_logging(snakemake.log[0])
p = snakemake.params.train
torch.set_num_threads(snakemake.threads)
net = TanhNet(**p["model"])
seeds = p["slot_seeds"]
teachers = [draw_teacher(net, s["teacher"]) for s in seeds]
train_sets = [
    make_dataset(t, p["n_train"], s["train"]) for t, s in zip(teachers, seeds, strict=True)
]
networks = p["networks"]
device, dtype = pick_device(p["device"]), getattr(torch, p["dtype"])
trainer = SGDTrainer(
    teachers,
    train_sets,
    networks["slot"],
    networks["eps"],
    initial_weights(net, networks["sigma_w"], [seeds[k]["init"] for k in networks["slot"]]),
    batch=p["batch"],
    loss_threshold=p["loss_threshold"],
    device=device,
    dtype=dtype,
)
run = train_networks(trainer, p["snapshots"])
save_npz(
    snakemake.output[0],
    weights=run.weights.astype(p["dtype"]),
    snapshots=run.snapshots,
    diverged=run.diverged,
    diverged_epoch=run.diverged_epoch,
    **{key: np.asarray(v) for key, v in networks.items()},
    provenance=json.dumps(
        provenance(device=str(device), threads=snakemake.threads, slot_seeds=seeds)
    ),
)
