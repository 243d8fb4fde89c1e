# Gaussian RBM (seed 002 Sec 4.1): train ensembles, extract spectra, fit, make claims.

register_module("rbm", lambda: rbm_targets())


# The claims take seconds at every scale: on a cluster they run on the submitting node instead
# of waiting in the queue, as the report's rules and the figures (figures.smk) do.
localrules:
    rbm_claims,


rule rbm_train:
    output:
        f"{RES}/rbm/ensembles/{{setting}}/shard{{shard}}.npz",
    log:
        f"{RES}/logs/rbm_train/{{setting}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/rbm_train/{{setting}}_shard{{shard}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: RBM["training"]["threads"]
    resources:
        mem_mb=mem_mb(rbm_train_mb),
        runtime=runtime(rbm_train_cpu_s),
        gpu=GPUS,
    params:
        train=train_params,
        code=library_code("rbm/train.py"),
    script:
        "../scripts/rbm/train.py"


rule rbm_spectra:
    input:
        shards_of,
    output:
        f"{RES}/rbm/spectra/{{setting}}.npz",
    log:
        f"{RES}/logs/rbm_spectra/{{setting}}.log",
    benchmark:
        f"{RES}/benchmarks/rbm_spectra/{{setting}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(rbm_setting_mb),
        runtime=runtime(RBM_ANALYSIS_CPU_S),
    params:
        code=library_code("rbm/spectra.py"),
        model=as_plain(RBM["model"]),
        setting=lambda wc: setting_meta(wc.setting),
        measure_from=lambda wc: schedule_for(
            RBM["training"], SETTINGS[wc.setting].lr
        ).measure_from,
    script:
        "../scripts/rbm/spectra.py"


rule rbm_fit:
    input:
        f"{RES}/rbm/spectra/{{setting}}.npz",
    output:
        f"{RES}/rbm/fits/{{setting}}.json",
    log:
        f"{RES}/logs/rbm_fit/{{setting}}.log",
    benchmark:
        f"{RES}/benchmarks/rbm_fit/{{setting}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(rbm_setting_mb),
        runtime=runtime(RBM_ANALYSIS_CPU_S),
    params:
        code=library_code("rbm/fit.py"),
        setting=lambda wc: setting_meta(wc.setting),
        blocks=RBM["analysis"]["jackknife_blocks"],
    script:
        "../scripts/rbm/fit.py"


rule rbm_claims:
    input:
        fits=fits_of(SETTINGS),
    output:
        claims=f"{RES}/claims/rbm.json",
        summary=f"{RES}/rbm/scaling.json",
    log:
        f"{RES}/logs/rbm_claims.log",
    benchmark:
        f"{RES}/benchmarks/rbm_claims.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(RBM_BASE_MB),
        runtime=runtime(RBM_ANALYSIS_CPU_S),
    params:
        code=library_code("rbm/claims.py"),
        rbm={key: as_plain(RBM[key]) for key in ("model", "analysis", "claims")},
    script:
        "../scripts/rbm/claims.py"
