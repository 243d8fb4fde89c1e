"""The DMFT module's claims file from the analysis summary."""

import logging
from pathlib import Path

from rmtsgd.analysis.dmft import dmft_claims
from rmtsgd.claims import claims_file
from rmtsgd.io import read_json, setup_logging, write_json

setup_logging(snakemake.log[0])
cfg = snakemake.params.claims
summary = read_json(snakemake.input[0])
payload = claims_file(
    "dmft",
    f"the config whose results folder is {Path(snakemake.output[0]).parents[1]}",
    summary["provenance"],
    dmft_claims(summary, cfg),
)
payload["skipped_kinds"] = cfg["skip"]
logging.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
write_json(snakemake.output[0], payload)
