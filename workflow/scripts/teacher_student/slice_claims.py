"""The teacher-student slice's trend claims (U4 -> -4/27 as each knob grows or vanishes)."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import read_json, setup_logging
from rmtsgd.teacher_student.slice import MODULE, slice_claims

setup_logging(snakemake.log[0])
p = snakemake.params
trends = read_json(snakemake.input[0])
claims = slice_claims(trends, p.section, p.section["claims"])
write_claims_file(snakemake.output[0], MODULE, trends["provenance"], claims)
