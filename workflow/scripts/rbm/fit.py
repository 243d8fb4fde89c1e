"""Fit every mode of one setting (Eq 11 / Gaussian, U4, spacings) with jackknife errors."""

import logging

from rmtsgd.io import load_npz, provenance, setup_logging, write_json
from rmtsgd.rbm.analysis import analyse_setting

setup_logging(snakemake.log[0])
spectra = load_npz(snakemake.input[0])
setting = snakemake.params.setting
result = analyse_setting(
    spectra["x"],
    spectra["snapshots"],
    int(spectra["measure_from"]),
    spectra["kappa"],
    float(spectra["mu2"]),
    snakemake.params.blocks,
)
diverged = spectra["diverged"]
result = {
    "setting": setting,
    "replicas": {
        "total": int(len(diverged)),
        "diverged": int(diverged.sum()),
        "used": result.pop("replicas_used"),
        "diverged_at": spectra["diverged_at"][diverged].tolist(),
    },
    **result,
    "provenance": provenance(seeds=[int(s) for s in spectra["seeds"]]),
}
logging.info("%s: %s", setting["name"], result["replicas"])
write_json(snakemake.output[0], result)
