"""Figure of the teacher-student slice (issue 15): U4 of the model-B pair against the window
length, the network count, alpha at fixed alpha/|B| and alpha/|B|, each with its fitted trend,
its extrapolation and the semicircle value -4/27 (Eq 12)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.plotting.common import pm
from rmtsgd.plotting.style import FULL_WIDTH, NEUTRAL, PALETTE, new_figure

MINIBATCH, CONTROL = PALETTE[0], PALETTE[2]


def _values(points) -> tuple[np.ndarray, np.ndarray]:
    return np.array([q["value"] for q in points]), np.array([q["error"] for q in points])


def _semicircle(ax: Axes) -> None:
    ax.axhline(SEMICIRCLE_U4, color=NEUTRAL, ls="--", lw=1.0, label=r"$-4/27$ (Eq. 12)")


def _limit_marker(ax: Axes, x: float, limit: Mapping, label: str) -> None:
    """The extrapolated value, drawn at the axis position of the limit."""
    ax.errorbar(
        [x],
        [limit["value"]],
        [limit["error"]],
        fmt="s",
        color=PALETTE[3],
        ms=4,
        capsize=2,
        label=rf"{label} ${pm(limit['value'], limit['error'])}$",
    )


def _inverse_panel(ax: Axes, trend: Mapping, xlabel: str) -> None:
    """U4 against 1/size with the fit U4 = limit + slope/size and its limit at 1/size = 0."""
    sizes = np.asarray(trend["sizes"], float)
    value, error = _values(trend["u4"])
    ax.errorbar(
        1.0 / sizes,
        value,
        error,
        fmt="o",
        color=MINIBATCH,
        ms=3.5,
        capsize=2,
        label="mini-batch SGD",
    )
    grid = np.linspace(0.0, 1.0 / sizes.min(), 50)
    ax.plot(grid, trend["limit"]["value"] + trend["slope"]["value"] * grid, color=MINIBATCH, lw=0.9)
    _limit_marker(ax, 0.0, trend["limit"], "limit")
    ax.set_xlabel(xlabel)


def _line_panel(ax: Axes, trend: Mapping, xlabel: str) -> None:
    """U4 of independent ensembles against x with the fit U4 = intercept + slope x, extrapolated
    to x = 0."""
    x = np.asarray(trend["x"])
    value, error = _values(trend["u4"])
    ax.errorbar(
        x, value, error, fmt="o", color=MINIBATCH, ms=3.5, capsize=2, label="mini-batch SGD"
    )
    grid = np.linspace(0.0, x.max(), 50)
    ax.plot(
        grid, trend["intercept"]["value"] + trend["slope"]["value"] * grid, color=MINIBATCH, lw=0.9
    )
    _limit_marker(ax, 0.0, trend["intercept"], f"{xlabel}" + r" $\to 0$:")
    ax.set_xlabel(xlabel)


def fig_u4_trends(trends: Mapping) -> Figure:
    """Four panels: window, networks, alpha at fixed alpha/|B| (with the expected-gradient
    controls), alpha/|B| at fixed alpha."""
    fig = new_figure(FULL_WIDTH, 5.2)
    axes = fig.subplots(2, 2, sharey=True)
    base = trends["ensembles"][trends["base"]]
    setting = rf"$\alpha = {base['lr']:g}$, $|\mathcal{{B}}| = {base['batch']}$"
    _inverse_panel(axes[0, 0], trends["window"], "1 / snapshots pooled")
    axes[0, 0].set_title(f"window length ({setting})")
    _inverse_panel(axes[0, 1], trends["networks"], "1 / networks")
    axes[0, 1].set_title(f"ensemble size ({setting})")
    _line_panel(axes[1, 0], trends["alpha"], r"$\alpha$")
    controls = trends["controls"]
    if controls:
        value, error = _values([c["u4"] for c in controls])
        axes[1, 0].errorbar(
            [c["lr"] for c in controls],
            value,
            error,
            fmt="D",
            ms=3.5,
            capsize=2,
            color=CONTROL,
            label=r"expected gradient ($C = 1$)",
        )
    axes[1, 0].set_title(rf"$\alpha$ at $\alpha/|\mathcal{{B}}| = {trends['noise']:g}$")
    _line_panel(axes[1, 1], trends["alpha_over_batch"], r"$\alpha/|\mathcal{B}|$")
    axes[1, 1].set_title(rf"$\alpha/|\mathcal{{B}}|$ at $\alpha = {base['lr']:g}$")
    for ax in axes.flat:
        _semicircle(ax)
        ax.legend(fontsize=6, loc="best")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$U_4$ of the pair")
    return fig
