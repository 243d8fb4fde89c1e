"""Spectra of one model-A ensemble: x = squared singular values and (U^T Z^T Z U)_ii per mode."""

import logging

import numpy as np

from rmtsgd.io import load_npz, save_npz, setup_logging
from rmtsgd.spectra import left_projections, x_spectrum

setup_logging(snakemake.log[0])
ensemble = load_npz(snakemake.input[0])
z = np.asarray(snakemake.params.z, dtype=float)
weights = ensemble["weights"]
logging.info("%d networks, %d snapshots", *weights.shape[:2])
save_npz(
    snakemake.output[0],
    x=x_spectrum(weights, 1.0),
    projected=left_projections(weights, z.T @ z),
    epochs=ensemble["snapshots"] / snakemake.params.steps_per_epoch,
    ztz=z.T @ z,
    diverged=ensemble["diverged"],
    diverged_at=ensemble["diverged_at"],
    seed=ensemble["seed"],
)
