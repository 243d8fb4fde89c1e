"""Figure of the single-index slice (issue 15): A2's threshold exponent and the theorem rule's
slope in eta against the d range (one series per c) and against c (one series per d range), with
the prediction and each fit's deterministic-drift limit."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmtsgd.plotting.style import FULL_WIDTH, NEUTRAL, PALETTE, new_figure

_COLOURS = [c for i, c in enumerate(PALETTE) if i != 7]  # grey is kept for references
_YLABEL = {
    "threshold": r"threshold: $r$ of $\eta_c \sim d^{-r}$",
    "theorem": r"theorem rule: slope in $\eta$",
}


def _range_label(window) -> str:
    return f"[{window[0]}, {window[1]}]"


def _series(ax: Axes, x, fits, colour, label: str, offset: float) -> None:
    """Fitted exponents (filled, 1-sigma bars) and their noiseless limits at positions x: the
    drift alone (open circles, dotted) and the mean flow (open squares, dashed)."""
    value = np.array([np.nan if f["value"] is None else f["value"] for f in fits], float)
    error = np.array([np.nan if f["error"] is None else f["error"] for f in fits], float)
    x = np.asarray(x, float) * offset
    ax.errorbar(x, value, yerr=error, color=colour, marker="o", ms=3.5, lw=1, label=label)
    for key, marker, style in (("drift_limit", "o", ":"), ("flow_limit", "s", "--")):
        limit = [f[key] for f in fits]
        ax.plot(x, limit, color=colour, marker=marker, mfc="none", ms=3.5, lw=0.6, ls=style)


def _against_range(ax: Axes, study: Mapping) -> None:
    ranges = study["ranges"]
    cs = sorted({f["c"] for f in study["fits"]})
    for i, c in enumerate(cs):
        fits = [f for w in ranges for f in study["fits"] if f["c"] == c and f["range"] == w]
        shift = 1.0 + 0.04 * (i - (len(cs) - 1) / 2)
        label = f"c = {c:g}" + (" (paper)" if np.isclose(c, study["paper_c"]) else "")
        _series(ax, np.arange(1, len(ranges) + 1), fits, _COLOURS[i], label, shift)
    ax.set_xticks(np.arange(1, len(ranges) + 1), [_range_label(w) for w in ranges])
    ax.set_xlabel("d range of the fit")


def _against_c(ax: Axes, study: Mapping) -> None:
    cs = sorted({f["c"] for f in study["fits"]})
    for i, window in enumerate(study["ranges"]):
        fits = [f for c in cs for f in study["fits"] if f["c"] == c and f["range"] == window]
        shift = 1.0 + 0.06 * (i - (len(study["ranges"]) - 1) / 2)
        _series(ax, cs, fits, _COLOURS[3 + i], f"d in {_range_label(window)}", shift)
    ax.axvline(study["paper_c"], color=NEUTRAL, lw=0.6, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel(r"step-size constant $c$")


def fig_slice(trends: Mapping) -> Figure:
    """Two rows (threshold exponent, theorem slope), two columns (against the d range, against
    c); the prediction as a black line, drift limits as open markers on dotted lines."""
    studies = [name for name in _YLABEL if name in trends]
    fig = new_figure(FULL_WIDTH, 2.4 * len(studies) + 0.3)
    axes = np.atleast_2d(fig.subplots(len(studies), 2, squeeze=False))
    for row, name in zip(axes, studies, strict=True):
        study = trends[name]
        _against_range(row[0], study)
        _against_c(row[1], study)
        for ax in row:
            ax.axhline(study["prediction"], color="k", lw=0.8)
            ax.legend(fontsize=6.5, frameon=False)
        row[0].set_ylabel(_YLABEL[name])
    return fig
