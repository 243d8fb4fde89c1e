# DMFT of SGD on Gaussian-mixture classification (seed 003): DMFT solutions and finite-d
# simulations per job, their comparison and the checks, claims and figures. Helpers in
# dmft_common.smk.

register_module("dmft", lambda: dm_targets())


# Claims and figures take seconds at every scale: on a cluster they run on the submitting node
# instead of waiting in the queue, as the report's rules do.
localrules:
    dmft_claims,
    dmft_curves,
    dmft_convergence,
    dmft_checks,


rule dmft_solve:
    output:
        dm_solution("{job}"),
    log:
        f"{RES}/logs/dmft_solve/{{job}}.log",
    benchmark:
        f"{RES}/benchmarks/dmft_solve/{{job}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: DM["solver"]["threads"]
    resources:
        mem_mb=mem_mb(dm_solve_mb),
        runtime=runtime(dm_solve_cpu_s),
        gpu=GPUS,
    params:
        job=lambda wc: DM_JOBS[wc.job],
        solver=lambda wc: dmft_solver(DM, wc.job),
        seed=dm_solve_seed,
        device=config["device"],
        code=library_code("dmft/solve.py"),
    script:
        "../scripts/dmft/solve.py"


rule dmft_simulate:
    output:
        dm_simulation("{job}", "{dim}"),
    log:
        f"{RES}/logs/dmft_simulate/{{job}}_d{{dim}}.log",
    benchmark:
        f"{RES}/benchmarks/dmft_simulate/{{job}}_d{{dim}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: DM["simulation"]["threads"]
    resources:
        mem_mb=mem_mb(dm_simulate_mb),
        runtime=runtime(dm_simulate_cpu_s),
        gpu=GPUS,
    params:
        job=lambda wc: DM_JOBS[wc.job],
        d=lambda wc: int(wc.dim),
        seeds=lambda wc: dmft_sim_seeds(DM, wc.job),
        chunk=DM["simulation"]["chunk"],
        max_lag=DM["simulation"]["max_lag"],
        seed=dm_simulate_seed,
        device=config["device"],
        code=library_code("dmft/simulate.py"),
    script:
        "../scripts/dmft/simulate.py"


rule dmft_minimise:
    output:
        dm_minimisers(),
    log:
        f"{RES}/logs/dmft_minimise.log",
    benchmark:
        f"{RES}/benchmarks/dmft_minimise.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: DM["simulation"]["threads"]
    resources:
        mem_mb=mem_mb(dm_minimise_mb),
        runtime=runtime(dm_minimise_cpu_s),
    params:
        job=DM_JOBS["check_erm"],
        d=DM_CHECKS["erm"]["d"],
        systems=DM_CHECKS["erm"]["systems"],
        seed=dmft_seed(config["seed"], "check_erm", DM_CHECKS["erm"]["d"]),
        code=library_code("dmft/minimise.py"),
    script:
        "../scripts/dmft/minimise.py"


rule dmft_analyse:
    input:
        **dm_analysis_inputs(),
    output:
        f"{RES}/dmft/summary.json",
    log:
        f"{RES}/logs/dmft_analyse.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(DM_BASE_MB),
        runtime=runtime(DM_ANALYSIS_CPU_S),
    params:
        curves=DM_CURVES,
        jobs={
            name: DM_JOBS[name]
            for name in [*DM_CURVES, "check_ridge", "check_early", "check_erm"]
        },
        checks=as_plain(DM_CHECKS),
        dims=DM_DIMS,
        seed=dmft_seed(config["seed"], "bootstrap"),
        code=library_code("dmft/analyse.py"),
    script:
        "../scripts/dmft/analyse.py"


rule dmft_claims:
    input:
        f"{RES}/dmft/summary.json",
    output:
        f"{RES}/claims/dmft.json",
    log:
        f"{RES}/logs/dmft_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(DM_BASE_MB),
        runtime=runtime(DM_ANALYSIS_CPU_S),
    params:
        claims=as_plain(DM["claims"]),
        code=library_code("dmft/claims.py"),
    script:
        "../scripts/dmft/claims.py"


rule dmft_curves:
    input:
        solutions=lambda wc: [dm_solution(n) for n in DM["figures"][wc.clusters]],
        simulations=lambda wc: [dm_simulation(n) for n in DM["figures"][wc.clusters]],
    output:
        pdf=report(
            f"{FIG}/dmft_{{clusters}}.pdf",
            caption="../report/dmft/dmft_curves.rst",
            category=module_entry("dmft").title,
        ),
        png=f"{FIG}/dmft_{{clusters}}.png",
    log:
        f"{RES}/logs/figures/dmft_{{clusters}}.log",
    wildcard_constraints:
        clusters="k2|k3",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(DM_BASE_MB),
        runtime=runtime(DM_ANALYSIS_CPU_S),
    params:
        curves=lambda wc: {
            n: as_plain(DM["curves"][n]) for n in DM["figures"][wc.clusters]
        },
        d=DM_DIMS[-1],
        code=library_code("dmft/plot_curves.py"),
    script:
        "../scripts/dmft/plot_curves.py"


rule dmft_convergence:
    input:
        f"{RES}/dmft/summary.json",
    output:
        pdf=report(
            f"{FIG}/dmft_convergence.pdf",
            caption="../report/dmft/dmft_convergence.rst",
            category=module_entry("dmft").title,
        ),
        png=f"{FIG}/dmft_convergence.png",
    log:
        f"{RES}/logs/figures/dmft_convergence.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(DM_BASE_MB),
        runtime=runtime(DM_ANALYSIS_CPU_S),
    params:
        code=library_code("dmft/plot_convergence.py"),
    script:
        "../scripts/dmft/plot_convergence.py"


rule dmft_checks:
    input:
        summary=f"{RES}/dmft/summary.json",
        early=dm_solution("check_early"),
        early_simulation=dm_simulation("check_early"),
    output:
        pdf=report(
            f"{FIG}/dmft_checks.pdf",
            caption="../report/dmft/dmft_checks.rst",
            category=module_entry("dmft").title,
        ),
        png=f"{FIG}/dmft_checks.png",
    log:
        f"{RES}/logs/figures/dmft_checks.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(DM_BASE_MB),
        runtime=runtime(DM_ANALYSIS_CPU_S),
    params:
        code=library_code("dmft/plot_checks.py"),
    script:
        "../scripts/dmft/plot_checks.py"
