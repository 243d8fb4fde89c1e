"""The empirical-risk minimisers of the ERM check's finite systems (b = 1, convex loss)."""

import json
import logging

import torch

from rmtsgd.dmft.model import Problem, minimise
from rmtsgd.io import provenance, save_npz, setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
torch.set_num_threads(snakemake.threads)
result = minimise(Problem(**p.job["problem"]), p.d, p.systems, p.seed)
logging.info(
    "%d systems at d = %d: L-BFGS iterations %s, largest distance bound %.3g",
    p.systems,
    p.d,
    result.iterations.tolist(),
    result.bound.max(),
)
save_npz(
    snakemake.output[0],
    **vars(result),
    d=p.d,
    provenance=json.dumps(provenance(threads=snakemake.threads, job=p.job)),
)
