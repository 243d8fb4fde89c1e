"""Figure of the phase-diagram slice study (issue 15): where the boundaries sit against training
time, with the fits in log t extended to the paper's training time. Takes the slice's trend
(`rmtsgd.phase_diagram.slice.slice_trend`, as read back from JSON) and returns a
Figure; no file I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

from rmtsgd.phase_diagram.plots import INV_SIGMA, TEMPERATURE
from rmtsgd.phase_diagram.slice import PAPER_TC, SQRT2_LOG2, read_statistic
from rmtsgd.plotting.style import FULL_WIDTH, NEUTRAL, PALETTE, new_figure


def _trend(ax: Axes, trend: Mapping, name: str, colour, label: str) -> None:
    """One boundary's values per trend epoch (2^log2, bootstrap error bars; undefined epochs
    left out) and its fit in log t from the fit window to the extrapolation epoch."""
    stats = trend["statistics"]
    epochs = np.asarray(trend["epochs"], dtype=float)
    points = [read_statistic(stats, f"{name}@{e}") for e in trend["epochs"]]
    value = np.array([p["value"] for p in points])
    error = np.array([p["error"] for p in points])
    # open markers: the boundary is undefined in more than a tenth of the resamples (no error)
    for known, face in ((np.isfinite(error), colour), (np.isinf(error), "none")):
        shown = np.isfinite(value) & known
        bars = np.where(known, error, 0.0)[shown]
        centre = 2.0 ** value[shown]
        ax.errorbar(
            epochs[shown],
            centre,
            yerr=[centre * (1 - 2.0**-bars), centre * (2.0**bars - 1)],
            fmt="o",
            color=colour,
            mfc=face,
            label=label if face != "none" else None,
        )
    slope, end = (
        read_statistic(stats, f"{name}_slope"),
        read_statistic(stats, f"{name}_extrapolated"),
    )
    if np.isfinite(slope["value"]) and np.isfinite(end["value"]):
        at = float(trend["extrapolate_to"])
        t = np.geomspace(trend["fit_from_epoch"], at, 50)
        ax.plot(t, 2.0 ** (end["value"] + slope["value"] * np.log10(t / at)), color=colour, lw=0.9)
        half = 2.0 ** end["value"] * np.array([1 - 2.0 ** -end["error"], 2.0 ** end["error"] - 1])
        if np.isfinite(half).all():
            ax.errorbar(
                [at], [2.0 ** end["value"]], yerr=half[:, None], fmt="s", mfc="none", color=colour
            )


def boundary_trend(trend: Mapping, inv_sigma_w: float) -> Figure:
    """Left: the ordered/jammed boundary (1/sigma_W) along the lowest-T row against epochs,
    with the sqrt 2 line. Right: Tc and the classifier's crossing in the 1/sigma_W column
    against epochs, with the paper's Tc. Open squares: the fits' values at the paper's
    training time, with their bootstrap errors."""
    fig = new_figure(FULL_WIDTH, 2.8)
    left, right = fig.subplots(1, 2)
    _trend(left, trend, "boundary", PALETTE[2], "ordered/jammed boundary")
    left.axhline(2.0**SQRT2_LOG2, color="k", ls="-.", lw=0.9, label=r"$\sqrt{2}$ (paper)")
    left.set(ylabel=f"boundary {INV_SIGMA}")
    _trend(right, trend, "tc", PALETTE[0], r"$T_c$ ($\bar x$ reaches the teacher's)")
    _trend(right, trend, "classifier", PALETTE[3], f"classifier {trend['level']:g} crossing")
    right.axhline(PAPER_TC, color="k", ls="--", lw=0.9, label=rf"paper $T_c = {PAPER_TC}$")
    right.set(ylabel=f"{TEMPERATURE} at {INV_SIGMA} = {inv_sigma_w:g}")
    for ax in (left, right):
        ax.set(xscale="log", xlabel="epochs")
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_locator(LogLocator(base=2))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.axvline(trend["extrapolate_to"], color=NEUTRAL, lw=0.6, ls=":")
        ax.legend(loc="best")
    return fig
