"""The phase-diagram module's claims file (bootstrap errors over the networks of each point)."""

import logging
from pathlib import Path

from rmtsgd.analysis.phase_diagram import phase_diagram_claims
from rmtsgd.claims import claims_file
from rmtsgd.io import load_npz, provenance, setup_logging, write_json

setup_logging(snakemake.log[0])
pd = snakemake.params.pd
grid = load_npz(snakemake.input[0])
result = phase_diagram_claims(grid, pd, snakemake.params.seed)
payload = claims_file(
    "phase_diagram",
    f"the config whose results folder is {Path(snakemake.output[0]).parents[1]}",
    provenance(
        seeds={"base": snakemake.params.seed, "slots": snakemake.params.slot_seeds},
        diverged_networks=int(grid["diverged"].sum()),
    ),
    result["claims"],
)
payload["skipped_kinds"] = pd["claims"]["skip"]
payload["measured"] = result["measured"]
logging.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
write_json(snakemake.output[0], payload)
