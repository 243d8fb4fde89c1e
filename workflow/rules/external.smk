# Weight ensembles from elsewhere (config key `external`), analysed like the pipeline's own.

if EXTERNAL:

    register_module("external", lambda: external_targets())


# Claims and figures take seconds at every scale: on a cluster they run on the submitting node
# instead of waiting in the queue, as the report's rules do.
localrules:
    external_claims,
    external_figure,


rule external:
    input:
        external_targets(),


rule external_fit:
    input:
        lambda wc: EXTERNAL[wc.name]["path"],
    output:
        report=f"{RES}/external/{{name}}.json",
        values=f"{RES}/external/{{name}}.npz",
    log:
        f"{RES}/logs/external_fit/{{name}}.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(external_mb),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        name=lambda wc: wc.name,
        snapshot=lambda wc: EXTERNAL[wc.name].get("snapshot", -1),
        blocks=TS["analysis"]["jackknife_blocks"],
        pair_gap=TS["analysis"]["pair_gap"],
        code=library_code("teacher_student/external_fit.py"),
    script:
        "../scripts/teacher_student/external_fit.py"


rule external_figure:
    input:
        report=f"{RES}/external/{{name}}.json",
        values=f"{RES}/external/{{name}}.npz",
    output:
        pdf=f"{FIG}/external_{{name}}.pdf",
        png=report(
            f"{FIG}/external_{{name}}.png",
            caption="../report/external/external.rst",
            category=module_entry("external").title,
        ),
    log:
        f"{RES}/logs/figures/external_{{name}}.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        bins=TS["figures"]["bins"],
        code=library_code("teacher_student/plot_external.py"),
    script:
        "../scripts/teacher_student/plot_external.py"


rule external_claims:
    input:
        [f"{RES}/external/{name}.json" for name in EXTERNAL],
    output:
        f"{RES}/claims/external.json",
    log:
        f"{RES}/logs/external_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        names=list(EXTERNAL),
        claims=as_plain(config["external_claims"]),
        code=library_code("teacher_student/external_claims.py"),
    script:
        "../scripts/teacher_student/external_claims.py"
