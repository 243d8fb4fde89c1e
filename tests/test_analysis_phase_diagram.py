"""Grid analysis of the phase diagram: crossings, bootstrap errors, order parameters, the grid
assembly, the classifier's comparison with the paramagnetic boundary and the claims, on
hand-built arrays and on a tiny real run through the library."""

import copy

import numpy as np
import pytest
from conftest import ROOT
from pd_tiny import tiny_run

from rmtsgd.config import load_config
from rmtsgd.phase_diagram.analysis import (
    Grid,
    assemble_grid,
    bootstrap,
    by_point,
    class_shares,
    crossing,
    paramagnetic_boundary_log2,
    point_networks,
    tc_log2,
    vertical_boundary_log2,
    x_order_parameters,
)
from rmtsgd.phase_diagram.claims import (
    CLAIM_INPUTS,
    boundary_offsets,
    column_census,
    log_level_spacing,
    notebook_tc,
    phase_diagram_claims,
)


def test_crossing():
    coords = np.array([0.0, 1.0, 2.0, 3.0])
    assert crossing(coords, np.array([-2.0, -1.0, 1.0, 3.0]), 0.0) == pytest.approx(1.5)
    assert crossing(coords, np.array([-2.0, 1.0, -1.0, 3.0]), 0.0) == pytest.approx(2 / 3)
    assert np.isnan(crossing(coords, np.array([1.0, 2.0, 3.0, 4.0]), 0.0))  # starts above
    assert np.isnan(crossing(coords, np.array([-1.0, -2.0, -3.0, -4.0]), 0.0))
    assert crossing(coords, np.array([-1.0, np.inf, 5.0, 5.0]), 0.0) == 0.0


def test_bootstrap_error_of_a_median_and_of_a_difference():
    """Median of n normal samples: standard error ~ sqrt(pi/2) sigma / sqrt(n). Two points
    sharing their slots' noise: the difference of their means has (almost) no error, which
    only a resample common to both points can see."""
    rng = np.random.default_rng(3)
    n, sigma = 400, 2.0
    shared = rng.normal(5.0, sigma, n)
    per_point = {"v": np.stack([shared, shared + 1.0 + 0.01 * rng.normal(size=n)])[None]}
    result = bootstrap(lambda p: np.median(p["v"][0, 0]), per_point, 300, seed=1)
    assert result["value"] == pytest.approx(5.0, abs=0.4)
    assert result["error"] == pytest.approx(np.sqrt(np.pi / 2) * sigma / np.sqrt(n), rel=0.25)
    assert result["undefined_share"] == 0.0
    diff = bootstrap(lambda p: np.mean(p["v"][0, 1] - p["v"][0, 0]), per_point, 300, seed=1)
    assert diff["value"] == pytest.approx(1.0, abs=0.01) and diff["error"] < 0.002
    two_keys = {"a": per_point["v"], "b": per_point["v"].copy()}
    same = bootstrap(lambda p: np.mean(p["a"][0, 0] - p["b"][0, 0]), two_keys, 50, seed=1)
    assert same["error"] == 0.0  # one draw for every array
    undefined = bootstrap(lambda p: np.nan, per_point, 20, seed=1)
    assert undefined["error"] == np.inf


def test_by_point_arranges_networks_by_slot():
    i_eps = np.array([1, 0, 1, 0, 0, 1, 1, 0])
    i_sigma = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    slot = np.array([1, 1, 0, 0, 0, 1, 0, 1])
    values = np.arange(8.0)
    arranged = by_point(values, i_eps, i_sigma, slot, (2, 2))
    assert arranged.shape == (2, 2, 2)
    np.testing.assert_array_equal(arranged[0, 0], [3, 1])
    np.testing.assert_array_equal(arranged[1, 1], [6, 5])
    with pytest.raises(ValueError, match="different numbers"):
        by_point(values[:7], i_eps[:7], i_sigma[:7], slot[:7], (2, 2))


def test_x_order_parameters():
    teacher_x = np.tile([2.0, 1.0, 0.0], (3, 1))  # mean 1, each network's teacher
    x = np.empty((3, 3, 3))
    x[0] = [[0.01, 0.01, 0.01], [0.05, 0.05, 0.05], [0.1, 0.1, 0.1]]  # small start, below teacher
    x[1] = [[1.0, 1.0, 1.0], [50.0, 50.0, 50.0], [100.0, 100.0, 100.0]]  # grows beyond
    x[2] = [[4.0, 2.0, 1.0], [4.0, 2.0, 1.0], [4.0, 2.0, 1.0]]  # frozen
    diverged = np.array([False, False, False])
    p = x_order_parameters(x, np.array([0, 5, 10]), teacher_x, 5, diverged)
    np.testing.assert_allclose(p["teacher_ratio"], [-1.0, 2.0, np.log10(7 / 3)])
    np.testing.assert_allclose(p["excess"], [-1.0, 2.0, 0.0])
    np.testing.assert_allclose(p["growth"], [np.log10(2), np.log10(2), 0.0])
    np.testing.assert_allclose(p["spectral_change"], [1.0, 2.0, 0.0])
    # final x against the teacher's (2, 1, 0): |log10| per mode, the zero mode infinite
    assert p["teacher_distance"][2] == np.inf
    x[1, 1:] = np.nan
    p = x_order_parameters(x, np.array([0, 5, 10]), teacher_x, 5, np.array([False, True, False]))
    assert all(p[key][1] == np.inf for key in p)


def _hand_grid(pd):
    """Per-point arrays of a 4 x 3 grid (T = 1/32 .. 1/4, sigma_W = 1/8, 1, 256), 5 networks:
    the median excess crosses 0.3 at log2 T = -5 + 1.8 in the first column and never in the
    others; the test loss of the first row crosses 1e-4 between sigma_W = 1 and 256."""
    shape = (4, 3, 5)
    excess = np.zeros(shape)
    excess[:, 0] = np.array([-1.0, -0.5, 0.5, 1.0])[:, None]
    loss = np.full(shape, 1e-6)
    loss[0, 2] = 1e-2
    return {"excess": excess, "test_loss_final": loss}


@pytest.fixture
def hand_pd():
    pd = copy.deepcopy(load_config(ROOT / "config/config.yaml")["phase_diagram"])
    pd["grid"].update(eps=[0.125, 0.25, 0.5, 1.0], sigma_w=[0.125, 1.0, 256.0])
    pd["analysis"]["points"] = {
        "ordered": {"eps": 0.125, "sigma_w": 0.125},
        "paramagnetic": {"eps": 1.0, "sigma_w": 0.125},
        "jammed": {"eps": 0.125, "sigma_w": 256.0},
    }
    return pd


def test_boundaries_of_a_hand_built_grid(hand_pd):
    per_point, grid = _hand_grid(hand_pd), Grid(hand_pd)
    # excess -0.5 at log2 T = -4, 0.5 at -3: 0.3 is crossed at -4 + 0.8
    assert tc_log2(per_point, grid, 0.3) == pytest.approx(-3.2)
    boundary = paramagnetic_boundary_log2(per_point, grid, 0.3)
    assert boundary[0] == pytest.approx(-3.2) and np.isnan(boundary[1:]).all()
    # loss log10 -6 at log2 sigma 0, -2 at log2 sigma 8: -4 is crossed at log2 sigma = 4
    assert vertical_boundary_log2(per_point, grid, 1e-4) == pytest.approx(-4.0)


def test_classifier_offsets_census_and_null_cells(hand_pd):
    """Classes 0 noise, 1 drift, 2 null. Column 0: drift at the two lowest T, noise above:
    the share not noise dominated falls through 0.68 between log2 T = -4 and -3 (at -4 +
    0.32), below the boundary at -3.2: Delta = -3.68 + 3.2 = -0.48.
    Column 1: null everywhere, no contour and no boundary. Column 2: drift and null (not
    noise dominated) throughout, no contour."""
    grid = Grid(hand_pd)
    classes = np.zeros((4, 3, 5), dtype=int)
    classes[:2, 0] = 1
    classes[:, 1] = 2
    classes[:, 2, :3], classes[:, 2, 3:] = 1, 2
    excess = _hand_grid(hand_pd)["excess"]
    offsets = boundary_offsets(classes, excess, grid, 0.68, 0.3)
    assert offsets[0] == pytest.approx(-4 + 0.32 + 3.2) and np.isnan(offsets[1:]).all()
    shares = class_shares(classes)
    assert shares["null_share"][0, 1] == 1.0 and shares["contour_share"][0, 2] == 1.0
    np.testing.assert_allclose(
        shares["drift_share"] + shares["noise_share"] + shares["null_share"], 1.0
    )
    census = column_census(offsets, np.array([1.0, np.nan, np.nan]), np.array([1.0, np.nan, 2]))
    assert census == {
        "both": 1,
        "contour_only": 0,
        "boundary_only": 1,
        "neither": 1,
        "columns": 3,
    }


def test_notebook_tc_is_the_midpoint_after_the_last_share_above_the_level(hand_pd):
    grid = Grid(hand_pd)  # eps 0.125, 0.25, 0.5, 1; |B| = 4
    share = np.array([1.0, 0.7, 0.9, 0.2])
    assert notebook_tc(share, grid, 4, 0.68) == pytest.approx((0.5 + 1.0) / 2 / 4)
    assert notebook_tc(share, grid, 4, 0.95) == pytest.approx((0.125 + 0.25) / 2 / 4)
    assert np.isnan(notebook_tc(0.5 * share, grid, 4, 0.68))  # never above
    assert np.isnan(notebook_tc(np.ones(4), grid, 4, 0.68))


def test_level_spacing_of_the_marchenko_pastur_law():
    """K/L = 1/2: edges (1 +- 1/sqrt 2)^2, log10 of their ratio 1.531 over 15 spacings; and a
    sampled spectrum spans about that much."""
    assert log_level_spacing(16, 32) == pytest.approx(1.5311 / 15, rel=1e-3)
    w = np.random.default_rng(0).normal(size=(400, 800)) / np.sqrt(800)
    x = np.linalg.eigvalsh(w @ w.T)
    assert np.log10(x.max() / x.min()) / 399 == pytest.approx(log_level_spacing(400, 800), rel=0.1)


# --------------------------------------------------------------------------- tiny real run


@pytest.fixture(scope="module")
def tiny():
    return tiny_run()


def test_network_observables_shapes(tiny):
    _, shards = tiny
    obs = shards[0]
    assert obs["x"].shape == (8, 4, 16) and obs["test_loss"].shape == (8, 4)
    for key in ("q", "alignment", "lyapunov", "grad_norm_final"):
        assert obs[key].shape == (8,) and np.isfinite(obs[key]).all(), key
    for key in ("drift", "drift_error", "repulsion_symmetric_literal", "saturated"):
        assert obs[key].shape == (8, 4) and np.isfinite(obs[key]).all(), key


def test_assembled_grid_and_claims(tiny):
    pd, shards = tiny
    grid = assemble_grid(shards, pd)
    assert grid["test_loss_final"].shape == (2, 2, 4)
    assert grid["x"].shape == (2, 2, 4, 4, 16)
    assert grid["phase"].tolist() == [[0, 2], [1, 2]]  # ordered, jammed / paramagnetic, jammed
    assert grid["contour_share"].shape == (2, 2)
    assert grid["contour_log2_t"].shape == (3, 2)
    result = phase_diagram_claims(grid, pd, seed=2)
    names = [c["name"] for c in result["claims"]]
    assert names == [
        "ordered_contrast",
        "paramagnetic_plateau",
        "paramagnetic_growth",
        "ordered_teacher_x",
        "jammed_frozen",
        "jammed_saturation",
    ]  # smoke skips the boundaries
    for claim in result["claims"]:
        assert np.isfinite(claim["value"]) and claim["error"] > 0
        assert claim["outcome"] in ("reproduced", "deviates", "inconclusive", "fails")
    pd["claims"]["skip"] = []
    all_claims = phase_diagram_claims(grid, pd, seed=2)
    assert {c["name"] for c in all_claims["claims"]} == set(names) | {
        "tc",
        "vertical_boundary",
        "classifier_agreement",
    }
    assert set(CLAIM_INPUTS) <= set(grid)
    variants = all_claims["measured"]["classifier"]["results"]
    assert set(variants) == {"claims", "initial", "final", "indexing_original", "noise_literal"}
    # the configured snapshot is the last: the two give the same numbers
    assert variants["final"]["offsets_log2_t"] == variants["claims"]["offsets_log2_t"]
    assert variants["final"]["points_changing_verdict"] == 0


def test_point_networks_picks_one_grid_point(tiny):
    _, shards = tiny
    point = point_networks(shards, 16.0, 0.125)
    assert point["x"].shape == (4, 4, 16)
    with pytest.raises(ValueError, match="no network"):
        point_networks(shards, 3.0, 0.125)
