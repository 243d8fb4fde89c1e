# Config validation (before any job runs) and helpers shared by the rule files.
import re
from pathlib import Path

from rmtsgd.config import (
    as_plain,
    rbm_settings,
    schedule_for,
    shard_seed,
    shard_sizes,
    validate_config,
)

validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")

RES = config["results"]
FIG = config["figures"]
RBM = config["rbm"]
SETTINGS = {s.name: s for s in rbm_settings(RBM)}
FIGURES = ["fig2", "fig3", "spacings"]


wildcard_constraints:
    setting="|".join(re.escape(name) for name in SETTINGS),
    shard=r"\d+",


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


def all_targets():
    """Every figure (PDF and PNG) and the claims file of this config."""
    figures = [f"{FIG}/{name}.{ext}" for name in FIGURES for ext in ("pdf", "png")]
    figures += si_targets()
    return figures + [f"{RES}/claims/rbm.json"]
