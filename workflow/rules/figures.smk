# Figures: each rule only loads analysed artifacts and draws (restyling never retrains). They take
# seconds, so on a cluster they run on the submitting node.


localrules:
    fig2,
    fig3,
    spacings,


rule fig2:
    input:
        spectra=spectra_of(lr_scan_name(lr) for lr in RBM["figures"]["fig2_lrs"]),
        closeup_spectra=spectra_of([lr_scan_name(RBM["figures"]["fig2_lr"])])[0],
        closeup_fit=fits_of([lr_scan_name(RBM["figures"]["fig2_lr"])])[0],
    output:
        pdf=f"{FIG}/fig2.pdf",
        png=report(
            f"{FIG}/fig2.png",
            caption="../report/rbm/fig2.rst",
            category=module_entry("rbm").title,
        ),
    log:
        f"{RES}/logs/figures/fig2.log",
    benchmark:
        f"{RES}/benchmarks/figures/fig2.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(RBM_BASE_MB),
        runtime=runtime(RBM_ANALYSIS_CPU_S),
    params:
        lrs=RBM["figures"]["fig2_lrs"],
        pair=RBM["figures"]["fig2_pair"],
        bins=RBM["figures"]["bins"],
        code=library_code("rbm/plot_fig2.py"),
    script:
        "../scripts/rbm/plot_fig2.py"


rule fig3:
    input:
        fits=fits_of(SETTINGS),
        summary=f"{RES}/rbm/scaling.json",
    output:
        pdf=f"{FIG}/fig3.pdf",
        png=report(
            f"{FIG}/fig3.png",
            caption="../report/rbm/fig3.rst",
            category=module_entry("rbm").title,
        ),
    log:
        f"{RES}/logs/figures/fig3.log",
    benchmark:
        f"{RES}/benchmarks/figures/fig3.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(RBM_BASE_MB),
        runtime=runtime(RBM_ANALYSIS_CPU_S),
    params:
        code=library_code("rbm/plot_fig3.py"),
    script:
        "../scripts/rbm/plot_fig3.py"


rule spacings:
    input:
        spectra=spectra_of(SETTINGS),
        fits=fits_of(SETTINGS),
    output:
        pdf=f"{FIG}/spacings.pdf",
        png=report(
            f"{FIG}/spacings.png",
            caption="../report/rbm/spacings.rst",
            category=module_entry("rbm").title,
        ),
    log:
        f"{RES}/logs/figures/spacings.log",
    benchmark:
        f"{RES}/benchmarks/figures/spacings.tsv"
    conda:
        "../../envs/rmtsgd.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb(RBM_BASE_MB),
        runtime=runtime(RBM_ANALYSIS_CPU_S),
    params:
        max_noise=RBM["analysis"]["claim_max_noise"],
        code=library_code("rbm/plot_spacings.py"),
    script:
        "../scripts/rbm/plot_spacings.py"
