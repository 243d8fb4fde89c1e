"""Every phase-diagram figure builds from a tiny real run's grid summary and saves as PDF and
PNG."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from pd_tiny import tiny_run

from rmtsgd.phase_diagram.analysis import assemble_grid, point_networks
from rmtsgd.phase_diagram.plots import GRID_FIGURES, grid_coordinates, pd1, pd6
from rmtsgd.plotting.style import save_figure


@pytest.fixture(scope="module")
def run():
    pd, shards = tiny_run()
    return pd, shards, assemble_grid(shards, pd)


def _assert_saved(fig: Figure, tmp_path, name: str) -> None:
    pdf, png = tmp_path / f"{name}.pdf", tmp_path / f"{name}.png"
    save_figure(fig, pdf, png)
    assert pdf.read_bytes().startswith(b"%PDF") and png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("name", sorted(GRID_FIGURES))
def test_grid_figures(run, tmp_path, name):
    _, _, grid = run
    fig = GRID_FIGURES[name](grid, 0.125)
    assert isinstance(fig, Figure) and fig.axes
    _assert_saved(fig, tmp_path, name)


def test_pd1(tmp_path):
    fig = pd1([2.0, 0.5, 0.1])
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 3
    _assert_saved(fig, tmp_path, "pd1")


def test_pd6(run, tmp_path):
    pd, shards, _ = run
    points = {}
    for phase, p in pd["analysis"]["points"].items():
        points[phase] = point_networks(shards, p["eps"], p["sigma_w"])
        points[phase].update(T=p["eps"] / 4, inv_sigma_w=1 / p["sigma_w"])
    fig = pd6(points)
    assert len(fig.axes) == 3
    _assert_saved(fig, tmp_path, "pd6")


def test_heat_map_coordinates(run):
    _, _, grid = run
    u, v = grid_coordinates(grid)
    np.testing.assert_allclose(u, [3.0, -8.0])  # log2(1/sigma_W)
    np.testing.assert_allclose(v, [-5.0, 2.0])  # log2 T
