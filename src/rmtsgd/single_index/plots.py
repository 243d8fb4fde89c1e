"""Figures of the single-index module (seed 001, arXiv 2510.21020): samples to learn against eta
(`fig_eta`), the collapse of the threshold across d (`fig_collapse`) and the fitted exponents
against the predictions (`fig_exponents`).

Figure functions take the analysed artifacts (already loaded) and return a matplotlib Figure;
`points_of` turns one loaded medians .npz into what they take. A point whose median is undefined
(half or more of its runs censored) is drawn as an open triangle at the budget: a lower bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from rmtsgd.plotting.style import COLUMN_WIDTH, FULL_WIDTH, NEUTRAL, PALETTE, new_figure
from rmtsgd.single_index.analysis import crossover_shape, estimate, exponent_rows

ETA, SAMPLES = r"$\eta$", r"samples to $m \geq m_*$"
_COLOURS = [c for i, c in enumerate(PALETTE) if i != 7]  # grey is kept for references
_MARKERS = {"A0": "s", "A1": "^", "A2": "o"}
_RULE_LABEL = {
    "fixed": r"fixed $\gamma$",
    "information": r"$\gamma \propto d^{-3/2}$",
    "theorem": r"$\gamma \propto \max(d^{-3/2}, \eta d^{-1})$",
}
_EXPONENT_LABEL = {
    "plateau_exponent": r"plateau: $T_0 \sim d^{q}$ (A2, $\eta \to 0$ of the fit)",
    "a0_exponent": r"A0: samples $\sim d^{q}$",
    "threshold_exponent": r"threshold: $\eta_c \sim d^{-r}$",
    "large_eta_exponent": r"large $\eta$: samples$/\ln d \sim d^{q}$",
    "a1_exponent": r"A1, fixed $\eta$: samples$/\ln d \sim d^{q}$",
}


def points_of(medians: Mapping) -> dict:
    """Median, bootstrap error and counts of every eta of one (curve, d) medians .npz."""
    table = estimate(medians["medians"])
    value = np.asarray(table["value"], dtype=float)
    return {
        "d": int(medians["d"]),
        "eta": np.asarray(medians["eta"], dtype=float),
        "median": value,
        "error": np.asarray(table["error"], dtype=float),
        "defined": np.isfinite(value),
        "budget": int(medians["budget"]),
        "hit_fraction": np.asarray(medians["hit_fraction"], dtype=float),
    }


def curve_label(curve: Mapping) -> str:
    return f"{curve['algorithm']}, {_RULE_LABEL[curve['rule']]}"


def _draw_points(ax: Axes, x, points: Mapping, colour, marker: str, scale=1.0, label=None, ls="-"):
    """Defined medians with error bars; undefined ones as open triangles at the budget."""
    x = np.asarray(x, dtype=float)
    ok = points["defined"]
    ax.errorbar(
        x[ok],
        points["median"][ok] * scale,
        yerr=np.nan_to_num(points["error"][ok]) * scale,
        color=colour,
        marker=marker,
        ms=3.5,
        ls=ls,
        lw=1.0,
        elinewidth=0.8,
        label=label,
    )
    if (~ok).any():
        budget = np.full((~ok).sum(), points["budget"] * scale)
        ax.plot(x[~ok], budget, ls="none", marker="^", mfc="none", color=colour, ms=4.5)


def fig_eta(curves: Sequence[Mapping], d: int) -> Figure:
    """Samples to learn against eta at one d, one line per curve, eta = 0 in a narrow left
    panel; dashed levels at d^2 and d."""
    fig = new_figure(FULL_WIDTH * 0.62, 3.0)
    ax0, ax = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 7]})
    for k, curve in enumerate(curves):
        colour, marker = _COLOURS[k % len(_COLOURS)], _MARKERS[curve["algorithm"]]
        points = curve["points"]
        zero = points["eta"] == 0
        if zero.any():
            at_zero = {key: np.asarray(v)[zero] if np.ndim(v) else v for key, v in points.items()}
            _draw_points(ax0, [k], at_zero, colour, marker)
        positive = {key: np.asarray(v)[~zero] if np.ndim(v) else v for key, v in points.items()}
        _draw_points(ax, positive["eta"], positive, colour, marker, label=curve_label(curve))
    for level, text in ((d * d, r"$d^2$"), (d, r"$d$")):
        for ax_ in (ax0, ax):
            ax_.axhline(level, color=NEUTRAL, ls="--", lw=0.8, zorder=0)
        ax.text(1.01, level, text, transform=ax.get_yaxis_transform(), va="center", fontsize=7.5)
    ax0.set_yscale("log")
    ax.set_xscale("log")
    ax0.set_xlim(-0.8, len(curves) - 0.2)
    ax0.set_xticks([(len(curves) - 1) / 2], ["0"])
    ax0.set(ylabel=SAMPLES)
    ax.set(xlabel=ETA, title=rf"$d = {d}$")
    ax.tick_params(labelleft=False)
    ax.legend(loc="lower left", fontsize=6.5)
    return fig


def fig_collapse(points: Sequence[Mapping], crossover: Mapping) -> Figure:
    """Samples / d^2 against eta d^{1/2} for every d of one curve, with each d's crossover fit
    (solid over the fitted range, dashed beyond) and its eta = 0 plateau (dotted); triangles on
    the top edge mark eta_c d^{1/2}."""
    fig = new_figure(COLUMN_WIDTH, 2.8)
    ax = fig.subplots()
    knees, plateaus = crossover["eta_c"]["value"], crossover["plateau"]["value"]
    for k, row in enumerate(points):
        colour, d = _COLOURS[k % len(_COLOURS)], row["d"]
        zero = row["eta"] == 0
        positive = {key: np.asarray(v)[~zero] if np.ndim(v) else v for key, v in row.items()}
        x = positive["eta"] * np.sqrt(d)
        _draw_points(ax, x, positive, colour, "o", d**-2.0, rf"$d = {d}$", ls="none")
        if zero.any() and row["defined"][zero][0]:
            ax.axhline(row["median"][zero][0] / d**2, color=colour, ls=":", lw=0.9, zorder=0)
        knee, plateau = knees[k], plateaus[k]
        if knee is None or plateau is None:
            continue
        eta = np.geomspace(positive["eta"].min(), positive["eta"].max(), 200)
        fitted = plateau * crossover_shape(eta / knee, crossover["rho"][k]) / d**2
        inside = eta <= crossover["max_eta"]
        ax.plot(eta[inside] * np.sqrt(d), fitted[inside], color=colour, lw=0.8, zorder=1)
        ax.plot(eta[~inside] * np.sqrt(d), fitted[~inside], color=colour, lw=0.8, ls="--")
        ax.plot(
            [knee * np.sqrt(d)],
            [1.0],
            marker="v",
            color=colour,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
        )
    ax.set(xscale="log", yscale="log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.set(xlabel=r"$\eta\, d^{1/2}$", ylabel=r"samples$/d^2$")
    handles = ax.get_legend_handles_labels()[0] + [
        Line2D([], [], color="k", lw=0.8, label="crossover fit"),
        Line2D([], [], color="k", ls=":", lw=0.9, label=r"$\eta = 0$"),
        Line2D([], [], color="k", ls="none", marker="v", label=r"$\eta_c d^{1/2}$"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=6.5)
    return fig


def fig_exponents(fitted: Mapping, claims_cfg: Mapping) -> Figure:
    """Each fitted exponent minus its prediction with its bootstrap error (1 and z sigma), the
    claim's tolerance shaded; the values themselves are written beside the points."""
    rows = exponent_rows(fitted)
    fig = new_figure(COLUMN_WIDTH * 1.5, 0.9 + 0.38 * len(rows))
    ax = fig.subplots()
    z = float(claims_cfg["z"])
    for i, row in enumerate(rows):
        y = len(rows) - 1 - i
        fit, kind = row["fit"], row["kind"]
        tolerance = float(claims_cfg[kind]["tolerance"])
        ax.fill_betweenx([y - 0.3, y + 0.3], -tolerance, tolerance, color=NEUTRAL, alpha=0.25, lw=0)
        value, error = fit["value"], fit["error"]
        skipped = kind in claims_cfg["skip"]
        if value is None or not np.isfinite(value):
            ax.text(0, y, "undefined", ha="center", va="center", fontsize=7)
            continue
        delta, err = value - row["prediction"], error if error is not None else np.nan
        colour = NEUTRAL if skipped else PALETTE[0]
        ax.errorbar(delta, y, xerr=z * err, color=colour, lw=0.6, capsize=0)
        ax.errorbar(delta, y, xerr=err, color=colour, marker="o", ms=4, elinewidth=1.4)
        note = rf"${value:.3f} \pm {err:.3f}$ vs ${row['prediction']:g}$"
        ax.text(
            1.02,
            y,
            note + (" (skipped)" if skipped else ""),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=6.5,
        )
    ax.axvline(0.0, color="k", lw=0.8)
    labels = [
        _EXPONENT_LABEL.get(row["name"], rf"slope in $\eta$: {row['fit']['curve']}") for row in rows
    ]
    ax.set_yticks(range(len(rows) - 1, -1, -1), labels, fontsize=7)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("fitted $-$ predicted")
    return fig
