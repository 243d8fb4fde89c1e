"""The single-index module's claims file from the fitted exponents."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import read_json, setup_logging
from rmtsgd.single_index.analysis import single_index_claims

setup_logging(snakemake.log[0])
cfg = snakemake.params.claims
fitted = read_json(snakemake.input[0])
write_claims_file(
    snakemake.output[0],
    "single_index",
    fitted["provenance"],
    single_index_claims(fitted, cfg, snakemake.params.runs),
    skipped=cfg["skip"],
)
