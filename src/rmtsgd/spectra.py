"""From weight matrices to spectra: singular values, the RBM's x = sigma_h^2 xi^2 (lambda =
mu^2 - x), and the grouping of sorted values into single modes and degenerate pairs.

RBM modes are sorted so that lambda ascends (x descends) and matched one to one to the target's
kappa_n, ascending; equal neighbouring kappas form the degenerate pairs of seed 002 Fig 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mode:
    """A single target eigenvalue or a degenerate pair, by its indices in the sorted spectrum."""

    indices: tuple[int, ...]
    kappa: float
    label: str

    @property
    def is_pair(self) -> bool:
        return len(self.indices) == 2


def _finite_matrices(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of matrices with only finite entries, weights with the others set to 0)."""
    finite = np.isfinite(weights).all(axis=(-2, -1))
    return finite, np.where(finite[..., None, None], weights, 0.0)


def singular_values(weights: np.ndarray) -> np.ndarray:
    """Singular values of every matrix (any leading shape), sorted descending.

    Matrices with non-finite weights (diverged replicas) come out as NaN.
    """
    finite, safe = _finite_matrices(weights)
    return np.where(finite[..., None], np.linalg.svd(safe, compute_uv=False), np.nan)


def x_spectrum(weights: np.ndarray, sigma_h: float) -> np.ndarray:
    """x = sigma_h^2 (singular values of W)^2 for any leading shape, sorted descending (NaN for
    non-finite matrices)."""
    return sigma_h**2 * singular_values(weights) ** 2


def left_projections(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Diagonal of U^T A U, U the left singular vectors of W in the order of `singular_values`.

    With A = Z^T Z this is the combination setting the learning rate of each mode in seed 002
    Eq 20-21 (a_i ~ alpha (U_s^T Z^T Z U_s)_ii). NaN for non-finite matrices.
    """
    finite, safe = _finite_matrices(weights)
    left = np.linalg.svd(safe)[0]
    diagonal = np.einsum("...ai,ab,...bi->...i", left, matrix, left)
    return np.where(finite[..., None], diagonal, np.nan)


def target_modes(kappa: np.ndarray, rtol: float = 1e-9) -> list[Mode]:
    """Group an ascending target spectrum into single modes and degenerate pairs."""
    modes, i = [], 0
    while i < len(kappa):
        pair = i + 1 < len(kappa) and np.isclose(kappa[i], kappa[i + 1], rtol=rtol, atol=0.0)
        indices = (i, i + 1) if pair else (i,)
        modes.append(Mode(indices, float(kappa[i]), f"kappa={kappa[i]:.3f}"))
        i += len(indices)
    return modes


def pair_spacing(x: np.ndarray, mode: Mode) -> np.ndarray:
    """Level spacing S = |x_i - x_j| of a degenerate pair (x sorted, so it is a difference)."""
    i, j = mode.indices
    return x[..., i] - x[..., j]


def window_samples(x: np.ndarray, snapshots: np.ndarray, measure_from: int) -> np.ndarray:
    """x[replica, snapshot, mode] of the replicas that never diverged, snapshots in the window."""
    finite = np.isfinite(x).all(axis=(1, 2))
    return x[finite][:, np.asarray(snapshots) >= measure_from]


def group_modes(values: np.ndarray, gap_factor: float) -> list[Mode]:
    """Group sorted values x[..., i] of an ensemble with an unknown target into modes.

    Neighbours i, i+1 form a degenerate pair when their ensemble means differ by less than
    `gap_factor` times the mean of their standard deviations: a pair is held apart only by
    level repulsion (mean gap ~ 2.4 standard deviations for Eq 11), separate modes by their
    targets. `kappa` of each mode is its ensemble mean.
    """
    flat = values.reshape(-1, values.shape[-1])
    flat = flat[np.isfinite(flat).all(axis=1)]
    means, stds = flat.mean(axis=0), flat.std(axis=0)
    modes, i = [], 0
    while i < len(means):
        pair = i + 1 < len(means) and means[i] - means[i + 1] < gap_factor * 0.5 * (
            stds[i] + stds[i + 1]
        )
        indices = (i, i + 1) if pair else (i,)
        centre = float(means[list(indices)].mean())
        modes.append(Mode(indices, centre, f"values {'-'.join(map(str, indices))}"))
        i += len(indices)
    return modes
