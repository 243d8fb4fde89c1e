"""Spectra of one setting: x = sigma_h^2 xi^2 of every replica and snapshot, shards joined."""

import logging

import numpy as np

from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.rbm.model import lattice_kappa
from rmtsgd.spectra import x_spectrum

setup_logging(snakemake.log[0])
model, setting = snakemake.params.model, snakemake.params.setting
shards = [load_npz(path) for path in snakemake.input]
x = np.concatenate([x_spectrum(s["weights"], model["sigma_h"]) for s in shards])
diverged = np.concatenate([s["diverged"] for s in shards])
logging.info("%s: %d replicas, %d diverged", setting["name"], len(x), diverged.sum())
save_npz(
    snakemake.output[0],
    x=x,
    snapshots=shards[0]["snapshots"],
    measure_from=snakemake.params.measure_from,
    kappa=lattice_kappa(model["nv"], model["m2"]),
    mu2=model["mu2"],
    lr=setting["lr"],
    batch=setting["batch"],
    diverged=diverged,
    diverged_at=np.concatenate([s["diverged_at"] for s in shards]),
    seeds=np.array([s["seed"] for s in shards], dtype=np.uint64),
)
