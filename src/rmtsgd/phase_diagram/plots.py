"""Figures of the phase-diagram module (seed 000, arXiv 2509.01349): pd1 ... pd9 after the
original nine, and a phase map.

Heat maps are drawn over u = log2(1/sigma_W) (horizontal) and v = log2 T (vertical), each grid
point a cell, with ticks labelled by 1/sigma_W and T themselves: contours and boundaries are
interpolated in these log coordinates, as the paper's log axes show them. Figure functions take
the loaded grid.npz (a dict of arrays) and return a Figure; they do no file I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
from matplotlib import colormaps, colors
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rmtsgd.phase_diagram.observables import PHASES, tanh_density
from rmtsgd.plotting.style import COLUMN_WIDTH, FULL_WIDTH, NEUTRAL, PALETTE, new_figure

PAPER_TC = 0.375
"""Ordered/paramagnetic boundary at 1/sigma_W = 8 (spec/phase_diagram.md)."""
VERTICAL = np.sqrt(2.0)
"""Ordered/jammed boundary 1/sigma_W = sqrt 2 of the tanh-density argument."""
JAMMING_Z = 5.0
"""|pre-activation| beyond which tanh is in its jamming regime (tanh' < 2e-4)."""
LINEAR_Z = 0.5
"""|pre-activation| below which tanh(z) = z within 8 %."""
PHASE_COLOURS = {"ordered": PALETTE[0], "paramagnetic": PALETTE[3], "jammed": PALETTE[2]}
INV_SIGMA = r"$1/\sigma_W$"
TEMPERATURE = r"$T = \epsilon/|\mathcal{B}|$"
_LINE = {"color": "k", "lw": 1.0}


# --------------------------------------------------------------------------- helpers


def _power_label(exponent: float) -> str:
    """2^exponent as an integer or a fraction (1/256, 8)."""
    value = Fraction(2.0**exponent).limit_denominator(1 << 20)
    return str(value.numerator) if value.denominator == 1 else f"1/{value.denominator}"


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centres (midpoints, half a step beyond the ends)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - middle[0]], middle, [2 * centres[-1] - middle[-1]]])


def grid_coordinates(grid: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """u = log2(1/sigma_W) per sigma_W column and v = log2 T per eps row."""
    return -np.log2(grid["sigma_w"]), np.log2(grid["temperature"])


def _log2_axes(ax: Axes, u: np.ndarray, v: np.ndarray) -> None:
    """Limits and power-of-two tick labels of a heat map in (u, v)."""
    ue, ve = _edges(np.sort(u)), _edges(np.sort(v))
    ax.set_xlim(ue[0], ue[-1])
    ax.set_ylim(ve[0], ve[-1])
    for axis, centres in ((ax.xaxis, u), (ax.yaxis, v)):
        lo, hi = np.floor(centres.min()), np.ceil(centres.max())
        step = max(1, int(np.ceil((hi - lo) / 6)))
        ticks = np.arange(lo, hi + 1, step)
        axis.set_ticks(ticks, [_power_label(t) for t in ticks])
    ax.set(xlabel=INV_SIGMA, ylabel=TEMPERATURE)


def heatmap(
    ax: Axes,
    grid: Mapping,
    values: np.ndarray,
    label: str,
    norm: colors.Normalize | None = None,
    cmap: str = "viridis",
) -> None:
    """Cells coloured by values (n_eps, n_sigma) over (1/sigma_W, T), with a colour bar."""
    u, v = grid_coordinates(grid)
    cols, rows = np.argsort(u), np.argsort(v)
    shown = np.ma.masked_invalid(np.asarray(values, dtype=float)[np.ix_(rows, cols)])
    mesh = ax.pcolormesh(_edges(u[cols]), _edges(v[rows]), shown, norm=norm, cmap=cmap)
    ax.figure.colorbar(mesh, ax=ax, label=label, pad=0.02)
    _log2_axes(ax, u, v)


def log_norm(values: np.ndarray) -> colors.LogNorm:
    """Log colour scale over the finite positive values."""
    finite = np.asarray(values)[np.isfinite(values) & (np.asarray(values) > 0)]
    return colors.LogNorm(vmin=finite.min(), vmax=finite.max())


def draw_contours(
    ax: Axes, grid: Mapping, levels: Sequence[float], labels: bool = True, colour="w"
) -> None:
    """Contours at `levels` of the share of networks not noise dominated (drift dominated or
    null, rmtsgd.phase_diagram.observables.classify), interpolated in log2 coordinates."""
    u, v = grid_coordinates(grid)
    share = np.asarray(grid["contour_share"], dtype=float)
    if min(share.shape) < 2 or not (share.min() < max(levels) and share.max() > min(levels)):
        return
    cols, rows = np.argsort(u), np.argsort(v)
    styles = ["-", "--", ":"]
    lines = ax.contour(
        u[cols],
        v[rows],
        share[np.ix_(rows, cols)],
        levels=sorted(levels),
        colors=[colour],
        linewidths=1.1,
        linestyles=[styles[i % 3] for i in range(len(levels))],
    )
    if labels:
        ax.clabel(lines, fmt=lambda c: f"{c:g}", fontsize=6)


def draw_vertical(ax: Axes) -> None:
    """The 1/sigma_W = sqrt 2 line."""
    ax.axvline(np.log2(VERTICAL), color="w", ls="-.", lw=1.0)


def draw_tc(ax: Axes, grid: Mapping, tc_sigma_w: float, colour="w") -> None:
    """The paper's Tc = 0.375 (dashed) and the measured Tc of the 1/sigma_W column (star)."""
    ax.axhline(np.log2(PAPER_TC), color=colour, ls="--", lw=1.0)
    measured = float(grid["tc_log2"])
    if np.isfinite(measured):
        ax.plot(-np.log2(tc_sigma_w), measured, marker="*", ms=9, color="w", mec="k", mew=0.6)


def _bands(ax: Axes, x, stats: Mapping[str, np.ndarray], colour, label=None) -> None:
    ax.fill_between(x, stats["p16"], stats["p84"], color=colour, alpha=0.2, lw=0)
    ax.plot(x, stats["median"], color=colour, marker="o", ms=2.5, label=label)


def _stats(grid: Mapping, key: str, index) -> dict[str, np.ndarray]:
    return {s: np.asarray(grid[f"{key}_{s}"])[index] for s in ("median", "p16", "p84")}


def _sigma_colours(n: int) -> np.ndarray:
    """One viridis colour per sigma_W column."""
    return colormaps["viridis"](np.linspace(0.0, 0.95, n))


# --------------------------------------------------------------------------- figures


def pd1(s2_values: Sequence[float]) -> Figure:
    """Fig 1. Left: density of tanh(z), z ~ N(0, s^2), per s^2. Right: tanh(z) and tanh'(z)
    with the linear (|z| < 1/2) and jamming (|z| > 5) regimes shaded."""
    fig = new_figure(FULL_WIDTH, 2.6)
    ax_d, ax_t = fig.subplots(1, 2)
    y = np.linspace(-0.999, 0.999, 801)
    for k, s2 in enumerate(s2_values):
        ax_d.plot(y, tanh_density(y, s2), color=PALETTE[k], label=rf"$s^2 = {s2:g}$")
    ax_d.set(xlabel=r"$\tanh z$", ylabel="density", yscale="log", xlim=(-1, 1))
    ax_d.legend(loc="upper center")
    z = np.linspace(-7, 7, 701)
    ax_t.axvspan(-LINEAR_Z, LINEAR_Z, color=PALETTE[0], alpha=0.15, lw=0, label="linear")
    for side in (-1, 1):
        ax_t.axvspan(side * JAMMING_Z, side * 7, color=PALETTE[3], alpha=0.15, lw=0)
    ax_t.plot([], [], color=PALETTE[3], alpha=0.3, lw=6, label=r"jamming, $|z| > 5$")
    ax_t.plot(z, np.tanh(z), **_LINE, label=r"$\tanh z$")
    ax_t.plot(z, 1 - np.tanh(z) ** 2, color=NEUTRAL, ls="--", label=r"$\tanh' z$")
    ax_t.set(xlabel=r"$z$", xlim=(-7, 7))
    ax_t.legend(loc="upper left")
    return fig


def pd2(grid: Mapping) -> Figure:
    """Fig 2: median final test loss over (1/sigma_W, T), log colour."""
    fig = new_figure(COLUMN_WIDTH + 0.6, 2.9)
    values = grid["test_loss_final_median"]
    heatmap(fig.add_subplot(), grid, values, "test loss (median)", log_norm(values), "magma")
    return fig


def pd3(grid: Mapping) -> Figure:
    """Fig 3: final training loss and gradient norm against T, one curve per sigma_W (median,
    16-84 % band)."""
    fig = new_figure(FULL_WIDTH, 3.0)
    axes = fig.subplots(1, 2)
    temperature = grid["temperature"]
    shades = _sigma_colours(len(grid["sigma_w"]))
    for j, sigma in enumerate(grid["sigma_w"]):
        label = rf"$1/\sigma_W = {_power_label(-np.log2(sigma))}$"
        for ax, key in zip(axes, ("train_loss_final", "grad_norm_final"), strict=True):
            _bands(ax, temperature, _stats(grid, key, (slice(None), j)), shades[j], label)
    axes[0].set(ylabel="final training loss")
    axes[1].set(ylabel="final gradient norm")
    for ax in axes:
        ax.set(xscale="log", yscale="log", xlabel=TEMPERATURE)
        ax.set_xscale("log", base=2)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center", fontsize=6)
    return fig


def pd4(grid: Mapping, tc_sigma_w: float) -> Figure:
    """Fig 4: at one 1/sigma_W, final loss and gradient norm against T (measured and paper Tc
    marked); initial gradient norm against 1/sigma_W (all T pooled), with the sqrt 2 line."""
    fig = new_figure(FULL_WIDTH, 2.6)
    axes = fig.subplots(1, 3)
    j = int(np.flatnonzero(grid["sigma_w"] == tc_sigma_w)[0])
    temperature = grid["temperature"]
    for ax, key, name in zip(
        axes[:2],
        ("train_loss_final", "grad_norm_final"),
        ("final training loss", "final gradient norm"),
        strict=True,
    ):
        _bands(ax, temperature, _stats(grid, key, (slice(None), j)), PALETTE[0])
        ax.axvline(PAPER_TC, color="k", ls="--", lw=0.9, label=rf"paper $T_c = {PAPER_TC}$")
        if np.isfinite(grid["tc_log2"]):
            ax.axvline(2.0 ** grid["tc_log2"], color=PALETTE[3], lw=0.9, label="measured $T_c$")
        ax.set(yscale="log", ylabel=name, xlabel=TEMPERATURE)
        ax.set_xscale("log", base=2)
        ax.set_title(rf"$1/\sigma_W = {_power_label(-np.log2(tc_sigma_w))}$")
    axes[0].legend(loc="upper left")
    initial = np.asarray(grid["grad_norm_initial"])  # (n_eps, n_sigma, networks)
    pooled = np.moveaxis(initial, 1, 0).reshape(initial.shape[1], -1)
    low, mid, high = np.nanpercentile(pooled, [16, 50, 84], axis=1)
    _bands(axes[2], 1 / grid["sigma_w"], {"median": mid, "p16": low, "p84": high}, PALETTE[2])
    axes[2].axvline(VERTICAL, color="k", ls="-.", lw=0.9, label=r"$\sqrt{2}$")
    axes[2].set(yscale="log", xlabel=INV_SIGMA, ylabel="initial gradient norm")
    axes[2].set_xscale("log", base=2)
    axes[2].legend(loc="lower right")
    return fig


def pd5(grid: Mapping) -> Figure:
    """Fig 5: heat maps of the overlap q and of the alignment with the field h = Z^T y."""
    fig = new_figure(FULL_WIDTH, 2.9)
    ax_q, ax_a = fig.subplots(1, 2)
    heatmap(ax_q, grid, grid["q_median"], r"overlap $q$ (median)", cmap="cividis")
    heatmap(ax_a, grid, grid["alignment_median"], "alignment (median)", cmap="cividis")
    return fig


def pd6(points: Mapping[str, Mapping]) -> Figure:
    """Fig 6: x(t), every eigenvalue of W W^T (median over networks), at one point of each
    phase, with the teachers' eigenvalues (dashed; median over the networks' teachers).
    `points` maps a phase to a dict with x (networks, S, K), snapshots, teacher_x
    (networks, K), T and inv_sigma_w."""
    fig = new_figure(FULL_WIDTH, 2.7)
    axes = fig.subplots(1, len(points), sharey=True)
    for ax, (phase, point) in zip(np.atleast_1d(axes), points.items(), strict=True):
        x = np.nanmedian(point["x"], axis=0)  # (S, K)
        epochs = np.asarray(point["snapshots"])
        for xt in np.median(point["teacher_x"], axis=0):
            ax.axhline(xt, color=NEUTRAL, ls="--", lw=0.5, zorder=1)
        for k in range(x.shape[1]):
            ax.plot(epochs, x[:, k], color=PHASE_COLOURS[phase], lw=0.9, marker=".", ms=2.5)
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set(yscale="log", xlabel="epoch")
        ax.set_title(
            f"{phase}: $T = {_power_label(np.log2(point['T']))}$, "
            rf"$1/\sigma_W = {_power_label(np.log2(point['inv_sigma_w']))}$"
        )
    np.atleast_1d(axes)[0].set_ylabel(r"$x$ (eigenvalues of $WW^T$)")
    handles = [Line2D([], [], color=NEUTRAL, ls="--", lw=0.8, label="teacher")]
    fig.legend(handles=handles, loc="outside lower center")
    return fig


def pd7(grid: Mapping) -> Figure:
    """Fig 7: mean Lyapunov rate log(<u>_tf/<u>_0)/epochs of the level spacings."""
    fig = new_figure(COLUMN_WIDTH + 0.6, 2.9)
    values = np.asarray(grid["lyapunov_mean"], dtype=float)
    bound = np.nanmax(np.abs(values))
    norm = colors.SymLogNorm(linthresh=bound * 1e-2, vmin=-bound, vmax=bound)
    heatmap(fig.add_subplot(), grid, values, "Lyapunov rate (per epoch)", norm, "RdBu_r")
    return fig


def pd8(grid: Mapping, tc_sigma_w: float) -> Figure:
    """Fig 8: final gradient norm with the Tc line and the classifier's contours."""
    fig = new_figure(COLUMN_WIDTH + 0.9, 3.0)
    ax = fig.add_subplot()
    values = grid["grad_norm_final_median"]
    heatmap(ax, grid, values, "final gradient norm (median)", log_norm(values), "magma")
    draw_tc(ax, grid, tc_sigma_w)
    draw_contours(ax, grid, grid["contour_levels"])
    draw_null_cells(ax, grid)
    return fig


def draw_null_cells(ax: Axes, grid: Mapping, colour="w") -> None:
    """A small open square on each cell where most networks are null for the classifier
    (neither drift nor noise dominated, rmtsgd.phase_diagram.observables.classify)."""
    u, v = grid_coordinates(grid)
    rows, cols = np.nonzero(np.asarray(grid["null_share"]) > 0.5)
    ax.scatter(u[cols], v[rows], marker="s", s=9, facecolors="none", edgecolors=colour, lw=0.6)


def pd9(grid: Mapping) -> Figure:
    """Fig 9: test loss, q, alignment and Lyapunov rate with the classifier's lowest contour and
    the sqrt 2 line."""
    fig = new_figure(FULL_WIDTH, 5.4)
    axes = fig.subplots(2, 2).ravel()
    level = [float(np.min(grid["contour_levels"]))]
    loss = grid["test_loss_final_median"]
    lyapunov = np.asarray(grid["lyapunov_mean"], dtype=float)
    bound = np.nanmax(np.abs(lyapunov))
    panels = [
        (loss, "test loss", log_norm(loss), "magma"),
        (grid["q_median"], r"overlap $q$", None, "cividis"),
        (grid["alignment_median"], "alignment", None, "cividis"),
        (
            lyapunov,
            "Lyapunov rate",
            colors.SymLogNorm(bound * 1e-2, vmin=-bound, vmax=bound),
            "RdBu_r",
        ),
    ]
    for ax, (values, label, norm, cmap) in zip(axes, panels, strict=True):
        heatmap(ax, grid, values, label, norm, cmap)
        draw_contours(ax, grid, level, labels=False)
        draw_vertical(ax)
    return fig


def pd_phase_map(grid: Mapping, tc_sigma_w: float) -> Figure:
    """Phase map: each grid point coloured by its phase
    (rmtsgd.phase_diagram.observables.phase_of), the measured paramagnetic boundary per column,
    the paper's Tc and sqrt 2 lines and the classifier's lowest contour."""
    fig = new_figure(COLUMN_WIDTH + 1.4, 3.2)
    ax = fig.add_subplot()
    u, v = grid_coordinates(grid)
    cols, rows = np.argsort(u), np.argsort(v)
    cmap = colors.ListedColormap([PHASE_COLOURS[p] for p in PHASES])
    phase = np.asarray(grid["phase"], dtype=float)[np.ix_(rows, cols)]
    ax.pcolormesh(_edges(u[cols]), _edges(v[rows]), phase, cmap=cmap, vmin=-0.5, vmax=2.5)
    _log2_axes(ax, u, v)
    boundary = np.asarray(grid["paramagnetic_boundary_log2_t"], dtype=float)
    ax.plot(u, boundary, color="k", marker="o", ms=3, lw=1.0)
    ax.axvline(np.log2(VERTICAL), color="k", ls="-.", lw=0.9)
    draw_tc(ax, grid, tc_sigma_w, colour="k")
    level = float(np.min(grid["contour_levels"]))
    draw_contours(ax, grid, [level], labels=False, colour=NEUTRAL)
    handles = [Patch(color=PHASE_COLOURS[p], label=p) for p in PHASES]
    handles += [
        Line2D([], [], color="k", marker="o", ms=3, label="paramagnetic boundary"),
        Line2D([], [], color="k", ls="--", label=rf"paper $T_c = {PAPER_TC}$"),
        Line2D([], [], color="k", ls="-.", label=r"$1/\sigma_W = \sqrt{2}$"),
        Line2D([], [], color="w", mec="k", marker="*", ls="none", ms=8, label="measured $T_c$"),
        Line2D([], [], color=NEUTRAL, lw=1.1, label=f"classifier {level:g} contour"),
    ]
    fig.legend(handles=handles, loc="outside right center", fontsize=6.5)
    return fig


GRID_FIGURES = {
    "pd2": lambda grid, tc: pd2(grid),
    "pd3": lambda grid, tc: pd3(grid),
    "pd4": pd4,
    "pd5": lambda grid, tc: pd5(grid),
    "pd7": lambda grid, tc: pd7(grid),
    "pd8": pd8,
    "pd9": lambda grid, tc: pd9(grid),
    "pd_phase_map": pd_phase_map,
}
"""Figures drawn from grid.npz alone, called as GRID_FIGURES[name](grid, tc_sigma_w)."""
