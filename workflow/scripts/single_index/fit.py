"""Fitted exponents of the single-index scans (plateau, A0, threshold, slopes, large eta, A1),
each beside its drift-only value, with every analysed point's median, hit fraction and
censored/diverged counts as provenance."""

import logging

from rmtsgd.io import load_npz, provenance, setup_logging, write_json
from rmtsgd.single_index.analysis import exponents, point_summary, stack_curve
from rmtsgd.single_index.model import SingleIndexModel

setup_logging(snakemake.log[0])
p = snakemake.params
owned = [
    (curve, load_npz(path)) for curve, path in zip(p.curve_of_input, snakemake.input, strict=True)
]
curves = {
    name: stack_curve(name, p.curves[name], [m for owner, m in owned if owner == name])
    for name in dict.fromkeys(p.curve_of_input)
}
fitted = exponents(curves, p.analysis, SingleIndexModel(**p.model))
fitted["provenance"] = provenance(
    seeds={f"{c}_d{int(m['d'])}": [int(s) for s in m["seeds"]] for c, m in owned},
    points=[{"curve": c, **point_summary(m)} for c, m in owned],
)
logging.info("crossover eta_c: %s", fitted["crossover"]["eta_c"]["value"])
write_json(snakemake.output[0], fitted)
