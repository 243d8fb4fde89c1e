"""Snakemake script: seed 002 Fig 3 (centre ratios and widths against alpha/|B|, both scans)."""

import logging

from rmtsgd.io import read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.rbm.plots import fig3

setup_logging(snakemake.log[0])
log = logging.getLogger("plot_fig3")


def main() -> None:
    fits = [read_json(path) for path in snakemake.input.fits]
    summary = read_json(snakemake.input.summary)
    log.info(
        "%d settings, %d modes, max_noise %s",
        len(fits),
        len(summary["modes"]),
        summary["max_noise"],
    )
    fig = fig3(fits, summary)
    save_figure(fig, snakemake.output.pdf, snakemake.output.png)
    log.info("wrote %s and %s", snakemake.output.pdf, snakemake.output.png)


main()
