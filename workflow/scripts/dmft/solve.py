"""One DMFT solution: iterate the self-consistent process of one job to its fixed point."""

import json
import logging

import torch

from rmtsgd.dmft.model import from_spec
from rmtsgd.dmft.solver import solve
from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.training import pick_device

setup_logging(snakemake.log[0])
job, solver, seed = snakemake.params.job, snakemake.params.solver, snakemake.params.seed
torch.set_num_threads(snakemake.threads)
device = pick_device(snakemake.params.device)
problem, batch, start = from_spec(job)
solution = solve(
    problem,
    batch,
    start,
    job["steps"],
    paths=solver["paths"],
    groups=solver["groups"],
    seed=seed,
    damping=solver["damping"],
    tolerance=solver["tolerance"],
    max_iterations=solver["max_iterations"],
    response_paths=solver["response_paths"],
    chunk=solver["chunk"],
    device=device,
    label=f"DMFT '{snakemake.wildcards.job}'",
)
logging.info("converged after %d iterations", solution.iterations)
save_npz(
    snakemake.output[0],
    **{k: v for k, v in vars(solution).items() if k != "changes"},
    changes=solution.changes,
    seed=seed,
    provenance=json.dumps(provenance(device=str(device), threads=snakemake.threads, job=job)),
)
