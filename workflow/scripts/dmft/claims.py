"""The DMFT module's claims file from the analysis summary."""

from rmtsgd.claims import write_claims_file
from rmtsgd.dmft.claims import dmft_claims
from rmtsgd.io import read_json, setup_logging

setup_logging(snakemake.log[0])
cfg = snakemake.params.claims
summary = read_json(snakemake.input[0])
write_claims_file(
    snakemake.output[0], "dmft", summary["provenance"], dmft_claims(summary, cfg), cfg["skip"]
)
