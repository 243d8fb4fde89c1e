"""Eq 22 relaxation fits and the stationary one-/two-species fits of one model-A ensemble."""

import logging

from rmtsgd.io import load_npz, provenance, setup_logging, write_json
from rmtsgd.teacher_student.analysis import analyse_relaxation, analyse_stationary

setup_logging(snakemake.log[0])
p = snakemake.params
spectra = load_npz(snakemake.input[0])
x, epochs = spectra["x"], spectra["epochs"]
diverged = spectra["diverged"]
result = {
    "case": p.case,
    "noise_std": p.noise_std,
    "ztz": spectra["ztz"].tolist(),
    "networks": {
        "total": int(len(diverged)),
        "diverged": int(diverged.sum()),
        "diverged_at": spectra["diverged_at"][diverged].tolist(),
    },
    "relaxation": analyse_relaxation(x, spectra["projected"], epochs, p.fit_from, p.blocks),
    # without noise the students freeze at the teacher: nothing stationary to fit
    "stationary": analyse_stationary(x, epochs, p.measure_from, p.blocks) if p.noise_std else None,
    "provenance": provenance(seeds=[int(spectra["seed"])]),
}
logging.info("%s: %s", p.case, result["networks"])
write_json(snakemake.output[0], result)
