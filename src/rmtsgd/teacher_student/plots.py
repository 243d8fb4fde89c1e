"""Figures of the linear teacher-student module: seed 002 (arXiv 2412.20496) Figs 4 and 5, the
single-layer scans of the PRE paper (Aarts, Lucini, Park, PRE 111 (2025) 015303), and the figure
of an external weight ensemble.

Figure functions take arrays and dicts (the analysed artifacts, already loaded) and return a
matplotlib Figure; the `*_inputs` helpers turn a loaded spectra .npz and a fits dict into them.
Colours: the larger squared singular value x_1 is blue, x_2 orange, in every panel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from rmtsgd.coulomb import semicircle_pair_density, two_species_density, wigner_surmise
from rmtsgd.plotting.common import density_hist, pm
from rmtsgd.plotting.style import FULL_WIDTH, NEUTRAL, PALETTE, new_figure
from rmtsgd.spectra import window_samples
from rmtsgd.teacher_student.analysis import eq22, scan_variable

CASE_LABELS = {
    "eq26": r"$Z$ of Eq. (26)",
    "eq27": r"$Z$ of Eq. (27)",
    "identity": r"$Z = 1$",
    "identity_deterministic": r"$Z = 1$, no noise, $xx^T \to 1$",
}
SCAN_COLOURS = {"batch": PALETTE[0], "lr": PALETTE[3], "eps": PALETTE[2]}
SCAN_LABELS = {"batch": r"$|\mathcal{B}|$ scan", "lr": r"$\alpha$ scan", "eps": r"$\epsilon$ scan"}
SCAN_VARIABLE = r"\sqrt{\alpha\epsilon^2/|\mathcal{B}|}"
RELAXED_RATES = 5.0  # Fig 4 shows each panel until its slowest fitted mode has 5 e-folds behind


def case_label(case: str) -> str:
    return CASE_LABELS.get(case, case.replace("_", " "))


# --------------------------------------------------------------------------- Fig 4


def fig4_panel_inputs(spectrum: Mapping, fit: Mapping, networks: int) -> dict:
    """One Fig 4 panel: x(t) of the first `networks` finite networks, the mean over all finite
    networks, and the Eq 22 fits, up to the epoch where the slowest fitted mode has relaxed."""
    x, epochs = spectrum["x"], np.asarray(spectrum["epochs"])
    finite = np.isfinite(x).all(axis=(1, 2))
    modes = fit["relaxation"]["modes"]
    fit_from = float(fit["relaxation"]["fit_from"])
    slowest = min(m["rate"]["value"] for m in modes)
    t_max = min(epochs[-1], fit_from + RELAXED_RATES / slowest)
    shown = epochs <= t_max
    return {
        "case": fit["case"],
        "epochs": epochs[shown],
        "x": x[finite][:networks][:, shown],
        "mean": x[finite].mean(axis=0)[shown],
        "fits": [{k: m[k]["value"] for k in ("sqrt_kappa", "sqrt_x0", "rate")} for m in modes],
        "fit_from": fit_from,
    }


def _relaxation_panel(ax: Axes, panel: Mapping) -> None:
    epochs = panel["epochs"]
    for i in range(panel["mean"].shape[-1]):
        colour = PALETTE[i]
        ax.plot(epochs, panel["x"][..., i].T, color=colour, lw=0.4, alpha=0.35)
        ax.plot(
            epochs, panel["mean"][:, i], color=colour, lw=1.6, label=rf"$\langle x_{i + 1}\rangle$"
        )
        fit = panel["fits"][i]
        t = epochs[epochs >= panel["fit_from"]]
        ax.plot(t, eq22(t, fit["sqrt_kappa"], fit["sqrt_x0"], fit["rate"]), "k--", lw=0.9)
        ax.text(
            0.97,
            0.95 - 0.09 * i,
            rf"$a_{i + 1} = {fit['rate']:.3g}$",
            transform=ax.transAxes,
            ha="right",
            va="top",
            color=colour,
            fontsize=7,
        )
    ax.set(xlabel="epoch", xlim=(0, epochs[-1]), ylim=(0, None), title=case_label(panel["case"]))


def fig4(panels: Sequence[Mapping]) -> Figure:
    """Seed 002 Fig 4: squared singular values x_i(t) of the student against epoch, one panel per
    Z: single networks thin, the ensemble mean thick, Eq 22 fitted from `fit_from` dashed."""
    fig = new_figure(FULL_WIDTH, 2.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        _relaxation_panel(ax, panel)
    axes[0].set_ylabel(r"$x_i = \xi_i^2$")
    handles = axes[0].get_legend_handles_labels()[0]
    handles.append(Line2D([], [], color="k", ls="--", lw=0.9, label="Eq. (22) fit"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    return fig


# --------------------------------------------------------------------------- Fig 5


def fig5_panel_inputs(spectrum: Mapping, fit: Mapping) -> dict:
    """One Fig 5 panel: the stationary x of both modes pooled, and the fits of the window."""
    stationary = fit["stationary"]
    table = stationary["fits"]
    samples = window_samples(spectrum["x"], spectrum["epochs"], stationary["measure_from"])
    return {
        "case": fit["case"],
        "x": samples.ravel(),
        "one": (table["centre_one"]["value"], table["sigma_one"]["value"]),
        "two": tuple(table[k]["value"] for k in ("centre_two", "sigma1", "sigma2")),
        "delta_aic": (table["delta_aic"]["value"], table["delta_aic"]["error"]),
    }


def _density_panel(ax: Axes, panel: Mapping, bins: int) -> None:
    centre, s1, s2 = panel["two"]
    half = 5.0 * max(s1, s2, panel["one"][1])
    edges = np.linspace(centre - half, centre + half, bins + 1)
    ax.stairs(density_hist(panel["x"], edges), edges, fill=True, color=NEUTRAL, alpha=0.5)
    grid = np.linspace(edges[0], edges[-1], 600)
    ax.plot(grid, semicircle_pair_density(grid, *panel["one"]), color=PALETTE[0], ls="--")
    ax.plot(grid, two_species_density(grid, *panel["two"]), color=PALETTE[3])
    note = (
        rf"$\sigma_1 = {s1:.3g}$, $\sigma_2 = {s2:.3g}$"
        + "\n"
        + rf"$\Delta\mathrm{{AIC}} = {pm(*panel['delta_aic'])}$"
    )
    ax.text(0.03, 0.95, note, transform=ax.transAxes, va="top", fontsize=7)
    ax.set(xlabel=r"$x$", ylim=(0, None), title=case_label(panel["case"]))


def fig5(panels: Sequence[Mapping], bins: int = 80) -> Figure:
    """Seed 002 Fig 5: histogram of the stationary x (both modes), with the maximum-likelihood
    one-species (Eq 11, dashed) and two-species (Eq 32, solid) densities."""
    fig = new_figure(FULL_WIDTH, 2.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        _density_panel(ax, panel, bins)
    axes[0].set_ylabel(r"$\rho(x)$")
    handles = [
        Line2D([], [], color=PALETTE[0], ls="--", label="one species, Eq. (11)"),
        Line2D([], [], color=PALETTE[3], label="two species, Eq. (32)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    return fig


# --------------------------------------------------------------------------- PRE scans


def _scan_rows(fits: Sequence[Mapping], scan: str) -> tuple[np.ndarray, ...]:
    """X, <S>, its error, sqrt(pi) sigma, its error and alpha of one scan's settings."""
    rows = [f for f in fits if scan in f["setting"]["scans"]]
    mode = [f["modes"][0] for f in rows]
    root_pi = np.sqrt(np.pi)
    return (
        np.array([scan_variable(f["setting"]) for f in rows]),
        np.array([m["spacing_mean"]["value"] for m in mode]),
        np.array([m["spacing_mean"]["error"] for m in mode]),
        root_pi * np.array([m["width"]["value"] for m in mode]),
        root_pi * np.array([m["width"]["error"] for m in mode]),
        np.array([f["setting"]["lr"] for f in rows]),
    )


def ts_scans(fits: Sequence[Mapping], summary: Mapping) -> Figure:
    """PRE single layer. Left: <S> (filled) and sqrt(pi) sigma (open) against
    X = sqrt(alpha eps^2/|B|) for the three scans, with each scan's fit <S> = a X. Right: <S>/X,
    which is the slope a wherever the small-noise scaling holds; grey points lie beyond
    alpha = max_lr, outside the fits."""
    fig = new_figure(FULL_WIDTH, 3.0)
    ax_v, ax_r = fig.subplots(1, 2)
    max_lr = summary["max_lr"]
    top = 1.05 * max(scan_variable(f["setting"]) for f in fits)
    for scan, entry in summary["scans"].items():
        colour = SCAN_COLOURS.get(scan, NEUTRAL)
        x, s, s_err, w, w_err, lr = _scan_rows(fits, scan)
        ax_v.errorbar(x, s, s_err, ls="none", marker="o", ms=3.5, color=colour)
        ax_v.errorbar(x, w, w_err, ls="none", marker="s", ms=4.5, mfc="none", color=colour)
        slope = entry["slope_spacing"]["value"]
        ax_v.plot([0, top], [0, slope * top], color=colour, lw=0.9, label=SCAN_LABELS[scan])
        inside = lr <= max_lr
        for keep, face in ((inside, colour), (~inside, NEUTRAL)):
            ax_r.errorbar(
                x[keep],
                s[keep] / x[keep],
                s_err[keep] / x[keep],
                ls="none",
                marker="o",
                ms=3.5,
                color=face,
            )
        ax_r.axhline(slope, color=colour, lw=0.9)
    ax_v.set(xlim=(0, top), ylim=(0, None), xlabel=rf"${SCAN_VARIABLE}$")
    ax_v.set_ylabel(r"$\langle S\rangle$, $\sqrt{\pi}\,\sigma$")
    ax_r.set(xlabel=rf"${SCAN_VARIABLE}$", ylabel=rf"$\langle S\rangle / {SCAN_VARIABLE}$")
    handles = ax_v.get_legend_handles_labels()[0] + [
        Line2D([], [], color="k", ls="none", marker="o", ms=3.5, label=r"$\langle S\rangle$"),
        Line2D([], [], color="k", ls="none", marker="s", mfc="none", label=r"$\sqrt{\pi}\sigma$"),
        Line2D([], [], color=NEUTRAL, ls="none", marker="o", label=rf"$\alpha > {max_lr:g}$"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=6)
    return fig


# --------------------------------------------------------------------------- external


def external_figure(values: np.ndarray, report: Mapping, bins: int = 60) -> Figure:
    """An external ensemble. Left: its singular values with the Eq 11 fit of every degenerate
    pair. Right: the pairs' scaled spacings s = S/<S> against the Wigner surmise."""
    fig = new_figure(FULL_WIDTH, 2.8)
    ax_d, ax_s = fig.subplots(1, 2)
    values = values[np.isfinite(values).all(axis=1)]
    pairs = [m for m in report["modes"] if m["kind"] == "pair"]
    edges = np.linspace(*np.quantile(values, [1e-3, 1 - 1e-3]), bins + 1)
    ax_d.stairs(density_hist(values.ravel(), edges), edges, fill=True, color=NEUTRAL, alpha=0.5)
    grid = np.linspace(edges[0], edges[-1], 600)
    spacings = []
    for k, mode in enumerate(pairs):
        i, j = mode["indices"]
        share = 2 / values.shape[1]  # the pair's share of all values
        centre, width = mode["centre"]["value"], mode["width"]["value"]
        density = share * semicircle_pair_density(grid, centre, width)
        ax_d.plot(grid, density, color=PALETTE[k % len(PALETTE)], label=f"Eq. (11), pair {k + 1}")
        spacing = values[:, i] - values[:, j]
        spacings.append(spacing / spacing.mean())
    ax_d.set(xlabel="singular value", ylabel="density", ylim=(0, None), title=report["name"])
    ax_d.legend(loc="upper right")
    s_edges = np.linspace(0.0, 4.0, 41)
    if spacings:
        pooled = np.concatenate(spacings)
        ax_s.stairs(density_hist(pooled, s_edges), s_edges, color=PALETTE[0], lw=1.2)
    s = np.linspace(0.0, 4.0, 400)
    ax_s.plot(s, wigner_surmise(s), color=PALETTE[3], label="Wigner surmise")
    ax_s.set(xlabel=r"$s = S/\langle S\rangle$", ylabel=r"$P(s)$", xlim=(0, 4), ylim=(0, None))
    ax_s.legend(loc="upper right")
    return fig
