"""The one style every figure uses: paper-like sizes, mathtext labels, a colour-blind-safe palette.

A journal column is ~3.4 in wide and a two-panel figure ~7 in. Figures are written as a vector
PDF plus a 200-dpi PNG. The Agg backend is selected on import, so nothing needs a display.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# PDF font subsetting logs every glyph at INFO; keep rule logs readable.
logging.getLogger("fontTools").setLevel(logging.WARNING)

import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

COLUMN_WIDTH = 3.4
"""Width of a single-column figure, inches."""
FULL_WIDTH = 7.0
"""Width of a two-panel (full-width) figure, inches."""
PNG_DPI = 200

PALETTE: list[tuple[float, float, float]] = list(sns.color_palette("colorblind"))
"""Colour-blind-safe palette (seaborn "colorblind"); PALETTE[7] is its neutral grey."""
NEUTRAL = PALETTE[7]

RC_PARAMS = {
    "font.family": "serif",
    "font.serif": ["STIXGeneral", "DejaVu Serif"],
    "mathtext.fontset": "stix",
    "font.size": 8.0,
    "axes.labelsize": 9.0,
    "axes.titlesize": 8.5,
    "legend.fontsize": 7.0,
    "legend.frameon": False,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "axes.linewidth": 0.7,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.0,
    "errorbar.capsize": 1.5,
    "axes.formatter.use_mathtext": False,  # tick labels in the text font (fast); offsets opt in
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "pdf.fonttype": 42,
}


def apply_style() -> None:
    """Set the shared rcParams (idempotent; every figure function calls it first)."""
    matplotlib.rcParams.update(RC_PARAMS)


def new_figure(width: float = FULL_WIDTH, height: float = 2.8) -> Figure:
    """A constrained-layout Figure in the shared style, detached from pyplot (no global state)."""
    apply_style()
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Figure, pdf_path: str | Path, png_path: str | Path) -> None:
    """Write `fig` as a vector PDF and a 200-dpi PNG, creating parent folders.

    The PDF carries no creation date, so re-drawing the same data gives the same file.
    """
    apply_style()
    for path in (pdf_path, png_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(pdf_path, format="pdf", metadata={"CreationDate": None})
    fig.savefig(png_path, format="png", dpi=PNG_DPI)
