"""Claims of every external ensemble (Eq 11-12 and Eq 31 for each degenerate pair)."""

import logging
from pathlib import Path

from rmtsgd.analysis.external import external_claims
from rmtsgd.claims import claims_file
from rmtsgd.io import provenance, read_json, setup_logging, write_json

setup_logging(snakemake.log[0])
reports = dict(zip(snakemake.params.names, map(read_json, snakemake.input), strict=True))
payload = claims_file(
    "external",
    f"the config whose results folder is {Path(snakemake.output[0]).parents[1]}",
    provenance(files={name: report["path"] for name, report in reports.items()}),
    external_claims(reports, snakemake.params.claims),
)
logging.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
write_json(snakemake.output[0], payload)
