# Figures: each rule only loads analysed artifacts and draws (restyling never retrains).


rule fig2:
    input:
        spectra=spectra_of(lr_scan_name(lr) for lr in RBM["figures"]["fig2_lrs"]),
        closeup_spectra=spectra_of([lr_scan_name(RBM["figures"]["fig2_lr"])])[0],
        closeup_fit=fits_of([lr_scan_name(RBM["figures"]["fig2_lr"])])[0],
    output:
        pdf=report(
            f"{FIG}/fig2.pdf",
            caption="../report/fig2.rst",
            category="Gaussian RBM",
        ),
        png=f"{FIG}/fig2.png",
    log:
        f"{RES}/logs/figures/fig2.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        lrs=RBM["figures"]["fig2_lrs"],
        pair=RBM["figures"]["fig2_pair"],
        bins=RBM["figures"]["bins"],
    script:
        "../scripts/plot_fig2.py"


rule fig3:
    input:
        fits=fits_of(SETTINGS),
        summary=f"{RES}/rbm/scaling.json",
    output:
        pdf=report(
            f"{FIG}/fig3.pdf",
            caption="../report/fig3.rst",
            category="Gaussian RBM",
        ),
        png=f"{FIG}/fig3.png",
    log:
        f"{RES}/logs/figures/fig3.log",
    conda:
        "../../envs/rmtsgd.yaml"
    script:
        "../scripts/plot_fig3.py"


rule spacings:
    input:
        spectra=spectra_of(SETTINGS),
        fits=fits_of(SETTINGS),
    output:
        pdf=report(
            f"{FIG}/spacings.pdf",
            caption="../report/spacings.rst",
            category="Gaussian RBM",
        ),
        png=f"{FIG}/spacings.png",
    log:
        f"{RES}/logs/figures/spacings.log",
    conda:
        "../../envs/rmtsgd.yaml"
    params:
        max_noise=RBM["analysis"]["claim_max_noise"],
    script:
        "../scripts/plot_spacings.py"
