"""Config validation of the single_index section: each kind of bad input the issue lists (and
the arithmetic checks) is rejected with a message naming the key and what was expected; the
claims' tolerances are the mean flow's systematic their basis names, at every scale."""

import copy

import numpy as np
import pytest
from conftest import ROOT, SCHEMA
from test_config import _set, rejection

from rmtsgd.config import ConfigError, load_config, validate_config
from rmtsgd.single_index.analysis import (
    CurveMedians,
    drift_only_curve,
    exponent_rows,
    exponents,
)
from rmtsgd.single_index.config import si_budget, si_jobs, si_shard_sizes
from rmtsgd.single_index.model import SingleIndexModel

C = "single_index.curves.A2_information"
BAD = [
    (f"{C}.dims", [50, 0], f"{C}.dims.1", ">= 3"),
    (f"{C}.dims", [-25], f"{C}.dims.0", ">= 3"),
    ("single_index.model.threshold", 0.0, "single_index.model.threshold", "> 0"),
    ("single_index.model.threshold", -0.5, "single_index.model.threshold", "> 0"),
    ("single_index.model.threshold", 1.0, "single_index.model.threshold", "< 1"),
    ("single_index.model.threshold", 1.5, "single_index.model.threshold", "< 1"),
    (f"{C}.eta", [], f"{C}.eta", "non-empty"),
    (f"{C}.algorithm", "A3", f"{C}.algorithm", "one of"),
    (f"{C}.rule", "adaptive", f"{C}.rule", "one of"),
    (f"{C}.budget.scale", 0, f"{C}.budget.scale", "> 0"),
    (f"{C}.budget.power", -1, f"{C}.budget.power", ">= 0"),
    (f"{C}.eta", [0.0, -1e-3], f"{C}.eta.1", ">= 0"),
    (f"{C}.c", 0.0, f"{C}.c", "> 0"),
    (f"{C}.speed", 2, C, "unknown key"),
    ("single_index.run.engine", "exact", "single_index.run.engine", "one of"),
    ("single_index.run.runs", 1, "single_index.run.runs", ">= 2"),
    ("single_index.run.runs_per_job", 500, "single_index.run.runs_per_job", "at most"),
    ("single_index.model.lookahead", "curved", "single_index.model.lookahead", "one of"),
    ("single_index.curves.A0_information.eta", [0.0, 0.1], "A0_information.eta", "A0 has no"),
    ("single_index.analysis.crossover.curve", "A2_x", "analysis.crossover.curve", "no curve"),
    ("single_index.analysis.crossover.curve", "A1_information", "crossover.curve", "of algorithm"),
    ("single_index.analysis.a0.curve", "A2_information", "analysis.a0.curve", "algorithm A0"),
    ("single_index.analysis.slopes.A2_fixed", [0.5, 0.6], "slopes.A2_fixed", "two etas"),
    ("single_index.analysis.crossover.max_eta", 1e-4, "crossover.max_eta", "three positive"),
    ("single_index.analysis.crossover.max_eta", 0, "crossover.max_eta", "> 0"),
    ("single_index.analysis.large_eta.eta", 0.3, "analysis.large_eta", "curve's grid"),
    ("single_index.analysis.a1.curve", "A2_theorem", "analysis.a1.curve", "algorithm A1"),
    ("single_index.analysis.a1.eta", 0.3, "analysis.a1", "curve's grid"),
    ("single_index.claims.a1_exponent.basis", "", "a1_exponent.basis", "too short"),
    ("single_index.figures.eta_d", 64, "figures.eta_d", "some curve runs"),
    ("single_index.claims.skip", ["width"], "single_index.claims.skip.0", "one of"),
]


@pytest.mark.parametrize(("key", "value", "named", "expected"), BAD)
def test_bad_single_index_config_is_rejected(default_config, key, value, named, expected):
    message = rejection(default_config, key, value)
    assert named in message and expected in message, message


def test_threshold_curve_needs_eta_zero(default_config):
    config = copy.deepcopy(default_config)
    _set(config, f"{C}.eta", [1.25e-4, 1e-3, 2e-3, 4e-3, 1e-2])
    with pytest.raises(ConfigError, match="analysis.crossover.curve.*eta = 0"):
        validate_config(config, SCHEMA)


def test_a_slope_needs_the_claims_entry_of_its_rule(default_config):
    """Each slope is judged by claims.slope_<its curve's rule>: a missing one is named, before
    any job runs; listing it in claims.skip is the way to leave it out."""
    config = copy.deepcopy(default_config)
    del config["single_index"]["claims"]["slope_theorem"]
    with pytest.raises(ConfigError, match="single_index.claims.slope_theorem.*A2_theorem"):
        validate_config(config, SCHEMA)
    config["single_index"]["claims"]["skip"] = ["slope_theorem"]
    validate_config(config, SCHEMA)


def test_jobs_budgets_and_shards(default_config):
    si = default_config["single_index"]
    jobs = si_jobs(si)
    assert len(jobs) == sum(len(c["dims"]) for c in si["curves"].values())
    assert len({job.name for job in jobs}) == len(jobs)
    curve = si["curves"]["A2_information"]
    assert si_budget(curve, 100) == round(
        curve["budget"]["scale"] * 100 ** curve["budget"]["power"]
    )
    assert si_budget({"budget": {"scale": 6000, "power": 1.25}}, 16) == 192000
    assert si_budget({"budget": {"scale": 1e-9, "power": 2}}, 3) == 1
    assert si_shard_sizes({"runs": 300, "runs_per_job": 128}) == [128, 128, 44]


def _drift_only_fits(si: dict) -> list[dict]:
    """Every claim row fitted on the drift-only medians of the config's grids (A1, which has
    no drift formula, keeps placeholder medians)."""
    model = SingleIndexModel(**si["model"])
    curves = {}
    for name, c in si["curves"].items():
        shape = (1, len(c["dims"]), len(c["eta"]))
        grid = CurveMedians(
            name,
            c["rule"],
            np.array(c["dims"]),
            np.array(c["eta"], float),
            np.ones(shape),
            c["algorithm"],
            c["c"],
        )
        curves[name] = drift_only_curve(grid, model) or grid
    return exponent_rows(exponents(curves, si["analysis"], model))


@pytest.mark.parametrize("overlays", [(), ("smoke",), ("paper",)])
def test_tolerances_are_the_mean_flow_systematic(overlays):
    """Each tolerance covers |mean-flow fit - prediction| at its scale's d, eta and c, and
    exceeds it by less than 0.002 (rounding up only): the noiseless hitting times of the exact
    step (drift plus the normalisation's contraction), fitted like the data; each basis says
    so."""
    si = load_config(
        ROOT / "config/config.yaml", *(ROOT / f"config/{name}.yaml" for name in overlays)
    )["single_index"]
    for row in _drift_only_fits(si):
        kind, fit = row["kind"], row["fit"]
        if "mean_flow" not in fit or kind in si["claims"]["skip"]:
            continue
        systematic = abs(fit["mean_flow"] - row["prediction"])
        tolerance = si["claims"][kind]["tolerance"]
        assert "mean-flow" in si["claims"][kind]["basis"].replace("mean flow", "mean-flow"), kind
        assert systematic <= tolerance < systematic + 0.002, (row["name"], systematic)
