"""Hitting times of one single-index job: every eta of one curve at one d, runs batched."""

import json
import logging

import torch

from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.single_index.model import SingleIndexModel, run_grid
from rmtsgd.training import pick_device

setup_logging(snakemake.log[0])
p = snakemake.params.run
torch.set_num_threads(snakemake.threads)
device = pick_device(p["device"])
times = run_grid(
    SingleIndexModel(**p["model"]),
    p["algorithm"],
    p["rule"],
    p["c"],
    p["d"],
    p["eta"],
    p["runs"],
    p["budget"],
    p["seed"],
    engine=p["engine"],
    chunk=p["chunk"],
    device=device,
)
for eta, hit, diverged in zip(times["eta"], times["hit"], times["diverged"], strict=True):
    logging.info("eta %g: %d of %d hit, %d diverged", eta, hit.sum(), hit.size, diverged.sum())
save_npz(
    snakemake.output[0],
    **times,
    d=p["d"],
    budget=p["budget"],
    seed=p["seed"],
    provenance=json.dumps(provenance(device=str(device), threads=snakemake.threads, params=p)),
)
