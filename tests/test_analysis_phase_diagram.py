"""Grid analysis of the phase diagram: crossings, bootstrap errors, order parameters, the grid
assembly and the claims, on hand-built arrays and on a tiny real run through the library."""

import copy

import numpy as np
import pytest
from conftest import ROOT
from pd_tiny import tiny_run

from rmtsgd.analysis.phase_diagram import (
    CLAIM_INPUTS,
    Grid,
    assemble_grid,
    bootstrap,
    by_point,
    crossing,
    disagreement,
    phase_diagram_claims,
    point_networks,
    tc_log2,
    vertical_boundary_log2,
    x_order_parameters,
)
from rmtsgd.claims import make_claim
from rmtsgd.config import load_config


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
    x[1, 1:] = np.nan
    p = x_order_parameters(x, np.array([0, 5, 10]), teacher_x, 5, np.array([False, True, False]))
    assert all(p[key][1] == np.inf for key in p)


def _hand_grid(pd):
    """Per-point arrays of a 4 x 3 grid (T = 1/32 .. 1/4, sigma_W = 1/8, 1, 256), 5 networks:
    teacher_ratio crosses 0 between the 2nd and 3rd T in the first column; the test loss of the
    first row crosses 1e-4 between sigma_W = 1 and 256."""
    shape = (4, 3, 5)
    ratio = np.zeros(shape)
    ratio[:, 0] = np.array([-1.0, -0.5, 0.5, 1.0])[:, None]
    loss = np.full(shape, 1e-6)
    loss[0, 2] = 1e-2
    return {
        "teacher_ratio": ratio,
        "test_loss_final": loss,
        "excess": ratio,
        "drift_dominated": np.ones(shape),
        "growth": np.zeros(shape),
        "spectral_change": np.zeros(shape),
    }


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
    assert tc_log2(per_point, grid) == pytest.approx(np.log2(1 / 32) + 1.5)
    # loss log10 -6 at log2 sigma 0, -2 at log2 sigma 8: -4 is crossed at log2 sigma = 4
    assert vertical_boundary_log2(per_point, grid, 1e-4) == pytest.approx(-4.0)
    # excess >= 0.3 (paramagnetic) at the two highest T of column 0; classifier says drift
    # everywhere: they disagree on 2 of 12 points
    assert disagreement(per_point, hand_pd, 0.68) == pytest.approx(2 / 12)


# --------------------------------------------------------------------------- tiny real run


@pytest.fixture(scope="module")
def tiny():
    return tiny_run()


def test_network_observables_shapes(tiny):
    _, shards = tiny
    obs = shards[0]
    assert obs["x"].shape == (8, 4, 16) and obs["test_loss"].shape == (8, 4)
    for key in ("q", "alignment", "lyapunov", "drift", "repulsion_symmetric", "grad_norm_final"):
        assert obs[key].shape == (8,) and np.isfinite(obs[key]).all(), key


def test_assembled_grid_and_claims(tiny):
    pd, shards = tiny
    grid = assemble_grid(shards, pd)
    assert grid["test_loss_final"].shape == (2, 2, 4)
    assert grid["x"].shape == (2, 2, 4, 4, 16)
    assert grid["phase"].tolist() == [[0, 2], [1, 2]]  # ordered, jammed / paramagnetic, jammed
    assert grid["drift_share"].shape == (2, 2)
    assert grid["contour_log2_t"].shape == (3, 2)
    result = phase_diagram_claims(grid, pd, seed=2)
    names = [c["name"] for c in result["claims"]]
    assert names == ["ordered_contrast", "paramagnetic_growth", "jammed_frozen"]  # smoke skips
    for claim in result["claims"]:
        assert np.isfinite(claim["value"]) and claim["error"] >= 0
    pd["claims"]["skip"] = []
    all_names = [c["name"] for c in phase_diagram_claims(grid, pd, seed=2)["claims"]]
    assert set(all_names) == {
        "ordered_contrast",
        "paramagnetic_growth",
        "jammed_frozen",
        "tc",
        "vertical_boundary",
        "classifier_agreement",
    }
    assert set(CLAIM_INPUTS) <= set(grid)


def test_point_networks_picks_one_grid_point(tiny):
    _, shards = tiny
    point = point_networks(shards, 16.0, 0.125)
    assert point["x"].shape == (4, 4, 16)
    with pytest.raises(ValueError, match="no network"):
        point_networks(shards, 3.0, 0.125)


def test_above_rule_of_claims():
    tolerance = {"tolerance": 0.1}
    passed = make_claim("g", "grows", 0.3, 0.05, 0.0, tolerance, 2.0, rule="above")
    failed = make_claim("g", "grows", 0.3, 0.11, 0.0, tolerance, 2.0, rule="above")
    assert passed["pass"] and not failed["pass"] and passed["max_error"] is None
