"""The single-index module's claims file from the fitted exponents."""

import logging
from pathlib import Path

from rmtsgd.analysis.single_index import single_index_claims
from rmtsgd.claims import claims_file
from rmtsgd.io import read_json, setup_logging, write_json

setup_logging(snakemake.log[0])
cfg = snakemake.params.claims
fitted = read_json(snakemake.input[0])
payload = claims_file(
    "single_index",
    f"the config whose results folder is {Path(snakemake.output[0]).parents[1]}",
    fitted["provenance"],
    single_index_claims(fitted, cfg),
)
payload["skipped_kinds"] = cfg["skip"]
logging.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
write_json(snakemake.output[0], payload)
