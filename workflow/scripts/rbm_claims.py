"""Scaling with alpha/|B| across both scans, and the RBM module's claims file."""

import logging
from pathlib import Path

from rmtsgd.analysis.rbm import rbm_claims, scaling_summary
from rmtsgd.claims import claims_file
from rmtsgd.io import provenance, read_json, setup_logging, write_json

setup_logging(snakemake.log[0])
rbm = snakemake.params.rbm
fits = [read_json(path) for path in snakemake.input.fits]
max_noise = rbm["analysis"]["scaling_max_noise"]
summary = scaling_summary(fits, max_noise)
write_json(snakemake.output.summary, {"max_noise": max_noise, "modes": summary})
claims = rbm_claims(fits, summary, rbm)
seeds = {fit["setting"]["name"]: fit["provenance"]["seeds"] for fit in fits}
diverged = {fit["setting"]["name"]: fit["replicas"]["diverged"] for fit in fits}
payload = claims_file(
    "rbm",
    f"the config whose results folder is {Path(snakemake.output.claims).parents[1]}",
    provenance(seeds=seeds, diverged_replicas=diverged),
    claims,
)
payload["skipped_kinds"] = rbm["claims"]["skip"]
logging.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
write_json(snakemake.output.claims, payload)
