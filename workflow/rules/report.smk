# What the report and `rmtsgd check` read besides figures: the manifest of modules this config
# runs, one claims table per module, and the landing page's summary. Included after every
# module's rule file (the modules have registered by then). These jobs take well under a
# second, so on a cluster they run on the submitting node instead of waiting in the queue.


localrules:
    claims_manifest,
    slice_manifest,
    slice,
    claims_table,
    report_summary,


rule claims_manifest:
    output:
        f"{RES}/claims/manifest.json",
    log:
        f"{RES}/logs/report/claims_manifest.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(200),
        runtime=runtime(10),
    params:
        modules=MODULES,
        code=library_code("claims_manifest.py"),
    script:
        "../scripts/claims_manifest.py"


rule slice_manifest:
    output:
        f"{RES}/claims/manifest_slice.json",
    log:
        f"{RES}/logs/report/slice_manifest.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(200),
        runtime=runtime(10),
    params:
        modules={name: title for name, (title, _) in SLICES.items()},
        code=library_code("claims_manifest.py"),
    script:
        "../scripts/claims_manifest.py"


rule slice:
    input:
        slice_targets(),


rule claims_table:
    input:
        f"{RES}/claims/{{module}}.json",
    output:
        report(
            f"{RES}/report/claims_{{module}}.html",
            caption="../report/claims.rst",
            category=lambda wildcards: MODULES[wildcards.module],
        ),
    log:
        f"{RES}/logs/report/claims_{{module}}.log",
    wildcard_constraints:
        module="|".join(MODULES),
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(200),
        runtime=runtime(10),
    params:
        title=lambda wildcards: MODULES[wildcards.module],
        settings=lambda wildcards: claim_settings(wildcards.module),
        code=library_code("claims_table.py"),
    script:
        "../scripts/claims_table.py"


rule report_summary:
    input:
        [f"{RES}/claims/{name}.json" for name in MODULES],
    output:
        f"{RES}/report/summary.rst",
    log:
        f"{RES}/logs/report/summary.log",
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(200),
        runtime=runtime(10),
    params:
        modules=MODULES,
        code=library_code("report_summary.py"),
    script:
        "../scripts/report_summary.py"


if report_requested():
    require_results(all_targets())
