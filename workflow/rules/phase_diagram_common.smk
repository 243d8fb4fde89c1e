# Phase-diagram helpers shared by its rules (workflow/rules/phase_diagram.smk): grid shards,
# training parameters, targets.
from rmtsgd.phase_diagram.config import (
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


# Job costs (measured: benchmarks/README.md, "Pipeline jobs"): training advances 2.4e6
# network-steps per CPU second here (float32; 1.5e6 below: slower cluster cores) and holds its
# snapshots of W (16 x 32 per network) a few times over beside a torch process (about 400 MB);
# the analysis jobs take seconds to a minute at every shipped scale.
PD_BASE_MB = 400
PD_STEPS_PER_CPU_S = 1.5e6
PD_ANALYSIS_CPU_S = 300


def pd_shard_size(wildcards):
    """Networks trained by one shard."""
    return len(pd_shard_networks(PD, int(wildcards.pd_shard))["slot"])


def pd_train_cpu_s(wildcards):
    """CPU seconds of one training shard (one thread)."""
    training = PD["training"]
    steps = training["epochs"] * PD["data"]["n_train"] // training["batch"]
    return pd_shard_size(wildcards) * steps / PD_STEPS_PER_CPU_S


def pd_shard_mb(wildcards):
    """Peak memory of a job holding one shard's snapshots (float64 at most)."""
    model = PD["model"]
    snapshots = len(pd_snapshots(PD["training"]))
    weights = (
        pd_shard_size(wildcards) * snapshots * model["hidden"] * model["hidden0"] * 8
    )
    return PD_BASE_MB + 3 * weights / 1e6


def pd_grid_mb(wildcards):
    """Peak memory of a job that reads every shard's observables: a generous bound."""
    return 2 * PD_BASE_MB


# ---------------------------------------------------------------------------------------------
# Slice study (issue 15; rmtsgd.phase_diagram.slice): the boundaries against training
# time on the cross of the Tc column and the lowest-T row, at the papers' scale in
# config/slice.yaml. Its own shards, trained with the grid's slots; not part of `all`.
from rmtsgd.phase_diagram.slice import (
    check_slice,
    slice_shard_networks,
    slice_shards,
    slice_snapshots,
)

if workflow.is_main_process:
    check_slice(PD)

PD_SLICE = PD["slice"]
PD_SLICE_SHARDS = range(len(slice_shards(PD)))
PD_SLICE_SLOT_SEEDS = [
    pd_slot_seeds(config["seed"], k) for k in range(PD_SLICE["networks"])
]


def pd_slice_train_params(wildcards):
    """Everything that determines a slice shard's trained weights (pd_train.py's params)."""
    training = PD["training"]
    return {
        "model": as_plain(PD["model"]),
        "n_train": PD["data"]["n_train"],
        "slot_seeds": PD_SLICE_SLOT_SEEDS,
        "networks": slice_shard_networks(PD, int(wildcards.pd_shard)),
        "batch": training["batch"],
        "snapshots": slice_snapshots(PD_SLICE),
        "loss_threshold": training["loss_threshold"],
        "dtype": training["dtype"],
        "device": config["device"],
    }


def pd_slice_targets():
    """The slice's trend claims and its figure (PDF and PNG)."""
    figure = [f"{FIG}/pd_slice_trend.{ext}" for ext in ("pdf", "png")]
    return [f"{RES}/claims/phase_diagram_slice.json"] + figure


# Job costs (measured at 100 networks per point, 2 shared cores): a training step costs a fixed
# ~2e-4 CPU-s of Python and torch dispatch (100 networks: 2.5 ms per network-epoch, 700: 0.82 ms,
# on cores loaded 9-fold) plus the grid's per-network rate (PD_STEPS_PER_CPU_S); the
# observables job reads every trend epoch as a run of its own (PD_SLICE_OBSERVABLES_CPU_S per
# network and trend epoch: 33 ms measured for 1 300 networks x 4 epochs on the loaded cores).
PD_SLICE_STEP_OVERHEAD_S = 2e-4
PD_SLICE_OBSERVABLES_CPU_S = 0.035


def pd_slice_shard_size(wildcards):
    return len(slice_shard_networks(PD, int(wildcards.pd_shard))["slot"])


def pd_slice_train_cpu_s(wildcards):
    """CPU seconds of one slice training shard (one thread)."""
    steps = PD_SLICE["epochs"] * PD["data"]["n_train"] // PD["training"]["batch"]
    networks = pd_slice_shard_size(wildcards)
    return steps * (PD_SLICE_STEP_OVERHEAD_S + networks / PD_STEPS_PER_CPU_S)


def pd_slice_observables_cpu_s(wildcards):
    trend = len(PD_SLICE["trend_epochs"])
    return (
        PD_ANALYSIS_CPU_S
        + pd_slice_shard_size(wildcards) * trend * PD_SLICE_OBSERVABLES_CPU_S
    )


def pd_slice_shard_mb(wildcards):
    """Peak memory of a job holding one slice shard's snapshots (float64), three times over."""
    model = PD["model"]
    weights = len(slice_snapshots(PD_SLICE)) * model["hidden"] * model["hidden0"] * 8
    return PD_BASE_MB + 3 * pd_slice_shard_size(wildcards) * weights / 1e6


register_slice("phase_diagram_slice", "Phase diagram: slice", pd_slice_targets)
