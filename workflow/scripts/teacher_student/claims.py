"""Model-B scan summary and the teacher-student module's claims file."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import provenance, read_json, setup_logging, write_json
from rmtsgd.teacher_student.analysis import scan_summary
from rmtsgd.teacher_student.claims import teacher_student_claims

setup_logging(snakemake.log[0])
p = snakemake.params
model_a = [read_json(path) for path in snakemake.input.model_a]
model_b = [read_json(path) for path in snakemake.input.model_b]
summary = scan_summary(model_b, p.analysis["scaling_max_lr"])
write_json(snakemake.output.summary, summary)
claims = teacher_student_claims(model_a, model_b, summary, p.claims, p.analysis)
seeds = {f["case"]: f["provenance"]["seeds"] for f in model_a}
seeds.update({f["setting"]["name"]: f["provenance"]["seeds"] for f in model_b})
diverged = {f["case"]: f["networks"]["diverged"] for f in model_a}
diverged.update({f["setting"]["name"]: f["networks"]["diverged"] for f in model_b})
write_claims_file(
    snakemake.output.claims,
    "teacher_student",
    provenance(seeds=seeds, diverged_networks=diverged),
    claims,
    skipped=p.claims["skip"],
)
