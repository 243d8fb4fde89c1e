"""The phase-diagram slice's trend claims (module phase_diagram_slice)."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import provenance, read_json, setup_logging
from rmtsgd.phase_diagram.slice import slice_claims

setup_logging(snakemake.log[0])
pd = snakemake.params.pd
trend = read_json(snakemake.input[0])
write_claims_file(
    snakemake.output[0],
    "phase_diagram_slice",
    provenance(seeds={"base": snakemake.params.seed, "slots": snakemake.params.slot_seeds}),
    slice_claims(trend, pd),
    skipped=pd["slice"]["claims"]["skip"],
    measured=trend,
)
