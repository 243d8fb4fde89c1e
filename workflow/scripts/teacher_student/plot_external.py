"""Snakemake script: the figure of one external weight ensemble."""

from rmtsgd.io import load_npz, read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.teacher_student.plots import external_figure

setup_logging(snakemake.log[0])
values = load_npz(snakemake.input.values)["values"]
fig = external_figure(values, read_json(snakemake.input.report), snakemake.params.bins)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
