"""Claims: a paper's quantitative statement, the pipeline's number for it, and a pass rule.

Every claim file has the same format (ARCHITECTURE.md). Two pass rules exist:

- ``within``: |value - reference| <= tolerance + z * error, and error <= max_error (a claim
  cannot pass merely by being too noisy to test);
- ``at_most``: value + z * error <= tolerance (distances such as a KS statistic, or a
  stationarity z-score where z = 0);
- ``below``: value + z * error <= reference - tolerance (a predicted one-sided deviation);
- ``above``: value - z * error >= reference + tolerance (its mirror image).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
