"""The teacher-student slice figure: U4 against window, networks, alpha and alpha/|B|."""

from rmtsgd.io import read_json, setup_logging
from rmtsgd.plotting.style import save_figure
from rmtsgd.teacher_student.slice_plots import fig_u4_trends

setup_logging(snakemake.log[0])
save_figure(
    fig_u4_trends(read_json(snakemake.input[0])), snakemake.output.pdf, snakemake.output.png
)
