"""Tests for rmtsgd.coulomb: Eq 11, 12, 30-32 of seed 002 (arXiv 2412.20496)."""

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import erf

from rmtsgd.coulomb import (
    SEMICIRCLE_U4,
    binder_cumulant,
    pair_spacing_density,
    semicircle_pair_cdf,
    semicircle_pair_density,
    two_species_density,
    wigner_surmise,
    wigner_surmise_cdf,
)

CENTRES_WIDTHS = [(0.0, 1.0), (3.7, 0.25), (-1.2, 2.5)]
RATIOS = [1 / 20, 1 / 5, 1.0, 5.0, 20.0]


def _moment(density, k: int, center: float, width: float) -> float:
    """k-th central moment of a density centred at `center` by adaptive quadrature."""
    value, _ = integrate.quad(
        lambda x: (x - center) ** k * density(x), center - 15 * width, center + 15 * width
    )
    return value


def _sample_pair(rng: np.random.Generator, n: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact draws of the two-eigenvalue gas P ~ |x1-x2| exp(-(x1^2+x2^2)/(2 sigma^2)).

    x1^2 + x2^2 = 2 c^2 + S^2/2 with c the centre of mass: c ~ N(0, sigma^2/2) and the spacing
    S has density ~ S exp(-S^2/(4 sigma^2)), a Rayleigh law of scale sqrt(2) sigma.
    Returns (one eigenvalue per pair chosen at random, spacings).
    """
    centre = rng.normal(0.0, sigma / np.sqrt(2.0), n)
    spacing = rng.rayleigh(np.sqrt(2.0) * sigma, n)
    sign = rng.choice([-1.0, 1.0], n)
    return centre + sign * spacing / 2, spacing


def _binder_standard_error(x: np.ndarray) -> float:
    """Delta-method standard error of U4 = m4/(3 m2^2) - 1 for iid symmetric samples."""
    dx = x - x.mean()
    m2, m4 = np.mean(dx**2), np.mean(dx**4)
    grad = np.array([-2 * m4 / (3 * m2**3), 1 / (3 * m2**2)])
    cov = np.cov(np.vstack([dx**2, dx**4])) / x.size
    return float(np.sqrt(grad @ cov @ grad))


def _naive_two_species(dx: np.ndarray, s1: float, s2: float) -> np.ndarray:
    """Eq 32 exactly as printed (overflows in the tails; reference where finite)."""
    sm = np.sqrt((s1**2 + s2**2) / 2)
    total = sum(
        2 * s**2
        + np.exp(dx**2 / (2 * s**2)) * np.sqrt(2 * np.pi) * dx * s * erf(dx / (np.sqrt(2) * s))
        for s in (s1, s2)
    )
    return np.exp(-(sm**2) * dx**2 / (s1**2 * s2**2)) / (8 * np.sqrt(np.pi) * s1 * s2 * sm) * total


# --- Eq 11: one-point density of a degenerate pair -------------------------------------------


@pytest.mark.parametrize(("center", "sigma"), CENTRES_WIDTHS)
def test_semicircle_pair_moments(center: float, sigma: float) -> None:
    def density(x):
        return semicircle_pair_density(x, center, sigma)

    norm = _moment(density, 0, center, sigma)
    m1 = _moment(density, 1, center, sigma)
    m2 = _moment(density, 2, center, sigma)
    m4 = _moment(density, 4, center, sigma)
    assert norm == pytest.approx(1.0, abs=1e-10)
    assert m1 == pytest.approx(0.0, abs=1e-10 * sigma)
    assert m2 == pytest.approx(1.5 * sigma**2, rel=1e-9)
    assert m4 == pytest.approx(23 / 4 * sigma**4, rel=1e-9)
    assert m4 / (3 * m2**2) - 1 == pytest.approx(SEMICIRCLE_U4, abs=1e-9)
    assert abs(SEMICIRCLE_U4 + 0.148148148148) < 1e-12


def test_semicircle_pair_density_shape() -> None:
    x = np.linspace(-5, 5, 101)
    rho = semicircle_pair_density(x, 0.0, 1.0)
    assert rho.shape == x.shape
    assert np.all(rho > 0)
    np.testing.assert_allclose(rho, rho[::-1], rtol=1e-14)
    # value at the centre: 2 / (4 sqrt(pi) sigma)
    assert semicircle_pair_density(0.0, 0.0, 2.0) == pytest.approx(1 / (4 * np.sqrt(np.pi)))
    # single maximum at the centre with a quartic top: rho = rho(0) (1 - u^4/6 + O(u^6))
    assert np.argmax(rho) == 50
    assert rho[51] / rho[50] == pytest.approx(1 - 0.1**4 / 6, abs=1e-7)
    assert np.all(np.isfinite(semicircle_pair_density([-1e3, 1e3], 0.0, 1.0)))


@pytest.mark.parametrize(("center", "sigma"), CENTRES_WIDTHS)
def test_semicircle_pair_cdf_is_integral_of_density(center: float, sigma: float) -> None:
    lo = center - 15 * sigma
    for x in np.linspace(center - 6 * sigma, center + 6 * sigma, 37):
        expected, _ = integrate.quad(semicircle_pair_density, lo, x, args=(center, sigma))
        assert semicircle_pair_cdf(x, center, sigma) == pytest.approx(expected, abs=1e-11)
    ends = semicircle_pair_cdf([center - 40 * sigma, center, center + 40 * sigma], center, sigma)
    np.testing.assert_allclose(ends, [0.0, 0.5, 1.0], atol=1e-14)
    grid = np.linspace(center - 8 * sigma, center + 8 * sigma, 2001)
    assert np.all(np.diff(semicircle_pair_cdf(grid, center, sigma)) >= 0)


def test_semicircle_pair_rejects_bad_width() -> None:
    with pytest.raises(ValueError, match="sigma"):
        semicircle_pair_density(0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="sigma2"):
        two_species_density(0.0, 0.0, 1.0, -1.0)


# --- Exact samples of the two-eigenvalue gas ------------------------------------------------


def test_sampled_pairs_match_eq11_and_eq31() -> None:
    rng = np.random.default_rng(20241229)
    sigma, n = 0.7, 200_000
    x, spacing = _sample_pair(rng, n, sigma)

    u4 = binder_cumulant(x)
    assert abs(u4 - SEMICIRCLE_U4) < 4 * _binder_standard_error(x)
    assert np.var(x) == pytest.approx(1.5 * sigma**2, rel=0.01)

    spacing_se = spacing.std() / np.sqrt(n)
    assert abs(spacing.mean() - np.sqrt(np.pi) * sigma) < 4 * spacing_se

    assert stats.kstest(x, semicircle_pair_cdf, args=(0.0, sigma)).pvalue > 1e-3
    assert stats.kstest(spacing / spacing.mean(), wigner_surmise_cdf).pvalue > 1e-3
    # the KS test has power: a Gaussian of the same variance is rejected
    gauss = stats.norm(scale=np.sqrt(1.5) * sigma).cdf
    assert stats.kstest(x, gauss).pvalue < 1e-6


def test_binder_cumulant_of_gaussian_is_zero() -> None:
    x = np.random.default_rng(7).normal(2.0, 3.0, 200_000)
    u4 = binder_cumulant(x)
    assert abs(u4) < 4 * _binder_standard_error(x)
    assert abs(u4 - SEMICIRCLE_U4) > 20 * _binder_standard_error(x)


# --- Eq 12: Binder cumulant -----------------------------------------------------------------


def test_binder_cumulant_hand_values() -> None:
    # dx = +-1: m2 = m4 = 1 -> U4 = 1/3 - 1
    assert binder_cumulant([-1.0, 1.0]) == pytest.approx(-2 / 3)
    assert binder_cumulant([5.0, 5.0, 7.0, 7.0]) == pytest.approx(-2 / 3)
    # dx = (0, 0, 0, 1, -1): m2 = m4 = 2/5 -> U4 = (2/5) / (3 * 4/25) - 1 = -1/6
    assert binder_cumulant([3.0, 3.0, 3.0, 4.0, 2.0]) == pytest.approx(-1 / 6)
    assert isinstance(binder_cumulant([1.0, 2.0, 4.0]), float)


def test_binder_cumulant_along_axis() -> None:
    data = np.random.default_rng(3).gamma(2.0, size=(500, 4)) * np.array([1.0, 2.0, 0.5, 3.0])
    per_column = np.array([binder_cumulant(data[:, j]) for j in range(data.shape[1])])
    np.testing.assert_allclose(binder_cumulant(data, axis=0), per_column, rtol=1e-12)
    np.testing.assert_allclose(binder_cumulant(data.T, axis=1), per_column, rtol=1e-12)
    np.testing.assert_allclose(binder_cumulant(data.T, axis=-1), per_column, rtol=1e-12)
    assert binder_cumulant(data) == pytest.approx(binder_cumulant(data.ravel()), rel=1e-12)
    assert len(set(np.round(per_column, 6))) == 4  # columns really differ


@pytest.mark.parametrize(
    ("samples", "axis", "match"),
    [
        ([1.0], None, "at least 2"),
        (np.ones((1, 5)), 0, "at least 2"),
        ([], None, "at least 2"),
        ([1.0, np.nan, 2.0], None, "NaN"),
        ([1.0, np.inf, 2.0], None, "inf"),
        ([2.0, 2.0, 2.0], None, "zero variance"),
    ],
)
def test_binder_cumulant_bad_input(samples, axis, match) -> None:
    with pytest.raises(ValueError, match=match):
        binder_cumulant(samples, axis=axis)


# --- Eqs 30-32: two species -----------------------------------------------------------------


def _two_species_second_moment(s1: float, s2: float) -> float:
    """<dx^2> of Eq 32 (derived): (s1^4 + s1^2 s2^2 + s2^4) / (s1^2 + s2^2).

    With d = x1 - x2 ~ N(0, s1^2 + s2^2) under the Gaussian factor, x1 = s1^2 d/(s1^2+s2^2) + r
    with r ~ N(0, s1^2 s2^2/(s1^2+s2^2)) independent of d; the |d| weight makes <d^2> = 2 (s1^2 +
    s2^2). Eq 32 is the average of the x1 and x2 marginals.
    """
    return (s1**4 + s1**2 * s2**2 + s2**4) / (s1**2 + s2**2)


@pytest.mark.parametrize("ratio", RATIOS)
def test_two_species_normalised_and_second_moment(ratio: float) -> None:
    s1, s2, center = 0.3, 0.3 * ratio, 1.1
    wide = max(s1, s2)
    x = np.linspace(center - 14 * wide, center + 14 * wide, 400_001)
    rho = two_species_density(x, center, s1, s2)
    assert np.all(rho >= 0)
    assert integrate.trapezoid(rho, x) == pytest.approx(1.0, abs=1e-9)
    assert integrate.trapezoid((x - center) * rho, x) == pytest.approx(0.0, abs=1e-9 * wide)
    m2 = integrate.trapezoid((x - center) ** 2 * rho, x)
    assert m2 == pytest.approx(_two_species_second_moment(s1, s2), rel=1e-8)


@pytest.mark.parametrize("ratio", RATIOS)
def test_two_species_finite_in_far_tails(ratio: float) -> None:
    s1, s2 = 1.0, ratio
    for width in (max(s1, s2), min(s1, s2)):
        dx = np.linspace(-50 * width, 50 * width, 20_001)
        rho = two_species_density(dx, 0.0, s1, s2)
        assert np.all(np.isfinite(rho))
        assert np.all(rho >= 0)
    # where the printed Eq 32 is finite it agrees with the stable form
    dx = np.linspace(-6 * max(s1, s2), 6 * max(s1, s2), 1201)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = _naive_two_species(dx, s1, s2)
    ok = np.isfinite(naive) & (naive > 1e-250)
    assert ok.sum() > 100
    np.testing.assert_allclose(two_species_density(dx, 0.0, s1, s2)[ok], naive[ok], rtol=1e-10)


def test_two_species_naive_form_overflows() -> None:
    # documents the pitfall the stable form avoids: the printed form gives nan far out
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(_naive_two_species(np.array([40.0]), 1.0, 1 / 20)[0])
    assert np.isfinite(two_species_density(40.0, 0.0, 1.0, 1 / 20))


@pytest.mark.parametrize(("center", "sigma"), CENTRES_WIDTHS)
def test_two_species_reduces_to_eq11(center: float, sigma: float) -> None:
    x = np.linspace(center - 10 * sigma, center + 10 * sigma, 2001)
    np.testing.assert_allclose(
        two_species_density(x, center, sigma, sigma),
        semicircle_pair_density(x, center, sigma),
        rtol=1e-12,
    )


@pytest.mark.parametrize("ratio", RATIOS)
def test_two_species_swap_symmetry(ratio: float) -> None:
    x = np.linspace(-8, 8, 801)
    np.testing.assert_allclose(
        two_species_density(x, 0.5, 1.0, ratio), two_species_density(x, 0.5, ratio, 1.0), rtol=1e-14
    )
    if ratio != 1.0:
        assert not np.allclose(
            two_species_density(x, 0.5, 1.0, ratio), semicircle_pair_density(x, 0.5, 1.0)
        )


def test_two_species_monte_carlo() -> None:
    # importance-weighted draws of P(x1, x2) ~ |x1-x2| exp(-x1^2/(2 s1^2) - x2^2/(2 s2^2))
    s1, s2, n = 1.0, 3.0, 400_000
    rng = np.random.default_rng(32)
    x1, x2 = rng.normal(0, s1, n), rng.normal(0, s2, n)
    w = np.abs(x1 - x2)
    pooled_m2 = 0.5 * (np.sum(w * x1**2) + np.sum(w * x2**2)) / np.sum(w)
    assert pooled_m2 == pytest.approx(_two_species_second_moment(s1, s2), rel=0.01)
    # Eq 31 with sigma_m (Eq 30): mean spacing sqrt(pi) sigma_m
    sigma_m = np.sqrt((s1**2 + s2**2) / 2)
    assert np.sum(w * w) / np.sum(w) == pytest.approx(np.sqrt(np.pi) * sigma_m, rel=0.01)
    # weighted histogram of the pooled samples against Eq 32
    edges = np.linspace(-6, 6, 25)
    hist = np.histogram(x1, edges, weights=w)[0] + np.histogram(x2, edges, weights=w)[0]
    hist = hist / (2 * np.sum(w) * np.diff(edges))
    fine = np.linspace(-6, 6, 24 * 200 + 1)
    cdf = integrate.cumulative_trapezoid(two_species_density(fine, 0.0, s1, s2), fine, initial=0)
    np.testing.assert_allclose(hist, np.diff(cdf[::200]) / np.diff(edges), atol=0.0025)


# --- Eq 31: spacings and Wigner surmise -----------------------------------------------------


def test_wigner_surmise() -> None:
    norm, _ = integrate.quad(wigner_surmise, 0, np.inf)
    mean, _ = integrate.quad(lambda s: s * wigner_surmise(s), 0, np.inf)
    assert norm == pytest.approx(1.0, abs=1e-10)
    assert mean == pytest.approx(1.0, abs=1e-10)
    assert wigner_surmise(-0.5) == 0.0
    assert wigner_surmise_cdf(-0.5) == 0.0
    for s in (0.1, 0.5, 1.0, 2.5):
        integral, _ = integrate.quad(wigner_surmise, 0, s)
        assert wigner_surmise_cdf(s) == pytest.approx(integral, abs=1e-12)


@pytest.mark.parametrize("sigma", [0.05, 1.0, 3.0])
def test_pair_spacing_density(sigma: float) -> None:
    norm, _ = integrate.quad(pair_spacing_density, 0, np.inf, args=(sigma,))
    mean, _ = integrate.quad(lambda s: s * pair_spacing_density(s, sigma), 0, np.inf)
    assert norm == pytest.approx(1.0, abs=1e-10)
    assert mean == pytest.approx(np.sqrt(np.pi) * sigma, rel=1e-9)
    assert pair_spacing_density(-1.0, sigma) == 0.0
    # scaled by the mean it is the Wigner surmise
    s = np.linspace(0, 4, 41)
    mean_s = np.sqrt(np.pi) * sigma
    np.testing.assert_allclose(
        mean_s * pair_spacing_density(s * mean_s, sigma), wigner_surmise(s), rtol=1e-12
    )
