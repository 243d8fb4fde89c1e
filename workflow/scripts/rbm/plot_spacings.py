"""Snakemake script: level spacings of the degenerate pairs (PRE 111 (2025) 015303)."""

import logging

import numpy as np

from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.rbm.plots import fig_spacings, scaled_spacings

setup_logging(snakemake.log[0])
log = logging.getLogger("plot_spacings")


def main() -> None:
    fits = [read_json(path) for path in snakemake.input.fits]
    spacings = []
    for path, fit in zip(snakemake.input.spectra, fits, strict=True):
        spectrum = load_npz(path)
        setting = fit["setting"]
        if not (
            np.isclose(spectrum["lr"], setting["lr"]) and spectrum["batch"] == setting["batch"]
        ):
            raise ValueError(f"{path} does not match fits of setting {setting['name']}")
        spacings.append(scaled_spacings(spectrum))
        log.info("%s: %d scaled spacings", setting["name"], spacings[-1].size)
    fig = fig_spacings(spacings, fits, float(snakemake.params.max_noise))
    save_figure(fig, snakemake.output.pdf, snakemake.output.png)
    log.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)


main()
