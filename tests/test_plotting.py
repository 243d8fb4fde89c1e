"""Tests for rmtsgd.plotting: each figure builds from synthetic inputs in the artifact formats and
saves as non-empty PDF and PNG files.

Pair samples come from the exact two-eigenvalue law (Eq 11 / Eq 31): centre c ~ N(0, s^2/2),
spacing S ~ Rayleigh(scale sqrt(2) s), x = c +- S/2; single modes are Gaussian.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.plotting.style import save_figure
from rmtsgd.rbm.plots import (
    closeup_inputs,
    fig2,
    fig2_panel_inputs,
    fig3,
    fig_spacings,
    scaled_spacings,
)
from rmtsgd.spectra import target_modes

MU2, M2, NV = 9.0, 4.0, 10
KAPPA = np.sort(M2 + 2.0 - 2.0 * np.cos(2.0 * np.pi * np.arange(NV) / NV))
MODES = target_modes(KAPPA)
SLOPES = 0.4 + 0.1 * np.arange(len(MODES))  # synthetic widths: sigma_k = SLOPES[k] sqrt(alpha/|B|)
MAX_NOISE = 0.0125
SETTINGS = [(0.1, b, ["batch"]) for b in (4, 8, 32)]
SETTINGS += [(lr, 16, ["lr"]) for lr in (0.01, 0.05)] + [(0.1, 16, ["batch", "lr"])]


def _draw_x(rng: np.random.Generator, noise: float, shape: tuple[int, int]) -> np.ndarray:
    """x[..., mode], sorted descending, every pair from the exact two-eigenvalue law."""
    x = np.empty((*shape, NV))
    for mode, slope in zip(MODES, SLOPES, strict=True):
        sigma = slope * np.sqrt(noise)
        target = MU2 - mode.kappa
        if mode.is_pair:
            centre = target + rng.normal(0.0, sigma / np.sqrt(2.0), shape)
            spacing = rng.rayleigh(np.sqrt(2.0) * sigma, shape)
            x[..., mode.indices[0]] = centre + spacing / 2  # larger x = smaller lambda
            x[..., mode.indices[1]] = centre - spacing / 2
        else:
            x[..., mode.indices[0]] = rng.normal(target, sigma, shape)
    return -np.sort(-x, axis=-1)


def _spectrum(rng: np.random.Generator, lr: float, batch: int) -> dict:
    """A spectra .npz as a dict: 40 replicas (one diverged), 12 snapshots, window from 600."""
    replicas, snapshots = 40, np.arange(100, 1300, 100)
    x = _draw_x(rng, lr / batch, (replicas, len(snapshots)))
    x[3] = np.nan
    return {
        "x": x,
        "snapshots": snapshots,
        "measure_from": np.int64(600),
        "kappa": KAPPA,
        "mu2": np.float64(MU2),
        "lr": np.float64(lr),
        "batch": np.int64(batch),
        "diverged": np.arange(replicas) == 3,
        "diverged_at": np.where(np.arange(replicas) == 3, 500, -1),
        "seeds": np.array([1, 2]),
    }


def _q(value: float, error: float) -> dict:
    return {"value": float(value), "error": float(error)}


def _fit(lr: float, batch: int, scans: list[str]) -> dict:
    """A per-setting fits dict: centres pushed outwards by noise, widths on the sqrt line."""
    noise = lr / batch
    modes = []
    for k, mode in enumerate(MODES):
        sigma = SLOPES[k] * np.sqrt(noise)
        ratio = 1.0 + 2.0 * noise * (mode.kappa - KAPPA.mean()) / KAPPA.mean()
        entry = {
            "index": k,
            "kind": "pair" if mode.is_pair else "single",
            "kappa": mode.kappa,
            "indices": list(mode.indices),
            "centre": _q(MU2 - ratio * mode.kappa, 0.002),
            "width": _q(sigma * (1 - 3 * noise), 0.03 * sigma),
            "centre_ratio": _q(ratio, 0.0005),
            "binder_u4": _q(SEMICIRCLE_U4 if mode.is_pair else 0.0, 0.01),
        }
        if mode.is_pair:
            entry["spacing_mean"] = _q(np.sqrt(np.pi) * sigma * (1 + noise), 0.03 * sigma)
            entry["spacing_ratio"] = _q(1.0 + noise, 0.02)
            for name in ("ks_surmise", "ks_poisson", "ks_semicircle", "ks_gaussian"):
                entry[name] = _q(0.01, 0.005)
            entry["loglik_gain_over_gaussian"] = _q(0.02, 0.005)
        modes.append(entry)
    name = f"lr{lr:g}_B{batch}"
    return {
        "setting": {"name": name, "lr": lr, "batch": batch, "noise": noise, "scans": scans},
        "replicas": {"total": 40, "diverged": 1, "used": 39},
        "window_snapshots": 7,
        "modes": modes,
        "stationarity": {"z": {"0.mean": 0.3}, "max_abs_z": 0.3},
    }


def _summary() -> dict:
    modes = [
        {
            "index": k,
            "kind": "pair" if mode.is_pair else "single",
            "kappa": mode.kappa,
            "slope_lr": _q(SLOPES[k], 0.01),
            "slope_batch": _q(SLOPES[k], 0.01),
            "slope_joint": _q(SLOPES[k] * 0.99, 0.005),
            "width_exponent": _q(0.5, 0.01),
            "centre_ratio_limit": _q(1.0, 0.001),
            "largest_noise_deviation": {"noise": 0.025, "value": -0.07, "error": 0.01},
        }
        for k, mode in enumerate(MODES)
    ]
    return {"max_noise": MAX_NOISE, "modes": modes}


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(20240716)


@pytest.fixture(scope="module")
def spectra(rng) -> list[dict]:
    return [_spectrum(rng, lr, batch) for lr, batch, _ in SETTINGS]


@pytest.fixture(scope="module")
def fits() -> list[dict]:
    return [_fit(lr, batch, scans) for lr, batch, scans in SETTINGS]


def make_fig2(spectra, fits) -> Figure:
    panels = [fig2_panel_inputs(s) for s in spectra[3:]]
    closeup = closeup_inputs(spectra[3], fits[3], pair=2)
    return fig2(panels, KAPPA, MU2, closeup, bins=40)


def make_fig3(fits) -> Figure:
    return fig3(fits, _summary())


def make_spacings(spectra, fits) -> Figure:
    return fig_spacings([scaled_spacings(s) for s in spectra], fits, MAX_NOISE)


def _assert_saved(fig: Figure, tmp_path, name: str) -> None:
    pdf, png = tmp_path / "out" / f"{name}.pdf", tmp_path / "png" / f"{name}.png"
    save_figure(fig, pdf, png)
    assert pdf.stat().st_size > 0 and png.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_inputs_from_spectra(spectra, fits):
    panel = fig2_panel_inputs(spectra[3])
    assert panel["lr"] == 0.01 and panel["batch"] == 16
    assert panel["lambdas"].shape == (39 * 7 * NV,)  # diverged replica and pre-window dropped
    closeup = closeup_inputs(spectra[3], fits[3], pair=2)
    assert closeup["kappa"] == pytest.approx(KAPPA[3])
    assert closeup["x"].shape == (39 * 7 * 2,)
    assert np.mean(closeup["x"]) == pytest.approx(MU2 - KAPPA[3], abs=0.02)
    with pytest.raises(ValueError, match="pair must be"):
        closeup_inputs(spectra[3], fits[3], pair=5)
    s = scaled_spacings(spectra[0])
    assert s.shape == (4 * 39 * 7,) and np.all(s >= 0)
    assert np.mean(s) == pytest.approx(1.0)


def test_fig2(spectra, fits, tmp_path):
    fig = make_fig2(spectra, fits)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3 + 1  # three stacked lambda panels and the close-up
    _assert_saved(fig, tmp_path, "fig2")


def test_fig3(fits, tmp_path):
    fig = make_fig3(fits)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    _assert_saved(fig, tmp_path, "fig3")


def test_fig_spacings(spectra, fits, tmp_path):
    fig = make_spacings(spectra, fits)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    _assert_saved(fig, tmp_path, "spacings")


def test_fig_spacings_rejects_mismatch(spectra, fits):
    with pytest.raises(ValueError, match="spacing arrays"):
        fig_spacings([scaled_spacings(spectra[0])], fits, MAX_NOISE)
    with pytest.raises(ValueError, match="no setting"):
        fig_spacings([scaled_spacings(s) for s in spectra], fits, 1e-6)
