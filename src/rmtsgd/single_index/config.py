"""Config of the single-index module: the checks its section needs beyond the schema and the
settings, seeds and job lists derived from it. Torch-free: every job parses the workflow, which
imports this; the models are imported inside the checks that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rmtsgd.config import (
    ConfigError,
    shard_seed,
    shard_sizes,
)


def _si_curve(si: Mapping, key: str, name: str, algorithm: str | None = None) -> Mapping:
    """The curve an analysis setting names, checked to exist (and to run `algorithm`)."""
    curves = si["curves"]
    if name not in curves:
        raise ConfigError(
            f"config key 'single_index.analysis.{key}': no curve '{name}' in "
            f"single_index.curves (have {sorted(curves)})"
        )
    curve = curves[name]
    if algorithm and curve["algorithm"] != algorithm:
        raise ConfigError(
            f"config key 'single_index.analysis.{key}': expected a curve of algorithm "
            f"{algorithm}, '{name}' runs {curve['algorithm']}"
        )
    return curve


def _si_need(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"config key 'single_index.{key}': {message}")


def _check_single_index(si: Mapping) -> None:
    run, analysis = si["run"], si["analysis"]
    _si_need(
        run["runs_per_job"] <= run["runs"],
        "run.runs_per_job",
        f"expected at most single_index.run.runs = {run['runs']}, got {run['runs_per_job']}",
    )
    for name, curve in si["curves"].items():
        if curve["algorithm"] == "A0":
            _si_need(
                curve["eta"] == [0.0] or curve["eta"] == [0],
                f"curves.{name}.eta",
                f"A0 has no eta: expected [0.0], got {curve['eta']}",
            )
    two_dims = "expected a curve with at least two dimensions to fit an exponent"
    a0 = _si_curve(si, "a0.curve", analysis["a0"]["curve"], "A0")
    _si_need(len(a0["dims"]) >= 2, "analysis.a0.curve", two_dims)
    knee = _si_curve(si, "crossover.curve", analysis["crossover"]["curve"], "A2")
    max_eta = analysis["crossover"]["max_eta"]
    fitted = [e for e in knee["eta"] if 0 < e <= max_eta]
    _si_need(
        0 in knee["eta"] and len(knee["dims"]) >= 2,
        "analysis.crossover.curve",
        "expected a curve with eta = 0 (the plateau) and at least two dimensions, got eta "
        f"{knee['eta']} and dims {knee['dims']}",
    )
    _si_need(
        len(fitted) >= 3,
        "analysis.crossover.max_eta",
        f"expected a value keeping at least three positive etas of the curve's grid "
        f"{knee['eta']} in the crossover fit, got {max_eta}",
    )
    for name, window in analysis["slopes"].items():
        curve = _si_curve(si, f"slopes.{name}", name, "A2")
        kind = f"slope_{curve['rule']}"
        _si_need(
            kind in si["claims"] or kind in si["claims"]["skip"],
            f"claims.{kind}",
            f"missing: the slope of curve '{name}' (rule {curve['rule']}) is judged by it "
            "(or list it in claims.skip)",
        )
        inside = [e for e in curve["eta"] if window[0] <= e <= window[1]]
        _si_need(
            window[0] < window[1] and len(inside) >= 2,
            f"analysis.slopes.{name}",
            f"expected [lowest, highest] eta holding at least two etas of the curve's grid "
            f"{curve['eta']}, got {window}",
        )
    large = _si_curve(si, "large_eta.curve", analysis["large_eta"]["curve"], "A2")
    _si_need(
        analysis["large_eta"]["eta"] in large["eta"] and len(large["dims"]) >= 2,
        "analysis.large_eta",
        f"expected an eta of the curve's grid {large['eta']} and a curve with at least two "
        f"dimensions (dims {large['dims']})",
    )
    a1 = _si_curve(si, "a1.curve", analysis["a1"]["curve"], "A1")
    _si_need(
        analysis["a1"]["eta"] in a1["eta"] and len(a1["dims"]) >= 2,
        "analysis.a1",
        f"expected an eta of the curve's grid {a1['eta']} and a curve with at least two "
        f"dimensions (dims {a1['dims']})",
    )
    _si_need(
        any(si["figures"]["eta_d"] in curve["dims"] for curve in si["curves"].values()),
        "figures.eta_d",
        f"expected a dimension that some curve runs, got {si['figures']['eta_d']}",
    )


@dataclass(frozen=True)
class SingleIndexJob:
    """One job of the single-index scans: every eta of one curve at one d, one shard of runs."""

    curve: str
    d: int

    @property
    def name(self) -> str:
        return f"{self.curve}_d{self.d}"


def si_budget(curve: Mapping, d: int) -> int:
    """Sample budget of one run at dimension d: scale * d^power, at least one sample."""
    return max(1, round(curve["budget"]["scale"] * d ** curve["budget"]["power"]))


def analysed_curves(analysis: Mapping) -> list[str]:
    """Names of the curves the exponents need, each once, in a fixed order."""
    names = [analysis[key]["curve"] for key in ("crossover", "a0", "large_eta", "a1")]
    return list(dict.fromkeys([*names, *analysis["slopes"]]))


def si_jobs(si: Mapping) -> list[SingleIndexJob]:
    """Every (curve, d) of the config, curves in config order."""
    return [SingleIndexJob(name, int(d)) for name, c in si["curves"].items() for d in c["dims"]]


def si_shard_sizes(run: Mapping) -> list[int]:
    """Runs of each job of one (curve, d): single_index.run.runs split by runs_per_job."""
    return shard_sizes({"replicas": run["runs"], "replicas_per_shard": run["runs_per_job"]})


def si_bootstrap_seed(base_seed: int, job: SingleIndexJob) -> int:
    """Seed of a job's bootstrap: a stream of its own, apart from every shard's runs."""
    return shard_seed(base_seed, SingleIndexJob(f"{job.curve}/bootstrap", job.d), 0)


def check(config: Mapping) -> None:
    """Checks of the `single_index` section a schema cannot express."""
    _check_single_index(config["single_index"])
