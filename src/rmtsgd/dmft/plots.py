"""Figures of the DMFT module (seed 003): learning curves, DMFT lines over simulation points
(`fig_curves`, for two and three clusters), convergence of the simulations to the DMFT as d
grows (`fig_convergence`), and the spec's checks (`fig_checks`).

Figure functions take loaded artifacts (solutions and simulations as dicts of arrays, the
analysis summary as a dict) and return a matplotlib Figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmtsgd.dmft.analysis import mean_and_error
from rmtsgd.plotting.common import pm
from rmtsgd.plotting.style import FULL_WIDTH, NEUTRAL, PALETTE, new_figure

_COLOURS = [c for i, c in enumerate(PALETTE) if i != 7]
_LABELS = {
    "train_loss": "training loss",
    "train_error": "training error",
    "test_error": "test error",
}
SIM_POINTS = 12  # simulation points drawn per curve (every step is simulated and compared)


def curve_label(curve: Mapping, eta: float) -> str:
    """GD, plain SGD or persistent SGD, with b and tau."""
    b, tau = curve["b"], curve["tau"]
    if b == 1:
        return "GD ($b = 1$)"
    if abs(tau - eta / b) <= 1e-12 * tau:
        return rf"SGD ($b = {b:g}$, $\tau = \eta/b$)"
    return rf"persistent ($b = {b:g}$, $\tau = {tau:g}$)"


def _band(ax: Axes, t, values, colour, label=None) -> None:
    mean, error = mean_and_error(values)
    ax.plot(t, mean, color=colour, lw=1.1, label=label)
    ax.fill_between(t, mean - error, mean + error, color=colour, alpha=0.25, lw=0)


def _points(ax: Axes, t, values, colour) -> None:
    mean, error = mean_and_error(values)
    every = max(1, (len(t) - 1) // SIM_POINTS)
    pick = slice(0, None, every)
    ax.errorbar(
        t[pick],
        mean[pick],
        yerr=error[pick],
        color=colour,
        ls="none",
        marker="o",
        ms=2.5,
        mfc="white",
        elinewidth=0.7,
    )


def fig_curves(curves: Sequence[Mapping], d: int) -> Figure:
    """Training loss, training error and test error against t: DMFT (lines, band = Monte-Carlo
    error over groups) and simulations at dimension d (points, mean +- error over systems).

    curves: dicts with 'curve' (its config: b, tau), 'solution' and 'simulation'.
    """
    fig = new_figure(FULL_WIDTH, 2.9)
    axes = fig.subplots(1, 3)
    for colour, item in zip(_COLOURS, curves, strict=False):
        solution, simulation = item["solution"], item["simulation"]
        t = np.asarray(solution["t"])
        eta = float(t[1] - t[0])
        for ax, key in zip(axes, _LABELS, strict=True):
            _band(ax, t, solution[key], colour, curve_label(item["curve"], eta))
            _points(ax, np.asarray(simulation["t"]), simulation[key], colour)
    for ax, key in zip(axes, _LABELS, strict=True):
        ax.set_xlabel("$t$")
        ax.set_ylabel(_LABELS[key])
    axes[0].plot([], [], ls="none", marker="o", mfc="white", color=NEUTRAL, label=f"$d = {d}$")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return fig


def fig_convergence(summary: Mapping) -> Figure:
    """Left: RMS gap of single systems to the DMFT against d, with the fitted power law and
    d^(-1/2); right: the ensemble's mean gap (its finite-d bias) with its error."""
    conv = summary["convergence"]
    dims = np.asarray(conv["dims"], float)
    fig = new_figure(FULL_WIDTH, 2.6)
    left, right = fig.subplots(1, 2)
    left.loglog(dims, conv["rms_gap"], "o", color=_COLOURS[0], label="simulations")
    fit = conv["amplitude"] * dims ** conv["exponent"]
    left.loglog(
        dims,
        fit,
        color=_COLOURS[0],
        lw=1.0,
        label=rf"fit $d^{{p}}$, $p = {pm(conv['exponent'], conv['exponent_error'])}$",
    )
    left.loglog(
        dims, fit[0] * (dims / dims[0]) ** -0.5, color=NEUTRAL, ls="--", lw=0.9, label="$d^{-1/2}$"
    )
    name = _LABELS[conv["observable"]]
    left.set_xlabel("$d$")
    left.set_ylabel(f"RMS gap of the {name}")
    left.set_title(f"'{summary['convergence_curve']}' at $t = {conv['time']:g}$")
    left.legend()
    right.errorbar(
        dims,
        conv["mean_gap"],
        yerr=conv["mean_gap_error"],
        marker="o",
        color=_COLOURS[1],
        ls="none",
        label="mean over systems - DMFT",
    )
    right.axhline(0.0, color=NEUTRAL, lw=0.8)
    right.set_xscale("log")
    right.set_xlabel("$d$")
    right.set_ylabel(f"mean gap of the {name}")
    right.legend()
    return fig


def fig_checks(summary: Mapping, early: Mapping, early_simulation: Mapping) -> Figure:
    """(a) b = 1 square loss: DMFT against the exact Marchenko-Pastur solution (same eta) and
    gradient flow; (b) early times from w(0) = 0: ratios to the laws; (c) the simulated batch
    process's autocorrelation against the chain's and the telegraph law; (d) tau -> 0: RMS gap
    to gradient descent on b x loss against tau."""
    fig = new_figure(FULL_WIDTH, 5.0)
    (a, b), (c, d) = fig.subplots(2, 2)
    _ridge_panel(a, summary["ridge"])
    _early_panel(b, summary["early"], early, early_simulation)
    _batch_panel(c, summary["batch"], summary["batch_curve"])
    _tau_panel(d, summary["tau_limit"])
    return fig


def _ridge_panel(ax: Axes, ridge: Mapping) -> None:
    t = np.asarray(ridge["t"])
    for colour, key, label in ((_COLOURS[0], "m", "m"), (_COLOURS[1], "q", "C(t, t)")):
        row = ridge[key]
        ax.plot(t, row["exact"], color=colour, lw=2.4, alpha=0.45, label=f"${label}$ exact")
        ax.plot(t, row["flow"], color=colour, ls=":", lw=1.0)
        ax.plot(t, row["dmft"], color=colour, ls="--", lw=1.0, label="DMFT")
    ax.plot([], [], color=NEUTRAL, ls=":", lw=1.0, label="gradient flow")
    ax.set_xlabel("$t$")
    ax.set_title("(a) ridge, $b = 1$: exact (Marchenko-Pastur) and DMFT")
    ax.legend(ncols=2)


def _early_panel(ax: Axes, early: Mapping, solution: Mapping, simulation: Mapping) -> None:
    t = np.asarray(solution["t"])
    keep = t > 0
    laws = {"m": early["law_m"] * t[keep], "q": early["law_c"] * t[keep] ** 2}
    for colour, key, label in ((_COLOURS[0], "m", "m"), (_COLOURS[1], "q", "C")):
        _band(
            ax,
            t[keep],
            np.asarray(solution[key])[:, keep] / laws[key],
            colour,
            f"${label}$ / law (DMFT)",
        )
        _points(ax, t[keep], np.asarray(simulation[key])[:, keep] / laws[key], colour)
    ax.axhline(1.0, color=NEUTRAL, lw=0.8)
    ax.axvline(early["fit_until"], color=NEUTRAL, ls=":", lw=0.8)
    ax.set_xlabel("$t$")
    ax.set_title(r"(b) $w(0) = 0$, $t \ll b\tau$: ratio to the early laws")
    ax.legend()


def _batch_panel(ax: Axes, batch: Mapping, curve: str) -> None:
    lags = np.arange(len(batch["measured"]))
    ax.semilogy(
        lags,
        np.clip(batch["measured"], 1e-4, None),
        "o",
        ms=2.5,
        color=_COLOURS[0],
        label="simulated $s$",
    )
    ax.semilogy(lags, batch["exact"], color=_COLOURS[0], lw=1.0, label="chain (exact)")
    steps = batch["correlation_time"]["continuum_steps"]
    ax.semilogy(
        lags,
        np.exp(-lags / steps),
        color=NEUTRAL,
        ls="--",
        lw=0.9,
        label=r"telegraph $e^{-t/(b\tau)}$",
    )
    fraction = batch["fraction"]
    ax.set_ylim(1e-3, 1.5)
    ax.set_xlabel("lag (steps)")
    ax.set_ylabel("autocorrelation of $s$")
    ax.set_title(
        f"(c) '{curve}': mean $s = {pm(fraction['value'], fraction['error'])}$ "
        f"($b = {fraction['reference']:g}$)"
    )
    ax.legend()


def _tau_panel(ax: Axes, tau: Mapping) -> None:
    taus = np.asarray(tau["taus"])
    ax.errorbar(
        taus,
        tau["rms_gap"],
        yerr=tau["rms_gap_error"],
        marker="o",
        ls="none",
        color=_COLOURS[2],
        label="persistent SGD - GD on $b\\times$loss",
    )
    p = tau["exponent"]
    ax.plot(
        taus,
        tau["amplitude"] * taus ** p["value"],
        color=_COLOURS[2],
        lw=1.0,
        label=rf"$\tau^{{p}}$, $p = {pm(p['value'], p['error'])}$",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\tau$")
    ax.set_ylabel(f"RMS gap of {tau['observable'].replace('_', ' ')}")
    ax.set_title(r"(d) $\tau \to 0$ at fixed $b$")
    ax.legend()
