# Helpers of the teacher-student slice study (issue 15): its runs, costs and targets.
# ---------------------------------------------------------------------------------------------
# Slice study (issue 15): U4 of the model-B pair against the window length, the network count,
# alpha at fixed alpha/|B| and alpha/|B|, with expected-gradient controls. Not part of `all`:
# `snakemake slice`. Ensembles train with the model-B script. Every job peaks at a Python process
# with torch (about 300 MB, measured 200-240 MB) plus a few copies of the snapshots.
from rmtsgd.teacher_student.slice import (
    check_slice,
    slice_runs,
    slice_spec,
    snapshot_updates,
)

TS_SLICE = TS["slice"]
TS_SLICE_RUNS = slice_runs(TS_SLICE)
if workflow.is_main_process:
    check_slice(TS_SLICE, TS["analysis"]["jackknife_blocks"])

# Network-updates per CPU second of the model-B trainer: measured 1.5e6-2.5e6 with the mini-batch
# draws (4 000 networks, 1 100-8 800 updates, about 1 CPU-s of start-up per job included); C = I
# draws no batch (about 3x faster). Halved for slower cluster cores. The trends job: 0.6 CPU-s
# per ensemble and 3.3 CPU-s for the window and network trends at 4 000 networks x 20
# snapshots, linear in networks x snapshots; doubled likewise, plus start-up.
TS_SLICE_RATE = {"minibatch": 1.0e6, "expected": 3.0e6}


def ts_slice_trends_cpu_s(wildcards):
    """CPU seconds of the trends job: every ensemble's U4, then the nested trends."""
    samples = TS_SLICE["networks"] * TS_SLICE["snapshots"]
    return 10 + 2 * samples * (7.5e-6 * len(TS_SLICE_RUNS) + 4.1e-5)


def ts_slice_ensembles():
    """Every slice ensemble, in the order of `slice_runs` (the trends script relies on it)."""
    return [
        f"{RES}/teacher_student/slice/ensembles/{name}.npz" for name in TS_SLICE_RUNS
    ]


def ts_slice_updates(run):
    """Network-updates of one slice ensemble."""
    return TS_SLICE["networks"] * snapshot_updates(TS_SLICE, run.lr)[-1]


def ts_slice_train_cpu_s(wildcards):
    """CPU seconds of one slice ensemble (one thread)."""
    run = TS_SLICE_RUNS[wildcards.ts_slice]
    rate = TS_SLICE_RATE[run.gradient]
    return ts_slice_updates(run) / rate


def ts_slice_weights_mb():
    """Size of one slice ensemble's snapshots, MB."""
    return TS_SLICE["networks"] * TS_SLICE["snapshots"] * 4 * 8 / 1e6


def teacher_student_slice_targets():
    """The slice's trend claims and its figure (PDF and PNG)."""
    figures = [f"{FIG}/ts_slice_u4.{ext}" for ext in ("pdf", "png")]
    return [f"{RES}/claims/teacher_student_slice.json"] + figures


register_slice(
    "teacher_student_slice", "Teacher-student: slice", teacher_student_slice_targets
)
