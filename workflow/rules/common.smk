# Config validation (before any job runs) and helpers shared by the rule files.
import re
from pathlib import Path

from rmtsgd.config import as_plain, shard_seed, shard_sizes, validate_config
from rmtsgd.teacher_student.config import (
    case_noise,
    model_a_spec,
    model_b_settings,
    model_b_spec,
    scan_setting_meta,
)
from rmtsgd.rbm.config import rbm_settings, schedule_for

# Only the submitting process validates: every job of the run (a SLURM job, or a job run in a
# subprocess) parses this workflow again with the same config files, and the checks import
# the models (torch), seconds per job.
if workflow.is_main_process:
    validate_config(
        config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )

RES = config["results"]
FIG = config["figures"]
RBM = config["rbm"]
SETTINGS = {s.name: s for s in rbm_settings(RBM)}
FIGURES = ["fig2", "fig3", "spacings"]
TS = config["teacher_student"]
TS_A, TS_B = TS["model_a"], TS["model_b"]
TS_CASES = list(TS_A["cases"])
TS_SETTINGS = {s.name: s for s in model_b_settings(TS_B)}
TS_FIGURES = ["fig4", "fig5", "ts_scans"]
EXTERNAL = config["external"]


def alternatives(names):
    """A wildcard pattern matching exactly these names (nothing when there are none)."""
    return "|".join(re.escape(name) for name in names) or "(?!)"


wildcard_constraints:
    setting=alternatives(SETTINGS),
    shard=r"\d+",
    case=alternatives(TS_CASES),
    ts_setting=alternatives(TS_SETTINGS),
    name=alternatives(EXTERNAL),


def scans_of(setting):
    """Names of the scans a setting belongs to."""
    scans = RBM["scans"]
    member = {
        "batch": setting.lr == scans["batch"]["lr"]
        and setting.batch in scans["batch"]["batch"],
        "lr": setting.batch == scans["lr"]["batch"] and setting.lr in scans["lr"]["lr"],
    }
    return [name for name, inside in member.items() if inside]


def train_params(wildcards):
    """Everything that determines a training shard's numbers."""
    setting = SETTINGS[wildcards.setting]
    shard = int(wildcards.shard)
    training = RBM["training"]
    return {
        "model": as_plain(RBM["model"]),
        "lr": setting.lr,
        "batch": setting.batch,
        "k": training["k"],
        "replicas": shard_sizes(training)[shard],
        "snapshots": list(schedule_for(training, setting.lr).snapshots),
        "seed": shard_seed(config["seed"], setting, shard),
        "device": config["device"],
        "noise_dtype": training["noise_dtype"],
        "check_every": training["divergence_check_every"],
    }


def shards_of(wildcards):
    """Training shards of one setting."""
    return [
        f"{RES}/rbm/ensembles/{wildcards.setting}/shard{i}.npz"
        for i in range(len(shard_sizes(RBM["training"])))
    ]


def setting_meta(name):
    """A setting as the analysis records it."""
    setting = SETTINGS[name]
    return {
        "name": name,
        "lr": setting.lr,
        "batch": setting.batch,
        "noise": setting.noise,
        "scans": scans_of(setting),
    }


def spectra_of(names):
    return [f"{RES}/rbm/spectra/{name}.npz" for name in names]


def fits_of(names):
    return [f"{RES}/rbm/fits/{name}.json" for name in names]


def lr_scan_name(lr):
    """Setting name of a learning rate of the lr scan."""
    return next(
        name
        for name, s in SETTINGS.items()
        if s.lr == lr and s.batch == RBM["scans"]["lr"]["batch"]
    )


def rbm_targets():
    """Figures (PDF and PNG) and the claims file of the RBM module."""
    figures = [f"{FIG}/{name}.{ext}" for name in FIGURES for ext in ("pdf", "png")]
    return figures + [f"{RES}/claims/rbm.json"]


def ts_a_files(kind, cases):
    """Model-A artifacts of some cases: ensembles, spectra (.npz) or fits (.json)."""
    ext = "json" if kind == "fits" else "npz"
    return [f"{RES}/teacher_student/model_a/{kind}/{case}.{ext}" for case in cases]


def ts_b_fits():
    return [f"{RES}/teacher_student/model_b/fits/{name}.json" for name in TS_SETTINGS]


def teacher_student_targets():
    """Figures (PDF and PNG) and the claims file of the teacher-student module."""
    figures = [f"{FIG}/{name}.{ext}" for name in TS_FIGURES for ext in ("pdf", "png")]
    return figures + [f"{RES}/claims/teacher_student.json"]


def external_targets():
    """Per external entry its report and figure, and the claims of all (nothing if none)."""
    if not EXTERNAL:
        return []
    files = [f"{RES}/external/{name}.json" for name in EXTERNAL]
    files += [
        f"{FIG}/external_{name}.{ext}" for name in EXTERNAL for ext in ("pdf", "png")
    ]
    return files + [f"{RES}/claims/external.json"]


def all_targets():
    """Every figure and claims file of this config, module by module, and the report items."""
    files = [path for targets in MODULE_TARGETS.values() for path in targets()]
    return files + report_targets()


# ---------------------------------------------------------------------------------------------
# Plumbing every module uses: module registry (claims manifest, report, `rmtsgd check`), library
# code hashes (reruns that follow library edits), cluster resources, and the guards that stop
# a SLURM run without SLURM and a report without results.
import math
import shutil
import subprocess
import sys

from snakemake.exceptions import WorkflowError

from rmtsgd.codehash import code_hash
from rmtsgd.modules import module as module_entry
from rmtsgd.rbm.config import training_normals

MODULES = {}  # name -> title (its report category); filled by register_module
MODULE_TARGETS = {}  # name -> its targets function


def register_module(name, targets):
    """Plug a module of the registry (rmtsgd.modules) into `all`, the claims manifest, the
    report and `rmtsgd check`: `targets()` lists its figures and claims file
    {RES}/claims/{name}.json, and its figures use the registry's title as report category.
    """
    MODULES[name] = module_entry(name).title
    MODULE_TARGETS[name] = targets


SLICES = {}  # name -> (title, targets): the slice studies; filled by register_slice


def register_slice(name, title, targets):
    """Plug a module's slice study (issue 15: trends at the papers' scale) into the `slice`
    target and its manifest: its rules write {RES}/claims/{name}.json and `targets()` lists
    every file the study makes."""
    SLICES[name] = (title, targets)


def slice_targets():
    """Every slice study's files and the slice manifest (not part of `all`)."""
    files = [path for _, targets in SLICES.values() for path in targets()]
    return files + [f"{RES}/claims/manifest_slice.json"]


def report_targets():
    """The claims manifest, one claims table per module and the report's landing summary."""
    tables = [f"{RES}/report/claims_{name}.html" for name in MODULES]
    return [f"{RES}/claims/manifest.json", f"{RES}/report/summary.rst"] + tables


def claim_settings(name):
    """What a module's claims come from, for its claims table: seed, device and the module's
    config section less its `figures` key (so restyling reruns only the figure)."""
    section = {key: value for key, value in config[name].items() if key != "figures"}
    return {"seed": config["seed"], "device": config["device"], name: as_plain(section)}


def library_code(script):
    """Hash of the rmtsgd modules a script imports (transitively): as a rule's param, editing
    that library code reruns the rule, and only rules whose scripts import it."""
    return code_hash(Path(workflow.basedir) / "workflow/scripts" / script)


# Cluster resources: a rule states its measured cost at this config's scale (peak memory in MB,
# CPU seconds; from its benchmark: files, see benchmarks/README.md). The helpers add headroom
# and scale with the attempt, so a job killed for time or memory is resubmitted with twice as
# much (profiles/slurm retries once). Costs may be numbers or functions of the wildcards.
HEADROOM = 2.0
MIN_RUNTIME = 10  # minutes: covers start-up on a busy node


def _cost(value, wildcards):
    return value(wildcards) if callable(value) else value


def mem_mb(peak_mb):
    """The mem_mb resource of a rule whose jobs peak at `peak_mb`."""
    return lambda wildcards, attempt: math.ceil(
        HEADROOM * attempt * _cost(peak_mb, wildcards)
    )


def runtime(cpu_seconds):
    """The runtime resource (minutes) of a rule whose jobs take `cpu_seconds` per thread."""
    return lambda wildcards, attempt: max(
        MIN_RUNTIME,
        math.ceil(HEADROOM * attempt * _cost(cpu_seconds, wildcards) / 60),
    )


# GPU rules declare gpu=GPUS; the SLURM plugin turns gpu=1 into sbatch --gpus=1
GPUS = 1 if config["device"] == "cuda" else 0


def require_slurm():
    """With the SLURM executor, stop at once (not after submissions time out) unless this
    machine can submit jobs: sbatch and sinfo on PATH and the controller answering."""
    plugin = workflow.executor_plugin
    if plugin is None or plugin.name != "slurm":
        return
    advice = (
        "Run without the SLURM profile (snakemake --cores N) or from a SLURM login node; "
        "to try the profile locally, start a one-node cluster with ci/local-slurm.sh up"
    )
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        raise WorkflowError(
            "the SLURM executor (profiles/slurm) was asked for, but this machine has no "
            f"SLURM: sbatch/sinfo are not on PATH. {advice}."
        )
    try:
        subprocess.run(
            ["sinfo", "-h"], check=True, capture_output=True, text=True, timeout=30
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        reason = getattr(error, "stderr", None) or str(error)
        raise WorkflowError(
            f"the SLURM executor was asked for, but the SLURM controller does not answer "
            f"(sinfo: {str(reason).strip()}). {advice}."
        )


def report_requested():
    """Whether this invocation builds a report (snakemake --report FILE)."""
    return any(arg == "--report" or arg.startswith("--report=") for arg in sys.argv)


def require_results(targets):
    """Stop with the list of missing results (a report shows results, it does not make them)."""
    missing = [str(t) for t in targets if not Path(t).exists()]
    if missing:
        raise WorkflowError(
            f"the report needs this config's results, and {len(missing)} are missing:\n  "
            + "\n  ".join(missing)
            + "\nMake them first with the same command without --report "
            "(e.g. snakemake --cores 2 [--configfile ...]), then build the report."
        )


onstart:
    require_slurm()


# Gaussian-RBM job costs (measured: benchmarks/README.md, "Pipeline jobs"). Every job peaks at
# the memory of a Python process with torch and numpy loaded (240-285 MB) plus its arrays;
# training is bound by drawing Gaussian normals, (k+1)|B|Nh + k|B|Nv per replica-update, at
# 1.5-1.8e8 per CPU second here (1e8 below: slower cluster cores); analysis jobs take seconds.
RBM_BASE_MB = 300
RBM_NORMALS_PER_CPU_S = 1.0e8
# spectra, fits, claims, figures: an upper bound at every scale
RBM_ANALYSIS_CPU_S = 120


def rbm_train_cpu_s(wildcards):
    """CPU seconds of one training shard (one thread)."""
    replicas = shard_sizes(RBM["training"])[int(wildcards.shard)]
    normals = training_normals(RBM, SETTINGS[wildcards.setting], replicas)
    return normals / RBM_NORMALS_PER_CPU_S


def rbm_weights_mb(replicas, lr):
    """Size of the weight snapshots of `replicas` replicas at learning rate `lr`, MB."""
    snapshots = len(schedule_for(RBM["training"], lr).snapshots)
    return replicas * snapshots * RBM["model"]["nv"] * RBM["model"]["nh"] * 8 / 1e6


def rbm_train_mb(wildcards):
    """Peak memory of a training shard: the snapshots kept, then stacked (twice)."""
    replicas = shard_sizes(RBM["training"])[int(wildcards.shard)]
    return RBM_BASE_MB + 2 * rbm_weights_mb(replicas, SETTINGS[wildcards.setting].lr)


def rbm_setting_mb(wildcards):
    """Peak memory of a job that loads a whole setting's snapshots (and spectra of them)."""
    lr = SETTINGS[wildcards.setting].lr
    return RBM_BASE_MB + 3 * rbm_weights_mb(RBM["training"]["replicas"], lr)


# Teacher-student and external-ensemble job costs (measured: benchmarks/README.md, "Pipeline
# jobs"): every job peaks at a Python process with torch loaded (about 300 MB) plus a few copies
# of its weight snapshots; the trainers advance 1e6-5e6 network-updates per CPU second, so at
# every shipped scale a job takes well under a minute; 120 CPU-s is a generous bound.
TS_BASE_MB = 300
TS_JOB_CPU_S = 120


def ts_a_weights_mb():
    """Size of one model-A ensemble's weight snapshots, MB."""
    snapshots = len(model_a_spec(config, TS_CASES[0])["snapshots"])
    return TS_A["networks"] * snapshots * 4 * 8 / 1e6


def ts_a_mb(wildcards):
    """Peak memory of a model-A job: the snapshots, kept and stacked, and their spectra."""
    return TS_BASE_MB + 3 * ts_a_weights_mb()


def external_mb(wildcards):
    """Peak memory of an external-ensemble job: the file's arrays, loaded and sliced."""
    return TS_BASE_MB + 3 * Path(EXTERNAL[wildcards.name]["path"]).stat().st_size / 1e6
