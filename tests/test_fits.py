"""Fits on samples drawn from the exact laws: MLE recovers the parameters within its jackknife
errors, the errors are honest, and the per-setting analysis finds the semicircle."""

import numpy as np
import pytest

from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.fits import fit_semicircle_pair, jackknife
from rmtsgd.rbm.analysis import analyse_setting


def pair_samples(rng, n, centre, sigma):
    """(n, 2) eigenvalue pairs of the two-particle Coulomb gas, sorted descending."""
    c = rng.normal(centre, sigma / np.sqrt(2.0), n)
    spacing = rng.rayleigh(np.sqrt(2.0) * sigma, n)
    return np.stack([c + spacing / 2, c - spacing / 2], axis=-1)


def test_eq11_fit_recovers_parameters():
    rng = np.random.default_rng(1)
    samples = pair_samples(rng, 20000, 2.4, 0.15)  # (replica, 2)
    table = jackknife(lambda d: _fit_table(d), samples, 20)
    for name, true in (("centre", 2.4), ("sigma", 0.15)):
        pull = (table[name]["value"] - true) / table[name]["error"]
        assert abs(pull) < 4, (name, pull)
    assert table["sigma"]["error"] < 0.01 * 0.15  # and the fit is informative


def _fit_table(data):
    fit = fit_semicircle_pair(data.ravel())
    return {"centre": fit.center, "sigma": fit.sigma}


def test_jackknife_error_of_a_mean_is_the_standard_error():
    rng = np.random.default_rng(2)
    errors = []
    for _ in range(50):
        data = rng.normal(0.0, 1.0, (400, 3))
        errors.append(jackknife(lambda d: {"mean": float(d.mean())}, data, 20)["mean"]["error"])
    np.testing.assert_allclose(np.mean(errors), 1 / np.sqrt(1200), rtol=0.1)


def test_analyse_setting_on_an_exact_coulomb_gas():
    """A synthetic ensemble: one single Gaussian mode and one degenerate pair per replica."""
    rng = np.random.default_rng(3)
    replicas, snapshots = 600, 4
    pair = pair_samples(rng, replicas * snapshots, 4.0, 0.2).reshape(replicas, snapshots, 2)
    single = rng.normal(1.0, 0.1, (replicas, snapshots, 1))
    x = np.concatenate([pair, single], axis=-1)  # descending x = ascending lambda
    x[0] = np.nan  # one diverged replica
    kappa = np.array([5.0, 5.0, 8.0])  # lambda = 9 - x
    result = analyse_setting(x, np.arange(1, 5) * 100, 100, kappa, 9.0, 20)
    assert result["replicas_used"] == replicas - 1
    pair_fit, single_fit = result["modes"]
    assert pair_fit["kind"] == "pair" and single_fit["kind"] == "single"
    for fit, key, true in (
        (pair_fit, "width", 0.2),
        (pair_fit, "centre", 4.0),
        (pair_fit, "binder_u4", SEMICIRCLE_U4),
        (pair_fit, "spacing_ratio", 1.0),
        (single_fit, "width", 0.1),
        (single_fit, "binder_u4", 0.0),
    ):
        q = fit[key]
        assert abs(q["value"] - true) < 4 * q["error"], (key, q)
    assert pair_fit["ks_surmise"]["value"] < 0.03
    assert pair_fit["ks_semicircle"]["value"] < pair_fit["ks_gaussian"]["value"]
    assert pair_fit["loglik_gain_over_gaussian"]["value"] > 0
    assert result["stationarity"]["max_abs_z"] < 4.5


def test_analyse_setting_needs_enough_replicas():
    x = np.ones((5, 2, 1))
    with pytest.raises(ValueError, match="jackknife blocks"):
        analyse_setting(x, np.array([1, 2]), 1, np.array([8.0]), 9.0, 10)
