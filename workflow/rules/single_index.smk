# Single-index model (seed 001): hitting-time scans, medians with bootstrap replicates, fitted
# exponents, claims and figures. Every (curve, d, shard) is one job; helpers in
# single_index_common.smk.

register_module("single_index", lambda: si_targets())


# Claims and figures take seconds at every scale: on a cluster they run on the submitting node
# instead of waiting in the queue, as the report's rules do.
localrules:
    si_claims,
    si_eta,
    si_collapse,
    si_exponents,


rule si_run:
    output:
        f"{RES}/single_index/runs/{{curve}}/d{{dim}}/shard{{shard}}.npz",
    log:
        f"{RES}/logs/si_run/{{curve}}_d{{dim}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/si_run/{{curve}}_d{{dim}}_shard{{shard}}.tsv"
    wildcard_constraints:
        curve=SI_CURVES,
        dim=r"\d+",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: SI["run"]["threads"]
    resources:
        mem_mb=mem_mb(si_run_mb),
        runtime=runtime(si_run_cpu_s),
        gpu=GPUS,
    params:
        run=si_run_params,
        code=library_code("single_index/run.py"),
    script:
        "../scripts/single_index/run.py"


rule si_medians:
    input:
        lambda wc: [
            f"{RES}/single_index/runs/{wc.curve}/d{wc.dim}/shard{i}.npz"
            for i in range(len(SI_SHARDS))
        ],
    output:
        f"{RES}/single_index/medians/{{curve}}/d{{dim}}.npz",
    log:
        f"{RES}/logs/si_medians/{{curve}}_d{{dim}}.log",
    wildcard_constraints:
        curve=SI_CURVES,
        dim=r"\d+",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/medians.py"),
        curve=lambda wc: wc.curve,
        d=lambda wc: int(wc.dim),
        bootstrap=SI["analysis"]["bootstrap"],
        seed=lambda wc: si_bootstrap_seed(
            config["seed"], SingleIndexJob(wc.curve, int(wc.dim))
        ),
    script:
        "../scripts/single_index/medians.py"


rule si_fit:
    input:
        si_medians_of(SI_FITTED),
    output:
        f"{RES}/single_index/exponents.json",
    log:
        f"{RES}/logs/si_fit.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/fit.py"),
        curve_of_input=[job.curve for job in SI_FITTED],
        curves={job.curve: as_plain(SI["curves"][job.curve]) for job in SI_FITTED},
        analysis=as_plain(SI["analysis"]),
        model=as_plain(SI["model"]),
    script:
        "../scripts/single_index/fit.py"


rule si_claims:
    input:
        f"{RES}/single_index/exponents.json",
    output:
        f"{RES}/claims/single_index.json",
    log:
        f"{RES}/logs/si_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/claims.py"),
        claims=as_plain(SI["claims"]),
        runs=SI["run"]["runs"],
    script:
        "../scripts/single_index/claims.py"


rule si_eta:
    input:
        si_medians_of(SI_ETA_D),
    output:
        pdf=report(
            f"{FIG}/si_eta.pdf",
            caption="../report/single_index/si_eta.rst",
            category=module_entry("single_index").title,
        ),
        png=f"{FIG}/si_eta.png",
    log:
        f"{RES}/logs/figures/si_eta.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/plot_eta.py"),
        curves={job.curve: as_plain(SI["curves"][job.curve]) for job in SI_ETA_D},
        d=SI["figures"]["eta_d"],
    script:
        "../scripts/single_index/plot_eta.py"


rule si_collapse:
    input:
        medians=si_medians_of(SI_KNEE),
        fitted=f"{RES}/single_index/exponents.json",
    output:
        pdf=report(
            f"{FIG}/si_collapse.pdf",
            caption="../report/single_index/si_collapse.rst",
            category=module_entry("single_index").title,
        ),
        png=f"{FIG}/si_collapse.png",
    log:
        f"{RES}/logs/figures/si_collapse.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/plot_collapse.py"),
        curve=SI["analysis"]["crossover"]["curve"],
    script:
        "../scripts/single_index/plot_collapse.py"


rule si_exponents:
    input:
        f"{RES}/single_index/exponents.json",
    output:
        pdf=report(
            f"{FIG}/si_exponents.pdf",
            caption="../report/single_index/si_exponents.rst",
            category=module_entry("single_index").title,
        ),
        png=f"{FIG}/si_exponents.png",
    log:
        f"{RES}/logs/figures/si_exponents.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/plot_exponents.py"),
        claims=as_plain(SI["claims"]),
    script:
        "../scripts/single_index/plot_exponents.py"


# ---------------------------------------------------------------------------------------------
# The slice (issue 15): A2's threshold exponent and the theorem rule's slope in eta against the
# step-size constant c and the range of d (helpers in single_index_common.smk). The runs and
# medians reuse the scan's scripts; the trend fit, its claims and its figure take seconds.
register_slice("single_index_slice", "Single-index slice", si_slice_targets)


localrules:
    si_slice_fit,
    si_slice_claims,
    si_slice_figure,


rule si_slice_run:
    output:
        f"{RES}/single_index/slice/runs/{{study}}/c{{c}}/d{{dim}}/shard{{shard}}.npz",
    log:
        f"{RES}/logs/si_slice_run/{{study}}_c{{c}}_d{{dim}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/si_slice_run/{{study}}_c{{c}}_d{{dim}}_shard{{shard}}.tsv"
    wildcard_constraints:
        study="|".join(STUDIES),
        c=r"[0-9.e+-]+",
        dim=r"\d+",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: SI["run"]["threads"]
    resources:
        mem_mb=mem_mb(si_slice_mb),
        runtime=runtime(si_slice_cpu_s),
        gpu=GPUS,
    params:
        run=si_slice_run_params,
        code=library_code("single_index/run.py"),
    script:
        "../scripts/single_index/run.py"


rule si_slice_medians:
    input:
        lambda wc: [
            f"{RES}/single_index/slice/runs/{wc.study}/c{wc.c}/d{wc.dim}/shard{i}.npz"
            for i in range(len(SI_SLICE_SHARDS))
        ],
    output:
        f"{RES}/single_index/slice/medians/{{study}}/c{{c}}/d{{dim}}.npz",
    log:
        f"{RES}/logs/si_slice_medians/{{study}}_c{{c}}_d{{dim}}.log",
    wildcard_constraints:
        study="|".join(STUDIES),
        c=r"[0-9.e+-]+",
        dim=r"\d+",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/medians.py"),
        curve=lambda wc: f"slice {wc.study} c = {wc.c}",
        d=lambda wc: int(wc.dim),
        bootstrap=SI_SLICE["bootstrap"],
        seed=lambda wc: si_bootstrap_seed(
            config["seed"], si_slice_job(wc.study, wc.c, wc.dim)
        ),
    script:
        "../scripts/single_index/medians.py"


rule si_slice_fit:
    input:
        si_slice_medians(),
    output:
        f"{RES}/single_index/slice/trends.json",
    log:
        f"{RES}/logs/si_slice_fit.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/slice_fit.py"),
        points=SI_SLICE_POINTS,
        model=as_plain(SI["model"]),
        slice={key: as_plain(SI_SLICE[key]) for key in ("ranges", *STUDIES)},
    script:
        "../scripts/single_index/slice_fit.py"


rule si_slice_claims:
    input:
        f"{RES}/single_index/slice/trends.json",
    output:
        f"{RES}/claims/single_index_slice.json",
    log:
        f"{RES}/logs/si_slice_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/slice_claims.py"),
        claims=as_plain(SI_SLICE["claims"]),
        runs=SI_SLICE["runs"],
    script:
        "../scripts/single_index/slice_claims.py"


rule si_slice_figure:
    input:
        f"{RES}/single_index/slice/trends.json",
    output:
        pdf=report(
            f"{FIG}/si_slice.pdf",
            caption="../report/single_index/si_slice.rst",
            category="Single-index slice",
        ),
        png=f"{FIG}/si_slice.png",
    log:
        f"{RES}/logs/figures/si_slice.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(SI_BASE_MB),
        runtime=runtime(SI_ANALYSIS_CPU_S),
    params:
        code=library_code("single_index/plot_slice.py"),
    script:
        "../scripts/single_index/plot_slice.py"
