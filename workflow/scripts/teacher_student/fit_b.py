"""Eq 11 fit, U4 and level spacings of one model-B setting's learnt singular values."""

import logging

from rmtsgd.fits import analyse_modes
from rmtsgd.io import load_npz, provenance, setup_logging, write_json
from rmtsgd.spectra import singular_values, window_samples
from rmtsgd.teacher_student.analysis import PAIR, last_snapshot_surmise

setup_logging(snakemake.log[0])
p = snakemake.params
ensemble = load_npz(snakemake.input[0])
values = singular_values(ensemble["weights"])
samples = window_samples(values, ensemble["snapshots"], p.measure_from)
result = analyse_modes(samples, [PAIR], p.blocks)
diverged = ensemble["diverged"]
result = {
    "setting": p.setting,
    "quantity": "singular_values",
    "networks": {
        "total": int(len(diverged)),
        "diverged": int(diverged.sum()),
        "used": result.pop("replicas_used"),
        "diverged_at": ensemble["diverged_at"][diverged].tolist(),
    },
    **result,
    "surmise": last_snapshot_surmise(samples),
    "provenance": provenance(seeds=[int(ensemble["seed"])]),
}
logging.info("%s: %s", p.setting["name"], result["networks"])
write_json(snakemake.output[0], result)
