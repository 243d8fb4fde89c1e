"""Finite-d simulations of one job: persistent SGD of independent systems, batched."""

import json
import logging

import torch

from rmtsgd.dmft.model import from_spec, simulate
from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.training import pick_device

setup_logging(snakemake.log[0])
p = snakemake.params
torch.set_num_threads(snakemake.threads)
device = pick_device(p.device)
problem, batch, start = from_spec(p.job)
run = simulate(
    problem,
    batch,
    start,
    p.d,
    p.job["steps"],
    p.seeds,
    p.seed,
    max_lag=p.max_lag,
    chunk=p.chunk,
    device=device,
)
logging.info("%d of %d systems diverged", run.diverged.sum(), p.seeds)
save_npz(
    snakemake.output[0],
    **vars(run),
    d=p.d,
    provenance=json.dumps(provenance(device=str(device), threads=snakemake.threads, job=p.job)),
)
