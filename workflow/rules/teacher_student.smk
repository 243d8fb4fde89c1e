# Linear teacher-student networks: model A (seed 002 Sec 4.2, Figs 4-5) and model B (PRE 111
# 015303 scans). Train ensembles, extract spectra, fit, make claims, draw.

register_module("teacher_student", lambda: teacher_student_targets())


# Claims and figures take seconds at every scale: on a cluster they run on the submitting node
# instead of waiting in the queue, as the report's rules do.
localrules:
    ts_claims,
    fig4,
    fig5,
    ts_scans,


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
        mem_mb=mem_mb(ts_a_mb),
        runtime=runtime(TS_JOB_CPU_S),
        gpu=GPUS,
    params:
        spec=lambda wc: model_a_spec(config, wc.case),
        code=library_code("teacher_student/train.py"),
    script:
        "../scripts/teacher_student/train.py"


rule ts_spectra_a:
    input:
        f"{RES}/teacher_student/model_a/ensembles/{{case}}.npz",
    output:
        f"{RES}/teacher_student/model_a/spectra/{{case}}.npz",
    log:
        f"{RES}/logs/ts_spectra_a/{{case}}.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(ts_a_mb),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        z=lambda wc: as_plain(TS_A["cases"][wc.case]["z"]),
        steps_per_epoch=TS_A["steps_per_epoch"],
        code=library_code("teacher_student/spectra_a.py"),
    script:
        "../scripts/teacher_student/spectra_a.py"


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
    threads: 1
    resources:
        mem_mb=mem_mb(ts_a_mb),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        case=lambda wc: wc.case,
        noise_std=lambda wc: case_noise(TS_A, wc.case),
        fit_from=TS_A["fit_from"],
        measure_from=TS_A["measure_from"],
        blocks=TS["analysis"]["jackknife_blocks"],
        code=library_code("teacher_student/fit_a.py"),
    script:
        "../scripts/teacher_student/fit_a.py"


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
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
        gpu=GPUS,
    params:
        spec=lambda wc: model_b_spec(config, TS_SETTINGS[wc.ts_setting]),
        code=library_code("teacher_student/train.py"),
    script:
        "../scripts/teacher_student/train.py"


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
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        setting=lambda wc: scan_setting_meta(TS_SETTINGS[wc.ts_setting]),
        measure_from=TS_B["measure_from"] * TS_B["steps_per_epoch"],
        blocks=TS["analysis"]["jackknife_blocks"],
        code=library_code("teacher_student/fit_b.py"),
    script:
        "../scripts/teacher_student/fit_b.py"


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
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        claims=as_plain(TS["claims"]),
        analysis=as_plain(TS["analysis"]),
        code=library_code("teacher_student/claims.py"),
    script:
        "../scripts/teacher_student/claims.py"


rule fig4:
    input:
        spectra=ts_a_files("spectra", TS["figures"]["fig4_cases"]),
        fits=ts_a_files("fits", TS["figures"]["fig4_cases"]),
    output:
        pdf=f"{FIG}/fig4.pdf",
        png=report(
            f"{FIG}/fig4.png",
            caption="../report/teacher_student/fig4.rst",
            category=module_entry("teacher_student").title,
        ),
    log:
        f"{RES}/logs/figures/fig4.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(ts_a_mb),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        networks=TS["figures"]["fig4_networks"],
        code=library_code("teacher_student/plot_fig4.py"),
    script:
        "../scripts/teacher_student/plot_fig4.py"


rule fig5:
    input:
        spectra=ts_a_files("spectra", TS["figures"]["fig5_cases"]),
        fits=ts_a_files("fits", TS["figures"]["fig5_cases"]),
    output:
        pdf=f"{FIG}/fig5.pdf",
        png=report(
            f"{FIG}/fig5.png",
            caption="../report/teacher_student/fig5.rst",
            category=module_entry("teacher_student").title,
        ),
    log:
        f"{RES}/logs/figures/fig5.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(ts_a_mb),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        bins=TS["figures"]["bins"],
        code=library_code("teacher_student/plot_fig5.py"),
    script:
        "../scripts/teacher_student/plot_fig5.py"


rule ts_scans:
    input:
        fits=ts_b_fits(),
        summary=f"{RES}/teacher_student/model_b/scaling.json",
    output:
        pdf=f"{FIG}/ts_scans.pdf",
        png=report(
            f"{FIG}/ts_scans.png",
            caption="../report/teacher_student/ts_scans.rst",
            category=module_entry("teacher_student").title,
        ),
    log:
        f"{RES}/logs/figures/ts_scans.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        code=library_code("teacher_student/plot_scans.py"),
    script:
        "../scripts/teacher_student/plot_scans.py"


localrules:
    ts_slice_claims,
    ts_slice_u4,


rule ts_slice_train:
    output:
        f"{RES}/teacher_student/slice/ensembles/{{ts_slice}}.npz",
    log:
        f"{RES}/logs/ts_slice_train/{{ts_slice}}.log",
    benchmark:
        f"{RES}/benchmarks/ts_slice_train/{{ts_slice}}.tsv"
    wildcard_constraints:
        ts_slice=alternatives(TS_SLICE_RUNS),
    conda:
        "../../envs/rmtsgd.yaml"
    threads: TS["training"]["threads"]
    resources:
        mem_mb=mem_mb(TS_BASE_MB + 2 * ts_slice_weights_mb()),
        runtime=runtime(ts_slice_train_cpu_s),
        gpu=GPUS,
    params:
        spec=lambda wc: slice_spec(config, TS_SLICE_RUNS[wc.ts_slice]),
        code=library_code("teacher_student/train.py"),
    script:
        "../scripts/teacher_student/train.py"


rule ts_slice_trends:
    input:
        ts_slice_ensembles(),
    output:
        f"{RES}/teacher_student/slice/trends.json",
    log:
        f"{RES}/logs/ts_slice_trends.log",
    benchmark:
        f"{RES}/benchmarks/ts_slice_trends.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB + 4 * ts_slice_weights_mb()),
        runtime=runtime(ts_slice_trends_cpu_s),
    params:
        # without its claims: a tolerance reruns only the claims
        section={k: v for k, v in as_plain(TS_SLICE).items() if k != "claims"},
        steps_per_epoch=TS_B["steps_per_epoch"],
        blocks=TS["analysis"]["jackknife_blocks"],
        code=library_code("teacher_student/slice_trends.py"),
    script:
        "../scripts/teacher_student/slice_trends.py"


rule ts_slice_claims:
    input:
        f"{RES}/teacher_student/slice/trends.json",
    output:
        f"{RES}/claims/teacher_student_slice.json",
    log:
        f"{RES}/logs/ts_slice_claims.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        section=as_plain(TS_SLICE),
        code=library_code("teacher_student/slice_claims.py"),
    script:
        "../scripts/teacher_student/slice_claims.py"


rule ts_slice_u4:
    input:
        f"{RES}/teacher_student/slice/trends.json",
    output:
        pdf=f"{FIG}/ts_slice_u4.pdf",
        png=report(
            f"{FIG}/ts_slice_u4.png",
            caption="../report/teacher_student/ts_slice_u4.rst",
            category="Teacher-student: slice",
        ),
    log:
        f"{RES}/logs/figures/ts_slice_u4.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(TS_BASE_MB),
        runtime=runtime(TS_JOB_CPU_S),
    params:
        code=library_code("teacher_student/plot_slice_u4.py"),
    script:
        "../scripts/teacher_student/plot_slice_u4.py"
