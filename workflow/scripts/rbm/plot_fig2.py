"""Snakemake script: seed 002 Fig 2 (learnt spectra per learning rate, one pair close up)."""

import logging

import numpy as np

from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.rbm.plots import closeup_inputs, fig2, fig2_panel_inputs

setup_logging(snakemake.log[0])
log = logging.getLogger("plot_fig2")


def main() -> None:
    lrs, spectra_paths = snakemake.params.lrs, list(snakemake.input.spectra)
    if len(lrs) != len(spectra_paths):
        raise ValueError(f"{len(spectra_paths)} spectra for {len(lrs)} learning rates")
    panels = []
    for lr, path in zip(lrs, spectra_paths, strict=True):
        panel = fig2_panel_inputs(load_npz(path))
        if not np.isclose(panel["lr"], lr):
            raise ValueError(f"{path} has lr {panel['lr']}, expected {lr}")
        log.info("panel %s: %d lambda samples", path, panel["lambdas"].size)
        panels.append(panel)
    spectrum = load_npz(snakemake.input.closeup_spectra)
    fit = read_json(snakemake.input.closeup_fit)
    closeup = closeup_inputs(spectrum, fit, int(snakemake.params.pair))
    log.info("close-up: pair %s, kappa %.4f", snakemake.params.pair, closeup["kappa"])
    fig = fig2(panels, spectrum["kappa"], float(spectrum["mu2"]), closeup, snakemake.params.bins)
    save_figure(fig, snakemake.output.pdf, snakemake.output.png)
    log.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)


main()
