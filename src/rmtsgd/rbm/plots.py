"""Figures of the Gaussian-RBM module: seed 002 (arXiv 2412.20496) Figs 2 and 3 and the level
spacings of the PRE paper (Aarts, Lucini, Park, PRE 111 (2025) 015303).

Figure functions take arrays and dicts (the analysed artifacts, already loaded) and return a
matplotlib Figure; they do no file I/O. The small `*_inputs` helpers turn a loaded spectra .npz
(a dict of arrays) and a per-setting fits dict into what the figure functions take.

Colours identify modes (by their index in the ascending target spectrum, the same in every
figure); markers identify scans: circles for the alpha scan, open squares for the |B| scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from rmtsgd.coulomb import semicircle_pair_density, wigner_surmise
from rmtsgd.plotting.common import density_hist, pm
from rmtsgd.plotting.style import FULL_WIDTH, NEUTRAL, PALETTE, new_figure
from rmtsgd.spectra import pair_spacing, target_modes, window_samples

NOISE = r"\alpha/|\mathcal{B}|"
SCANS = ("lr", "batch")
SCAN_STYLE = {
    "lr": {"marker": "o", "label": r"$\alpha$ scan"},
    "batch": {"marker": "s", "label": r"$|\mathcal{B}|$ scan"},
}
_MODE_COLOURS = [c for i, c in enumerate(PALETTE) if i != 7]  # grey is kept for references
_SHADE = {"color": NEUTRAL, "alpha": 0.18, "lw": 0}


# --------------------------------------------------------------------------- shared helpers


def mode_colour(index: int):
    """Colour of mode `index` (position in the ascending target spectrum), same in all figures."""
    return _MODE_COLOURS[index % len(_MODE_COLOURS)]


def mode_label(kappa: float, kind: str) -> str:
    return rf"$\kappa = {kappa:.2f}$" + (" (pair)" if kind == "pair" else "")


def setting_label(lr: float, batch: int) -> str:
    return rf"$\alpha = {lr:g}$, $|\mathcal{{B}}| = {int(batch)}$"


def _scan_points(ax: Axes, x, y, yerr, colour, scan: str, xerr=None, filled=True) -> None:
    """Error-bar points of one mode and one scan in the shared marker convention."""
    open_ = scan == "batch" or not filled
    ax.errorbar(
        x,
        y,
        yerr=yerr,
        xerr=xerr,
        ls="none",
        color=colour,
        marker=SCAN_STYLE[scan]["marker"],
        ms=4.5 if scan == "batch" else 3.5,
        mfc="none" if open_ else colour,
        mew=0.9,
        elinewidth=0.8,
    )


def _series(fits: Sequence[Mapping], k: int, quantity: str, scan: str) -> tuple[np.ndarray, ...]:
    """alpha/|B|, value and error of mode k's quantity over the settings of one scan."""
    rows = [f for f in fits if scan in f["setting"]["scans"]]
    noise = np.array([f["setting"]["lr"] / f["setting"]["batch"] for f in rows])
    value = np.array([f["modes"][k][quantity]["value"] for f in rows], dtype=float)
    error = np.array([f["modes"][k][quantity]["error"] for f in rows], dtype=float)
    return noise, value, error


def _mode_handles(modes: Sequence[Mapping]) -> list[Line2D]:
    return [
        Line2D(
            [],
            [],
            color=mode_colour(m["index"]),
            marker="o",
            ls="-",
            ms=3.5,
            label=mode_label(m["kappa"], m["kind"]),
        )
        for m in modes
    ]


def _scan_handles() -> list[Line2D]:
    return [
        Line2D(
            [],
            [],
            color="k",
            ls="none",
            marker=s["marker"],
            mfc="k" if n == "lr" else "none",
            label=s["label"],
        )
        for n, s in SCAN_STYLE.items()
    ]


# --------------------------------------------------------------------------- inputs


def lambda_samples(spectrum: Mapping) -> np.ndarray:
    """Learnt lambda = mu^2 - x of every mode, pooled over replicas and window snapshots."""
    x = window_samples(spectrum["x"], spectrum["snapshots"], int(spectrum["measure_from"]))
    return float(spectrum["mu2"]) - x.ravel()


def fig2_panel_inputs(spectrum: Mapping) -> dict:
    """One Fig 2 left panel from a loaded spectra .npz."""
    lr, batch = float(spectrum["lr"]), int(spectrum["batch"])
    return {"lr": lr, "batch": batch, "lambdas": lambda_samples(spectrum)}


def closeup_inputs(spectrum: Mapping, fit: Mapping, pair: int) -> dict:
    """Fig 2 right: x samples and Eq 11 fit of degenerate pair `pair` (1 = smallest kappa)."""
    pairs = sorted((m for m in fit["modes"] if m["kind"] == "pair"), key=lambda m: m["kappa"])
    if not 1 <= pair <= len(pairs):
        raise ValueError(f"pair must be in 1..{len(pairs)}, got {pair}")
    mode = pairs[pair - 1]
    x = window_samples(spectrum["x"], spectrum["snapshots"], int(spectrum["measure_from"]))
    u4 = mode["binder_u4"]
    return {
        "x": x[..., list(mode["indices"])].ravel(),
        "centre": float(mode["centre"]["value"]),
        "sigma": float(mode["width"]["value"]),
        "kappa": float(mode["kappa"]),
        "lr": float(fit["setting"]["lr"]),
        "batch": int(fit["setting"]["batch"]),
        "binder_u4": (float(u4["value"]), float(u4["error"])),
    }


def scaled_spacings(spectrum: Mapping) -> np.ndarray:
    """s = S/<S> of every degenerate pair of one setting (each pair by its own <S>), pooled."""
    x = window_samples(spectrum["x"], spectrum["snapshots"], int(spectrum["measure_from"]))
    scaled = [np.empty(0)]
    for mode in target_modes(np.asarray(spectrum["kappa"])):
        if mode.is_pair:
            spacing = pair_spacing(x, mode).ravel()
            scaled.append(spacing / spacing.mean())
    return np.concatenate(scaled)


# --------------------------------------------------------------------------- Fig 2


def _lambda_edges(samples: Sequence[np.ndarray], kappa: np.ndarray, bins: int) -> np.ndarray:
    """Common bin edges of the stacked panels: all targets and all but extreme outliers."""
    pooled = np.concatenate([np.asarray(s)[np.isfinite(s)] for s in samples])
    lo, hi = np.quantile(pooled, [1e-4, 1 - 1e-4])
    lo, hi = min(lo, kappa.min()), max(hi, kappa.max())
    pad = 0.03 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, bins + 1)


def _lambda_panel(ax: Axes, panel: Mapping, edges: np.ndarray, kappa: np.ndarray) -> None:
    ax.hist(panel["lambdas"], edges, color=PALETTE[0], alpha=0.85, lw=0)
    for k in np.unique(kappa):
        ax.axvline(k, color="k", ls="--", lw=0.7)
    ax.set_ylim(0, 1.15 * ax.get_ylim()[1])
    ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3), useMathText=True)
    targets = np.unique(kappa)
    gap = np.argmax(np.diff(targets)) if len(targets) > 1 else 0
    centre = targets[gap : gap + 2].mean()  # label in the widest gap between the dashed lines
    label = setting_label(panel["lr"], panel["batch"]).replace(", ", "\n")
    box = {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}
    ax.text(
        centre,
        0.9,
        label,
        transform=ax.get_xaxis_transform(),
        va="top",
        ha="center",
        fontsize=7.5,
        bbox=box,
    )


def _closeup_panel(ax: Axes, closeup: Mapping, mu2: float, bins: int) -> None:
    c, sigma = closeup["centre"], closeup["sigma"]
    edges = np.linspace(c - 4.5 * sigma, c + 4.5 * sigma, bins + 1)
    ax.stairs(
        density_hist(closeup["x"], edges),
        edges,
        fill=True,
        color=PALETTE[0],
        alpha=0.45,
        label="RBM",
    )
    grid = np.linspace(edges[0], edges[-1], 400)
    ax.plot(grid, semicircle_pair_density(grid, c, sigma), color=PALETTE[3], label="Eq. (11) fit")
    ax.axvline(mu2 - closeup["kappa"], color="k", ls="--", lw=0.8, label=r"target $\mu^2 - \kappa$")
    ax.set_ylim(0, 1.3 * ax.get_ylim()[1])
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set(xlabel=r"$x = \mu^2 - \lambda$", ylabel=r"$\rho(x)$")
    ax.set_title(
        setting_label(closeup["lr"], closeup["batch"]) + rf", $\kappa = {closeup['kappa']:.3f}$"
    )
    ax.legend(loc="upper left")
    u4 = pm(*closeup["binder_u4"])
    text = rf"$\sigma = {sigma:.3g}$" + "\n" + rf"$U_4 = {u4}$" + "\n" + r"(Eq. 12: $-4/27$)"
    ax.text(
        0.97,
        0.95,
        text,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=7,
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": NEUTRAL, "lw": 0.6},
    )


def fig2(panels: Sequence[Mapping], kappa, mu2: float, closeup: Mapping, bins: int = 60) -> Figure:
    """Seed 002 Fig 2. Left: learnt lambda per learning rate (stacked, shared lambda axis) with
    dashed kappa_n. Right: one degenerate pair's x samples with the Eq 11 fit and the target.
    """
    kappa = np.asarray(kappa, dtype=float)
    fig = new_figure(FULL_WIDTH, 1.1 + 0.8 * max(len(panels), 2))
    outer = fig.add_gridspec(1, 2, width_ratios=[1.25, 1])
    stack = outer[0].subgridspec(len(panels), 1)
    axes: list[Axes] = []
    for i in range(len(panels)):
        axes.append(fig.add_subplot(stack[i], sharex=axes[0] if axes else None))
    edges = _lambda_edges([p["lambdas"] for p in panels], kappa, bins)
    for ax, panel in zip(axes, panels, strict=True):
        _lambda_panel(ax, panel, edges, kappa)
        ax.set_ylabel("counts")
        ax.tick_params(labelbottom=ax is axes[-1])
    axes[-1].set_xlabel(r"$\lambda$")
    _closeup_panel(fig.add_subplot(outer[1]), closeup, mu2, bins)
    return fig


# --------------------------------------------------------------------------- Fig 3


def _claim_shade(ax: Axes, limit: float, right: float) -> None:
    """Shade the range beyond the claims (alpha/|B| > claim_max_noise) and fix the x range."""
    ax.axvspan(limit, right, **_SHADE)
    ax.set_xlim(0, right)


def fig3(fits: Sequence[Mapping], summary: Mapping) -> Figure:
    """Seed 002 Fig 3. Left: lambda_fit/kappa against alpha/|B|. Right: width sigma against
    sqrt(alpha/|B|) with each mode's joint fit sigma = a sqrt(alpha/|B|). Both scans, all modes.
    """
    fig = new_figure(FULL_WIDTH, 3.2)
    ax_c, ax_w = fig.subplots(1, 2)
    max_noise = float(summary["max_noise"])
    top = 1.06 * max(f["setting"]["lr"] / f["setting"]["batch"] for f in fits)
    for entry in summary["modes"]:
        k, colour = entry["index"], mode_colour(entry["index"])
        for scan in SCANS:
            noise, ratio, ratio_err = _series(fits, k, "centre_ratio", scan)
            _scan_points(ax_c, noise, ratio, ratio_err, colour, scan)
            noise, width, width_err = _series(fits, k, "width", scan)
            _scan_points(ax_w, np.sqrt(noise), width, width_err, colour, scan)
        line = np.array([0.0, np.sqrt(top)])
        ax_w.plot(line, entry["slope_joint"]["value"] * line, color=colour, lw=0.9, zorder=1)
    ax_c.axhline(1.0, color="k", lw=0.8, zorder=1)
    _claim_shade(ax_c, max_noise, top)
    _claim_shade(ax_w, np.sqrt(max_noise), np.sqrt(top))
    ax_w.set_ylim(bottom=0)
    ax_c.set(xlabel=rf"${NOISE}$", ylabel=r"$\lambda_{\mathrm{fit}}/\kappa$")
    ax_w.set(xlabel=rf"$\sqrt{{{NOISE}}}$", ylabel=r"$\sigma$")
    ax_w.plot([], [], color="k", lw=0.9, label=rf"$\sigma = a\sqrt{{{NOISE}}}$ (joint fit)")
    extra = [Patch(**_SHADE, label=rf"${NOISE} > {max_noise:g}$ (outside scaling fit)")]
    handles = _mode_handles(summary["modes"]) + _scan_handles()
    handles += ax_w.get_legend_handles_labels()[0] + extra
    fig.legend(handles=handles, loc="outside lower center", ncol=5)
    return fig


# --------------------------------------------------------------------------- level spacings


def _spacing_histogram(ax: Axes, pooled: np.ndarray, bins: int, note: str) -> None:
    edges = np.linspace(0.0, 4.0, bins + 1)
    ax.stairs(density_hist(pooled, edges), edges, color=PALETTE[0], lw=1.2, label="RBM pairs")
    s = np.linspace(0.0, 4.0, 400)
    ax.plot(
        s, wigner_surmise(s), color=PALETTE[3], label=r"Wigner $\frac{\pi}{2}s\,e^{-\pi s^2/4}$"
    )
    ax.plot(s, np.exp(-s), color="k", ls="--", lw=0.9, label=r"Poisson $e^{-s}$")
    ax.set(xlabel=r"$s = S/\langle S\rangle$", ylabel=r"$P(s)$", xlim=(0, 4), ylim=(0, None))
    ax.legend(loc="upper right")
    ax.text(0.97, 0.55, note, transform=ax.transAxes, ha="right", va="top", fontsize=7)


def _spacing_means(ax: Axes, fits: Sequence[Mapping], max_noise: float) -> list[Mapping]:
    """<S> against sqrt(pi) sigma per pair and setting; returns the pair modes drawn."""
    for fit in fits:
        inside = fit["setting"]["lr"] / fit["setting"]["batch"] <= max_noise
        for mode in (m for m in fit["modes"] if m["kind"] == "pair"):
            x, xerr = (
                np.sqrt(np.pi) * mode["width"]["value"],
                np.sqrt(np.pi) * mode["width"]["error"],
            )
            y, yerr = mode["spacing_mean"]["value"], mode["spacing_mean"]["error"]
            _scan_points(
                ax, [x], [y], [yerr], mode_colour(mode["index"]), "lr", xerr=[xerr], filled=inside
            )
    top = 1.08 * max(ax.dataLim.x1, ax.dataLim.y1)
    ax.plot(
        [0, top],
        [0, top],
        color="k",
        lw=0.8,
        zorder=1,
        label=r"$\langle S\rangle = \sqrt{\pi}\,\sigma$",
    )
    ax.set(xlim=(0, top), ylim=(0, top), aspect="equal")
    ax.set(xlabel=r"$\sqrt{\pi}\,\sigma$", ylabel=r"$\langle S\rangle$")
    return [m for m in fits[0]["modes"] if m["kind"] == "pair"]


def fig_spacings(
    spacings: Sequence[np.ndarray], fits: Sequence[Mapping], max_noise: float, bins: int = 40
) -> Figure:
    """PRE level spacings. Left: pooled s = S/<S> of all pairs at alpha/|B| <= max_noise against
    the Wigner surmise and the Poisson law. Right: <S> against sqrt(pi) sigma, every pair/setting.

    `spacings` holds one 1-D array per setting, in the order of `fits` (each setting's pairs
    pooled, each pair already scaled by its own mean spacing; see `scaled_spacings`).
    """
    if len(spacings) != len(fits):
        raise ValueError(f"{len(spacings)} spacing arrays for {len(fits)} fits")
    inside = [f["setting"]["lr"] / f["setting"]["batch"] <= max_noise for f in fits]
    if not any(inside):
        raise ValueError(f"no setting with alpha/|B| <= {max_noise}")
    pooled = np.concatenate([np.asarray(s) for s, ok in zip(spacings, inside, strict=True) if ok])
    fig = new_figure(FULL_WIDTH, 3.0)
    ax_s, ax_m = fig.subplots(1, 2)
    note = rf"${NOISE} \leq {max_noise:g}$" + f"\n{sum(inside)} settings, {pooled.size} spacings"
    _spacing_histogram(ax_s, pooled, bins, note)
    pairs = _spacing_means(ax_m, fits, max_noise)
    handles = (
        _mode_handles(pairs)
        + [
            Line2D(
                [], [], color="k", ls="none", marker="o", label=rf"${NOISE} \leq {max_noise:g}$"
            ),
            Line2D(
                [],
                [],
                color="k",
                ls="none",
                marker="o",
                mfc="none",
                label=rf"${NOISE} > {max_noise:g}$",
            ),
        ]
        + ax_m.get_legend_handles_labels()[0]
    )
    ax_m.legend(handles=handles, loc="upper left", fontsize=6.5)
    return fig
