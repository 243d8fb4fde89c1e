"""Coulomb-gas (random-matrix) densities for degenerate eigenvalue pairs.

Formulas from seed 002 (arXiv 2412.20496): the two-eigenvalue Wigner semicircle (Eq 11), the
Binder cumulant convention (Eq 12) and the two-species gas with one width per mode (Eqs 30-32).
All densities are vectorised over their first argument and return float64 arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import erf

SEMICIRCLE_U4: float = -4.0 / 27.0
"""Binder cumulant U4 of the two-eigenvalue semicircle density (Eq 12); a Gaussian gives 0."""

_SQRT2 = np.sqrt(2.0)
_SQRT_PI = np.sqrt(np.pi)
_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _check_width(**widths: float) -> None:
    """Raise ValueError unless every named width is a finite positive number."""
    for name, value in widths.items():
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be finite and > 0, got {value!r}")


def semicircle_pair_density(x: ArrayLike, center: float, sigma: float) -> NDArray[np.float64]:
    """One-point density of a degenerate pair, Eq 11 (two-eigenvalue Coulomb gas, GOE beta=1).

    rho(x) = e^{-u^2/2} [2 e^{-u^2/2} + sqrt(2 pi) u erf(u/sqrt 2)] / (4 sqrt(pi) sigma),
    with u = (x - center) / sigma.
    """
    _check_width(sigma=sigma)
    u = (np.asarray(x, dtype=np.float64) - center) / sigma
    gauss = np.exp(-0.5 * u**2)
    return gauss * (2.0 * gauss + _SQRT_2PI * u * erf(u / _SQRT2)) / (4.0 * _SQRT_PI * sigma)


def semicircle_pair_cdf(x: ArrayLike, center: float, sigma: float) -> NDArray[np.float64]:
    """Cumulative distribution of the Eq 11 density, in closed form.

    F(x) = [1 + erf(u)] / 2 - e^{-u^2/2} erf(u/sqrt 2) / (2 sqrt 2), u = (x - center) / sigma
    (integrate the erf term of Eq 11 by parts).
    """
    _check_width(sigma=sigma)
    u = (np.asarray(x, dtype=np.float64) - center) / sigma
    return 0.5 * (1.0 + erf(u)) - np.exp(-0.5 * u**2) * erf(u / _SQRT2) / (2.0 * _SQRT2)


def two_species_density(
    x: ArrayLike, center: float, sigma1: float, sigma2: float
) -> NDArray[np.float64]:
    """One-point density of the two-species pair gas, Eq 32 (widths sigma1, sigma2; Eq 30).

    Eq 32 multiplies exp(+dx^2/(2 s_i^2)) by exp(-s_m^2 dx^2/(s1^2 s2^2)); the exponents are
    combined here, using s_m^2/(s1^2 s2^2) - 1/(2 s_i^2) = 1/(2 s_j^2) (j != i), so that every
    exponential decays and the density stays finite and non-negative in the far tails:

    rho = [2 (s1^2 + s2^2) e^{-dx^2/(2 s1^2) - dx^2/(2 s2^2)}
           + sqrt(2 pi) dx (s2 erf(dx/(sqrt2 s2)) e^{-dx^2/(2 s1^2)}
                            + s1 erf(dx/(sqrt2 s1)) e^{-dx^2/(2 s2^2)})] / (8 sqrt(pi) s1 s2 s_m).

    Equals semicircle_pair_density (Eq 11) when sigma1 == sigma2.
    """
    _check_width(sigma1=sigma1, sigma2=sigma2)
    dx = np.asarray(x, dtype=np.float64) - center
    h1 = 0.5 * (dx / sigma1) ** 2
    h2 = 0.5 * (dx / sigma2) ** 2
    sigma_m = np.sqrt(0.5 * (sigma1**2 + sigma2**2))
    both = 2.0 * (sigma1**2 + sigma2**2) * np.exp(-(h1 + h2))
    cross_1 = sigma2 * erf(dx / (_SQRT2 * sigma2)) * np.exp(-h1)
    cross_2 = sigma1 * erf(dx / (_SQRT2 * sigma1)) * np.exp(-h2)
    return (both + _SQRT_2PI * dx * (cross_1 + cross_2)) / (
        8.0 * _SQRT_PI * sigma1 * sigma2 * sigma_m
    )


def pair_spacing_density(S: ArrayLike, sigma: float) -> NDArray[np.float64]:
    """Spacing density of a pair, Eq 31: P(S) = S/(2 sigma^2) exp(-S^2/(4 sigma^2)), S >= 0.

    Zero for S < 0. For two species pass sigma = sigma_m (Eq 30); the mean is sqrt(pi) sigma.
    """
    _check_width(sigma=sigma)
    s_pos = np.maximum(np.asarray(S, dtype=np.float64), 0.0)
    return s_pos / (2.0 * sigma**2) * np.exp(-(s_pos**2) / (4.0 * sigma**2))


def wigner_surmise(s: ArrayLike) -> NDArray[np.float64]:
    """GOE Wigner surmise (Eq 31 with s = S/<S>): (pi/2) s exp(-pi s^2/4), zero for s < 0."""
    s_pos = np.maximum(np.asarray(s, dtype=np.float64), 0.0)
    return 0.5 * np.pi * s_pos * np.exp(-0.25 * np.pi * s_pos**2)


def wigner_surmise_cdf(s: ArrayLike) -> NDArray[np.float64]:
    """Cumulative Wigner surmise (Eq 31 with s = S/<S>): 1 - exp(-pi s^2/4), zero for s < 0."""
    s_pos = np.maximum(np.asarray(s, dtype=np.float64), 0.0)
    return -np.expm1(-0.25 * np.pi * s_pos**2)


def binder_cumulant(samples: ArrayLike, axis: int | None = None) -> float | NDArray[np.float64]:
    """Binder cumulant U4 = <dx^4> / (3 <dx^2>^2) - 1, dx = samples - mean (Eq 12 convention).

    Gives SEMICIRCLE_U4 = -4/27 for the Eq 11 density and 0 for a Gaussian. Reduces over all
    entries (axis=None, returns a float) or along one axis (returns an array), e.g. one value
    per mode. Raises ValueError for non-finite samples, fewer than 2 samples per reduction, or
    zero variance.
    """
    values = np.asarray(samples, dtype=np.float64)
    n_nan = int(np.isnan(values).sum())
    n_inf = int(np.isinf(values).sum())
    if n_nan or n_inf:
        raise ValueError(
            f"binder_cumulant: samples must be finite, found {n_nan} NaN and {n_inf} inf values"
        )
    n = values.size if axis is None else values.shape[axis]
    if n < 2:
        raise ValueError(f"binder_cumulant: need at least 2 samples per reduction, got {n}")
    dx = values - values.mean(axis=axis, keepdims=True)
    m2 = np.mean(dx**2, axis=axis)
    m4 = np.mean(dx**4, axis=axis)
    if np.any(m2 == 0):
        raise ValueError("binder_cumulant: zero variance, U4 is undefined")
    u4 = m4 / (3.0 * m2**2) - 1.0
    return float(u4) if axis is None else u4
