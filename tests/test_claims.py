"""Claim records, version 2: verdicts, tensions, outcomes and what decides an inconclusive claim."""

import math

import pytest

from rmtsgd.claims import (
    effective_outcome,
    make_claim,
    outcome_counts,
    stationarity_claim,
    tension,
    verdict,
)

SPEC = {"tolerance": 0.01, "max_error": 0.02, "basis": "the paper's two-digit precision"}


def claim(value, error, rule="within", spec=SPEC, reference=1.0, **options):
    return make_claim(
        "c", "x equals one", "paper: Eq 1", value, error, reference, spec, 2.0, rule=rule, **options
    )


def deviating(band, name="c"):
    return {**SPEC, "deviates": {name: {"reason": "finite training time", "band": band}}}


@pytest.mark.parametrize(
    ("rule", "value", "error", "expected"),
    [
        ("within", 1.005, 0.01, "agrees"),  # inside the tolerance
        ("within", 1.025, 0.01, "agrees"),  # 0.015 beyond it: 1.5 errors, not violated
        ("within", 1.06, 0.01, "disagrees"),  # 0.05 beyond it: 5 errors
        ("within", 1.0, 0.05, "undecided"),  # central, but the error exceeds max_error
        ("within", 1.5, 0.05, "disagrees"),  # clearly off even though noisy
        ("at_most", 0.9, 0.01, "agrees"),
        ("at_most", 1.02, 0.01, "agrees"),  # 0.01 beyond the bound: 1 error
        ("at_most", 1.2, 0.01, "disagrees"),
        ("at_most", 0.5, 0.05, "undecided"),  # the guard holds for one-sided rules too
        ("at_least", 1.1, 0.01, "agrees"),
        ("at_least", 0.8, 0.01, "disagrees"),
        ("at_least", 1.5, 0.5, "undecided"),
        ("within", math.nan, 0.01, "undecided"),
    ],
)
def test_verdict_by_rule_with_the_noise_guard(rule, value, error, expected):
    assert verdict(rule, value, error, 1.0, 0.01, 2.0, 0.02) == expected


def test_unknown_rule_is_named():
    with pytest.raises(ValueError, match="unknown claim rule 'below'"):
        verdict("below", 1.0, 0.1, 1.0, 0.0, 2.0, 1.0)


def test_tension_two_sided_and_signed_one_sided():
    assert tension("within", 0.9, 0.05, 1.0) == pytest.approx(2.0)
    assert tension("at_most", 0.9, 0.05, 1.0) == pytest.approx(-2.0)  # inside: negative
    assert tension("at_least", 0.9, 0.05, 1.0) == pytest.approx(2.0)  # beyond the bound
    assert tension("within", 1.0, 0.0, 1.0) == 0.0
    assert tension("within", 1.1, 0.0, 1.0) is None  # exact but different: undefined


def test_each_outcome_is_reached():
    assert claim(1.005, 0.005)["outcome"] == "reproduced"
    assert claim(1.3, 0.005)["outcome"] == "fails"
    assert claim(1.0, 0.1)["outcome"] == "inconclusive"
    assert claim(1.3, 0.005, spec=deviating([1.2, 1.4]))["outcome"] == "deviates"
    assert claim(math.nan, 0.005)["outcome"] == "fails"


def test_a_declared_deviation_fails_when_it_agrees_again_or_leaves_its_band():
    back = claim(1.0, 0.005, spec=deviating([1.2, 1.4]))
    assert back["outcome"] == "fails" and "holds again" in back["outcome_reason"]
    away = claim(1.6, 0.005, spec=deviating([1.2, 1.4]))
    assert away["outcome"] == "fails" and "left its band" in away["outcome_reason"]
    other = claim(1.3, 0.005, spec=deviating([1.2, 1.4], name="another"))
    assert other["outcome"] == "fails" and other["expect"] is None
    every = claim(1.3, 0.005, spec=deviating([1.2, 1.4], name="*"))
    assert every["outcome"] == "deviates" and every["outcome_reason"] == "finite training time"
    dropped = deviating([1.2, 1.4], name="*")
    dropped["deviates"]["c"] = None  # an overlay drops the declaration for this claim
    assert claim(1.3, 0.005, spec=dropped)["outcome"] == "fails"


def test_an_inconclusive_claim_says_what_decides_it():
    record = claim(1.0, 0.08, samples={"count": 16, "unit": "networks per point"})
    decide = record["decide"]
    assert decide["error_needed"] == 0.02
    assert decide["sample_factor"] == pytest.approx(16.0)
    assert decide["samples_needed"] == 256
    assert "256 networks per point (now 16)" in decide["text"]
    undefined = claim(1.0, math.inf, samples={"count": 16, "unit": "networks per point"})
    assert undefined["outcome"] == "inconclusive" and "sample_factor" not in undefined["decide"]
    assert "now undefined" in undefined["decide"]["text"]
    assert "more networks per point" in undefined["decide"]["text"]


def test_record_has_every_field_and_recomputes_to_itself():
    record = claim(1.005, 0.005, setting={"lr": 0.1})
    for key in (
        "statement",
        "source",
        "reference",
        "value",
        "error",
        "tension",
        "tolerance",
        "tolerance_basis",
        "max_error",
        "z",
        "rule",
        "expect",
        "outcome",
        "setting",
    ):
        assert key in record, key
    assert effective_outcome(record) == "reproduced"
    assert effective_outcome({**record, "value": 1.5}) == "fails"


def test_source_must_say_whose_statement_it_is():
    with pytest.raises(ValueError, match="source must start with one of"):
        make_claim("c", "x", "Eq 1", 1.0, 0.1, 1.0, SPEC, 2.0)


def test_stationarity_carries_the_unit_error_of_a_z_score():
    spec = {"tolerance": 4.0, "max_error": 1.0, "basis": "expected largest of 12 |z|"}
    record = stationarity_claim("s", {"max_abs_z": 2.5}, spec, 2.0, {})
    assert record["error"] == 1.0 and record["rule"] == "at_most"
    assert record["outcome"] == "reproduced" and record["tension"] == pytest.approx(2.5)


def test_outcome_counts_list_every_outcome():
    counts = outcome_counts([claim(1.005, 0.005), claim(1.3, 0.005)])
    assert counts == {"reproduced": 1, "deviates": 0, "inconclusive": 0, "fails": 1}
