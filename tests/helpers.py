"""Assertions and config edits shared by the tests."""

import json

V2_FIELDS = {"name", "statement", "source", "reference", "value", "error", "tension"}
V2_FIELDS |= {"tolerance", "tolerance_basis", "max_error", "rule", "expect", "outcome"}


def assert_no_claim_fails(payload: dict) -> None:
    """Every claim is a full version-2 record, none fails, and none declared as a deviation is
    reproduced (that outcome would be a failure: the declaration is stale)."""
    assert payload["version"] == 2
    for claim in payload["claims"]:
        assert set(claim) >= V2_FIELDS, (claim["name"], V2_FIELDS - set(claim))
    failed = [c for c in payload["claims"] if c["outcome"] == "fails"]
    assert not failed, json.dumps(failed, indent=1)
    stale = [c["name"] for c in payload["claims"] if c["expect"] and c["outcome"] == "reproduced"]
    assert not stale, stale
    assert sum(payload["counts"].values()) == payload["n_claims"] == len(payload["claims"])


def drop_declared_deviations(claims_cfg: dict) -> None:
    """Remove every declared deviation from a claims config section, in place: data without
    the effects the config declares must then reproduce."""
    for spec in claims_cfg.values():
        if isinstance(spec, dict):
            spec.pop("deviates", None)
