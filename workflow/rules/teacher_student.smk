# Linear teacher-student networks: model A (seed 002 Sec 4.2, Figs 4-5) and model B (PRE 111
# 015303 scans). Train ensembles, extract spectra, fit, make claims, draw.
TS = config["teacher_student"]
TS_A, TS_B = TS["model_a"], TS["model_b"]
TS_CASES = list(TS_A["cases"])
TS_SETTINGS = {s.name: s for s in model_b_settings(TS_B)}
TS_FIGURES = ["fig4", "fig5", "ts_scans"]


wildcard_constraints:
    case="|".join(re.escape(name) for name in TS_CASES),
    ts_setting="|".join(re.escape(name) for name in TS_SETTINGS),


def ts_common_spec():
    """Training settings shared by every teacher-student job."""
    training = TS["training"]
    return {
        "noise_dtype": training["noise_dtype"],
        "divergence_threshold": training["divergence_threshold"],
        "check_every": training["divergence_check_every"],
        "device": config["device"],
    }


def ts_a_spec(wildcards):
    """Everything that determines a model-A ensemble's numbers."""
    case = TS_A["cases"][wildcards.case]
    return {
        **ts_common_spec(),
        "z": as_plain(case["z"]),
        "teacher_singular_value": TS_A["teacher_singular_value"],
        "init_std": TS_A["init_std"],
        "lr": TS_A["lr"],
        "batch": TS_A["batch"],
        "noise_std": case_noise(TS_A, wildcards.case),
        "noise": "iid",
        "per_sample": False,
        "gradient": case.get("gradient", TS_A["gradient"]),
        "quenched": False,
        "steps_per_epoch": TS_A["steps_per_epoch"],
        "networks": TS_A["networks"],
        "snapshots": model_a_snapshot_steps(TS_A),
        "seed": derived_seed(config["seed"], f"ts_a_{wildcards.case}"),
    }


def ts_b_spec(wildcards):
    """Everything that determines a model-B ensemble's numbers."""
    setting = TS_SETTINGS[wildcards.ts_setting]
    spe, every = TS_B["steps_per_epoch"], TS_B["snapshot_every"]
    return {
        **ts_common_spec(),
        "z": [[1.0, 0.0], [0.0, 1.0]],
        "teacher_singular_value": TS_B["teacher_singular_value"],
        "init_std": TS_B["init_std"],
        "lr": setting.lr,
        "batch": setting.batch,
        "noise_std": setting.eps,
        "noise": "goe",
        "per_sample": True,
        "gradient": "minibatch",
        "quenched": TS_B["quenched"],
        "steps_per_epoch": spe,
        "networks": TS_B["networks"],
        "snapshots": list(range(0, TS_B["epochs"] * spe + 1, every * spe)),
        "seed": derived_seed(config["seed"], f"ts_b_{setting.name}"),
    }


def ts_b_meta(name):
    """A model-B setting as the analysis records it."""
    s = TS_SETTINGS[name]
    return {
        "name": name,
        "lr": s.lr,
        "batch": s.batch,
        "eps": s.eps,
        "noise": s.noise,
        "scans": list(s.scans),
    }


def ts_a_files(kind, cases):
    ext = "json" if kind == "fits" else "npz"
    return [f"{RES}/teacher_student/model_a/{kind}/{case}.{ext}" for case in cases]


def ts_b_fits():
    return [f"{RES}/teacher_student/model_b/fits/{name}.json" for name in TS_SETTINGS]


def teacher_student_targets():
    """Figures (PDF and PNG) and the claims file of this module."""
    figures = [f"{FIG}/{name}.{ext}" for name in TS_FIGURES for ext in ("pdf", "png")]
    return figures + [f"{RES}/claims/teacher_student.json"]


rule ts_train_a:
    output:
        f"{RES}/teacher_student/model_a/ensembles/{{case}}.npz",
    log:
        f"{RES}/logs/ts_train_a/{{case}}.log",
    benchmark:
        f"{RES}/benchmarks/ts_train_a/{{case}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: TS["training"]["threads"]
    resources:
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        spec=ts_a_spec,
    script:
        "../scripts/ts_train.py"


rule ts_spectra_a:
    input:
        f"{RES}/teacher_student/model_a/ensembles/{{case}}.npz",
    output:
        f"{RES}/teacher_student/model_a/spectra/{{case}}.npz",
    log:
        f"{RES}/logs/ts_spectra_a/{{case}}.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        z=lambda wc: as_plain(TS_A["cases"][wc.case]["z"]),
        steps_per_epoch=TS_A["steps_per_epoch"],
    script:
        "../scripts/ts_spectra_a.py"


rule ts_fit_a:
    input:
        f"{RES}/teacher_student/model_a/spectra/{{case}}.npz",
    output:
        f"{RES}/teacher_student/model_a/fits/{{case}}.json",
    log:
        f"{RES}/logs/ts_fit_a/{{case}}.log",
    benchmark:
        f"{RES}/benchmarks/ts_fit_a/{{case}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        case=lambda wc: wc.case,
        noise_std=lambda wc: case_noise(TS_A, wc.case),
        fit_from=TS_A["fit_from"],
        measure_from=TS_A["measure_from"],
        blocks=TS["analysis"]["jackknife_blocks"],
    script:
        "../scripts/ts_fit_a.py"


rule ts_train_b:
    output:
        f"{RES}/teacher_student/model_b/ensembles/{{ts_setting}}.npz",
    log:
        f"{RES}/logs/ts_train_b/{{ts_setting}}.log",
    benchmark:
        f"{RES}/benchmarks/ts_train_b/{{ts_setting}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: TS["training"]["threads"]
    resources:
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        spec=ts_b_spec,
    script:
        "../scripts/ts_train.py"


rule ts_fit_b:
    input:
        f"{RES}/teacher_student/model_b/ensembles/{{ts_setting}}.npz",
    output:
        f"{RES}/teacher_student/model_b/fits/{{ts_setting}}.json",
    log:
        f"{RES}/logs/ts_fit_b/{{ts_setting}}.log",
    benchmark:
        f"{RES}/benchmarks/ts_fit_b/{{ts_setting}}.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        setting=lambda wc: ts_b_meta(wc.ts_setting),
        measure_from=TS_B["measure_from"] * TS_B["steps_per_epoch"],
        blocks=TS["analysis"]["jackknife_blocks"],
    script:
        "../scripts/ts_fit_b.py"


rule ts_claims:
    input:
        model_a=ts_a_files("fits", TS_CASES),
        model_b=ts_b_fits(),
    output:
        claims=f"{RES}/claims/teacher_student.json",
        summary=f"{RES}/teacher_student/model_b/scaling.json",
    log:
        f"{RES}/logs/ts_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        claims=as_plain(TS["claims"]),
        analysis=as_plain(TS["analysis"]),
    script:
        "../scripts/ts_claims.py"


rule fig4:
    input:
        spectra=ts_a_files("spectra", TS["figures"]["fig4_cases"]),
        fits=ts_a_files("fits", TS["figures"]["fig4_cases"]),
    output:
        pdf=report(
            f"{FIG}/fig4.pdf",
            caption="../report/fig4.rst",
            category="Teacher-student",
        ),
        png=f"{FIG}/fig4.png",
    log:
        f"{RES}/logs/figures/fig4.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        networks=TS["figures"]["fig4_networks"],
    script:
        "../scripts/plot_fig4.py"


rule fig5:
    input:
        spectra=ts_a_files("spectra", TS["figures"]["fig5_cases"]),
        fits=ts_a_files("fits", TS["figures"]["fig5_cases"]),
    output:
        pdf=report(
            f"{FIG}/fig5.pdf",
            caption="../report/fig5.rst",
            category="Teacher-student",
        ),
        png=f"{FIG}/fig5.png",
    log:
        f"{RES}/logs/figures/fig5.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        bins=TS["figures"]["bins"],
    script:
        "../scripts/plot_fig5.py"


rule ts_scans:
    input:
        fits=ts_b_fits(),
        summary=f"{RES}/teacher_student/model_b/scaling.json",
    output:
        pdf=report(
            f"{FIG}/ts_scans.pdf",
            caption="../report/ts_scans.rst",
            category="Teacher-student",
        ),
        png=f"{FIG}/ts_scans.png",
    log:
        f"{RES}/logs/figures/ts_scans.log",
    conda:
        "../../envs/rmtsgd.yaml"
    script:
        "../scripts/plot_ts_scans.py"
