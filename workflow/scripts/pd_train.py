"""Train one shard of the phase-diagram grid: all its networks in one batched SGD run."""

import json

import numpy as np
import torch

from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.models.rbm import pick_device
from rmtsgd.models.tanh_net import SGDTrainer, TanhNet, draw_teacher, initial_weights, make_dataset
from rmtsgd.models.tanh_net import train as train_networks

setup_logging(snakemake.log[0])
p = snakemake.params.train
torch.set_num_threads(snakemake.threads)
net = TanhNet(**p["model"])
teacher = draw_teacher(net, p["data_seeds"]["teacher"])
train_set = make_dataset(teacher, p["n_train"], p["data_seeds"]["train"])
networks = p["networks"]
device, dtype = pick_device(p["device"]), getattr(torch, p["dtype"])
trainer = SGDTrainer(
    teacher,
    train_set,
    networks["eps"],
    initial_weights(net, networks["sigma_w"], networks["seeds"]),
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
    provenance=json.dumps(provenance(device=str(device), threads=snakemake.threads)),
)
