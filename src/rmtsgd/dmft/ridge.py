"""Exact large-d gradient descent on ridge regression of the two-cluster mixture (square loss,
b = 1): the reference the DMFT must reproduce (spec/dmft_gaussian_mixture.md, "Checks").

With labels y = c, the loss sum_mu (h_mu - y_mu)^2 / 2 + lambda |w|^2 / 2 has the gradient
A w - g, A = lambda + X^T X / d, g = X^T y / sqrt(d). Rotating sample space so that c is along
its first axis (the noise matrix is invariant) gives A = B + v v^T with B = lambda + Delta W,
W a Wishart matrix of ratio alpha (Marchenko-Pastur), and v = sqrt(alpha) u + sqrt(Delta / d) z
independent of B (u = v*/sqrt(d), |v|^2 -> alpha + Delta), while g = sqrt(alpha d) v.
Sherman-Morrison then gives the resolvent's quadratic forms in terms of the Stieltjes
transform g_B of B, with kappa = alpha + Delta:

    u^T G u = g_B - alpha g_B^2 / (1 + kappa g_B),   u^T G v = sqrt(alpha) g_B / (1 + kappa g_B),
    v^T G v = kappa g_B / (1 + kappa g_B),

i.e. three spectral measures (a bulk density plus atoms: outliers where 1 + kappa g_B = 0, and
B's atom at lambda when alpha < 1). For steps of size eta from w(0) = m0 v* + s0 xi, with
E = (1 - eta a)^k and F = (1 - E) / a,

    m_k = m0 <E>_uu + sqrt(alpha) <F>_uv,
    C_k = m0^2 <E^2>_uu + 2 m0 sqrt(alpha) <E F>_uv + alpha <F^2>_vv + s0^2 <E^2>_B;

gradient flow is the same with E = exp(-a t).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize


@dataclass(frozen=True)
class Spectrum:
    """B = lambda + Delta W, W Wishart with n/d = alpha: its Stieltjes transform g_B(z)."""

    alpha: float
    delta: float
    lam: float

    @property
    def edges(self) -> tuple[float, float]:
        """Bulk of B: lambda + Delta (1 -+ sqrt(alpha))^2."""
        r = math.sqrt(self.alpha)
        return self.lam + self.delta * (1 - r) ** 2, self.lam + self.delta * (1 + r) ** 2

    @property
    def atom(self) -> float:
        """Mass of B's eigenvalue lambda (the null space of W when alpha < 1)."""
        return max(0.0, 1.0 - self.alpha)

    def stieltjes(self, z: np.ndarray) -> np.ndarray:
        """g_B(z) = int rho_B(a) / (a - z) da, off the real spectrum (and at x + i0)."""
        x = (np.asarray(z, dtype=complex) - self.lam) / self.delta
        lo, hi = (1 - math.sqrt(self.alpha)) ** 2, (1 + math.sqrt(self.alpha)) ** 2
        root = np.sqrt(x - lo) * np.sqrt(x - hi)  # ~ x at infinity, correct branch everywhere
        return (-(x + 1 - self.alpha) + root) / (2 * x) / self.delta

    def density(self, a: np.ndarray) -> np.ndarray:
        """Continuous part of B's eigenvalue density."""
        lo, hi = self.edges
        a = np.asarray(a, float)
        inside = np.clip((hi - a) * (a - lo), 0.0, None)
        return np.sqrt(inside) / (2 * math.pi * self.delta * (a - self.lam))


@dataclass(frozen=True)
class Measure:
    """A spectral measure: bulk quadrature nodes and weights plus atoms (position, weight)."""

    nodes: np.ndarray
    weights: np.ndarray
    atoms: tuple[tuple[float, float], ...]

    def integrate(self, f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """int f(a) dmu(a); f may return an array with the spectral axis last."""
        total = f(self.nodes) @ self.weights
        for position, weight in self.atoms:
            total = total + weight * f(np.array([position]))[..., 0]
        return total

    @property
    def mass(self) -> float:
        return float(self.weights.sum() + sum(w for _, w in self.atoms))


def _bulk_nodes(spectrum: Spectrum, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes in theta with a = centre - half cos(theta): smooth at the edges."""
    lo, hi = spectrum.edges
    theta, weight = np.polynomial.legendre.leggauss(nodes)
    theta = 0.5 * math.pi * (theta + 1)
    centre, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    return centre - half * np.cos(theta), 0.5 * math.pi * weight * half * np.sin(theta)


def measures(spectrum: Spectrum, nodes: int = 400) -> dict[str, Measure]:
    """The spectral measures uu, uv, vv of A = B + v v^T (module docstring) and B itself."""
    alpha, kappa = spectrum.alpha, spectrum.alpha + spectrum.delta
    forms = {
        "uu": lambda g: g - alpha * g * g / (1 + kappa * g),
        "uv": lambda g: math.sqrt(alpha) * g / (1 + kappa * g),
        "vv": lambda g: kappa * g / (1 + kappa * g),
    }
    a, dx = _bulk_nodes(spectrum, nodes)
    g_bulk = spectrum.stieltjes(a + 0j)
    outliers = _outliers(spectrum, kappa)
    result = {}
    for name, form in forms.items():
        density = form(g_bulk).imag / math.pi
        atoms = [(x0, _outlier_weight(spectrum, form, x0)) for x0 in outliers]
        if spectrum.atom > 0 and name == "uu":  # B's null space keeps part of u
            atoms.append((spectrum.lam, spectrum.atom * spectrum.delta / kappa))
        result[name] = Measure(a, density * dx, tuple(atoms))
    b_atoms = ((spectrum.lam, spectrum.atom),) if spectrum.atom > 0 else ()
    result["B"] = Measure(a, spectrum.density(a) * dx, b_atoms)
    return result


def _outliers(spectrum: Spectrum, kappa: float) -> list[float]:
    """Real roots of 1 + kappa g_B(x) outside the bulk: above it, and in the gap above B's
    atom at lambda when alpha < 1 (below the whole spectrum g_B > 0: no root)."""
    lo, hi = spectrum.edges
    width = hi - lo

    def gap(x: float) -> float:
        return 1 + kappa * spectrum.stieltjes(x + 0j).real

    roots = []
    edge_above = hi + 1e-12 * max(1.0, hi)
    if gap(edge_above) < 0:
        far = hi + width + kappa + 1.0
        while gap(far) < 0:
            far *= 2
        roots.append(optimize.brentq(gap, edge_above, far, xtol=1e-14))
    if spectrum.atom > 0:
        left, right = spectrum.lam + 1e-12 * max(1.0, lo), lo - 1e-12 * max(1.0, lo)
        if right > left and gap(left) * gap(right) < 0:
            roots.append(optimize.brentq(gap, left, right, xtol=1e-14))
    return roots


def _outlier_weight(spectrum: Spectrum, form, x0: float) -> float:
    """Mass at a pole x0 of form(g_B): minus the residue, from a centred difference."""
    eps = 1e-7 * max(1.0, abs(x0))
    value = form(spectrum.stieltjes(np.array([x0 + 1j * eps]))[0])
    return float(-(value * 1j * eps).real)


def ridge_descent(
    alpha: float,
    delta: float,
    lam: float,
    times: np.ndarray,
    eta: float | None,
    m0: float = 0.0,
    s0: float = 0.0,
    nodes: int = 400,
) -> dict[str, np.ndarray]:
    """m(t) and C(t, t) of gradient descent with step eta (t = eta k), or of gradient flow
    (eta None), on the ridge problem as d -> infinity."""
    mu = measures(Spectrum(alpha, delta, lam), nodes)
    t = np.asarray(times, float)[:, None]

    def decay(a: np.ndarray) -> np.ndarray:
        if eta is None:
            return np.exp(-a * t)
        return (1 - eta * a) ** np.rint(t / eta)

    def grown(a: np.ndarray) -> np.ndarray:
        return (1 - decay(a)) / a

    m = m0 * mu["uu"].integrate(decay) + math.sqrt(alpha) * mu["uv"].integrate(grown)
    q = (
        m0**2 * mu["uu"].integrate(lambda a: decay(a) ** 2)
        + 2 * m0 * math.sqrt(alpha) * mu["uv"].integrate(lambda a: decay(a) * grown(a))
        + alpha * mu["vv"].integrate(lambda a: grown(a) ** 2)
        + s0**2 * mu["B"].integrate(lambda a: decay(a) ** 2)
    )
    return {"t": t[:, 0], "m": m, "q": q}
