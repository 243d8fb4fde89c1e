"""Model-B scan summary and the teacher-student module's claims file."""

import logging
from pathlib import Path

from rmtsgd.analysis.teacher_student import scan_summary, teacher_student_claims
from rmtsgd.claims import claims_file
from rmtsgd.io import provenance, read_json, setup_logging, write_json

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
payload = claims_file(
    "teacher_student",
    f"the config whose results folder is {Path(snakemake.output.claims).parents[1]}",
    provenance(seeds=seeds, diverged_networks=diverged),
    claims,
)
payload["skipped_kinds"] = p.claims["skip"]
logging.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
write_json(snakemake.output.claims, payload)
