# Phase diagram of SGD in a multilayer tanh network (seed 000): train the grid in shards,
# observables per shard, per-point summaries and phases, claims, and the figures pd1-pd9 plus
# the phase map. A figure asked for alone needs only the shards of its grid points.
# Helpers and constants: workflow/rules/phase_diagram_common.smk.

register_module("phase_diagram", lambda: pd_targets())


# Claims and figures take seconds at every scale: on a cluster they run on the submitting node
# instead of waiting in the queue, as the report's rules do.
localrules:
    pd_claims,
    pd1,
    pd6,
    pd_grid_figures,


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
        mem_mb=mem_mb(pd_shard_mb),
        runtime=runtime(pd_train_cpu_s),
        gpu=GPUS,
    params:
        train=pd_train_params,
        code=library_code("phase_diagram/train.py"),
    script:
        "../scripts/phase_diagram/train.py"


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
    threads: 1
    resources:
        mem_mb=mem_mb(pd_shard_mb),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        model=as_plain(PD["model"]),
        n_train=PD["data"]["n_train"],
        n_test=PD["data"]["n_test"],
        slot_seeds=PD_SLOT_SEEDS,
        code=library_code("phase_diagram/observables.py"),
    script:
        "../scripts/phase_diagram/observables.py"


rule pd_grid:
    input:
        pd_observables_of(PD_SHARDS),
    output:
        f"{RES}/phase_diagram/grid.npz",
    log:
        f"{RES}/logs/pd_grid.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(pd_grid_mb),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        pd={key: as_plain(PD[key]) for key in ("grid", "training", "analysis")},
        code=library_code("phase_diagram/grid.py"),
    script:
        "../scripts/phase_diagram/grid.py"


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
    threads: 1
    resources:
        mem_mb=mem_mb(pd_grid_mb),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        pd={
            key: as_plain(PD[key])
            for key in ("grid", "training", "analysis", "claims")
        },
        seed=config["seed"],
        slot_seeds=PD_SLOT_SEEDS,
        code=library_code("phase_diagram/claims.py"),
    script:
        "../scripts/phase_diagram/claims.py"


rule pd1:
    output:
        pdf=f"{FIG}/pd1.pdf",
        png=report(
            f"{FIG}/pd1.png",
            caption="../report/phase_diagram/pd1.rst",
            category=module_entry("phase_diagram").title,
        ),
    log:
        f"{RES}/logs/figures/pd1.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(PD_BASE_MB),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        s2=PD["figures"]["tanh_s2"],
        code=library_code("phase_diagram/plot_pd1.py"),
    script:
        "../scripts/phase_diagram/plot_pd1.py"


rule pd6:
    input:
        pd_observables_of(sorted(set(pd_point_shards()))),
    output:
        pdf=f"{FIG}/pd6.pdf",
        png=report(
            f"{FIG}/pd6.png",
            caption="../report/phase_diagram/pd6.rst",
            category=module_entry("phase_diagram").title,
        ),
    log:
        f"{RES}/logs/figures/pd6.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(pd_grid_mb),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        points=as_plain(PD["analysis"]["points"]),
        batch=PD["training"]["batch"],
        code=library_code("phase_diagram/plot_pd6.py"),
    script:
        "../scripts/phase_diagram/plot_pd6.py"


# The figures drawn from grid.npz, one job (each Python start-up costs seconds): asking for
# one of them draws all, in seconds, from the trained shards.
rule pd_grid_figures:
    input:
        f"{RES}/phase_diagram/grid.npz",
    output:
        **{
            f"{name}_{ext}": (
                report(
                    f"{FIG}/{name}.png",
                    caption=f"../report/phase_diagram/{name}.rst",
                    category=module_entry("phase_diagram").title,
                )
                if ext == "png"
                else f"{FIG}/{name}.pdf"
            )
            for name in PD_GRID_FIGURES
            for ext in ("pdf", "png")
        },
    log:
        f"{RES}/logs/figures/pd_grid_figures.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(pd_grid_mb),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        figures=PD_GRID_FIGURES,
        tc_sigma_w=PD["analysis"]["tc_sigma_w"],
        code=library_code("phase_diagram/plot_grid.py"),
    script:
        "../scripts/phase_diagram/plot_grid.py"


# Slice study (issue 15): the boundaries against training time (helpers in
# phase_diagram_common.smk). Training reuses phase_diagram/train.py with the slice's networks.
localrules:
    pd_slice_claims,
    pd_slice_figure,


rule pd_slice_train:
    output:
        f"{RES}/phase_diagram/slice/shards/shard{{pd_shard}}.npz",
    log:
        f"{RES}/logs/pd_slice_train/shard{{pd_shard}}.log",
    benchmark:
        f"{RES}/benchmarks/pd_slice_train/shard{{pd_shard}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: PD["training"]["threads"]
    resources:
        mem_mb=mem_mb(pd_slice_shard_mb),
        runtime=runtime(pd_slice_train_cpu_s),
        gpu=GPUS,
    params:
        train=pd_slice_train_params,
        code=library_code("phase_diagram/train.py"),
    script:
        "../scripts/phase_diagram/train.py"


rule pd_slice_observables:
    input:
        f"{RES}/phase_diagram/slice/shards/shard{{pd_shard}}.npz",
    output:
        f"{RES}/phase_diagram/slice/observables/shard{{pd_shard}}.npz",
    log:
        f"{RES}/logs/pd_slice_observables/shard{{pd_shard}}.log",
    benchmark:
        f"{RES}/benchmarks/pd_slice_observables/shard{{pd_shard}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(pd_slice_shard_mb),
        runtime=runtime(pd_slice_observables_cpu_s),
    params:
        model=as_plain(PD["model"]),
        n_train=PD["data"]["n_train"],
        n_test=PD["data"]["n_test"],
        slot_seeds=PD_SLICE_SLOT_SEEDS,
        trend_epochs=PD_SLICE["trend_epochs"],
        code=library_code("phase_diagram/slice_observables.py"),
    script:
        "../scripts/phase_diagram/slice_observables.py"


rule pd_slice_trend:
    input:
        [f"{RES}/phase_diagram/slice/observables/shard{i}.npz" for i in PD_SLICE_SHARDS],
    output:
        f"{RES}/phase_diagram/slice/trend.json",
    log:
        f"{RES}/logs/pd_slice_trend.log",
    benchmark:
        f"{RES}/benchmarks/pd_slice_trend.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(pd_grid_mb),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        pd={key: as_plain(PD[key]) for key in ("grid", "training", "analysis", "slice")},
        seed=config["seed"],
        code=library_code("phase_diagram/slice_trend.py"),
    script:
        "../scripts/phase_diagram/slice_trend.py"


rule pd_slice_claims:
    input:
        f"{RES}/phase_diagram/slice/trend.json",
    output:
        f"{RES}/claims/phase_diagram_slice.json",
    log:
        f"{RES}/logs/pd_slice_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(PD_BASE_MB),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        pd={key: as_plain(PD[key]) for key in ("training", "analysis", "slice")},
        seed=config["seed"],
        slot_seeds=PD_SLICE_SLOT_SEEDS,
        code=library_code("phase_diagram/slice_claims.py"),
    script:
        "../scripts/phase_diagram/slice_claims.py"


rule pd_slice_figure:
    input:
        f"{RES}/phase_diagram/slice/trend.json",
    output:
        pdf=f"{FIG}/pd_slice_trend.pdf",
        png=report(
            f"{FIG}/pd_slice_trend.png",
            caption="../report/phase_diagram/pd_slice_trend.rst",
            category="Phase diagram: slice",
        ),
    log:
        f"{RES}/logs/figures/pd_slice_trend.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(PD_BASE_MB),
        runtime=runtime(PD_ANALYSIS_CPU_S),
    params:
        inv_sigma_w=1 / PD["analysis"]["tc_sigma_w"],
        code=library_code("phase_diagram/plot_slice.py"),
    script:
        "../scripts/phase_diagram/plot_slice.py"
