# Paper-figure pipeline for the statistical physics of SGD (see README.md).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/phase_diagram_common.smk"
include: "workflow/rules/single_index_common.smk"
include: "workflow/rules/dmft_common.smk"
include: "workflow/rules/teacher_student_common.smk"
include: "workflow/rules/rbm.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/teacher_student.smk"
include: "workflow/rules/external.smk"
include: "workflow/rules/phase_diagram.smk"
include: "workflow/rules/single_index.smk"
include: "workflow/rules/dmft.smk"
include: "workflow/rules/report.smk"


report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        all_targets(),
