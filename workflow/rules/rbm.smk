# Gaussian RBM (seed 002 Sec 4.1): train ensembles, extract spectra, fit, make claims.


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
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        train=train_params,
    script:
        "../scripts/rbm_train.py"


rule rbm_spectra:
    input:
        shards_of,
    output:
        f"{RES}/rbm/spectra/{{setting}}.npz",
    log:
        f"{RES}/logs/rbm_spectra/{{setting}}.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        model=as_plain(RBM["model"]),
        setting=lambda wc: setting_meta(wc.setting),
        measure_from=lambda wc: schedule_for(
            RBM["training"], SETTINGS[wc.setting].lr
        ).measure_from,
    script:
        "../scripts/rbm_spectra.py"


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
    params:
        setting=lambda wc: setting_meta(wc.setting),
        blocks=RBM["analysis"]["jackknife_blocks"],
    script:
        "../scripts/rbm_fit.py"


rule rbm_claims:
    input:
        fits=fits_of(SETTINGS),
    output:
        claims=f"{RES}/claims/rbm.json",
        summary=f"{RES}/rbm/scaling.json",
    log:
        f"{RES}/logs/rbm_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        rbm={key: as_plain(RBM[key]) for key in ("analysis", "claims")},
    script:
        "../scripts/rbm_claims.py"
