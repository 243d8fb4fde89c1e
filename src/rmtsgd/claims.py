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

import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rmtsgd.io import write_json

log = logging.getLogger(__name__)

RULES = {
    "within": "|value - reference| <= tolerance + z * error and error <= max_error",
    "at_most": "value + z * error <= tolerance",
    "below": "value + z * error <= reference - tolerance",
    "above": "value - z * error >= reference + tolerance",
}


def passes(
    rule: str,
    value: float,
    error: float,
    reference: float,
    tolerance: float,
    z: float,
    max_error: float | None = None,
) -> bool:
    """Whether a claim with these numbers passes by `rule` (see RULES); NaN never passes."""
    if rule == "within":
        if max_error is None:
            raise ValueError("rule 'within' needs max_error")
        return abs(value - reference) <= tolerance + z * error and error <= max_error
    if rule == "at_most":
        return value + z * error <= tolerance
    if rule == "below":
        return value + z * error <= reference - tolerance
    if rule == "above":
        return value - z * error >= reference + tolerance
    raise ValueError(f"unknown claim rule '{rule}', expected one of {sorted(RULES)}")


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
    max_error = float(tolerance["max_error"]) if rule == "within" else None
    passed = passes(rule, value, error, reference, tol, z, max_error)
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


def write_claims_file(
    path: str | Path,
    module: str,
    provenance: Mapping,
    claims: list[dict],
    skipped: Sequence[str] | None = None,
    **extra: Any,
) -> dict:
    """Write a module's claims file at `path` (<results>/claims/<module>.json; the config is
    named by its results folder), with the claim kinds its scale skips and any `extra` fields,
    and log how many claims pass."""
    config = f"the config whose results folder is {Path(path).parents[1]}"
    payload = claims_file(module, config, provenance, claims)
    if skipped is not None:
        payload["skipped_kinds"] = list(skipped)
    payload.update(extra)
    log.info("%d of %d claims pass", payload["n_passed"], payload["n_claims"])
    write_json(path, payload)
    return payload


# --------------------------------------------------------------------------- reading claims back


class ClaimsFileError(ValueError):
    """A claims file is missing, not JSON, or not in the format `claims_file` writes."""


_NUMBER_FIELDS = ("value", "error", "reference", "tolerance")  # null where a number was NaN


def read_claims_file(path: str | Path, module: str) -> dict:
    """Load one module's claims file; raise ClaimsFileError saying what is wrong with it."""
    path = Path(path)
    try:
        payload = json.loads(path.read_text())
    except FileNotFoundError:
        raise ClaimsFileError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClaimsFileError(f"{path}: not readable JSON ({error})") from None
    problem = _format_problem(payload, module)
    if problem:
        raise ClaimsFileError(f"{path}: {problem}")
    return payload


def _format_problem(payload: Any, module: str) -> str | None:
    if not isinstance(payload, dict):
        return "expected a JSON object"
    if payload.get("module") != module:
        return f"'module' is {payload.get('module')!r}, expected {module!r}"
    claims = payload.get("claims")
    if not isinstance(claims, list) or not claims:
        return "'claims' must be a non-empty list"
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict) or not isinstance(claim.get("name"), str):
            return f"claim {i} has no name"
        for key in _NUMBER_FIELDS:
            if key not in claim or not (claim[key] is None or _is_number(claim[key])):
                return f"claim '{claim['name']}': '{key}' must be a number or null"
        if not isinstance(claim.get("pass"), bool):
            return f"claim '{claim['name']}': 'pass' must be true or false"
        if claim.get("rule", "within") not in RULES:
            return f"claim '{claim['name']}': unknown rule {claim.get('rule')!r}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def recomputed_pass(claim: Mapping) -> bool:
    """The claim's pass flag recomputed from its numbers by its rule (null counts as NaN)."""

    def number(key: str, default: float = math.nan) -> float:
        value = claim.get(key)
        return default if value is None else float(value)

    return passes(
        claim.get("rule", "within"),
        number("value"),
        number("error"),
        number("reference"),
        number("tolerance"),
        number("z", 0.0),
        number("max_error"),
    )


def claim_passes(claim: Mapping) -> bool:
    """A claim passes when it says so and its numbers agree under its rule."""
    return bool(claim["pass"]) and recomputed_pass(claim)


def describe_claim(claim: Mapping) -> str:
    """One line: name, value +- error against reference, tolerance and rule."""

    def fmt(key: str) -> str:
        value = claim.get(key)
        return "n/a" if value is None else f"{value:.4g}"

    limits = f"tolerance {fmt('tolerance')}"
    if claim.get("max_error") is not None:
        limits += f", max error {fmt('max_error')}"
    text = (
        f"{claim['name']}: {fmt('value')} +- {fmt('error')} vs reference {fmt('reference')} "
        f"({limits}, z = {fmt('z')}, rule {claim.get('rule', 'within')})"
    )
    if bool(claim["pass"]) != recomputed_pass(claim):
        text += f" [recorded pass={claim['pass']} does not follow from these numbers]"
    return text
