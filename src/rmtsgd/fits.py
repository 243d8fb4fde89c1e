"""Fits of the learnt spectra: maximum likelihood for single modes (Gaussian) and degenerate
pairs (Eq 11), Binder cumulants, level spacings, and jackknife errors over replicas.

Samples of one setting come as x[replica, snapshot, mode]; snapshots of one replica are
correlated, replicas are independent, so every error is a delete-one-block jackknife over
blocks of replicas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def _standardise(samples: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(samples - mean) / std, mean, std: fits run on O(1) numbers whatever the ensemble's scale."""
    loc, scale = float(np.mean(samples)), float(np.std(samples))
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"samples must be finite with a spread, got standard deviation {scale}")
    return (samples - loc) / scale, loc, scale


def fit_semicircle_pair(samples: np.ndarray) -> PairFit:
    """Maximum-likelihood fit of Eq 11 (centre and width free) to pooled pair samples.

    Runs on standardised samples, starts from the moments (<dx^2> = 3 sigma^2 / 2) and uses the
    analytic gradient.
    """
    unit, loc, scale = _standardise(samples)
    start = np.array([0.0, np.log(np.sqrt(2.0 / 3.0))])
    result = optimize.minimize(
        _pair_nll_and_gradient,
        start,
        args=(unit,),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-9},
    )
    if not np.all(np.isfinite(result.x)) or np.max(np.abs(result.jac)) > 1e-6:
        raise RuntimeError(f"Eq 11 fit did not converge: {result.message}")
    return PairFit(
        loc + scale * float(result.x[0]),
        scale * float(np.exp(result.x[1])),
        -float(result.fun) - np.log(scale),
    )


@dataclass(frozen=True)
class TwoSpeciesFit:
    """Maximum-likelihood Eq 32 parameters (sigma1 >= sigma2) and the mean log-likelihood."""

    center: float
    sigma1: float
    sigma2: float
    mean_loglik: float

    @property
    def sigma_m(self) -> float:
        """sigma_m = sqrt((sigma1^2 + sigma2^2) / 2), Eq 30."""
        return float(np.sqrt(0.5 * (self.sigma1**2 + self.sigma2**2)))


def two_species_logpdf(x: np.ndarray, center: float, sigma1: float, sigma2: float) -> np.ndarray:
    """log of Eq 32 as a log-sum of its three decaying terms (see coulomb.two_species_density).

    Every weight is non-negative (dx erf(dx) >= 0), so the log stays finite far into the tails,
    where the density itself underflows.
    """
    dx = np.asarray(x, dtype=np.float64) - center
    h1, h2 = 0.5 * (dx / sigma1) ** 2, 0.5 * (dx / sigma2) ** 2
    root_2pi = np.sqrt(2.0 * np.pi)
    weights = np.stack(
        [
            np.full_like(dx, 2.0 * (sigma1**2 + sigma2**2)),
            root_2pi * dx * sigma2 * special.erf(dx / (np.sqrt(2.0) * sigma2)),
            root_2pi * dx * sigma1 * special.erf(dx / (np.sqrt(2.0) * sigma1)),
        ]
    )
    exponents = np.stack([-(h1 + h2), -h1, -h2])
    sigma_m = np.sqrt(0.5 * (sigma1**2 + sigma2**2))
    norm = np.log(8.0 * np.sqrt(np.pi) * sigma1 * sigma2 * sigma_m)
    return special.logsumexp(exponents, axis=0, b=weights) - norm


def fit_two_species(samples: np.ndarray, start: TwoSpeciesFit | None = None) -> TwoSpeciesFit:
    """Maximum-likelihood fit of Eq 32 (centre, sigma1, sigma2 free) to pooled pair samples.

    Eq 32 is symmetric in (sigma1, sigma2); the result is ordered sigma1 >= sigma2. Without a
    start, the search begins from the Eq 11 fit with the widths split by a factor 1.5 each way.
    Runs on standardised samples (Nelder-Mead's tolerances are absolute).
    """
    if start is None:
        one = fit_semicircle_pair(samples)
        start = TwoSpeciesFit(one.center, 1.5 * one.sigma, one.sigma / 1.5, one.mean_loglik)
    unit, loc, scale = _standardise(samples)

    def nll(params: np.ndarray) -> float:
        center, log1, log2 = params
        return -float(np.mean(two_species_logpdf(unit, center, np.exp(log1), np.exp(log2))))

    x0 = np.array(
        [(start.center - loc) / scale, np.log(start.sigma1 / scale), np.log(start.sigma2 / scale)]
    )
    simplex = np.array([x0, x0 + [0.2, 0, 0], x0 + [0, 0.3, 0], x0 + [0, 0, -0.3]])
    result = optimize.minimize(
        nll,
        x0,
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 4000, "initial_simplex": simplex},
    )
    if not (result.success and np.all(np.isfinite(result.x))):
        raise RuntimeError(f"Eq 32 fit did not converge: {result.message}")
    wide, narrow = sorted(scale * np.exp(result.x[1:]), reverse=True)
    center = loc + scale * float(result.x[0])
    return TwoSpeciesFit(center, float(wide), float(narrow), -float(result.fun) - np.log(scale))


def gaussian_mean_loglik(samples: np.ndarray) -> float:
    """Mean log-likelihood of the maximum-likelihood Gaussian."""
    return float(np.mean(stats.norm.logpdf(samples, np.mean(samples), np.std(samples))))


def ks_statistic(samples: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Kolmogorov-Smirnov distance between the samples' empirical CDF and `cdf`."""
    return float(stats.kstest(samples, cdf).statistic)


def surmise_test(spacings: np.ndarray) -> dict[str, float]:
    """Kolmogorov-Smirnov test of independent spacings, scaled by their mean, against the Wigner
    surmise (Eq 31). The scale is estimated from the same data, which makes the p-value
    conservative (too large), never anti-conservative."""
    spacings = np.asarray(spacings, dtype=float).ravel()
    result = stats.kstest(spacings / spacings.mean(), wigner_surmise_cdf)
    return {"ks": float(result.statistic), "p_value": float(result.pvalue), "n": int(spacings.size)}


def single_mode_statistics(x: np.ndarray, mode: Mode) -> dict[str, float]:
    """Gaussian fit (mean, std) of a single mode and its Binder cumulant."""
    samples = x[..., mode.indices[0]].ravel()
    return {
        "centre": float(np.mean(samples)),
        "width": float(np.std(samples)),
        "binder_u4": float(binder_cumulant(samples)),
    }


def pair_statistics(x: np.ndarray, mode: Mode) -> dict[str, float]:
    """Eq 11 fit, Binder cumulant and level spacings of one degenerate pair."""
    samples = x[..., list(mode.indices)].ravel()
    fit = fit_semicircle_pair(samples)
    spacing = pair_spacing(x, mode).ravel()
    mean_spacing = float(np.mean(spacing))
    gauss_mean, gauss_std = float(np.mean(samples)), float(np.std(samples))
    return {
        "centre": fit.center,
        "width": fit.sigma,
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


Derived = Callable[[Mode, dict[str, float]], dict[str, float]]


def _mode_table(data: np.ndarray, modes: Sequence[Mode], derived: Derived | None) -> dict:
    """Every mode's statistics (pair or single), plus what `derived` computes from them."""
    table = {}
    for k, mode in enumerate(modes):
        stats = pair_statistics if mode.is_pair else single_mode_statistics
        values = stats(data, mode)
        if derived is not None:
            values.update(derived(mode, values))
        table.update({f"{k}.{name}": v for name, v in values.items()})
    return table


def _half_differences(data: np.ndarray, modes: Sequence[Mode]) -> dict[str, float]:
    """Change of each mode's mean and standard deviation from the window's first to second half."""
    half = data.shape[1] // 2
    early, late = data[:, :half], data[:, half:]
    table = {}
    for k, mode in enumerate(modes):
        a, b = early[..., list(mode.indices)], late[..., list(mode.indices)]
        table[f"{k}.mean"] = float(b.mean() - a.mean())
        table[f"{k}.std"] = float(b.std() - a.std())
    return table


def analyse_modes(
    samples: np.ndarray, modes: Sequence[Mode], n_blocks: int, derived: Derived | None = None
) -> dict:
    """Fits of every mode of an ensemble, with jackknife errors, and a stationarity check.

    `samples` is x[replica, snapshot, value] of the replicas kept (see `window_samples`).
    Stationarity compares each mode's mean and standard deviation between the first and the
    second half of the snapshots; with a single snapshot there is nothing to compare and
    `stationarity` is None.
    """
    if len(samples) < n_blocks:
        raise ValueError(
            f"only {len(samples)} non-diverged replicas for {n_blocks} jackknife blocks"
        )
    table = jackknife(lambda d: _mode_table(d, modes, derived), samples, n_blocks)
    stationarity = None
    if samples.shape[1] >= 2:
        drift = jackknife(lambda d: _half_differences(d, modes), samples, n_blocks)
        z = {name: q["value"] / q["error"] for name, q in drift.items() if q["error"] > 0}
        stationarity = {"z": z, "max_abs_z": float(max(abs(v) for v in z.values()))}
    return {
        "replicas_used": int(len(samples)),
        "window_snapshots": int(samples.shape[1]),
        "modes": [
            {
                "index": k,
                "kind": "pair" if mode.is_pair else "single",
                "kappa": mode.kappa,
                "indices": list(mode.indices),
                **{
                    name.split(".", 1)[1]: q
                    for name, q in table.items()
                    if name.split(".", 1)[0] == str(k)
                },
            }
            for k, mode in enumerate(modes)
        ],
        "stationarity": stationarity,
    }


def weighted_line(x, y, err, through_origin: bool):
    """Weighted least squares y = a x (+ b); returns params, their covariance, chi^2, dof."""
    design = np.column_stack([x] if through_origin else [x, np.ones_like(x)])
    weights = 1.0 / np.asarray(err) ** 2
    normal = design.T @ (design * weights[:, None])
    cov = np.linalg.inv(normal)
    params = cov @ (design.T @ (weights * y))
    chi2 = float(np.sum(weights * (y - design @ params) ** 2))
    return params, cov, chi2, len(y) - len(params)
