"""U4 of every slice ensemble and the slice's trends (window, networks, alpha, alpha/|B|)."""

import logging

from rmtsgd.io import load_npz, provenance, setup_logging, write_json
from rmtsgd.teacher_student.slice import (
    base_run,
    ensemble_summary,
    pair_samples,
    slice_runs,
    slice_trends,
)

setup_logging(snakemake.log[0])
p = snakemake.params
runs = slice_runs(p.section)
summaries, seeds, base = {}, {}, None
for path, (name, run) in zip(snakemake.input, runs.items(), strict=True):
    ensemble = load_npz(path)
    samples = pair_samples(ensemble["weights"])
    summaries[name] = ensemble_summary(run, samples, p.blocks)
    seeds[name] = int(ensemble["seed"])
    logging.info("%s: U4 %s", name, summaries[name]["u4"])
    if name == base_run(p.section).name:
        base = samples
trends = slice_trends(p.section, p.steps_per_epoch, summaries, base, p.blocks)
write_json(snakemake.output[0], {**trends, "provenance": provenance(seeds=seeds)})
