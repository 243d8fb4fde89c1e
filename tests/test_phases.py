"""Observables, the Langevin classifier (and its V_{K-1,K-1-k} indexing) and the phase rule, on
hand-built cases with known answers."""

import numpy as np
import pytest
import torch
from scipy import integrate

from rmtsgd.phase_diagram.model import Dataset, TanhNet, draw_teacher, initial_weights, make_dataset
from rmtsgd.phase_diagram.observables import (
    SATURATION,
    alignment,
    band,
    classify,
    drift_and_variance,
    drift_dominated,
    drift_error,
    drift_term,
    eigenbasis,
    loss_and_gradient_norm,
    lyapunov_rate,
    mean_spacing,
    overlap_q,
    phase_of,
    repulsion_term,
    saturated_share,
    tanh_density,
    x_eigenvalues,
)
from rmtsgd.phase_diagram.observables import test_loss as loss_on  # not collected as a test

NET = TanhNet()


@pytest.fixture(scope="module")
def teacher():
    return draw_teacher(NET, 3)


@pytest.fixture(scope="module")
def test_set(teacher):
    return make_dataset(teacher, 128, 4)


# --------------------------------------------------------------------------- tanh density


@pytest.mark.parametrize("s2", [0.1, 0.5, 2.0])
def test_tanh_density_is_normalised(s2):
    total, _ = integrate.quad(lambda y: tanh_density(y, s2), -1, 1, limit=200)
    assert total == pytest.approx(1.0, abs=1e-6)


def test_tanh_density_turns_bimodal_at_half():
    y = np.linspace(-0.99, 0.99, 199)
    for s2, peaks_at_zero in ((0.45, True), (0.55, False)):
        density = tanh_density(y, s2)
        assert (np.argmax(density) == 99) == peaks_at_zero
    rng = np.random.default_rng(0)
    samples = np.tanh(rng.normal(0, np.sqrt(2.0), 200_000))
    counts, edges = np.histogram(samples, bins=40, range=(-0.95, 0.95))
    centres = (edges[1:] + edges[:-1]) / 2
    density = counts / (len(samples) * np.diff(edges))  # normalised to all samples
    np.testing.assert_allclose(density, tanh_density(centres, 2.0), rtol=0.06)


# --------------------------------------------------------------------------- observables


def test_x_eigenvalues_of_known_singular_values():
    u, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(4, 4)))
    v, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(6, 6)))
    s = np.array([0.5, 3.0, 1.0, 2.0])
    w = u @ np.diag(s) @ v[:4]
    np.testing.assert_allclose(x_eigenvalues(w), [9.0, 4.0, 1.0, 0.25])
    assert np.isnan(x_eigenvalues(np.full((4, 6), np.nan))).all()


def test_losses_of_the_teacher_vanish_and_the_gradient_norm_matches_autograd(teacher, test_set):
    assert loss_on(teacher.w, test_set, teacher.z) == 0.0
    w = initial_weights(NET, [1.0, 4.0], [5, 6])
    loss, norm = loss_and_gradient_norm(w, test_set, teacher.z)
    weights = torch.tensor(w, requires_grad=True)
    y = torch.tanh(torch.tensor(test_set.features) @ weights.transpose(1, 2)) @ torch.tensor(
        teacher.z
    )
    ref = 0.5 * ((y - torch.tensor(test_set.targets)) ** 2).mean(-1)
    ref.sum().backward()
    np.testing.assert_allclose(loss, ref.detach().numpy())
    np.testing.assert_allclose(norm, weights.grad.flatten(1).norm(dim=1).numpy())
    np.testing.assert_allclose(loss_on(w, test_set, teacher.z), loss)


def _saturating(features: np.ndarray, scale: float = 1e4) -> np.ndarray:
    """W = scale * I (K = L): phi = sign(features) exactly."""
    return scale * np.eye(features.shape[1])


def test_overlap_q_known_cases():
    features = np.array([[1.0, -2.0, 0.5], [-1.0, 1.0, 3.0]])
    test = Dataset(features, np.zeros(2))
    w = _saturating(features)
    assert overlap_q(w, w, test) == pytest.approx(1.0)  # frozen saturated units
    assert overlap_q(w, -w, test) == pytest.approx(-1.0)
    assert overlap_q(np.zeros_like(w), w, test) == 0.0  # nothing to remember from W = 0
    half = np.diag([1e4, 1e4, -1e4])
    assert overlap_q(w, half, test) == pytest.approx(1 / 3)


def test_alignment_known_case():
    """Saturated phi = sign(features); features chosen so that phi_n = sign(t_n) sign(Z): then
    h.phi / (|h||phi|) = |Z|_1 / (|Z|_2 sqrt K) for every n."""
    z = np.array([0.5, -1.0, 2.0])
    targets = np.array([1.3, -0.2, 0.7, -2.0])
    features = np.sign(targets)[:, None] * np.sign(z) * np.array([1.0, 2.0, 3.0])
    expected = np.abs(z).sum() / (np.linalg.norm(z) * np.sqrt(3))
    got = alignment(_saturating(features), Dataset(features, targets), z)
    assert got == pytest.approx(expected)
    flipped = Dataset(features, -targets)  # field reversed: anti-aligned
    assert alignment(_saturating(features), flipped, z) == pytest.approx(-expected)


def test_mean_spacing_and_lyapunov_rate():
    x0 = np.array([[3.0, 2.0, 1.0], [5.0, 4.5, 1.0]])
    x1 = 10.0 * x0
    np.testing.assert_allclose(mean_spacing(x0), [1.0, 2.0])
    np.testing.assert_allclose(lyapunov_rate(x0, x1, 50), np.log(10.0) / 50)
    np.testing.assert_allclose(lyapunov_rate(x0, x0, 50), 0.0)


def test_band_median_and_percentiles_with_infinite_values():
    values = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, np.inf, np.inf]])
    stats = band(values)
    np.testing.assert_allclose(stats["median"], [3.0, 3.0])
    assert stats["p84"][1] == np.inf
    assert np.isfinite(stats["p16"]).all()


# --------------------------------------------------------------------------- classifier


def _per_sample_dx(w: np.ndarray, test: Dataset, z: np.ndarray) -> np.ndarray:
    """dX_n = W g_n^T + g_n W^T per test input with g_n = -dl_n/dW from autograd."""
    weights = torch.tensor(w, requires_grad=True)
    y = torch.tanh(torch.tensor(test.features) @ weights.T) @ torch.tensor(z)
    per_sample = 0.5 * (y - torch.tensor(test.targets)) ** 2
    g = np.stack(
        [
            -torch.autograd.grad(per_sample[n], weights, retain_graph=True)[0].numpy()
            for n in range(len(per_sample))
        ]
    )
    return w @ np.swapaxes(g, 1, 2) + g @ w.T


def _brute_force_moments(w: np.ndarray, test: Dataset, z: np.ndarray):
    """dX_n rotated into the eigenbasis of W W^T (descending), then mean and ddof=1 variance
    over n."""
    dx = _per_sample_dx(w, test, z)
    x, basis = np.linalg.eigh(w @ w.T)
    basis = basis[:, ::-1]
    rotated = basis.T @ dx @ basis
    return x[::-1], rotated.mean(axis=0), rotated.var(axis=0, ddof=1)


def test_drift_and_variance_match_the_per_sample_definition(teacher):
    test = make_dataset(teacher, 24, 9)
    w = initial_weights(NET, [0.5, 2.0], [7, 8])
    x, mean, variance = drift_and_variance(w, test, teacher.z)
    for n in range(2):
        ref_x, ref_mean, ref_var = _brute_force_moments(w[n], test, teacher.z)
        np.testing.assert_allclose(x[n], ref_x, rtol=1e-10)
        # eigenvectors are defined up to sign: |K| and V are sign-free on the diagonal ...
        np.testing.assert_allclose(np.diag(mean[n]), np.diag(ref_mean), atol=1e-12)
        # ... and off the diagonal up to a common sign per row/column pair
        np.testing.assert_allclose(np.abs(mean[n]), np.abs(ref_mean), atol=1e-12)
        np.testing.assert_allclose(variance[n], ref_var, rtol=1e-8, atol=1e-14)


def test_literal_noise_is_the_neuron_basis_variance_rotated(teacher):
    """The notebook's V: np.var over n (ddof 0) of dX_n in the neuron basis, then O^T V O with
    the eigenvectors' signs fixed (largest component positive); it differs from the rotated
    samples' variance, can be negative, and flips sign off the diagonal with an eigenvector."""
    test = make_dataset(teacher, 24, 9)
    w = initial_weights(NET, [1.0], [7])
    _, mean, literal = drift_and_variance(w, test, teacher.z, "literal")
    dx = _per_sample_dx(w[0], test, teacher.z)
    _, basis = eigenbasis(w[0] @ w[0].T)
    np.testing.assert_allclose(literal[0], basis.T @ dx.var(axis=0) @ basis, atol=1e-12)
    np.testing.assert_allclose(mean[0], basis.T @ dx.mean(axis=0) @ basis, atol=1e-12)
    _, _, rotated = drift_and_variance(w, test, teacher.z)
    assert literal.min() < 0 <= rotated.min()
    flipped = basis.copy()
    flipped[:, 3] *= -1
    other = flipped.T @ dx.var(axis=0) @ flipped
    assert np.sign(other[0, 3]) == -np.sign(literal[0, 0, 3])
    with pytest.raises(ValueError, match="unknown noise"):
        drift_and_variance(w, test, teacher.z, "neuron")


def test_eigenbasis_fixes_the_signs():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(3, 5, 5))
    matrix = a @ np.swapaxes(a, 1, 2)
    x, basis = eigenbasis(matrix)
    assert (np.diff(x, axis=-1) <= 0).all()
    np.testing.assert_allclose(matrix @ basis, basis * x[:, None, :], atol=1e-10)
    largest = np.take_along_axis(basis, np.argmax(np.abs(basis), axis=1)[:, None, :], 1)
    assert (largest > 0).all()


def test_drift_error_is_the_standard_error_of_the_per_input_terms(teacher):
    test = make_dataset(teacher, 24, 9)
    w = initial_weights(NET, [0.5, 2.0], [7, 8])
    errors = drift_error(w, test, teacher.z)
    for n in range(2):
        dx = _per_sample_dx(w[n], test, teacher.z)
        _, basis = np.linalg.eigh(w[n] @ w[n].T)
        top, bottom = basis[:, -1], basis[:, 0]
        d_top, d_bottom = top @ dx @ top, bottom @ dx @ bottom  # (n,): dX_n,00 and dX_n,KK
        d = np.sign(d_top.mean()) * d_top - np.sign(d_bottom.mean()) * d_bottom
        assert errors[n] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)), rel=1e-8)
        assert d.mean() == pytest.approx(drift_term(drift_and_variance(w, test, teacher.z)[1])[n])


def test_classify_null_drift_and_noise():
    """K = 16, r = 2: drift side K_t / (15 sqrt 2), noise side T V_t / (4 sigma^2); with a
    standard error of K_t of 15 sqrt 2 the resolution at null_z = 2 is 2."""
    scale = 15 * np.sqrt(2.0)
    drift = np.array([3.0, 1.0, -1.0, 1.0, 1.0, np.nan]) * scale
    repulsion = np.array([4.0, 4.0 * 1.5, 4.0, 4.0 * 3.0, -4.0 * 3.0, 4.0])
    error = np.full(6, scale)
    classes = classify(drift, error, repulsion, 1.0, 1.0, NET, 2.0)
    # drift 3 >= 1; both within 2: null (twice); noise side 3 > drift 1; literal V < 0: drift
    assert classes.tolist() == [1, 2, 2, 0, 1, 0]
    assert classify(drift, error, repulsion, 1.0, 1.0, NET, 0.0).tolist() == [1, 0, 0, 0, 1, 0]


def test_saturated_share():
    features = np.array([[1.0, 0.0], [0.0, 1.0]])
    w = np.array([[2 * SATURATION, 0.0], [0.0, 0.5 * SATURATION]])
    assert saturated_share(w, features) == pytest.approx(0.25)  # 1 of 2 x 2 (input, unit)
    assert saturated_share(np.stack([w, 3 * w]), features).tolist() == [0.25, 0.5]


def test_hand_built_drift_and_variance():
    """K = L = 2, W = diag(0.5, 0.1), Z = (0, 1), both test inputs with phi0 = e_0 and teacher
    outputs t = +1, -1. Then p = W phi0 = (0.5, 0), y = Z phi = 0, err = -t and
    a = -err Z (1 - phi^2) = (0, t): dX = p a^T + a p^T has dX_01 = 0.5 t and zeros elsewhere.
    So K = 0 and V_01 = var(+0.5, -0.5; ddof 1) = 0.5, in the eigenbasis (e_0, e_1) of
    X = diag(0.25, 0.01)."""
    test = Dataset(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, -1.0]))
    w = np.diag([0.5, 0.1])[None]
    x, mean, variance = drift_and_variance(w, test, np.array([0.0, 1.0]))
    np.testing.assert_allclose(x[0], [0.25, 0.01])
    np.testing.assert_allclose(mean[0], 0.0, atol=1e-15)
    np.testing.assert_allclose(variance[0], [[0.0, 0.5], [0.5, 0.0]], atol=1e-15)
    # a common drift: both outputs +1 give dX_01 = 0.5 each, mean 0.5 and no variance
    same = Dataset(test.features, np.array([1.0, 1.0]))
    _, mean, variance = drift_and_variance(w, same, np.array([0.0, 1.0]))
    np.testing.assert_allclose(mean[0], [[0.0, 0.5], [0.5, 0.0]], atol=1e-15)
    np.testing.assert_allclose(variance[0], 0.0, atol=1e-15)


def test_drift_term_uses_the_extreme_eigenvalues():
    mean = np.diag([-3.0, 0.5, 0.2, 1.0])
    assert drift_term(mean) == 2.0  # |K_00| - |K_33|


def _variance(size: int) -> np.ndarray:
    """V_ij = 1 + i + 10 j off the diagonal (asymmetric on purpose), 1000 on the diagonal."""
    i, j = np.indices((size, size))
    v = 1.0 + i + 10.0 * j
    v = (v + v.T) / 2
    np.fill_diagonal(v, 1000.0)
    return v


def test_repulsion_term_symmetric_indexing_by_hand():
    v = _variance(5)
    k = np.arange(1, 4)
    expected = 2 * v[0, 4] / 4 + np.sum((v[0, k] + v[4, 4 - k]) / k)
    assert repulsion_term(v) == pytest.approx(expected)
    original = 2 * v[0, 4] / 4 + np.sum((v[0, k] + v[4, 5 - k]) / k)
    assert repulsion_term(v, "original") == pytest.approx(original)


def test_symmetric_indexing_never_reads_the_diagonal_and_is_order_free():
    v = _variance(16)
    bigger = v + 1e6 * np.eye(16)
    assert repulsion_term(bigger) == repulsion_term(v)
    assert repulsion_term(bigger, "original") > repulsion_term(v, "original") + 1e5  # V_{K-1,K-1}
    reversed_order = v[::-1, ::-1]  # relabel i -> K-1-i
    assert repulsion_term(reversed_order) == pytest.approx(repulsion_term(v))
    assert repulsion_term(reversed_order, "original") != pytest.approx(
        repulsion_term(v, "original")
    )
    with pytest.raises(ValueError, match="unknown indexing"):
        repulsion_term(v, "shifted")


def test_drift_dominated_rule():
    # K_t / (sqrt(2) * 15) against T V_t / (4 sigma^2): 1 >= 1, 1 < 1.01, -1/21 < 0
    drift = np.array([15 * np.sqrt(2.0), 15 * np.sqrt(2.0), -1.0])
    repulsion = np.array([4.0, 4.0, 0.0])
    verdict = drift_dominated(drift, repulsion, np.array([1.0, 1.01, 1.0]), 1.0, 2.0, 16)
    assert verdict.tolist() == [True, False, False]


# --------------------------------------------------------------------------- phase rule


def test_phase_rule():
    rule = {"paramagnetic_min_excess": 0.3, "ordered_max_loss": 1e-4}
    loss = np.array([1e-6, 1e-6, 1e-2, 1e-2])
    excess = np.array([0.0, 0.5, 0.0, np.inf])
    assert phase_of(loss, excess, rule).tolist() == [0, 1, 2, 1]
