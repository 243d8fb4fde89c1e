# Phase-diagram helpers shared by its rules (workflow/rules/phase_diagram.smk): grid shards,
# training parameters, targets.
from rmtsgd.config import (
    pd_shard_networks,
    pd_shard_of,
    pd_shards,
    pd_slot_seeds,
    pd_snapshots,
)

PD = config["phase_diagram"]
PD_SHARDS = range(len(pd_shards(PD)))
PD_SLOT_SEEDS = [
    pd_slot_seeds(config["seed"], k) for k in range(PD["grid"]["networks"])
]
PD_GRID_FIGURES = ["pd2", "pd3", "pd4", "pd5", "pd7", "pd8", "pd9", "pd_phase_map"]
PD_FIGURES = ["pd1", *PD_GRID_FIGURES, "pd6"]


wildcard_constraints:
    pd_shard=r"\d+",


def pd_train_params(wildcards):
    """Everything that determines a shard's trained weights."""
    training = PD["training"]
    return {
        "model": as_plain(PD["model"]),
        "n_train": PD["data"]["n_train"],
        "slot_seeds": PD_SLOT_SEEDS,
        "networks": pd_shard_networks(PD, int(wildcards.pd_shard)),
        "batch": training["batch"],
        "snapshots": pd_snapshots(training),
        "loss_threshold": training["loss_threshold"],
        "dtype": training["dtype"],
        "device": config["device"],
    }


def pd_observables_of(shards):
    return [f"{RES}/phase_diagram/observables/shard{i}.npz" for i in shards]


def pd_point_shards():
    """Shards holding the three phase points of Fig 6 (in the order ordered, para, jammed)."""
    points = PD["analysis"]["points"]
    return [pd_shard_of(PD, p["eps"], p["sigma_w"]) for p in points.values()]


def pd_targets():
    """Every phase-diagram figure (PDF and PNG) and the module's claims file."""
    figures = [f"{FIG}/{name}.{ext}" for name in PD_FIGURES for ext in ("pdf", "png")]
    return figures + [f"{RES}/claims/phase_diagram.json"]
