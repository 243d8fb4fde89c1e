"""Power laws fitted in log-log: the scaling exponents every module reports (single-index sample
complexities, DMFT convergence with d and tau)."""

from __future__ import annotations

import numpy as np


def log_defined(y: np.ndarray) -> np.ndarray:
    """log y, NaN where y is undefined (an infinite median) or not positive."""
    y = np.asarray(y, dtype=float)
    return np.log(np.where(np.isfinite(y) & (y > 0), y, np.nan))


def loglog_slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slope of log y against log x along the last axis (NaN if a y is undefined).

    Leading axes of y (bootstrap replicates) are kept.
    """
    lx, ly = np.log(np.asarray(x, dtype=float)), log_defined(y)
    dx = lx - lx.mean()
    return np.sum(dx * (ly - ly.mean(axis=-1, keepdims=True)), axis=-1) / np.sum(dx * dx)


def power_law(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exponent p and amplitude A of y = A x^p by least squares in log-log, along the last
    axis of y (leading axes, e.g. bootstrap replicates or groups, are kept)."""
    p = loglog_slope(x, y)
    log_a = np.mean(log_defined(y), axis=-1) - p * np.mean(np.log(np.asarray(x, float)))
    return p, np.exp(log_a)
