"""Fitted exponents of the single-index scans (plateau, A0, threshold, slopes, large eta)."""

import logging

from rmtsgd.analysis.single_index import exponents, stack_curve
from rmtsgd.io import load_npz, provenance, setup_logging, write_json

setup_logging(snakemake.log[0])
p = snakemake.params
loaded = [load_npz(path) for path in snakemake.input]
curves = {}
for name in dict.fromkeys(p.curve_of_input):
    points = [m for m, owner in zip(loaded, p.curve_of_input, strict=True) if owner == name]
    curves[name] = stack_curve(name, p.rules[name], points)
fitted = exponents(curves, p.analysis, p.threshold)
seeds = {
    f"{owner}_d{int(m['d'])}": [int(s) for s in m["seeds"]]
    for m, owner in zip(loaded, p.curve_of_input, strict=True)
}
fitted["provenance"] = provenance(seeds=seeds)
logging.info("crossover eta_c: %s", fitted["crossover"]["eta_c"]["value"])
write_json(snakemake.output[0], fitted)
