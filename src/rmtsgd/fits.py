"""Fits of the learnt spectra: maximum likelihood for single modes (Gaussian) and degenerate
pairs (Eq 11), Binder cumulants, level spacings, and jackknife errors over replicas.

Samples of one setting come as x[replica, snapshot, mode]; snapshots of one replica are
correlated, replicas are independent, so every error is a delete-one-block jackknife over
blocks of replicas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from rmtsgd.coulomb import binder_cumulant, semicircle_pair_cdf, wigner_surmise_cdf
from rmtsgd.spectra import Mode, pair_spacing

Statistic = Callable[[np.ndarray], dict[str, float]]


@dataclass(frozen=True)
class PairFit:
    """Maximum-likelihood Eq 11 parameters and the mean log-likelihood per sample."""

    center: float
    sigma: float
    mean_loglik: float


def _pair_core(u: np.ndarray) -> np.ndarray:
    """2 exp(-u^2/2) + sqrt(2 pi) u erf(u/sqrt 2): Eq 11 without its Gaussian prefactor."""
    return 2.0 * np.exp(-0.5 * u * u) + np.sqrt(2.0 * np.pi) * u * special.erf(u / np.sqrt(2.0))


def semicircle_pair_logpdf(x: np.ndarray, center: float, sigma: float) -> np.ndarray:
    """log of Eq 11, evaluated without forming exp(-dx^2) products that underflow."""
    u = (x - center) / sigma
    return -0.5 * u * u - np.log(4.0 * np.sqrt(np.pi) * sigma) + np.log(_pair_core(u))


def _pair_nll_and_gradient(params: np.ndarray, samples: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood of Eq 11 in (centre, log sigma), with its gradient.

    d core/du = sqrt(2 pi) erf(u/sqrt 2), so d log rho/du = -u + sqrt(2 pi) erf(u/sqrt 2)/core.
    """
    center, sigma = params[0], np.exp(params[1])
    u = (samples - center) / sigma
    core = _pair_core(u)
    slope = -u + np.sqrt(2.0 * np.pi) * special.erf(u / np.sqrt(2.0)) / core
    nll = np.mean(0.5 * u * u - np.log(core)) + np.log(4.0 * np.sqrt(np.pi) * sigma)
    gradient = np.array([np.mean(slope) / sigma, 1.0 + np.mean(u * slope)])
    return float(nll), gradient


def fit_semicircle_pair(samples: np.ndarray) -> PairFit:
    """Maximum-likelihood fit of Eq 11 (centre and width free) to pooled pair samples.

    Starts from the moments (<dx^2> = 3 sigma^2 / 2) and uses the analytic gradient.
    """
    start = np.array([np.mean(samples), np.log(np.std(samples) * np.sqrt(2.0 / 3.0))])
    result = optimize.minimize(
        _pair_nll_and_gradient,
        start,
        args=(samples,),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-9},
    )
    if not np.all(np.isfinite(result.x)) or np.max(np.abs(result.jac)) > 1e-6:
        raise RuntimeError(f"Eq 11 fit did not converge: {result.message}")
    return PairFit(float(result.x[0]), float(np.exp(result.x[1])), -float(result.fun))


def gaussian_mean_loglik(samples: np.ndarray) -> float:
    """Mean log-likelihood of the maximum-likelihood Gaussian."""
    return float(np.mean(stats.norm.logpdf(samples, np.mean(samples), np.std(samples))))


def ks_statistic(samples: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Kolmogorov-Smirnov distance between the samples' empirical CDF and `cdf`."""
    return float(stats.kstest(samples, cdf).statistic)


def single_mode_statistics(x: np.ndarray, mode: Mode, mu2: float) -> dict[str, float]:
    """Gaussian fit (mean, std) of a single mode, its centre ratio and its Binder cumulant."""
    samples = x[..., mode.indices[0]].ravel()
    centre, width = float(np.mean(samples)), float(np.std(samples))
    return {
        "centre": centre,
        "width": width,
        "centre_ratio": (mu2 - centre) / mode.kappa,
        "binder_u4": float(binder_cumulant(samples)),
    }


def pair_statistics(x: np.ndarray, mode: Mode, mu2: float) -> dict[str, float]:
    """Eq 11 fit, Binder cumulant and level spacings of one degenerate pair."""
    samples = x[..., list(mode.indices)].ravel()
    fit = fit_semicircle_pair(samples)
    spacing = pair_spacing(x, mode).ravel()
    mean_spacing = float(np.mean(spacing))
    gauss_mean, gauss_std = float(np.mean(samples)), float(np.std(samples))
    return {
        "centre": fit.center,
        "width": fit.sigma,
        "centre_ratio": (mu2 - fit.center) / mode.kappa,
        "binder_u4": float(binder_cumulant(samples)),
        "spacing_mean": mean_spacing,
        "spacing_ratio": mean_spacing / (np.sqrt(np.pi) * fit.sigma),
        "ks_surmise": ks_statistic(spacing / mean_spacing, wigner_surmise_cdf),
        "ks_poisson": ks_statistic(spacing / mean_spacing, lambda s: -np.expm1(-s)),
        "ks_semicircle": ks_statistic(
            samples, lambda v: semicircle_pair_cdf(v, fit.center, fit.sigma)
        ),
        "ks_gaussian": ks_statistic(samples, lambda v: stats.norm.cdf(v, gauss_mean, gauss_std)),
        "loglik_gain_over_gaussian": fit.mean_loglik - gaussian_mean_loglik(samples),
    }


def jackknife(statistic: Statistic, data: np.ndarray, n_blocks: int) -> dict[str, dict]:
    """Delete-one-block jackknife over axis 0 (replicas) of `data`.

    Returns {name: {"value": full-sample value, "error": jackknife standard error}}.
    """
    full = statistic(data)
    blocks = np.array_split(np.arange(len(data)), n_blocks)
    leave_out = [statistic(np.delete(data, block, axis=0)) for block in blocks]
    result = {}
    for name, value in full.items():
        partial = np.array([sample[name] for sample in leave_out])
        error = np.sqrt((n_blocks - 1) / n_blocks * np.sum((partial - partial.mean()) ** 2))
        result[name] = {"value": value, "error": float(error)}
    return result
