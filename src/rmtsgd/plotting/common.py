"""Small helpers shared by the figures of every module."""

from __future__ import annotations

import numpy as np


def pm(value: float, error: float) -> str:
    """value +- error with two significant digits of the error (mathtext)."""
    if not (np.isfinite(error) and error > 0):
        return f"{value:.4g}"
    digits = max(0, 1 - int(np.floor(np.log10(error))))
    return rf"{value:.{digits}f} \pm {error:.{digits}f}"


def density_hist(samples: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Histogram normalised to all samples (samples outside the edges still count in the total)."""
    counts, _ = np.histogram(samples, edges)
    return counts / (len(samples) * np.diff(edges))
