"""Train one shard of a setting's RBM ensemble (all its replicas in one batched run)."""

import json

import torch

from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.rbm.model import GaussianRBM, PCDSettings, PCDTrainer
from rmtsgd.training import pick_device, train_ensemble

setup_logging(snakemake.log[0])
p = snakemake.params.train
torch.set_num_threads(snakemake.threads)
model = dict(p["model"])
init_std = model.pop("init_std")
device = pick_device(p["device"])
trainer = PCDTrainer(
    GaussianRBM(**model),
    PCDSettings(lr=p["lr"], batch=p["batch"], k=p["k"], init_std=init_std),
    replicas=p["replicas"],
    seed=p["seed"],
    device=device,
    noise_dtype=getattr(torch, p["noise_dtype"]),
)
ensemble = train_ensemble(trainer, p["snapshots"], check_every=p["check_every"])
save_npz(
    snakemake.output[0],
    weights=ensemble.weights,
    snapshots=ensemble.snapshots,
    diverged=ensemble.diverged,
    diverged_at=ensemble.diverged_at,
    seed=ensemble.seed,
    provenance=json.dumps(provenance(device=str(device), threads=snakemake.threads, params=p)),
)
