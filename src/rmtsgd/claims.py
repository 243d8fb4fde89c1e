"""Claims: a paper's quantitative statement, the pipeline's number for it, and a pass rule.

Every claim file has the same format (ARCHITECTURE.md). The pass rules:

- ``within``: |value - reference| <= tolerance + z * error, and error <= max_error (a claim
  cannot pass merely by being too noisy to test);
- ``at_most``: value + z * error <= tolerance (distances such as a KS statistic, or a
  stationarity z-score where z = 0);
- ``below``: value + z * error <= reference - tolerance (a predicted one-sided deviation);
- ``above``: value - z * error >= reference + tolerance (the same, upwards).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

RULES = {
    "within": "|value - reference| <= tolerance + z * error and error <= max_error",
    "at_most": "value + z * error <= tolerance",
    "below": "value + z * error <= reference - tolerance",
    "above": "value - z * error >= reference + tolerance",
}


def make_claim(
    name: str,
    statement: str,
    value: float,
    error: float,
    reference: float,
    tolerance: Mapping[str, float],
    z: float,
    rule: str = "within",
    setting: Mapping[str, Any] | None = None,
) -> dict:
    """One claim entry with its pass flag computed by `rule` (see RULES)."""
    tol = float(tolerance["tolerance"])
    if rule == "within":
        max_error = float(tolerance["max_error"])
        passed = abs(value - reference) <= tol + z * error and error <= max_error
    elif rule == "at_most":
        max_error = None
        passed = value + z * error <= tol
    elif rule == "below":
        max_error = None
        passed = value + z * error <= reference - tol
    elif rule == "above":
        max_error = None
        passed = value - z * error >= reference + tol
    else:
        raise ValueError(f"unknown claim rule '{rule}', expected one of {sorted(RULES)}")
    return {
        "name": name,
        "statement": statement,
        "value": float(value),
        "error": float(error),
        "reference": float(reference),
        "tolerance": tol,
        "max_error": max_error,
        "z": float(z),
        "rule": rule,
        "setting": dict(setting or {}),
        "pass": bool(passed),
    }


def ratio_with_error(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, float]:
    """a/b of two {value, error} quantities, the relative errors added in quadrature."""
    ratio = a["value"] / b["value"]
    return ratio, abs(ratio) * float(np.hypot(a["error"] / a["value"], b["error"] / b["value"]))


def stationarity_claim(
    name: str, stationarity: Mapping, tolerance: Mapping[str, float], setting: Mapping
) -> dict:
    """The window is stationary: the largest change of a fitted moment between its two halves,
    in jackknife errors (`rmtsgd.fits.analyse_modes`), is at most the tolerance."""
    return make_claim(
        name,
        "fitted centres and widths agree between the two halves of the measurement window "
        "(largest |change| in jackknife errors over all modes)",
        stationarity["max_abs_z"],
        0.0,
        0.0,
        tolerance,
        0.0,
        rule="at_most",
        setting=setting,
    )


def claims_file(module: str, config: str, provenance: Mapping, claims: list[dict]) -> dict:
    """The claims file of one module."""
    return {
        "module": module,
        "config": config,
        "provenance": dict(provenance),
        "rules": RULES,
        "n_claims": len(claims),
        "n_passed": sum(c["pass"] for c in claims),
        "claims": claims,
    }
