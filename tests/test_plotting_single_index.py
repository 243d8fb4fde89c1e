"""The single-index figures build from synthetic inputs in the artifact formats and save as
non-empty PDF and PNG files; undefined medians and skipped claims are drawn, not dropped."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from rmtsgd.plotting.style import save_figure
from rmtsgd.single_index.analysis import CurveMedians, exponents, point_counts, point_medians
from rmtsgd.single_index.model import SingleIndexModel
from rmtsgd.single_index.plots import fig_collapse, fig_eta, fig_exponents, points_of

MODEL = SingleIndexModel()
DIMS, ETAS = [25, 50, 100], np.array([0.0, 1e-3, 4e-3, 1.6e-2, 6.4e-2])


def _medians_file(d, etas, rng, censor_last=False, runs=64):
    """A loaded medians .npz of one (curve, d): plateau d^2, falling as 1/eta above 0.05/sqrt d."""
    law = d**2 / (1.0 + etas * np.sqrt(d) / 0.05)
    samples = rng.exponential(law[:, None] / np.log(2.0), size=(len(etas), runs)).astype(int)
    hit = np.ones_like(samples, dtype=bool)
    if censor_last:
        hit[-1, : runs // 2 + 1] = False
    final = np.where(hit, 0.5, 0.1)
    return {
        "medians": point_medians(samples, hit, 50, rng),
        **point_counts(hit, np.zeros_like(hit), final),
        "eta": etas,
        "gamma": np.full(len(etas), 1e-5),
        "d": np.int64(d),
        "budget": np.int64(20 * d * d),
    }


@pytest.fixture
def loaded():
    rng = np.random.default_rng(0)
    return {d: _medians_file(d, ETAS, rng, censor_last=d == 25) for d in DIMS}


def _save(fig: Figure, tmp_path, name: str) -> None:
    assert isinstance(fig, Figure)
    save_figure(fig, tmp_path / f"{name}.pdf", tmp_path / f"{name}.png")
    for ext in ("pdf", "png"):
        assert (tmp_path / f"{name}.{ext}").stat().st_size > 1000


def test_points_of_marks_undefined_medians(loaded):
    points = points_of(loaded[25])
    assert points["defined"].tolist() == [True] * 4 + [False]
    assert np.all(points["error"][:4] > 0)


def test_fig_eta(loaded, tmp_path):
    curves = [
        {"algorithm": "A2", "rule": "information", "points": points_of(loaded[25])},
        {"algorithm": "A1", "rule": "fixed", "points": points_of(loaded[25])},
    ]
    _save(fig_eta(curves, 25), tmp_path, "si_eta")


def test_fig_collapse(loaded, tmp_path):
    points = [points_of(loaded[d]) for d in DIMS]
    crossover = {
        "eta_c": {"value": [0.01, None, 0.005]},
        "plateau": {"value": [625.0, None, 1e4]},
        "rho": [0.27, 0.19, 0.13],
        "max_eta": 0.016,
    }
    _save(fig_collapse(points, crossover), tmp_path, "si_collapse")


def test_fig_exponents(loaded, tmp_path):
    medians = np.stack([loaded[d]["medians"] for d in DIMS], axis=1)
    curve = CurveMedians("A2_information", "information", np.array(DIMS), ETAS, medians)
    a0 = CurveMedians("A0_information", "information", np.array(DIMS), ETAS[:1], medians[..., :1])
    analysis = {
        "a0": {"curve": "A0_information"},
        "crossover": {"curve": "A2_information", "max_eta": 0.016},
        "slopes": {"A2_information": [1.6e-2, 6.4e-2]},
        "large_eta": {"curve": "A2_information", "eta": 1.6e-2},
        "a1": {"curve": "A2_information", "eta": 1.6e-2},
    }
    fitted = exponents({"A2_information": curve, "A0_information": a0}, analysis, MODEL)
    claim = {"tolerance": 0.15, "max_error": 0.1}
    kinds = ["plateau_exponent", "a0_exponent", "threshold_exponent", "slope_information"]
    kinds += ["a1_exponent"]
    claims = {"z": 2.0, "skip": ["large_eta_exponent"], "large_eta_exponent": claim}
    claims.update({kind: claim for kind in kinds})
    _save(fig_exponents(fitted, claims), tmp_path, "si_exponents")
