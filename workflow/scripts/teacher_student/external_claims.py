"""Claims of every external ensemble (Eq 11-12 and Eq 31 for each degenerate pair)."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import provenance, read_json, setup_logging
from rmtsgd.teacher_student.external import external_claims

setup_logging(snakemake.log[0])
reports = dict(zip(snakemake.params.names, map(read_json, snakemake.input), strict=True))
write_claims_file(
    snakemake.output[0],
    "external",
    provenance(files={name: report["path"] for name, report in reports.items()}),
    external_claims(reports, snakemake.params.claims),
)
