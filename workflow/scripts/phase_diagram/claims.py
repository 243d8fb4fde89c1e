"""The phase-diagram module's claims file (bootstrap errors over the networks of each point)."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import load_npz, provenance, setup_logging
from rmtsgd.phase_diagram.claims import phase_diagram_claims

setup_logging(snakemake.log[0])
pd = snakemake.params.pd
grid = load_npz(snakemake.input[0])
result = phase_diagram_claims(grid, pd, snakemake.params.seed)
write_claims_file(
    snakemake.output[0],
    "phase_diagram",
    provenance(
        seeds={"base": snakemake.params.seed, "slots": snakemake.params.slot_seeds},
        diverged_networks=int(grid["diverged"].sum()),
    ),
    result["claims"],
    skipped=pd["claims"]["skip"],
    measured=result["measured"],
)
