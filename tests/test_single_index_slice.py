"""The single-index slice: budgets, d-range restriction, the exponents recovered from synthetic
medians with known exponents, the noiseless limits its tolerances rest on, the trend claims'
outcomes, and the config checks that name the key."""

import copy

import numpy as np
import pytest
from conftest import ROOT, SCHEMA
from test_pipeline import BIN, SMOKE, dry_run_jobs, run, snakemake

from rmtsgd.claims import read_claims_file
from rmtsgd.config import ConfigError, load_config, validate_config
from rmtsgd.single_index.analysis import CurveMedians, crossover_shape
from rmtsgd.single_index.flow import mean_flow_time, median_start_overlap
from rmtsgd.single_index.model import SingleIndexModel
from rmtsgd.single_index.slice import (
    STUDIES,
    check_slice_config,
    distance_change,
    drift_curve,
    exponent_rows,
    restrict_dims,
    slice_budget,
    slice_claims,
    study_trends,
)

MODEL = SingleIndexModel()
DIMS = np.array([25, 50, 100, 200, 400])
THRESHOLD_ETAS = np.array([0.0, 2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2])
THEOREM_ETAS = np.array([0.2, 0.4, 0.8])
RANGES = [[25, 100], [50, 200], [100, 400]]


def synthetic_threshold(r: float, rng, noise: float = 0.02, n_boot: int = 200) -> CurveMedians:
    """Medians T0 d^2 F(eta / eta_c) with eta_c = 0.02 d^-r exactly (row 0), replicates with
    lognormal noise of relative size `noise`."""
    knee = 0.02 * DIMS.astype(float) ** -r
    rho = np.array([median_start_overlap(int(d)) / 0.5 for d in DIMS])
    exact = np.stack(
        [
            100.0 * d**2 * crossover_shape(THRESHOLD_ETAS / k, p)
            for d, k, p in zip(DIMS, knee, rho, strict=True)
        ]
    )
    replicates = exact * np.exp(noise * rng.standard_normal((n_boot, *exact.shape)))
    return CurveMedians(
        "t", "information", DIMS, THRESHOLD_ETAS, np.concatenate([exact[None], replicates])
    )


def synthetic_theorem(slope: float, rng, noise: float = 0.02, n_boot: int = 200) -> CurveMedians:
    """Medians 1e5 d eta^slope (row 0), replicates with lognormal noise."""
    exact = 1e5 * DIMS[:, None] * THEOREM_ETAS[None, :] ** slope
    replicates = exact * np.exp(noise * rng.standard_normal((n_boot, *exact.shape)))
    return CurveMedians(
        "s", "theorem", DIMS, THEOREM_ETAS, np.concatenate([exact[None], replicates])
    )


def test_budget_scales_as_d_power_over_c():
    study = {"budget": {"scale": 0.2, "power": 2}}
    assert slice_budget(study, 5e-4, 400) == round(0.2 * 400**2 / 5e-4)
    assert slice_budget(study, 5e-4, 100) * 4 == slice_budget(study, 2.5e-4, 100) * 2


def test_restrict_dims_keeps_the_range_only():
    curve = synthetic_theorem(-2.0, np.random.default_rng(0))
    sub = restrict_dims(curve, [50, 200])
    assert sub.dims.tolist() == [50, 100, 200]
    assert np.array_equal(sub.medians, curve.medians[:, 1:4])


@pytest.mark.parametrize("r", [0.5, 0.7])
def test_threshold_exponent_recovered(r):
    rows = exponent_rows(
        "threshold", synthetic_threshold(r, np.random.default_rng(1)), {"max_eta": 0.016}, 0.5
    )
    assert rows[0] == pytest.approx(r, abs=0.01)  # the knee grid has 100 points per decade
    assert 0.0 < np.std(rows[1:]) < 0.1


@pytest.mark.parametrize("slope", [-2.0, -1.7])
def test_theorem_slope_recovered(slope):
    rows = exponent_rows(
        "theorem", synthetic_theorem(slope, np.random.default_rng(2)), {"window": [0.2, 0.8]}, 0.5
    )
    assert rows[0] == pytest.approx(slope, abs=1e-12)


def test_distance_change_is_negative_when_closer():
    later, earlier = np.array([0.52, 0.5, 0.54]), np.array([0.7, 0.68, 0.72])
    assert distance_change(later, earlier, 0.5)["value"] < 0
    assert distance_change(earlier, later, 0.5)["value"] > 0


def test_drift_limits_behind_the_tolerances():
    """The tolerance bases quote these noise-free exponents (config/config.yaml)."""
    limit = drift_curve(MODEL, "t", "information", 5e-4, DIMS, THRESHOLD_ETAS)
    r = [
        exponent_rows("threshold", restrict_dims(limit, w), {"max_eta": 0.016}, 0.5)[0]
        for w in RANGES
    ]
    assert r == pytest.approx([0.398, 0.432, 0.448], abs=0.002)
    theorem = drift_curve(MODEL, "s", "theorem", 3e-9, DIMS, THEOREM_ETAS)
    slopes = [
        exponent_rows("theorem", restrict_dims(theorem, [d, d]), {"window": [0.2, 0.8]}, 0.5)[0]
        for d in DIMS
    ]
    assert min(slopes) > -2.0 and max(slopes) < -1.98


@pytest.mark.parametrize("overlay", [None, "smoke.yaml", "slice.yaml", "paper.yaml"])
def test_tolerances_are_the_flow_limit_at_every_scale(overlay):
    """Each study's tolerance covers |flow limit - prediction| at the scale's paper c over its
    last d range, and exceeds it by less than 0.002: the mean flow (drift plus the
    normalisation's contraction) fitted like the data."""
    overlays = [ROOT / "config" / overlay] if overlay else []
    si = load_config(ROOT / "config/config.yaml", *overlays)["single_index"]
    section, last = si["slice"], si["slice"]["ranges"][-1]
    model = SingleIndexModel(**si["model"])
    kinds = {"threshold": "threshold_exponent", "theorem": "theorem_slope"}
    for study, kind in kinds.items():
        setting = section[study]
        dims = [d for d in setting["dims"] if last[0] <= d <= last[1]]
        rule, prediction = STUDIES[study]["rule"], STUDIES[study]["prediction"]
        flow = drift_curve(
            model, "t", rule, setting["paper_c"], dims, setting["eta"], mean_flow_time
        )
        systematic = abs(exponent_rows(study, flow, setting, 0.5)[0] - prediction)
        tolerance = section["claims"][kind]["tolerance"]
        assert systematic <= tolerance < systematic + 0.002, (overlay, study, systematic)


def slice_section(default_config) -> dict:
    section = copy.deepcopy(default_config["single_index"]["slice"])
    section.update(ranges=RANGES)
    for study in ("threshold", "theorem"):
        section[study]["dims"] = DIMS.tolist()
    return section


def synthetic_trends(section, threshold_r, theorem_slope):
    """Trends of synthetic curves: exponent `*[0]` at the paper's c, `*[1]` at the larger c."""
    rng = np.random.default_rng(3)
    threshold = {
        c: synthetic_threshold(r, rng)
        for c, r in zip(section["threshold"]["cs"], threshold_r, strict=True)
    }
    theorem = {
        c: synthetic_theorem(s, rng)
        for c, s in zip(section["theorem"]["cs"], theorem_slope, strict=True)
    }
    return {
        "threshold": study_trends("threshold", threshold, section["threshold"], RANGES, MODEL),
        "theorem": study_trends("theorem", theorem, section["theorem"], RANGES, MODEL),
    }


def test_claims_reproduce_the_predictions(default_config):
    section = slice_section(default_config)
    claims = slice_claims(
        synthetic_trends(section, [0.5, 0.7], [-2.0, -1.7]), section["claims"], 64
    )
    outcomes = {c["name"]: c["outcome"] for c in claims}
    assert outcomes["threshold_exponent_paper_c"] == "reproduced"
    assert outcomes["theorem_slope_paper_c"] == "reproduced"
    assert outcomes["threshold_c_trend"] == outcomes["theorem_c_trend"] == "reproduced"
    assert all(c["source"].split(":")[0] in ("paper", "ours") for c in claims)


def test_claims_fail_off_the_predictions(default_config):
    section = slice_section(default_config)
    claims = slice_claims(
        synthetic_trends(section, [0.7, 0.5], [-1.7, -2.0]), section["claims"], 64
    )
    outcomes = {c["name"]: c["outcome"] for c in claims}
    for name in (
        "threshold_exponent_paper_c",
        "theorem_slope_paper_c",
        "threshold_c_trend",
        "theorem_c_trend",
    ):
        assert outcomes[name] == "fails", name


@pytest.mark.parametrize("overlay", [None, "smoke.yaml", "slice.yaml", "paper.yaml"])
def test_slice_sections_are_valid(overlay):
    files = [ROOT / "config/config.yaml"] + ([ROOT / "config" / overlay] if overlay else [])
    config = load_config(*files)
    validate_config(config, SCHEMA)
    check_slice_config(config["single_index"]["slice"])


@pytest.mark.parametrize(
    ("study", "key", "value", "named"),
    [
        ("threshold", "paper_c", 0.001, "threshold.paper_c"),
        ("theorem", "paper_c", 1.2e-8, "theorem.paper_c"),
        ("threshold", "max_eta", 2.5e-4, "threshold.max_eta"),
        ("theorem", "window", [0.2, 0.3], "theorem.window"),
        ("threshold", "dims", [25, 400], "ranges"),
    ],
)
def test_bad_slice_config_names_the_key(default_config, study, key, value, named):
    section = copy.deepcopy(default_config["single_index"]["slice"])
    section[study][key] = value
    with pytest.raises(ConfigError, match=f"single_index.slice.{named}"):
        check_slice_config(section)


@pytest.mark.pipeline
def test_smoke_slice_writes_version_2_claims_and_the_figure():
    """The smoke slice end to end: the trend claims in the version-2 format that `rmtsgd check`
    reads (none fails), and the figure; a second dry run has nothing left to do."""
    snakemake("--cores", "2", *SMOKE, "--", "slice")
    claims = read_claims_file(
        ROOT / "results/smoke/claims/single_index_slice.json", "single_index_slice"
    )
    assert {c["name"] for c in claims["claims"]} == {
        f"{study}_{what}"
        for study in ("threshold", "theorem")
        for what in ("range_trend", "c_trend")
    } | {"threshold_exponent_paper_c", "theorem_slope_paper_c"}
    assert all(c["error"] > 0 for c in claims["claims"])
    assert claims["counts"]["fails"] == 0
    for ext in ("pdf", "png"):
        assert (ROOT / f"figures/smoke/si_slice.{ext}").stat().st_size > 1000
    run(str(BIN / "rmtsgd"), "check", "results/smoke", "--module", "single_index_slice")
    assert not dry_run_jobs(*SMOKE, "--", "slice")
