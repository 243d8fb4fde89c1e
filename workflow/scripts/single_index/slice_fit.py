"""Trend fits of the single-index slice: per study, c and d range the fitted exponent with its
bootstrap error and noiseless (drift and flow) limits, and the trends the claims test; every point's
median, hit fraction and censored counts as provenance."""

import logging

from rmtsgd.io import load_npz, provenance, setup_logging, write_json
from rmtsgd.single_index.analysis import point_summary, stack_curve
from rmtsgd.single_index.model import SingleIndexModel
from rmtsgd.single_index.slice import STUDIES, study_trends

setup_logging(snakemake.log[0])
p = snakemake.params
owned = [
    (tuple(point), load_npz(path)) for point, path in zip(p.points, snakemake.input, strict=True)
]
model = SingleIndexModel(**p.model)
trends = {}
for study in STUDIES:
    by_c = {}  # c as in paths -> the medians of its dims
    for (s, c, _), medians in owned:
        if s == study:
            by_c.setdefault(c, []).append(medians)
    curves = {
        float(c): stack_curve(f"{study}_c{c}", {**STUDIES[study], "c": float(c)}, points)
        for c, points in by_c.items()
    }
    trends[study] = study_trends(study, curves, p.slice[study], p.slice["ranges"], model)
    for fit in trends[study]["fits"]:
        logging.info(
            "%s c=%g d in %s: %.3f +- %.3f (drift limit %.3f, flow limit %.3f)",
            study,
            fit["c"],
            fit["range"],
            fit["value"],
            fit["error"],
            fit["drift_limit"],
            fit["flow_limit"],
        )
trends["provenance"] = provenance(
    seeds={f"{s}_c{c}_d{d}": [int(x) for x in m["seeds"]] for (s, c, d), m in owned},
    points=[{"study": s, "c": float(c), **point_summary(m)} for (s, c, _), m in owned],
)
write_json(snakemake.output[0], trends)
