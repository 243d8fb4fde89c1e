"""Ingest of external weight ensembles: a round trip through a generated file in the released
layout, the grouping of singular values into modes, and every kind of bad file or entry."""

import copy

import numpy as np
import pytest
import yaml
from conftest import ROOT, SCHEMA

from rmtsgd.config import ConfigError, validate_config
from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.io import EnsembleFileError, inspect_ensemble
from rmtsgd.spectra import group_modes
from rmtsgd.teacher_student.external import analyse_ensemble, external_claims, load_ensemble


def released_layout(rng, networks=3000, snapshots=3, sigma=0.01) -> dict:
    """A file like the authors': W = 2 I + H per network and snapshot, H from the GOE with
    off-diagonal variance v = sigma^2 / 2 and diagonal 2 v, so that the singular values 2 + eig(H)
    follow Eq 11 with width sigma."""
    g = rng.normal(0.0, sigma / np.sqrt(2.0), (networks, snapshots, 2, 2))
    weights = 2.0 * np.eye(2) + (g + np.swapaxes(g, -1, -2)) / np.sqrt(2.0)
    return {
        "W": weights,
        "loss": rng.random((networks, snapshots)),
        "lr": np.float64(0.1),
        "batch_size": np.int64(16),
        "noise": np.float64(0.1),
    }


def write(path, **arrays):
    np.savez(path, **arrays)
    return path


def test_round_trip_recovers_the_pair_and_reads_the_setting(tmp_path):
    rng = np.random.default_rng(1)
    data = released_layout(rng)
    data["W"][5] = np.nan  # a diverged network is excluded and counted
    path = write(tmp_path / "ens.npz", **data)
    assert inspect_ensemble(path) == (3000, 3, 2, 2)
    ensemble = load_ensemble(path, -1)
    assert ensemble["setting"] == {"lr": 0.1, "batch_size": 16, "noise": 0.1}
    report = analyse_ensemble(ensemble["weights"], n_blocks=20, pair_gap=4.0)
    assert report["networks"] == {"total": 3000, "excluded": 1}
    (pair,) = report["modes"]
    assert pair["kind"] == "pair" and pair["indices"] == [0, 1]
    for key, true in (("width", 0.01), ("centre", 2.0), ("spacing_ratio", 1.0)):
        assert abs(pair[key]["value"] - true) < 4 * pair[key]["error"], (key, pair[key])
    assert pair["surmise"]["n"] == 2999
    claims = external_claims({"ens": {**report, "setting": ensemble["setting"]}}, CLAIMS)
    assert {c["name"]: c["outcome"] for c in claims} == {
        "spacing_mean_ens_mode0": "reproduced",
        "binder_u4_ens_mode0": "reproduced",
        "wigner_surmise_ens_mode0": "reproduced",
    }, claims
    assert all(c["source"].startswith("paper") for c in claims)


CLAIMS = yaml.safe_load((ROOT / "config/config.yaml").read_text())["external_claims"]


def _pair(u4=SEMICIRCLE_U4, ratio=1.0, ks=0.01, n=3000, error=0.01) -> dict:
    """A fitted degenerate pair as `analyse_ensemble` reports it."""
    return {
        "kind": "pair",
        "indices": [0, 1],
        "binder_u4": {"value": u4, "error": error},
        "spacing_ratio": {"value": ratio, "error": error / 2},
        "ks_surmise": {"value": ks, "error": 0.005},
        "surmise": {"n": n},
    }


def _outcomes(mode, cfg=CLAIMS) -> dict:
    claims = external_claims({"e": {"modes": [mode], "setting": {}}}, cfg)
    return {c["name"].split("_e_")[0]: c["outcome"] for c in claims}


def test_departures_from_the_pair_laws_fail_and_declared_ones_deviate():
    assert set(_outcomes(_pair()).values()) == {"reproduced"}
    # a Gaussian pair (U4 = 0), a wrong spacing scale, spacings far from the surmise
    far = _outcomes(_pair(u4=0.0, ratio=1.2, ks=0.1))
    assert far == {"spacing_mean": "fails", "binder_u4": "fails", "wigner_surmise": "fails"}
    # too noisy to tell: 30 networks' errors
    assert _outcomes(_pair(n=30, error=0.1))["binder_u4"] == "inconclusive"
    declared = copy.deepcopy(CLAIMS)
    declared["binder_u4"]["deviates"] = {
        "binder_u4_e_mode0": {"reason": "a Gaussian pair, for the test", "band": [-0.05, 0.05]}
    }
    assert _outcomes(_pair(u4=0.0), declared)["binder_u4"] == "deviates"
    assert _outcomes(_pair(), declared)["binder_u4"] == "fails"  # agrees again: caught


def test_the_surmise_distance_is_scaled_by_the_root_of_the_spacings():
    (claim,) = [
        c
        for c in external_claims({"e": {"modes": [_pair(ks=0.02)], "setting": {}}}, CLAIMS)
        if c["name"].startswith("wigner")
    ]
    assert claim["value"] == pytest.approx(0.02 * np.sqrt(3000))
    assert claim["rule"] == "at_most" and claim["reference"] == 0.0


def test_modes_split_separated_values_and_pair_degenerate_ones():
    rng = np.random.default_rng(2)
    pair = 3.0 + np.sort(rng.normal(0, 0.05, (500, 1, 2)), axis=-1)[..., ::-1]
    single = rng.normal(1.0, 0.05, (500, 1, 1))
    modes = group_modes(np.concatenate([pair, single], axis=-1), gap_factor=4.0)
    assert [m.indices for m in modes] == [(0, 1), (2,)]


def test_too_few_finite_networks_for_the_jackknife_is_an_error():
    weights = np.random.default_rng(3).normal(size=(30, 2, 2))
    weights[:25] = np.inf
    with pytest.raises(ValueError, match=r"only 5 networks with finite weights \(25 excluded\)"):
        analyse_ensemble(weights, 10, 4.0)


def test_all_non_finite_networks_is_an_error():
    with pytest.raises(ValueError, match="no network has finite weights"):
        analyse_ensemble(np.full((30, 2, 2), np.nan), 10, 4.0)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: None, "no such file"),
        (lambda d: (d / "x.npz").write_text("not a zip"), "not an .npz"),
        (lambda d: write(d / "x.npz", V=np.zeros((3, 1, 2, 2))), "no array 'W'"),
        (lambda d: write(d / "x.npz", W=np.zeros((3, 2, 2))), "rank 4"),
    ],
)
def test_bad_files_are_named_with_their_problem(tmp_path, make, problem):
    make(tmp_path)
    with pytest.raises(EnsembleFileError, match=problem) as error:
        inspect_ensemble(tmp_path / "x.npz")
    assert "x.npz" in str(error.value)


def _config_with(default_config, **entries):
    config = copy.deepcopy(default_config)
    config["external"] = entries
    return config


def test_bad_entries_stop_validation_naming_entry_file_and_problem(default_config, tmp_path):
    rng = np.random.default_rng(3)
    few = write(tmp_path / "few.npz", W=released_layout(rng, networks=5)["W"])
    cases = [
        ({"a": {"path": str(tmp_path / "missing.npz")}}, "external.a.path", "no such file"),
        ({"b": {"path": str(few)}}, "external.b.path", "fewer than"),
        ({"c": {"path": str(few), "snapshot": 7}}, "external.c.snapshot", "3 snapshots"),
        ({"bad name!": {"path": str(few)}}, "external", "letters, digits"),
        ({"d": {"file": str(few)}}, "external.d", "unknown key"),
    ]
    for entries, key, problem in cases:
        with pytest.raises(ConfigError) as error:
            validate_config(_config_with(default_config, **entries), SCHEMA)
        message = str(error.value)
        assert f"'{key}'" in message and problem in message, message
        if "path" in key:
            assert ".npz" in message


REFERENCE = yaml.safe_load((ROOT / "config/reference.yaml").read_text())["external"]
ANALYSIS = yaml.safe_load((ROOT / "config/config.yaml").read_text())["teacher_student"]["analysis"]


@pytest.mark.skipif(
    not all((ROOT / entry["path"]).exists() for entry in REFERENCE.values()),
    reason="the authors' released ensembles are not beside this repository",
)
def test_the_authors_ensembles_reproduce_the_pair_laws():
    """config/reference.yaml's files: every claim reproduced, none failing or deviating."""
    reports = {}
    for name, entry in REFERENCE.items():
        ensemble = load_ensemble(ROOT / entry["path"], entry.get("snapshot", -1))
        report = analyse_ensemble(
            ensemble["weights"], ANALYSIS["jackknife_blocks"], ANALYSIS["pair_gap"]
        )
        reports[name] = {**report, "setting": ensemble["setting"]}
    outcomes = {c["name"]: c["outcome"] for c in external_claims(reports, CLAIMS)}
    assert len(outcomes) == 3 * len(REFERENCE)
    assert set(outcomes.values()) == {"reproduced"}, outcomes


def test_a_claim_kind_without_its_basis_is_rejected_naming_the_key(default_config):
    config = copy.deepcopy(default_config)
    del config["external_claims"]["binder_u4"]["basis"]
    with pytest.raises(ConfigError, match="external_claims.binder_u4"):
        validate_config(config, SCHEMA)
