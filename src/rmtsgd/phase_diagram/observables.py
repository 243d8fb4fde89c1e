"""Observables of the tanh teacher-student networks, the Langevin drift-versus-noise classifier
and the phase rule of a grid point (seed 000, spec/phase_diagram.md).

Weights come as W (..., K, L) with any leading shape (networks, snapshots); x are the
eigenvalues of X = W W^T (squared singular values of W), sorted descending as in
`rmtsgd.spectra.x_spectrum`, so index 0 is the largest eigenvalue.

Langevin classifier (Dyson Brownian motion picture). For each test input, the per-sample descent
direction g = -dl/dW moves X by dX = W g^T + g W^T. K = sample mean and V = elementwise sample
variance of dX, both in X's eigenbasis. The spread x_0 - x_{K-1} of the spectrum drifts with
K_t = |K_00| - |K_{K-1,K-1}| and is pushed apart by the level repulsion of both extreme
eigenvalues from every other one; with equal spacings, eigenvalue k places away contributes
V/k, so

    V_t = 2 V_{0,K-1}/(K-1) + sum_{k=1}^{K-2} (V_{0,k} + V_{K-1,K-1-k}) / k.

The original code indexes the second term V_{K-1,K-k}: at k = 1 that is the diagonal
V_{K-1,K-1} (the variance of the smallest eigenvalue's own drift, not a repulsion), and the
distances run one short of the 1/k they are divided by. We use V_{K-1,K-1-k} ("symmetric": the
mirror image of V_{0,k} under relabelling i -> K-1-i, so V_t is invariant under reversing the
order, and no diagonal term enters); `indexing="original"` reproduces the original sum. A
network is drift dominated when K_t / (sqrt(r) (K-1)) >= T V_t / (4 sigma_W^2), T = eps/|B|.

Two versions of V (`noise`): "rotated" is the variance of the rotated samples, var_n(O^T dX_n O),
the variance the Dyson-Brownian picture asks for; "literal" is the authors' notebook:
the elementwise variance in the neuron basis (ddof 0), then rotated as a matrix, O^T var_n(dX_n)
O. The literal V can be negative and its off-diagonal entries change sign with the eigenvectors'
signs, which an eigensolver leaves arbitrary; we fix them (largest component of each eigenvector
positive) so that the literal version is reproducible.

A network whose two sides are both zero within the sampling error of K_t over the test inputs
is neither drift nor noise dominated: `classify` puts it in a third class, "null". Saturated
tanh units pass almost no gradient (jammed, large sigma_W) and a converged network has none, so
there dX nearly vanishes; the noise side is also divided by 4 sigma_W^2, and the plain
inequality would return the sign of an unresolved K_t, a coin flip.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
from scipy import stats

from rmtsgd.phase_diagram.model import Dataset, TanhNet, hidden, loss_and_gradient, outputs
from rmtsgd.spectra import x_spectrum

INDEXINGS = ("symmetric", "original")
CLASSES = ("noise", "drift", "null")  # classifier verdicts (classify)
NOISES = ("rotated", "literal")
SATURATION = 5.0  # |pre-activation| beyond which tanh is in its jamming regime (spec)
PHASES = ("ordered", "paramagnetic", "jammed")


def tanh_density(y: np.ndarray, s2: float) -> np.ndarray:
    """Density of y = tanh(z), z ~ N(0, s2): N(atanh y; 0, s2) / (1 - y^2) on (-1, 1).

    One peak at y = 0 for s2 < 1/2, two peaks towards +-1 for s2 > 1/2.
    """
    y = np.asarray(y, dtype=float)
    return stats.norm.pdf(np.arctanh(y), scale=np.sqrt(s2)) / (1.0 - y * y)


# --------------------------------------------------------------------------- per network


def x_eigenvalues(w: np.ndarray) -> np.ndarray:
    """Eigenvalues x of W W^T, descending, for any leading shape (NaN for non-finite W)."""
    return x_spectrum(w, 1.0)


def test_loss(w: np.ndarray, test: Dataset, z: np.ndarray) -> np.ndarray:
    """Half mean squared error on the test inputs, for weights (..., K, L)."""
    return 0.5 * np.mean((outputs(w, test.features, z) - test.targets) ** 2, axis=-1)


def loss_and_gradient_norm(
    w: np.ndarray, data: Dataset, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch loss and Frobenius norm of its gradient dL/dW over `data`."""
    loss, grad = loss_and_gradient(w, data, z)
    return loss, np.sqrt(np.sum(grad**2, axis=(-2, -1)))


def overlap_q(w_initial: np.ndarray, w_final: np.ndarray, test: Dataset) -> np.ndarray:
    """q = sum_{n,i} phi_i(x_n; t0) phi_i(x_n; tf) / (n_test K)."""
    before, after = hidden(w_initial, test.features), hidden(w_final, test.features)
    return np.mean(before * after, axis=(-2, -1))


def alignment(w: np.ndarray, test: Dataset, z: np.ndarray) -> np.ndarray:
    """Mean over test inputs of h.phi / (|h| |phi|), h = Z^T y_teacher the field on the features.

    Since h is Z scaled by the teacher's output, h/|h| = sign(y_teacher) Z/|Z|.
    """
    phi = hidden(w, test.features)
    field = np.sign(test.targets)[:, None] * (z / np.linalg.norm(z))
    norm = np.linalg.norm(phi, axis=-1)
    cosine = np.sum(field * phi, axis=-1) / np.where(norm > 0, norm, np.nan)
    return np.nanmean(cosine, axis=-1)


def mean_spacing(x: np.ndarray) -> np.ndarray:
    """Mean nearest-neighbour spacing <u> of a sorted spectrum: (x_max - x_min)/(K - 1)."""
    return np.mean(np.abs(np.diff(x, axis=-1)), axis=-1)


def lyapunov_rate(x_initial: np.ndarray, x_final: np.ndarray, epochs: int) -> np.ndarray:
    """log(<u>_tf / <u>_0) / epochs per network, u the level spacings of W W^T."""
    return np.log(mean_spacing(x_final) / mean_spacing(x_initial)) / epochs


# --------------------------------------------------------------------------- classifier


def drift_and_variance(
    w: np.ndarray, test: Dataset, z: np.ndarray, noise: str = "rotated"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues x (descending) of X = W W^T and the mean K and elementwise variance V of
    dX = W g^T + g W^T over the test inputs, in X's eigenbasis; W (N, K, L).

    `noise` "rotated": V is the sample variance (ddof 1) of the rotated dX_n, clipped at 0
    against round-off; "literal": the variance (ddof 0) in the neuron basis, then rotated as a
    matrix (module docstring). dX_n = p_n a_n^T + a_n p_n^T (`_samples`); the moments are sums
    of products over n, so no (N, n, K, K) array is formed.
    """
    if noise not in NOISES:
        raise ValueError(f"unknown noise '{noise}', expected one of {NOISES}")
    x, basis, pre, a = _samples(w, test, z)
    if noise == "rotated":
        mean, second = _moments(pre @ basis, a @ basis)
        n = pre.shape[-2]
        return x, mean, np.maximum((second - mean**2) * n / (n - 1), 0.0)
    mean, second = _moments(pre, a)
    rotate = partial(_rotate, basis=basis)
    return x, rotate(mean), rotate(second - mean**2)


def drift_error(w: np.ndarray, test: Dataset, z: np.ndarray) -> np.ndarray:
    """Standard error of K_t from the spread of its per-input terms: K_t is the mean over the
    test inputs of d_n = s_0 dX_n,00 - s_1 dX_n,(K-1)(K-1) (s the signs of the two means, in
    X's eigenbasis, where dX_n,ii = 2 p'_ni a'_ni), so its error is std(d_n) / sqrt(n)."""
    _, basis, pre, a = _samples(w, test, z)
    diagonal = 2.0 * (pre @ basis) * (a @ basis)  # (N, n, K): dX_n,ii
    signs = np.sign(diagonal.mean(axis=-2))
    d = signs[..., None, 0] * diagonal[..., 0] - signs[..., None, -1] * diagonal[..., -1]
    return np.std(d, axis=-1, ddof=1) / np.sqrt(d.shape[-1])


def _samples(
    w: np.ndarray, test: Dataset, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x and eigenbasis of W W^T, and p_n = W phi0_n and a_n = -err_n Z (1 - phi_n^2), (N, n, K),
    the two factors of dX_n = p_n a_n^T + a_n p_n^T (g_n = a_n phi0_n^T)."""
    pre = test.features @ np.swapaxes(w, -1, -2)  # (N, n, K)
    phi = np.tanh(pre)
    err = phi @ z - test.targets  # (N, n)
    x, basis = eigenbasis(w @ np.swapaxes(w, -1, -2))
    return x, basis, pre, -err[..., None] * z * (1.0 - phi**2)


def eigenbasis(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors (columns) of symmetric matrices, each
    eigenvector's sign fixed so that its largest-magnitude component is positive."""
    x, basis = np.linalg.eigh(matrix)
    x, basis = x[..., ::-1], basis[..., ::-1]
    largest = np.take_along_axis(basis, np.argmax(np.abs(basis), axis=-2)[..., None, :], -2)
    return x, basis * np.where(largest < 0, -1.0, 1.0)


def _moments(p: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and elementwise second moment over n of dX_n = p_n a_n^T + a_n p_n^T, p, a (N, n, K)."""
    n = p.shape[-2]
    pa = np.swapaxes(p, -1, -2) @ a / n  # <p_i a_j>
    mean = pa + np.swapaxes(pa, -1, -2)
    pp, aa = np.swapaxes(p**2, -1, -2), np.swapaxes(a**2, -1, -2)
    pq = np.swapaxes(p * a, -1, -2)
    return mean, (pp @ a**2 + aa @ p**2 + 2.0 * pq @ (p * a)) / n


def _rotate(matrix: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """O^T M O."""
    return np.swapaxes(basis, -1, -2) @ matrix @ basis


def drift_term(mean: np.ndarray) -> np.ndarray:
    """K_t = |K_00| - |K_{K-1,K-1}| (index 0: largest eigenvalue)."""
    return np.abs(mean[..., 0, 0]) - np.abs(mean[..., -1, -1])


def repulsion_term(variance: np.ndarray, indexing: str = "symmetric") -> np.ndarray:
    """V_t of the module docstring; `indexing="original"` uses V_{K-1,K-k} instead."""
    if indexing not in INDEXINGS:
        raise ValueError(f"unknown indexing '{indexing}', expected one of {INDEXINGS}")
    size = variance.shape[-1]
    k = np.arange(1, size - 1)
    partner = size - 1 - k if indexing == "symmetric" else size - k
    near_top = variance[..., 0, k]
    near_bottom = variance[..., size - 1, partner]
    return 2.0 * variance[..., 0, size - 1] / (size - 1) + np.sum(
        (near_top + near_bottom) / k, axis=-1
    )


def drift_dominated(
    drift: np.ndarray,
    repulsion: np.ndarray,
    temperature: np.ndarray,
    sigma_w: np.ndarray,
    ratio: float,
    size: int,
) -> np.ndarray:
    """K_t / (sqrt(r) (K-1)) >= T V_t / (4 sigma_W^2), elementwise."""
    lhs = drift / (np.sqrt(ratio) * (size - 1))
    return lhs >= temperature * repulsion / (4.0 * sigma_w**2)


def classify(
    drift: np.ndarray,
    error: np.ndarray,
    repulsion: np.ndarray,
    temperature: np.ndarray,
    sigma_w: np.ndarray,
    net: TanhNet,
    null_z: float,
) -> np.ndarray:
    """Index into CLASSES per network: "null" when both sides of the drift-versus-noise
    inequality lie within null_z standard errors of the drift side (`drift_error`) of zero,
    else "drift" or "noise" by `drift_dominated`. A null network does not move measurably on
    the test inputs (a converged or a saturated network), and its verdict would be the sign of
    an unresolved K_t. A diverged network (NaN) is "noise"."""
    scale = np.sqrt(net.ratio) * (net.hidden - 1)
    resolution = null_z * error / scale
    noise_side = temperature * repulsion / (4.0 * sigma_w**2)
    null = (np.abs(drift / scale) < resolution) & (np.abs(noise_side) < resolution)
    verdict = drift_dominated(drift, repulsion, temperature, sigma_w, net.ratio, net.hidden)
    return np.where(null, 2, np.where(verdict, 1, 0))


def saturated_share(w: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Share of (input, hidden unit) pairs with |pre-activation| = |W phi0| > SATURATION."""
    return np.mean(np.abs(features @ np.swapaxes(w, -1, -2)) > SATURATION, axis=(-2, -1))


# --------------------------------------------------------------------------- per grid point


_HUGE = 1e300  # stands in for +inf (diverged networks) while percentiles interpolate


def band(values: np.ndarray, axis: int = -1) -> dict[str, np.ndarray]:
    """Median and 16th / 84th percentiles, ignoring NaN. +inf (a diverged network) counts as
    larger than any value, and a percentile interpolated towards it is +inf."""
    finite = np.where(np.isposinf(values), _HUGE, values)
    stats = np.nanpercentile(finite, [16.0, 50.0, 84.0], axis=axis)
    low, median, high = np.where(stats >= _HUGE * 1e-10, np.inf, stats)
    return {"median": median, "p16": low, "p84": high}


def phase_of(
    test_loss_median: np.ndarray, excess_median: np.ndarray, rule: Mapping[str, float]
) -> np.ndarray:
    """Phase index (into PHASES) of each grid point from its median observables.

    paramagnetic: x has grown beyond both its start and the teacher's,
    log10(mean x_final / max(mean x_initial, mean x_teacher)) >= rule["paramagnetic_min_excess"];
    else ordered: final test loss <= rule["ordered_max_loss"]; else jammed.
    """
    paramagnetic = excess_median >= rule["paramagnetic_min_excess"]
    ordered = test_loss_median <= rule["ordered_max_loss"]
    return np.where(paramagnetic, 1, np.where(ordered, 0, 2))
