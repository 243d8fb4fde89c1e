"""Snakemake script: the PRE single-layer scans, <S> and sqrt(pi) sigma against X."""

import logging

from rmtsgd.io import read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.teacher_student.plots import ts_scans

setup_logging(snakemake.log[0])
fits = [read_json(path) for path in snakemake.input.fits]
summary = read_json(snakemake.input.summary)
logging.info("%d settings, scans %s", len(fits), sorted(summary["scans"]))
save_figure(ts_scans(fits, summary), snakemake.output.pdf, snakemake.output.png)
