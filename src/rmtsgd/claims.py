"""Claims, version 2: a paper's statement, the pipeline's number for it, and a verdict.

A claim states what a paper (or the spec, or we) asserts, with `source` and the asserted value
`reference`, never its opposite. The measured `value` and its honest `error` give the `tension`
and, by the claim's rule, a verdict (docs/claims.md):

- ``within``: the statement is |value - reference| <= tolerance;
- ``at_most``: the statement is value <= reference + tolerance;
- ``at_least``: the statement is value >= reference - tolerance.

The verdict is *disagrees* when the statement is violated by more than z errors, *agrees* when it
is not and error <= max_error (a claim cannot agree by being too noisy to test: the guard holds
for every rule), *undecided* when it is not violated but the error exceeds max_error. The
outcome follows from the verdict and what the config declares:

- ``reproduced``: agrees, and no deviation is declared;
- ``deviates``: disagrees, a deviation is declared (its reason names the mechanism) and the
  value lies in the declared band;
- ``inconclusive``: undecided; the record says which error (how many more samples) decides it;
- ``fails``: anything else: an undeclared disagreement, a declared deviation that now agrees
  with the paper or left its band, a value that is not a number.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rmtsgd.io import write_json

log = logging.getLogger(__name__)

VERSION = 2

RULES = {
    "within": "statement: |value - reference| <= tolerance",
    "at_most": "statement: value <= reference + tolerance",
    "at_least": "statement: value >= reference - tolerance",
}
VERDICT = (
    "disagrees when the value lies more than z errors beyond what the statement allows; "
    "otherwise agrees if error <= max_error, else undecided"
)

OUTCOMES = {
    "reproduced": "the statement holds within tolerance and the error is small enough to tell",
    "deviates": "the statement does not hold at this scale, as the config declares, and the "
    "value stays in the declared band",
    "inconclusive": "the error is too large to decide; the record says what would decide it",
    "fails": "anything else: an undeclared disagreement, a declared deviation that agrees with "
    "the paper again or left its band, a value that is not a number",
}

SOURCES = ("paper", "spec", "ours")  # the first word of every claim's source


# --------------------------------------------------------------------------- verdicts


def excess(rule: str, value: float, reference: float, tolerance: float) -> float:
    """How far the value lies beyond what the statement allows (negative: inside)."""
    if rule == "within":
        return abs(value - reference) - tolerance
    if rule == "at_most":
        return value - (reference + tolerance)
    if rule == "at_least":
        return (reference - tolerance) - value
    raise ValueError(f"unknown claim rule '{rule}', expected one of {sorted(RULES)}")


def verdict(
    rule: str,
    value: float,
    error: float,
    reference: float,
    tolerance: float,
    z: float,
    max_error: float,
) -> str:
    """'agrees', 'disagrees' or 'undecided' (see the module's docstring); NaN is undecided."""
    beyond = excess(rule, value, reference, tolerance)
    if not (math.isfinite(beyond) and math.isfinite(error)):
        return "undecided"
    if beyond > z * error:
        return "disagrees"
    return "agrees" if error <= max_error else "undecided"


def tension(rule: str, value: float, error: float, reference: float) -> float | None:
    """|value - reference| / error for `within`; for one-sided rules the signed distance beyond
    the reference in errors (negative inside). None where it is undefined (zero error, NaN)."""
    signed = excess(rule, value, reference, 0.0)
    distance = abs(value - reference) if rule == "within" else signed
    if error > 0 and math.isfinite(distance) and math.isfinite(error):
        return float(distance / error)
    if error == 0 and distance == 0:
        return 0.0
    return None


def outcome_of(verdict_: str, value: float, expect: Mapping | None) -> tuple[str, str]:
    """The outcome and its reason from a verdict and the declared expectation, if any."""
    if not math.isfinite(value):
        return "fails", "the value is not a number"
    if expect is None:
        reason = {
            "agrees": "the statement holds within tolerance",
            "disagrees": "the statement does not hold and no deviation is declared",
            "undecided": "the error is too large to decide",
        }[verdict_]
        outcome = {"agrees": "reproduced", "disagrees": "fails", "undecided": "inconclusive"}
        return outcome[verdict_], reason
    low, high = expect["band"]
    if verdict_ == "agrees":
        return "fails", "declared as a deviation, but the statement holds again"
    if verdict_ == "undecided":
        return "inconclusive", "declared as a deviation, but the error is too large to decide"
    if not low <= value <= high:
        return "fails", f"declared deviation left its band [{low:g}, {high:g}]"
    return "deviates", str(expect["reason"])


def decision_note(claim: Mapping, samples: Mapping | None) -> dict:
    """What would decide an inconclusive claim: the error it needs and, with errors falling as
    1/sqrt(samples), how many samples that implies."""
    needed = claim["max_error"]  # an undecided claim is decided once its error reaches it
    note: dict[str, Any] = {"error_needed": needed}
    if needed > 0 and math.isfinite(claim["error"]) and claim["error"] > 0:
        factor = (claim["error"] / needed) ** 2
        note["sample_factor"] = factor
        text = (
            f"an error of {needed:.3g} (now {claim['error']:.3g}): about {factor:.3g} x the samples"
        )
        if samples:
            count = math.ceil(factor * samples["count"])
            note["samples_needed"] = count
            text += f", i.e. {count} {samples['unit']} (now {samples['count']})"
        note["text"] = text
    elif samples:  # no finite error: the statistic is undefined in part of the resamples
        note["text"] = (
            f"an error of {needed:.3g} (now undefined: the statistic is not defined in every "
            f"resample of the {samples['count']} {samples['unit']}); more {samples['unit']}"
        )
    else:
        note["text"] = f"an error of {needed:.3g}"
    return note


# --------------------------------------------------------------------------- making claims


def declared_deviation(spec: Mapping, name: str) -> dict | None:
    """The deviation the config declares for claim `name` (by name, or '*' for the kind; a name
    set to null has none)."""
    declared = spec.get("deviates") or {}
    entry = declared.get(name, declared.get("*"))
    if entry is None:
        return None
    return {"outcome": "deviates", "reason": entry["reason"], "band": list(entry["band"])}


def make_claim(
    name: str,
    statement: str,
    source: str,
    value: float,
    error: float,
    reference: float,
    spec: Mapping[str, Any],
    z: float,
    rule: str = "within",
    setting: Mapping[str, Any] | None = None,
    samples: Mapping[str, Any] | None = None,
) -> dict:
    """One claim record (version 2) with its outcome.

    `spec` is the claim kind's config entry: tolerance, max_error, basis (why the tolerance is
    what it is) and optionally deviates (declared deviations by claim name). `samples` ({count,
    unit}, e.g. networks per point) lets an inconclusive claim say how many would decide it.
    """
    if source.split(" ", 1)[0].rstrip(":,") not in SOURCES:
        raise ValueError(f"claim '{name}': source must start with one of {SOURCES}: {source!r}")
    claim = {
        "name": name,
        "statement": statement,
        "source": source,
        "setting": dict(setting or {}),
        "rule": rule,
        "value": float(value),
        "error": float(error),
        "reference": float(reference),
        "tolerance": float(spec["tolerance"]),
        "tolerance_basis": str(spec["basis"]),
        "max_error": float(spec["max_error"]),
        "z": float(z),
        "expect": declared_deviation(spec, name),
    }
    return judge_claim(claim, samples)


def judge_claim(claim: dict, samples: Mapping | None = None) -> dict:
    """Fill in a claim's tension, verdict, outcome (and what would decide it) from its numbers."""
    numbers = {key: _number(claim, key) for key in ("value", "error", "reference", "tolerance")}
    value, error, reference = numbers["value"], numbers["error"], numbers["reference"]
    claim["tension"] = tension(claim["rule"], value, error, reference)
    claim["verdict"] = verdict(
        claim["rule"], *numbers.values(), _number(claim, "z"), _number(claim, "max_error")
    )
    claim["outcome"], claim["outcome_reason"] = outcome_of(
        claim["verdict"], value, claim.get("expect")
    )
    if claim["outcome"] == "inconclusive" and math.isfinite(value):
        claim["decide"] = decision_note({**claim, **numbers}, samples)
    return claim


def _number(claim: Mapping, key: str) -> float:
    value = claim.get(key)
    return math.nan if value is None else float(value)


def ratio_with_error(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, float]:
    """a/b of two {value, error} quantities, the relative errors added in quadrature."""
    ratio = a["value"] / b["value"]
    return ratio, abs(ratio) * float(np.hypot(a["error"] / a["value"], b["error"] / b["value"]))


def stationarity_claim(
    name: str, stationarity: Mapping, spec: Mapping[str, Any], z: float, setting: Mapping
) -> dict:
    """The window is stationary: the largest change of a fitted moment between its two halves,
    in jackknife errors (`rmtsgd.fits.analyse_modes`), is at most the tolerance. A z-score has
    unit sampling error by construction, so the claim's error is 1."""
    return make_claim(
        name,
        "fitted centres and widths agree between the two halves of the measurement window "
        "(largest |change| in jackknife errors over all modes)",
        "ours: the stationarity the paper's ensemble average assumes",
        stationarity["max_abs_z"],
        1.0,
        0.0,
        spec,
        z,
        rule="at_most",
        setting=setting,
    )


def outcome_counts(claims: Sequence[Mapping]) -> dict[str, int]:
    """How many claims have each outcome (every outcome listed, zeros included)."""
    counts = Counter(c["outcome"] for c in claims)
    return {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}


def claims_file(module: str, config: str, provenance: Mapping, claims: list[dict]) -> dict:
    """The claims file of one module."""
    return {
        "version": VERSION,
        "module": module,
        "config": config,
        "provenance": dict(provenance),
        "rules": RULES,
        "verdict": VERDICT,
        "outcomes": OUTCOMES,
        "n_claims": len(claims),
        "counts": outcome_counts(claims),
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
    and log the counts by outcome."""
    config = f"the config whose results folder is {Path(path).parents[1]}"
    payload = claims_file(module, config, provenance, claims)
    if skipped is not None:
        payload["skipped_kinds"] = list(skipped)
    payload.update(extra)
    log.info("%d claims: %s", payload["n_claims"], payload["counts"])
    write_json(path, payload)
    return payload


# --------------------------------------------------------------------------- reading claims back


class ClaimsFileError(ValueError):
    """A claims file is missing, not JSON, or not in the format `claims_file` writes."""


_NUMBER_FIELDS = ("value", "error", "reference", "tolerance", "max_error", "z")
_TEXT_FIELDS = ("statement", "source", "tolerance_basis")


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
    if payload.get("version") != VERSION:
        return f"'version' is {payload.get('version')!r}, expected {VERSION} (rerun the pipeline)"
    if payload.get("module") != module:
        return f"'module' is {payload.get('module')!r}, expected {module!r}"
    claims = payload.get("claims")
    if not isinstance(claims, list) or not claims:
        return "'claims' must be a non-empty list"
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict) or not isinstance(claim.get("name"), str):
            return f"claim {i} has no name"
        problem = _claim_problem(claim)
        if problem:
            return f"claim '{claim['name']}': {problem}"
    return None


def _claim_problem(claim: Mapping) -> str | None:
    for key in _NUMBER_FIELDS:
        if key not in claim or not (claim[key] is None or _is_number(claim[key])):
            return f"'{key}' must be a number or null"
    for key in _TEXT_FIELDS:
        if not isinstance(claim.get(key), str):
            return f"'{key}' must be text"
    if claim.get("rule") not in RULES:
        return f"unknown rule {claim.get('rule')!r}"
    if claim.get("outcome") not in OUTCOMES:
        return f"unknown outcome {claim.get('outcome')!r}"
    expect = claim.get("expect")
    if expect is not None and not (
        isinstance(expect, dict) and isinstance(expect.get("reason"), str) and _is_band(expect)
    ):
        return "'expect' must be null or {outcome, reason, band: [low, high]}"
    return None


def _is_band(expect: Mapping) -> bool:
    band = expect.get("band")
    return isinstance(band, list) and len(band) == 2 and all(_is_number(b) for b in band)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def recomputed_outcome(claim: Mapping) -> str:
    """The claim's outcome recomputed from its numbers, rule and declared expectation."""
    return judge_claim(dict(claim))["outcome"]


def effective_outcome(claim: Mapping) -> str:
    """The outcome `rmtsgd check` counts: the recorded one if the numbers give it, else fails."""
    recorded = claim["outcome"]
    return recorded if recorded == recomputed_outcome(claim) else "fails"


def outcome_note(claim: Mapping) -> str:
    """Why the claim has its recorded outcome, and for an inconclusive one what decides it."""
    text = str(claim.get("outcome_reason", ""))
    decide = claim.get("decide")
    return f"{text}; decided by {decide['text']}" if decide else text


def describe_claim(claim: Mapping) -> str:
    """One line: name, value +- error against reference, tension, tolerance and rule."""

    def fmt(key: str) -> str:
        value = claim.get(key)
        return "n/a" if value is None else f"{value:.4g}"

    text = (
        f"{claim['name']}: {fmt('value')} +- {fmt('error')} vs reference {fmt('reference')} "
        f"(tension {fmt('tension')}; rule {claim['rule']}, tolerance {fmt('tolerance')}, "
        f"max error {fmt('max_error')}, z = {fmt('z')})"
    )
    recomputed = recomputed_outcome(claim)
    if recomputed != claim["outcome"]:
        text += (
            f" [recorded outcome '{claim['outcome']}' does not follow from these numbers, "
            f"which give '{recomputed}']"
        )
    return text
