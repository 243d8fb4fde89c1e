"""The DMFT module's library: losses and read-outs, the batch process, the finite-d simulator,
the exact ridge reference, and the DMFT solver against both."""

import math

import numpy as np
import pytest
import torch

from rmtsgd.dmft.analysis import (
    batch_check,
    early_laws,
    erm_check,
    mean_and_error,
    null_max_abs_z,
    ridge_check,
)
from rmtsgd.dmft.claims import agreement_claims, erm_claims
from rmtsgd.dmft.model import (
    BatchProcess,
    Problem,
    Start,
    minimise,
    simulate,
)
from rmtsgd.dmft.ridge import Spectrum, measures, ridge_descent
from rmtsgd.dmft.solver import DMFTNotConverged, causal_factor, draw_paths, solve
from rmtsgd.scaling import power_law

K2 = Problem(clusters=2, alpha=2.0, delta=0.5)
REGULARISED = Problem(clusters=2, alpha=2.0, delta=0.5, lam=0.5)
K3 = Problem(clusters=3, alpha=3.0, delta=0.1, rho=0.5, readout="even", offset=1.0)
RIDGE = Problem(clusters=2, alpha=2.0, delta=0.5, loss="square", lam=0.1)


# --------------------------------------------------------------------------- losses, read-outs


@pytest.mark.parametrize("problem", [K2, K3, RIDGE, Problem(loss="square", lam=0.0)])
def test_loss_derivatives_match_autograd(problem):
    gen = torch.Generator().manual_seed(0)
    h = torch.randn(200, generator=gen, dtype=torch.float64, requires_grad=True)
    y = problem.labels(problem.sample_clusters((200,), gen))
    value, d1, d2 = problem.loss_terms(h, y)
    (grad,) = torch.autograd.grad(value.sum(), h, create_graph=True)
    (curv,) = torch.autograd.grad(grad.sum(), h)
    torch.testing.assert_close(d1, grad)
    torch.testing.assert_close(d2, curv)


def test_cluster_labels_and_shares():
    gen = torch.Generator().manual_seed(1)
    c = K3.sample_clusters((200_000,), gen)
    assert set(c.unique().tolist()) == {-1.0, 0.0, 1.0}
    assert abs(float((c.abs() == 1).double().mean()) - K3.rho) < 0.005
    assert torch.equal(K3.labels(c), torch.where(c == 0, -1.0, 1.0).double())
    two = K2.sample_clusters((200_000,), gen)
    assert abs(float(two.mean())) < 0.01 and torch.equal(K2.labels(two), two)


@pytest.mark.parametrize("problem", [K2, K3])
def test_test_error_formula_matches_sampling(problem):
    """h = c m + sqrt(Delta C) xi of a fresh sample: the closed form against counting."""
    gen = torch.Generator().manual_seed(2)
    m, q = 0.9, 1.3
    c = problem.sample_clusters((400_000,), gen)
    h = c * m + math.sqrt(problem.delta * q) * torch.randn(c.shape, generator=gen, dtype=c.dtype)
    counted = float(problem.misclassified(h, problem.labels(c)).mean())
    assert abs(float(problem.test_error(m, q)) - counted) < 3e-3


def test_bad_problems_and_batch_processes_are_rejected():
    with pytest.raises(ValueError, match="loss"):
        Problem(loss="hinge")
    with pytest.raises(ValueError, match="read-out"):
        Problem(readout="cubic")
    with pytest.raises(ValueError, match="even read-out"):
        Problem(clusters=3)
    with pytest.raises(ValueError, match="alpha and delta"):
        Problem(delta=0.0)
    with pytest.raises(ValueError, match="b must be"):
        BatchProcess(b=1.5, tau=1.0, eta=0.1)
    with pytest.raises(ValueError, match="flip probability"):
        BatchProcess(b=0.2, tau=0.2, eta=0.1)  # leave = (1 - b) eta / (b tau) = 2


# --------------------------------------------------------------------------- batch process


def test_batch_process_stationary_share_and_autocovariance():
    batch = BatchProcess(b=0.3, tau=0.5, eta=0.05)
    gen = torch.Generator().manual_seed(3)
    s = batch.initial((20_000,), gen)
    path = [s]
    for _ in range(60):
        path.append(batch.step(path[-1], gen))
    s = torch.stack(path).numpy()
    assert abs(s.mean() - 0.3) < 0.005
    centred = s - s.mean()
    for lag in (1, 4, 10):
        measured = (centred[:-lag] * centred[lag:]).mean()
        assert abs(measured - batch.autocovariance(lag)) < 0.004
    assert batch.autocovariance(0) == pytest.approx(0.3 * 0.7)
    plain = BatchProcess(b=0.3, tau=0.05 / 0.3, eta=0.05)  # tau = eta / b: a fresh batch
    assert plain.autocovariance(1) == pytest.approx(0.0, abs=1e-12)


def test_simulated_batch_process_passes_its_check():
    batch = BatchProcess(b=0.5, tau=1.0, eta=0.1)
    run = simulate(K2, batch, Start(s0=0.2), d=50, steps=60, seeds=6, seed=4, max_lag=30)
    check = batch_check(vars(run), batch)
    fraction, ratio = check["fraction"], check["correlation_time"]
    assert abs(fraction["value"] - 0.5) <= 3 * fraction["error"] + 1e-3
    assert abs(ratio["value"] - 1.0) <= 3 * ratio["error"] + 0.02
    assert ratio["exact_steps"] == pytest.approx(-1 / math.log(1 - 0.1 / 0.5))


# --------------------------------------------------------------------------- simulator


def test_simulation_in_chunks_is_reproducible():
    batch = BatchProcess(b=0.5, tau=1.0, eta=0.1)
    a = simulate(K2, batch, Start(s0=0.2), d=40, steps=5, seeds=5, seed=5, chunk=2)
    b = simulate(K2, batch, Start(s0=0.2), d=40, steps=5, seeds=5, seed=5, chunk=2)
    assert a.m.shape == (5, 6) and a.s_autocovariance.shape[0] == 5
    assert np.array_equal(a.m, b.m) and np.array_equal(a.diverged, b.diverged)


def test_simulation_is_reproducible_and_records_every_step():
    batch = BatchProcess(b=0.5, tau=1.0, eta=0.1)
    a = simulate(K2, batch, Start(s0=0.2), d=40, steps=10, seeds=3, seed=5)
    b = simulate(K2, batch, Start(s0=0.2), d=40, steps=10, seeds=3, seed=5)
    c = simulate(K2, batch, Start(s0=0.2), d=40, steps=10, seeds=3, seed=6)
    assert a.m.shape == (3, 11) and np.array_equal(a.t, 0.1 * np.arange(11))
    for key in ("m", "q", "train_loss", "train_error", "test_error", "batch_fraction"):
        assert np.array_equal(getattr(a, key), getattr(b, key))
    assert not np.array_equal(a.m, c.m)


def test_gradient_descent_on_square_loss_is_exact_ridge_descent():
    """b = 1, square loss: the simulator's w equals the closed-form ridge iterate, via m."""
    d, steps = 30, 15
    batch = BatchProcess(b=1.0, tau=1.0, eta=0.1)
    run = simulate(RIDGE, batch, Start(s0=0.3), d=d, steps=steps, seeds=1, seed=7)
    gen = torch.Generator().manual_seed(7)  # redraw the same system in the simulator's order
    n = round(RIDGE.alpha * d)
    v = torch.randn((1, d), generator=gen, dtype=torch.float64)
    c = RIDGE.sample_clusters((1, n), gen)
    x = c[..., None] * v[:, None, :] / math.sqrt(d)
    noise = torch.randn((1, n, d), generator=gen, dtype=torch.float32)
    x = (x + math.sqrt(RIDGE.delta) * noise)[0]
    w = 0.3 * torch.randn((1, d), generator=gen, dtype=torch.float64)[0]
    a = RIDGE.lam * torch.eye(d, dtype=x.dtype) + x.T @ x / d
    g = x.T @ c[0] / math.sqrt(d)
    for _ in range(steps):
        w = w - 0.1 * (a @ w - g)
    assert float(w @ v[0] / d) == pytest.approx(run.m[0, -1], rel=1e-10)


def test_diverging_system_is_recorded_not_raised():
    problem = Problem(loss="square", alpha=2.0, delta=0.5)
    batch = BatchProcess(b=1.0, tau=1.0, eta=3.0)  # eta far above 2 / largest eigenvalue
    run = simulate(problem, batch, Start(s0=0.2), d=30, steps=400, seeds=2, seed=8)
    assert run.diverged.all() and (run.diverged_at > 0).all()
    assert np.isnan(run.m[:, -1]).all() and np.isfinite(run.m[:, 0]).all()


# --------------------------------------------------------------------------- ridge reference


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_spectral_measures_have_their_total_mass(alpha):
    mu = measures(Spectrum(alpha, 0.5, 0.1))
    assert mu["uu"].mass == pytest.approx(1.0, abs=1e-6)
    assert mu["uv"].mass == pytest.approx(math.sqrt(alpha), abs=1e-6)
    assert mu["vv"].mass == pytest.approx(alpha + 0.5, abs=1e-6)
    assert mu["B"].mass == pytest.approx(1.0, abs=1e-6)


def test_ridge_descent_matches_finite_d_systems():
    """Exact gradient descent on finite systems (d = 600, 6 systems) against d -> infinity."""
    t = 0.1 * np.arange(31)
    exact = ridge_descent(2.0, 0.5, 0.1, t, 0.1, s0=0.3)
    run = simulate(RIDGE, BatchProcess(1.0, 1.0, 0.1), Start(s0=0.3), 600, 30, 6, seed=9)
    for key in ("m", "q"):
        mean, error = mean_and_error(getattr(run, key))
        assert np.all(np.abs(mean - exact[key]) <= 4 * error + 0.01)


def test_ridge_descent_approaches_gradient_flow_as_eta_shrinks():
    t = np.linspace(0, 3, 31)
    flow = ridge_descent(2.0, 0.5, 0.1, t, None, s0=0.3)["m"]
    gaps = [
        np.abs(ridge_descent(2.0, 0.5, 0.1, t, eta, s0=0.3)["m"] - flow).max()
        for eta in (0.1, 0.05, 0.025)
    ]
    assert gaps[0] > gaps[1] > gaps[2]
    assert power_law([0.1, 0.05, 0.025], np.array(gaps))[0] == pytest.approx(1, abs=0.1)


# --------------------------------------------------------------------------- DMFT solver


def test_dmft_reproduces_exact_ridge_descent_within_its_error():
    steps = 20
    batch = BatchProcess(b=1.0, tau=1.0, eta=0.1)
    sol = solve(RIDGE, batch, Start(s0=0.5), steps, paths=400, groups=4, seed=10)
    exact = ridge_descent(2.0, 0.5, 0.1, sol.t, 0.1, s0=0.5)
    m, _ = mean_and_error(sol.m)
    q, q_err = mean_and_error(sol.q)
    np.testing.assert_allclose(m, exact["m"], atol=1e-9)  # antithetic pairs: m is exact here
    assert np.all(np.abs(q - exact["q"]) <= 4 * q_err + 1e-9)
    assert sol.changes[-1] <= 1e-8 and sol.iterations <= steps + 2  # causal: <= T + 1 sweeps
    check = ridge_check(vars(sol), RIDGE, 0.1, {"m0": 0.0, "s0": 0.5})
    assert check["m"]["error"] >= sol.changes[-1]  # the iteration's residual is part of it
    assert check["m"]["max_z"] < 1 and check["q"]["max_z"] <= 4
    assert check["q"]["null"] == null_max_abs_z(steps + 1, 3)


def test_dmft_matches_simulation_for_persistent_sgd():
    batch = BatchProcess(b=0.5, tau=1.0, eta=0.1)
    start = Start(s0=0.2)
    sol = solve(K2, batch, start, 15, paths=1000, groups=4, seed=11, response_paths=250)
    run = simulate(K2, batch, start, d=800, steps=15, seeds=6, seed=12)
    for key in ("m", "train_loss", "test_error"):
        d_mean, d_err = mean_and_error(getattr(sol, key))
        s_mean, s_err = mean_and_error(getattr(run, key))
        assert np.all(np.abs(d_mean - s_mean) <= 4 * np.hypot(d_err, s_err) + 0.01), key


def test_dmft_early_laws_from_zero_weights():
    b = 0.5
    batch = BatchProcess(b=b, tau=20.0, eta=0.01)
    sol = solve(K2, batch, Start(), 20, paths=1000, groups=4, seed=13)
    run = simulate(K2, batch, Start(), d=400, steps=20, seeds=4, seed=14)
    laws = early_laws(vars(sol), vars(run), K2, batch, fit_until=0.1)
    assert laws["law_m"] == pytest.approx(2.0 * b / 2)  # -alpha b l'(1, 0), l'(1, 0) = -1/2
    assert K2.early_laws(b, weight=1 / b) == pytest.approx((1.0, 2.0 * (2 * b * b + 0.5 * b)))
    for key in ("dmft_m", "dmft_q"):
        assert abs(laws[key]["value"] - 1) <= 3 * laws[key]["error"] + 0.01, key


def test_same_seed_identical_curves_other_seed_not():
    batch = BatchProcess(b=0.5, tau=1.0, eta=0.1)
    run = lambda seed: solve(K3, batch, Start(s0=0.1, m0=0.2), 8, paths=100, groups=2, seed=seed)  # noqa: E731
    a, b, c = run(15), run(15), run(16)
    for key in ("m", "q", "train_loss", "train_error", "test_error"):
        assert np.array_equal(getattr(a, key), getattr(b, key))
    assert not np.array_equal(a.m, c.m)


def test_antithetic_paths_and_stratified_start():
    paths = draw_paths(K2, BatchProcess(0.3, 1.0, 0.1), 2, 100, 5, seed=17, device="cpu")
    assert torch.equal(paths.xi[:, 0::2], -paths.xi[:, 1::2])
    assert torch.equal(paths.s[:, 0::2], paths.s[:, 1::2])
    assert (paths.s[:, 0::2, 0].sum(dim=1) == 15).all()  # round(0.3 x 50) pairs selected
    with pytest.raises(ValueError, match="even"):
        draw_paths(K2, BatchProcess(0.3, 1.0, 0.1), 1, 101, 5, seed=17, device="cpu")


def test_causal_factor_of_a_singular_covariance():
    x = torch.linspace(0, 1, 6, dtype=torch.float64)
    c = torch.outer(x, x)[None]  # rank one, C(0, 0) = 0
    factor = causal_factor(c)
    torch.testing.assert_close(factor @ factor.transpose(1, 2), c, atol=1e-5, rtol=0)
    assert torch.equal(factor, torch.tril(factor))


def test_non_convergence_names_the_setting_and_the_last_change():
    batch = BatchProcess(b=0.5, tau=1.0, eta=0.1)
    with pytest.raises(DMFTNotConverged, match=r"my curve.*3 iterations.*last change"):
        solve(
            K2,
            batch,
            Start(s0=0.2),
            20,
            paths=100,
            groups=2,
            seed=18,
            max_iterations=3,
            label="my curve",
        )


# --------------------------------------------------------------------------- statistics, claims


@pytest.mark.parametrize(("points", "dof"), [(1, 400), (16, 7), (41, 31)])
def test_chance_maximum_of_z_scores_matches_sampling(points, dof):
    null = null_max_abs_z(points, dof)
    rng = np.random.default_rng(19)
    sampled = np.abs(rng.standard_t(dof, (100_000, points))).max(axis=1)
    assert null["mean"] == pytest.approx(sampled.mean(), abs=0.02)
    assert null["std"] == pytest.approx(sampled.std(), abs=0.02)
    assert null["q95"] == pytest.approx(np.quantile(sampled, 0.95), abs=0.05)
    if points == 1:
        assert null["mean"] == pytest.approx(math.sqrt(2 / math.pi), abs=0.005)


def test_chance_maximum_with_heavy_tails_has_no_mean_or_variance():
    assert null_max_abs_z(10, 1)["mean"] == math.inf
    two = null_max_abs_z(10, 2)
    assert math.isfinite(two["mean"]) and two["std"] == math.inf and math.isfinite(two["q95"])


def test_default_agreement_tolerance_covers_what_chance_gives(default_config):
    """The agreement tolerance is at least the mean largest |z| that chance gives on the default
    grid for the fewest systems of a curve (independent z's: an upper bound)."""
    dm = default_config["dmft"]
    points = round(dm["grid"]["t_max"] / dm["grid"]["eta"]) + 1
    null = null_max_abs_z(points, dm["simulation"]["seeds"] - 1)
    assert dm["claims"]["agreement"]["tolerance"] >= null["mean"]
    assert (
        dm["claims"]["ridge"]["tolerance"]
        >= null_max_abs_z(points, dm["solver"]["groups"] - 1)["mean"]
    )


def test_agreement_claims_carry_unit_error_and_what_chance_gives():
    spec = {"tolerance": 4.0, "max_error": 1.0, "basis": "chance maximum of the grid"}
    row = {
        "max_z": 2.5,
        "time": 1.0,
        "largest_gap": 0.01,
        "systems": 8,
        "null": null_max_abs_z(41, 7),
    }
    far = {**row, "max_z": 7.0}
    summary = {"largest_d": 2000, "agreement": {"gd": {"test_error": row, "train_loss": far}}}
    near, beyond = agreement_claims(summary, spec, 2.0)
    assert near["error"] == 1.0 and near["outcome"] == "reproduced"
    assert near["source"].startswith("paper") and near["setting"]["points"] == 41
    assert beyond["outcome"] == "fails"  # 7 > 4 + 2 errors


# --------------------------------------------------------------------------- empirical risk


def test_gradient_descent_converges_to_the_minimiser_of_the_same_system():
    """b = 1 on the same data (the minimiser draws it as the simulator does): long GD ends on
    the L-BFGS minimiser, to the minimiser's distance bound."""
    d = 60
    found = minimise(REGULARISED, d, 1, seed=20)
    run = simulate(REGULARISED, BatchProcess(1.0, 1.0, 1.0), Start(), d, 80, 1, seed=20)
    assert found.bound[0] <= 1e-6
    assert run.m[0, -1] == pytest.approx(found.m[0], abs=1e-6)
    assert run.q[0, -1] == pytest.approx(found.q[0], abs=1e-6)
    assert run.train_loss[0, -1] == pytest.approx(found.train_loss[0], abs=1e-6)


def test_minimiser_needs_a_strongly_convex_risk():
    with pytest.raises(ValueError, match="lambda > 0"):
        minimise(K2, 20, 2, seed=21)
    with pytest.raises(ValueError, match="linear read-out"):
        minimise(Problem(**{**vars(K3), "lam": 0.1}), 20, 2, seed=21)


def test_dmft_long_time_limit_is_the_empirical_risk_minimiser():
    """b = 1, logistic loss, lambda = 0.5: the DMFT at t = 15 against 12 minimisers at d = 400."""
    sol = solve(REGULARISED, BatchProcess(1.0, 1.0, 1.0), Start(s0=0.2), 15, 400, 4, seed=22)
    found = minimise(REGULARISED, 400, 12, seed=23)
    check = erm_check(vars(sol), vars(found))
    assert check["systems"] == 12 and check["bound"] <= 1e-6
    for key in ("m", "q", "train_loss"):
        row = check[key]
        assert row["drift"] < 1e-5, key  # converged in t
        assert abs(row["gap"]) <= 3 * row["error"], (key, row)
    spec = {"tolerance": 0.0, "max_error": 0.05, "basis": "no systematic at this size"}
    claims = erm_claims({"erm": {"d": 400, **check}}, spec, 3.0)
    assert [c["outcome"] for c in claims] == ["reproduced"] * 3
