"""The linear teacher-student trainer (models A and B) and its analysis: exact dynamics without
noise, batched against per-network updates, the Wishart batch draw, the Eq 28 limit, seeds,
divergence, quenched replay; Eq 22 fits, the two-species fit, the surmise distance, the line of
the scans, and the claims' statements, references and outcomes."""

import numpy as np
import pytest
import torch

from rmtsgd.coulomb import two_species_density
from rmtsgd.fits import fit_two_species, jackknife, two_species_logpdf
from rmtsgd.spectra import left_projections, x_spectrum
from rmtsgd.teacher_student.analysis import (
    analyse_relaxation,
    analyse_stationary,
    eq22,
    fit_eq22,
    is_isotropic,
    scan_summary,
    surmise_distance,
    surmise_ks_rows,
)
from rmtsgd.teacher_student.claims import teacher_student_claims
from rmtsgd.teacher_student.model import (
    LinearTeacherStudent,
    SGDSettings,
    TeacherStudentTrainer,
    chi2_draws,
    degenerate_teacher,
    wishart_batch_covariance,
)
from rmtsgd.training import train_ensemble

Z27 = np.array([[-1.8198, 0.5861], [-0.6574, 0.0473]])
TEACHER = degenerate_teacher(2, 2.0)


def trainer(z=Z27, replicas=64, seed=1, initial=None, **sgd) -> TeacherStudentTrainer:
    settings = {"lr": 0.1, "batch": 16, "noise_std": 0.1, "steps_per_epoch": 10} | sgd
    net = LinearTeacherStudent(np.asarray(z, dtype=float), TEACHER, init_std=1.0)
    replicas = replicas if initial is None else len(initial)
    return TeacherStudentTrainer(
        net, SGDSettings(**settings), replicas, seed=seed, initial_weights=initial
    )


def aligned_students(rng, replicas, singular_values) -> torch.Tensor:
    """W0 = O diag(s) O^T with random rotations O: singular bases aligned with the teacher 2 I."""
    angle = rng.uniform(0, 2 * np.pi, replicas)
    rotation = np.stack(
        [
            np.stack([np.cos(angle), -np.sin(angle)], -1),
            np.stack([np.sin(angle), np.cos(angle)], -1),
        ],
        -2,
    )
    return torch.as_tensor(rotation @ np.diag(singular_values) @ rotation.transpose(0, 2, 1))


def test_identity_without_noise_follows_eq22_with_equal_rates():
    """Z = I, no noise, x x^T -> I (Eq 18) and aligned bases: every x_i(t) is Eq 22 exactly,
    with a = -ln(1 - alpha) per update for both modes, and so is the ensemble mean."""
    rng = np.random.default_rng(0)
    s0 = np.array([3.1, 0.4])
    tr = trainer(
        np.eye(2), initial=aligned_students(rng, 32, s0), noise_std=0.0, gradient="expected"
    )
    ensemble = train_ensemble(tr, np.arange(0, 61, 2))
    x = x_spectrum(ensemble.weights, 1.0)
    epochs = ensemble.snapshots / 10.0
    rate = -np.log(1 - 0.1) * 10  # per epoch of 10 updates
    for i in range(2):
        exact = np.broadcast_to(eq22(epochs, 2.0, s0[i], rate), x[:, :, i].shape)
        np.testing.assert_allclose(x[:, :, i], exact, atol=1e-10)
        fit = fit_eq22(epochs[1:], x[:, 1:, i].mean(axis=0))
        assert fit["rate"] == pytest.approx(rate, rel=1e-6)
        assert fit["kappa"] == pytest.approx(4.0, rel=1e-6)
        assert fit["sqrt_x0"] == pytest.approx(s0[i], rel=1e-5)
        assert fit["unexplained"] < 1e-10


@pytest.mark.parametrize("noise", ["iid", "goe"])
def test_batched_update_equals_per_network_update(noise):
    tr = trainer(replicas=8, noise=noise, per_sample=noise == "goe", seed=4)
    before = tr.weights.numpy().copy()
    covariance, xi = tr.draw()
    tr.update(covariance, xi)
    ztz = Z27.T @ Z27
    for r in range(8):
        c, e = covariance[r].numpy(), xi[r].numpy()
        expected = before[r] + 0.1 * ztz @ ((TEACHER - before[r]) @ c - e)
        np.testing.assert_allclose(tr.weights[r].numpy(), expected, rtol=1e-13, atol=1e-14)


def test_wishart_draw_matches_explicit_batches():
    """C = L L^T / |B| (Bartlett) has the moments of (1/|B|) sum x x^T with x ~ N(0, I)."""
    generator = torch.Generator().manual_seed(3)
    n = 200_000
    for batch in (1, 4, 16):
        chi2 = chi2_draws(n, batch, 2, generator)
        lower = torch.randn(n, 1, generator=generator, dtype=torch.float64)
        c = wishart_batch_covariance(chi2, lower, batch).numpy()
        x = torch.randn(n, batch, 2, generator=generator, dtype=torch.float64).numpy()
        explicit = np.einsum("rbi,rbj->rij", x, x) / batch
        np.testing.assert_allclose(c.mean(axis=0), np.eye(2), atol=0.01)
        # Var C_ii = 2/|B|, Var C_12 = 1/|B|, and a fourth moment
        np.testing.assert_allclose(c.var(axis=0), explicit.var(axis=0), rtol=0.03)
        np.testing.assert_allclose(c.var(axis=0), np.array([[2, 1], [1, 2]]) / batch, rtol=0.03)
        fourth = (c[:, 0, 1] ** 2 * c[:, 0, 0]).mean()
        assert fourth == pytest.approx(
            (explicit[:, 0, 1] ** 2 * explicit[:, 0, 0]).mean(), rel=0.05
        )
        assert np.all(np.linalg.eigvalsh(c) > -1e-12)


def test_minibatch_update_approaches_the_eq28_limit():
    """The mini-batch update differs from the x x^T -> I update (Eq 28) by
    alpha Z^T Z (W_t - W)(C - I), whose mean square falls as 1/|B|."""
    msd = {}
    for batch in (4, 16, 64):
        tr = trainer(replicas=20_000, batch=batch, seed=9)
        start = tr.weights.clone()
        covariance, xi = tr.draw()
        tr.update(covariance, xi)
        minibatch = tr.weights.clone()
        tr.weights = start.clone()
        tr.update(None, xi)
        msd[batch] = float(((minibatch - tr.weights) ** 2).sum(dim=(1, 2)).mean())
    scaled = np.array([batch * value for batch, value in msd.items()])
    np.testing.assert_allclose(scaled / scaled.mean(), 1.0, atol=0.05)
    assert msd[4] > msd[16] > msd[64]


def test_goe_noise_is_symmetric_with_the_per_sample_variance():
    tr = trainer(np.eye(2), replicas=100_000, noise="goe", per_sample=True, batch=16)
    xi = tr.draw()[1].numpy()
    np.testing.assert_array_equal(xi, xi.transpose(0, 2, 1))
    variance = xi.var(axis=0) * 16 / 0.1**2  # in units of eps^2 / |B|
    np.testing.assert_allclose(variance, [[2, 1], [1, 2]], rtol=0.03)


def test_same_seed_gives_identical_weights():
    def run(seed):
        return train_ensemble(trainer(seed=seed), [0, 10, 30]).weights

    np.testing.assert_array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_quenched_training_replays_the_first_epoch():
    """With lr = 1, Z = I and x x^T -> I an update sets W = W_t - xi: the weights after an
    update show that update's noise, which a quenched run repeats every epoch."""
    kw = {"lr": 1.0, "gradient": "expected", "steps_per_epoch": 3}
    weights = {}
    for quenched in (False, True):
        tr = trainer(np.eye(2), replicas=4, quenched=quenched, **kw)
        seen = []
        for _ in range(7):
            tr.step()
            seen.append(tr.weights.clone())
        weights[quenched] = seen
    replayed, fresh = weights[True], weights[False]
    torch.testing.assert_close(replayed[0], replayed[3], rtol=0, atol=1e-12)
    torch.testing.assert_close(replayed[1], replayed[4], rtol=0, atol=1e-12)
    assert (fresh[0] - fresh[3]).abs().max() > 1e-3


def test_diverging_networks_are_recorded_not_fatal():
    initial = torch.randn(6, 2, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    initial[0] = 2000.0 * torch.eye(2, dtype=torch.float64)  # above the threshold from the start
    tr = trainer(initial=initial, lr=0.1)
    ensemble = train_ensemble(tr, [0, 20, 40], check_every=10)
    assert ensemble.diverged.tolist() == [True] + [False] * 5
    assert ensemble.diverged_at[0] == 0
    assert np.isnan(ensemble.weights[0]).all()
    assert np.isfinite(ensemble.weights[1:]).all()
    exploding = trainer(lr=5.0)  # alpha * eig(Z^T Z) = 20: unstable for every network
    ensemble = train_ensemble(exploding, [0, 50], check_every=5)
    assert ensemble.diverged.all() and (ensemble.diverged_at > 0).all()
    assert torch.isfinite(exploding.weights).all()


# --------------------------------------------------------------------------- analysis


def test_left_projections_pick_the_diagonal_in_the_singular_basis():
    u = np.array([[0.0, 1.0], [1.0, 0.0]])  # columns: left singular vectors, s = (3, 1)
    w = u @ np.diag([3.0, 1.0])
    m = np.array([[2.0, 0.5], [0.5, 7.0]])
    np.testing.assert_allclose(np.abs(left_projections(w[None], m)), [[7.0, 2.0]])
    assert is_isotropic(3.0 * np.eye(2)) and not is_isotropic(m)


def test_relaxation_fit_finds_faster_mode_with_larger_projection():
    """Model A with Z of Eq 27: the fitted rates are ordered like the modes' (U^T Z^T Z U)_ii."""
    tr = trainer(replicas=200, seed=2)
    steps = np.concatenate([np.arange(0, 200, 5), np.arange(200, 3001, 50)])
    ensemble = train_ensemble(tr, steps)
    x = x_spectrum(ensemble.weights, 1.0)
    projected = left_projections(ensemble.weights, Z27.T @ Z27)
    result = analyse_relaxation(x, projected, ensemble.snapshots / 10.0, 2.0, 10)
    fast, slow = sorted(result["modes"], key=lambda m: -m["projected_ztz"]["value"])
    assert fast["rate"]["value"] > slow["rate"]["value"] + 5 * slow["rate"]["error"]
    for mode in result["modes"]:
        assert mode["unexplained"]["value"] < 0.05
        assert 0 < mode["rate"]["error"] < 0.2 * mode["rate"]["value"]


def two_species_pairs(rng, n, s1, s2, centre=0.0):
    """(n, 2) exact draws of P(x1, x2) ~ |x1 - x2| exp(-x1^2/(2 s1^2) - x2^2/(2 s2^2)).

    With u = x1 - x2 and v = (s2^2 x1 + s1^2 x2)/(s1^2 + s2^2) the exponent separates into
    u^2/(4 s_m^2) + v^2 (s1^2 + s2^2)/(2 s1^2 s2^2): |u| is Rayleigh of scale sqrt(2) s_m, v
    Gaussian, and the Jacobian is 1.
    """
    total = s1**2 + s2**2
    u = rng.rayleigh(np.sqrt(total), n) * rng.choice([-1.0, 1.0], n)
    v = rng.normal(0.0, s1 * s2 / np.sqrt(total), n)
    return np.stack([v + s1**2 / total * u, v - s2**2 / total * u], -1) + centre


def test_two_species_fit_recovers_known_widths():
    rng = np.random.default_rng(11)
    pairs = two_species_pairs(rng, 40_000, 0.3, 0.1, centre=4.0)

    def table(data):
        fit = fit_two_species(data.ravel())
        return {"centre": fit.center, "sigma1": fit.sigma1, "sigma2": fit.sigma2}

    result = jackknife(table, pairs[:, None, :], 10)
    for name, true in (("centre", 4.0), ("sigma1", 0.3), ("sigma2", 0.1)):
        q = result[name]
        assert abs(q["value"] - true) < 4 * q["error"], (name, q)
        assert q["error"] < 0.02 * true


def test_two_species_logpdf_is_the_log_of_eq32_and_finite_in_the_tails():
    x = np.linspace(-3, 3, 101)
    np.testing.assert_allclose(
        two_species_logpdf(x, 0.2, 1.0, 0.3), np.log(two_species_density(x, 0.2, 1.0, 0.3))
    )
    far = two_species_logpdf(np.array([-50.0, 50.0]), 0.0, 1.0, 0.05)
    assert np.all(np.isfinite(far)) and np.all(far < -1000)


def test_stationary_analysis_prefers_two_species_and_finds_the_spacing_law():
    """Exact two-species samples: Delta AIC large, sigma_m from the spacings right, surmise ok."""
    rng = np.random.default_rng(12)
    pairs = two_species_pairs(rng, 3000 * 4, 0.3, 0.1, centre=4.0).reshape(3000, 4, 2)
    x = -np.sort(-pairs, axis=-1)  # sorted descending, as singular values come
    result = analyse_stationary(x, np.arange(4.0), 1.0, 10)
    table = result["fits"]
    assert table["delta_aic"]["value"] > 100
    sigma_m = np.sqrt((0.3**2 + 0.1**2) / 2)
    assert abs(table["sigma_m_spacing"]["value"] - sigma_m) < 4 * table["sigma_m_spacing"]["error"]
    assert abs(table["sigma_m_ratio"]["value"] - 1) < 4 * table["sigma_m_ratio"]["error"] + 0.01
    assert result["surmise"]["scaled_ks"] < 1.3 and result["surmise"]["n"] == 3000
    assert result["window_snapshots"] == 3


def _scan_fit(lr, batch, eps, scans, slope):
    x = np.sqrt(lr * eps**2 / batch)
    mode = {
        "spacing_mean": {"value": slope * x, "error": 0.01 * slope * x},
        "width": {"value": slope * x / np.sqrt(np.pi), "error": 0.01 * slope * x},
    }
    name = f"lr{lr:g}_B{batch}_eps{eps:g}"
    setting = {"name": name, "lr": lr, "batch": batch, "eps": eps, "scans": scans}
    return {"setting": setting, "modes": [mode]}


def test_scan_summary_fits_each_scan_and_measures_the_deviation_beyond_max_lr():
    fits = [_scan_fit(0.1, b, 0.1, ["batch"], 1.8) for b in (4, 16, 64)]
    fits += [_scan_fit(lr, 16, 0.1, ["lr"], 1.8 * (1 + (lr > 0.2) * 0.1)) for lr in (0.2, 0.5)]
    fits += [_scan_fit(0.1, 16, e, ["eps"], 1.8) for e in (0.05, 0.1)]
    summary = scan_summary(fits, max_lr=0.2)
    for scan in ("batch", "eps", "lr"):
        assert summary["scans"][scan]["slope_spacing"]["value"] == pytest.approx(1.8)
    deviation = summary["scans"]["lr"]["largest_lr_deviation"]
    assert deviation["lr"] == 0.5 and deviation["value"] == pytest.approx(0.1)
    assert "largest_lr_deviation" not in summary["scans"]["batch"]
    # one line over the settings with alpha <= 0.2, each once: exact, so chi^2 = 0
    line = summary["line"]
    assert line["dof"] == len(line["settings"]) - 1 == 5
    assert line["chi2"] == pytest.approx(0.0, abs=1e-12)
    assert line["slope"]["value"] == pytest.approx(1.8)


def test_surmise_distance_has_the_finite_sample_law_of_the_surmise():
    """sqrt(n) D of exact surmise draws: mean about 0.68 and spread 0.16 whatever n (scale fitted,
    Monte Carlo of the null law), which the bootstrap error reproduces; identical on a rerun;
    Poisson spacings lie far outside."""
    rng = np.random.default_rng(5)
    scaled, errors = [], []
    for n in (400, 3000):
        for _ in range(10):
            test = surmise_distance(rng.rayleigh(1.0, n))
            scaled.append(test["scaled_ks"])
            errors.append(test["scaled_ks_error"])
            assert test["n"] == n
    assert np.mean(scaled) == pytest.approx(0.68, abs=0.12)
    assert np.mean(errors) == pytest.approx(0.16, abs=0.05)
    spacings = rng.rayleigh(1.0, 500)
    assert surmise_distance(spacings) == surmise_distance(spacings)
    assert surmise_distance(rng.exponential(1.0, 3000))["scaled_ks"] > 3.0
    # the vectorised distance of the bootstrap is the KS test's
    rows = rng.rayleigh(1.0, (3, 50))
    expected = [surmise_distance(row, resamples=2)["ks"] for row in rows]
    np.testing.assert_allclose(surmise_ks_rows(rows), expected, rtol=1e-12)


# --------------------------------------------------------------------------- claims


def _q(value, error):
    return {"value": value, "error": error}


def _model_a_fit(case, ztz, rates, noise_std=0.1):
    """A model-A fits record with the given Eq 22 rates and an ideal stationary ensemble."""
    modes = [
        {"index": i, "unexplained": _q(1e-4, 1e-5), "rate": _q(r, 1e-3 * r)}
        | {"projected_ztz": _q(float(np.diag(ztz)[i]), 1e-3)}
        for i, r in enumerate(rates)
    ]
    fits = {"delta_aic": _q(-1.0, 1.0), "sigma_m_ratio": _q(1.0, 0.005)}
    fits["binder_u4"] = _q(-4 / 27, 0.004)
    stationary = {
        "fits": fits,
        "stationarity": {"max_abs_z": 1.0},
        "surmise": {"n": 500, "p_value": 0.5, "scaled_ks": 0.6, "scaled_ks_error": 0.16},
    }
    return {
        "case": case,
        "noise_std": noise_std,
        "ztz": ztz,
        "relaxation": {"fit_from": 2.0, "modes": modes},
        "stationary": stationary,
    }


def _model_b_fits():
    """Three scans through the setting alpha = 0.1, |B| = 16, eps = 0.1, each setting once."""
    fits = [_scan_fit(0.1, b, 0.1, ["batch"], 1.8) for b in (4, 64)]
    fits += [_scan_fit(0.1, 16, 0.1, ["batch", "lr", "eps"], 1.8)]
    fits += [_scan_fit(lr, 16, 0.1, ["lr"], 1.8) for lr in (0.2, 0.5)]
    fits += [_scan_fit(0.1, 16, 0.05, ["eps"], 1.8)]
    for fit in fits:
        fit["setting"]["noise"] = fit["setting"]["lr"] / fit["setting"]["batch"]
        fit["modes"][0] |= {"spacing_ratio": _q(1.0, 0.003), "binder_u4": _q(-4 / 27, 0.005)}
        fit["stationarity"] = {"max_abs_z": 1.0}
        fit["networks"] = {"used": 3000}
        fit["surmise"] = {"n": 3000, "p_value": 0.5, "scaled_ks": 0.6, "scaled_ks_error": 0.16}
    return fits


def _spec(tolerance, max_error, **deviates):
    spec = {"tolerance": tolerance, "max_error": max_error, "basis": "a test's basis"}
    return spec | ({"deviates": deviates} if deviates else {})


def _claims_config(**overrides):
    kinds = ("eq22_unexplained", "rate_order", "rate_ratio", "two_species_aic")
    kinds += ("one_species_aic", "sigma_m_ratio", "spacing_mean", "binder_u4")
    kinds += ("binder_u4_largest_noise", "slope_ratio", "line_at_largest_lr")
    cfg = {kind: _spec(0.02, 0.05) for kind in kinds}
    cfg |= {"z": 2.0, "skip": [], "wigner_surmise": _spec(0.97, 0.3)}
    cfg |= {"two_species_aic": _spec(0.0, 100.0), "one_species_aic": _spec(2.0, 2.0)}
    cfg |= {"stationarity": _spec(4.0, 1.0), "spacing_line": _spec(0.0, 1.0)}
    return cfg | overrides


def _claims(cfg, model_a):
    model_b = _model_b_fits()
    summary = scan_summary(model_b, max_lr=0.2)
    analysis = {"claim_max_noise": 0.0125}
    return {c["name"]: c for c in teacher_student_claims(model_a, model_b, summary, cfg, analysis)}


def test_claims_state_the_papers_values_and_reach_their_outcomes():
    """References are the papers' (equal rates: 1; sigma_m compatible: 1; U4 = -4/27); a rate
    ratio off 1 fails unless declared, a declared deviation in its band deviates, and one that
    agrees with the paper again fails."""
    ztz27 = (Z27.T @ Z27).tolist()
    model_a = [
        _model_a_fit("eq27", ztz27, [1.0, 0.3]),
        _model_a_fit("identity", np.eye(2).tolist(), [0.95, 1.0]),
        _model_a_fit("identity_equal", np.eye(2).tolist(), [1.0, 1.0]),
    ]
    model_a[0]["stationary"]["fits"]["delta_aic"] = _q(500.0, 20.0)
    claims = _claims(_claims_config(), model_a)
    order = claims["rate_order_eq27"]
    assert (order["rule"], order["reference"], order["outcome"]) == ("at_most", 0.0, "reproduced")
    assert order["value"] == pytest.approx(np.log(0.3))
    assert claims["two_species_aic_eq27"]["outcome"] == "reproduced"
    assert claims["one_species_aic_identity"]["outcome"] == "reproduced"
    ratio = claims["rate_ratio_identity"]
    assert (ratio["reference"], ratio["rule"], ratio["outcome"]) == (1.0, "within", "fails")
    assert claims["rate_ratio_identity_equal"]["outcome"] == "reproduced"
    for name in ("sigma_m_ratio_eq27", "binder_u4_identity", "spacing_mean_lr0.1_B16_eps0.1"):
        assert claims[name]["outcome"] == "reproduced", claims[name]
    assert claims["sigma_m_ratio_eq27"]["reference"] == 1.0
    assert claims["binder_u4_identity"]["reference"] == pytest.approx(-4 / 27)
    # the synthetic scans lie exactly on one line: chi^2/dof = 0 against 1
    assert claims["spacing_line"]["outcome"] == "reproduced"
    assert claims["wigner_surmise_eq27"]["rule"] == "at_most"
    assert claims["stationary_identity"]["outcome"] == "reproduced"
    assert "binder_u4_largest_noise_lr0.5_B16_eps0.1" in claims
    # the four settings with alpha/|B| <= 0.0125, each with error 0.003, averaged
    weighted = claims["spacing_mean_weighted"]
    assert len(weighted["setting"]["settings"]) == 4
    assert weighted["error"] == pytest.approx(0.003 / np.sqrt(4))
    assert claims["binder_u4_weighted"]["outcome"] == "reproduced"
    assert all(c["source"].startswith(("paper", "spec", "ours")) for c in claims.values())

    band = {"reason": "level repulsion (a test)", "band": [0.9, 0.97]}
    declared = _claims_config(rate_ratio=_spec(0.02, 0.05, rate_ratio_identity=band))
    assert _claims(declared, model_a)["rate_ratio_identity"]["outcome"] == "deviates"
    model_a[1]["relaxation"]["modes"][0]["rate"] = _q(1.0, 1e-3)
    assert _claims(declared, model_a)["rate_ratio_identity"]["outcome"] == "fails"


def test_claims_of_a_skipped_kind_are_left_out():
    model_a = [_model_a_fit("identity", np.eye(2).tolist(), [1.0, 1.0])]
    claims = _claims(_claims_config(skip=["binder_u4", "wigner_surmise"]), model_a)
    assert claims and not any(n.startswith(("binder_u4", "wigner_surmise")) for n in claims)
