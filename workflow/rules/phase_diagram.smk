# Phase diagram of SGD in a multilayer tanh network (seed 000): train the grid in shards,
# observables per shard, per-point summaries and phases, claims, and the figures pd1-pd9 plus
# the phase map. A figure asked for alone needs only the shards of its grid points.
from rmtsgd.config import (
    pd_data_seeds,
    pd_shard_networks,
    pd_shard_of,
    pd_shards,
    pd_snapshots,
)

PD = config["phase_diagram"]
PD_SHARDS = range(len(pd_shards(PD)))
PD_DATA_SEEDS = pd_data_seeds(config["seed"])
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
        "data_seeds": PD_DATA_SEEDS,
        "networks": pd_shard_networks(PD, config["seed"], int(wildcards.pd_shard)),
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


rule pd_train:
    output:
        f"{RES}/phase_diagram/shards/shard{{pd_shard}}.npz",
    log:
        f"{RES}/logs/pd_train/shard{{pd_shard}}.log",
    benchmark:
        f"{RES}/benchmarks/pd_train/shard{{pd_shard}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: PD["training"]["threads"]
    resources:
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        train=pd_train_params,
    script:
        "../scripts/pd_train.py"


rule pd_observables:
    input:
        f"{RES}/phase_diagram/shards/shard{{pd_shard}}.npz",
    output:
        f"{RES}/phase_diagram/observables/shard{{pd_shard}}.npz",
    log:
        f"{RES}/logs/pd_observables/shard{{pd_shard}}.log",
    benchmark:
        f"{RES}/benchmarks/pd_observables/shard{{pd_shard}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        model=as_plain(PD["model"]),
        n_train=PD["data"]["n_train"],
        n_test=PD["data"]["n_test"],
        data_seeds=PD_DATA_SEEDS,
        classifier_epoch=PD["analysis"]["classifier_epoch"],
    script:
        "../scripts/pd_observables.py"


rule pd_grid:
    input:
        pd_observables_of(PD_SHARDS),
    output:
        f"{RES}/phase_diagram/grid.npz",
    log:
        f"{RES}/logs/pd_grid.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        pd={key: as_plain(PD[key]) for key in ("grid", "training", "analysis")},
    script:
        "../scripts/pd_grid.py"


rule pd_claims:
    input:
        f"{RES}/phase_diagram/grid.npz",
    output:
        f"{RES}/claims/phase_diagram.json",
    log:
        f"{RES}/logs/pd_claims.log",
    benchmark:
        f"{RES}/benchmarks/pd_claims.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        pd={key: as_plain(PD[key]) for key in ("grid", "training", "analysis", "claims")},
        seed=config["seed"],
        data_seeds=PD_DATA_SEEDS,
    script:
        "../scripts/pd_claims.py"


rule pd1:
    output:
        pdf=report(
            f"{FIG}/pd1.pdf",
            caption="../report/pd1.rst",
            category="Phase diagram",
        ),
        png=f"{FIG}/pd1.png",
    log:
        f"{RES}/logs/figures/pd1.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        s2=PD["figures"]["tanh_s2"],
    script:
        "../scripts/plot_pd1.py"


rule pd6:
    input:
        pd_observables_of(sorted(set(pd_point_shards()))),
    output:
        pdf=report(
            f"{FIG}/pd6.pdf",
            caption="../report/pd6.rst",
            category="Phase diagram",
        ),
        png=f"{FIG}/pd6.png",
    log:
        f"{RES}/logs/figures/pd6.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        points=as_plain(PD["analysis"]["points"]),
        batch=PD["training"]["batch"],
    script:
        "../scripts/plot_pd6.py"


# One rule per figure of the grid (each with its own caption), all drawn from grid.npz.
for pd_figure in PD_GRID_FIGURES:

    rule:
        name:
            pd_figure
        input:
            f"{RES}/phase_diagram/grid.npz",
        output:
            pdf=report(
                f"{FIG}/{pd_figure}.pdf",
                caption=f"../report/{pd_figure}.rst",
                category="Phase diagram",
            ),
            png=f"{FIG}/{pd_figure}.png",
        log:
            f"{RES}/logs/figures/{pd_figure}.log",
        conda:
            "../../envs/rmtsgd.yaml"
        params:
            figure=pd_figure,
            points=as_plain(PD["analysis"]["points"]),
            tc_sigma_w=PD["analysis"]["tc_sigma_w"],
        script:
            "../scripts/plot_pd_grid.py"
