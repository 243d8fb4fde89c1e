# Weight ensembles from elsewhere (config key `external`), analysed like the pipeline's own.
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
    params:
        name=lambda wc: wc.name,
        snapshot=lambda wc: EXTERNAL[wc.name].get("snapshot", -1),
        blocks=TS["analysis"]["jackknife_blocks"],
        pair_gap=TS["analysis"]["pair_gap"],
    script:
        "../scripts/external_fit.py"


rule external_figure:
    input:
        report=f"{RES}/external/{{name}}.json",
        values=f"{RES}/external/{{name}}.npz",
    output:
        pdf=report(
            f"{FIG}/external_{{name}}.pdf",
            caption="../report/external.rst",
            category="External ensembles",
        ),
        png=f"{FIG}/external_{{name}}.png",
    log:
        f"{RES}/logs/figures/external_{{name}}.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        bins=TS["figures"]["bins"],
    script:
        "../scripts/plot_external.py"


rule external_claims:
    input:
        [f"{RES}/external/{name}.json" for name in EXTERNAL],
    output:
        f"{RES}/claims/external.json",
    log:
        f"{RES}/logs/external_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        names=list(EXTERNAL),
        claims=as_plain(TS["claims"]),
    script:
        "../scripts/external_claims.py"
