# Config validation (before any job runs) and helpers shared by the rule files.
import re
from pathlib import Path

from rmtsgd.config import (
    as_plain,
    case_noise,
    model_a_spec,
    model_b_settings,
    model_b_spec,
    rbm_settings,
    schedule_for,
    shard_seed,
    scan_setting_meta,
    shard_sizes,
    validate_config,
)

validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")

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
    """Every figure and claims file of this config, module by module."""
    return rbm_targets() + teacher_student_targets() + external_targets()
