"""Train one teacher-student ensemble (all its networks in one batched run)."""

import json

import torch

from rmtsgd.io import provenance, save_npz, setup_logging
from rmtsgd.teacher_student.model import trainer_from_spec
from rmtsgd.training import pick_device, train_ensemble

setup_logging(snakemake.log[0])
spec = snakemake.params.spec
torch.set_num_threads(snakemake.threads)
device = pick_device(spec["device"])
trainer = trainer_from_spec(spec, device)
ensemble = train_ensemble(trainer, spec["snapshots"], check_every=spec["check_every"])
save_npz(
    snakemake.output[0],
    weights=ensemble.weights,
    snapshots=ensemble.snapshots,
    steps_per_epoch=spec["steps_per_epoch"],
    diverged=ensemble.diverged,
    diverged_at=ensemble.diverged_at,
    seed=ensemble.seed,
    provenance=json.dumps(provenance(device=str(device), threads=snakemake.threads, params=spec)),
)
