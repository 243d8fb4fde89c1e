"""The single-index slice's trend claims file from the trend fits."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import read_json, setup_logging
from rmtsgd.single_index.slice import slice_claims

setup_logging(snakemake.log[0])
trends = read_json(snakemake.input[0])
write_claims_file(
    snakemake.output[0],
    "single_index_slice",
    trends["provenance"],
    slice_claims(trends, snakemake.params.claims, snakemake.params.runs),
)
