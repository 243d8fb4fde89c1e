"""From weight matrices to the RBM's spectrum: x = sigma_h^2 xi^2 and lambda = mu^2 - x.

Modes are sorted so that lambda ascends (x descends) and matched one to one to the target's
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


def x_spectrum(weights: np.ndarray, sigma_h: float) -> np.ndarray:
    """x = sigma_h^2 (singular values of W)^2 for any leading shape, sorted descending.

    Rows with non-finite weights (diverged replicas) come out as NaN.
    """
    finite = np.isfinite(weights).all(axis=(-2, -1))
    safe = np.where(finite[..., None, None], weights, 0.0)
    x = sigma_h**2 * np.linalg.svd(safe, compute_uv=False) ** 2
    return np.where(finite[..., None], x, np.nan)


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
