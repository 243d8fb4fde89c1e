"""The teacher-student figures build from synthetic artifacts in the pipeline's formats and save as
PDF and PNG."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from rmtsgd.plotting.style import save_figure
from rmtsgd.teacher_student.analysis import eq22
from rmtsgd.teacher_student.plots import (
    external_figure,
    fig4,
    fig4_panel_inputs,
    fig5,
    fig5_panel_inputs,
    ts_scans,
)

EPOCHS = np.concatenate([np.arange(0, 20, 0.5), np.arange(20, 401, 5.0)])


def q(value, error=0.01):
    return {"value": float(value), "error": float(error)}


def relaxing_spectrum(rng, rates=(0.05, 0.02)) -> dict:
    """x[network, snapshot, mode] relaxing by Eq 22 towards 4, with noise; one diverged network."""
    x = np.stack([eq22(EPOCHS, 2.0, s0, a) for s0, a in zip((2.5, 0.5), rates, strict=True)], -1)
    x = x[None] + rng.normal(0, 0.05, (30, len(EPOCHS), 2))
    x[3] = np.nan
    return {"x": x, "epochs": EPOCHS}


def model_a_fit(case, rates=(0.05, 0.02)) -> dict:
    modes = [
        {"rate": q(a), "sqrt_kappa": q(2.0), "sqrt_x0": q(s0)}
        for a, s0 in zip(rates, (2.5, 0.5), strict=True)
    ]
    table = {
        "centre_one": q(4.0),
        "sigma_one": q(0.08),
        "centre_two": q(4.0),
        "sigma1": q(0.09),
        "sigma2": q(0.03),
        "delta_aic": q(160.0, 6.0),
    }
    return {
        "case": case,
        "relaxation": {"fit_from": 2.0, "modes": modes},
        "stationary": {"measure_from": 300.0, "fits": table},
    }


def scan_fits_and_summary():
    fits, scans = [], {}
    for scan, points in {
        "batch": [(0.1, b, 0.1) for b in (4, 16, 64)],
        "lr": [(lr, 16, 0.1) for lr in (0.1, 0.2, 0.5)],
        "eps": [(0.1, 16, e) for e in (0.05, 0.1)],
    }.items():
        for lr, batch, eps in points:
            x = np.sqrt(lr * eps**2 / batch)
            setting = {"name": f"{lr}_{batch}_{eps}", "lr": lr, "batch": batch, "eps": eps}
            mode = {"spacing_mean": q(1.8 * x, 1e-4), "width": q(1.8 * x / np.sqrt(np.pi), 1e-4)}
            fits.append({"setting": {**setting, "scans": [scan]}, "modes": [mode]})
        scans[scan] = {"slope_spacing": q(1.8), "slope_sqrt_pi_sigma": q(1.8)}
    return fits, {"max_lr": 0.2, "scans": scans}


def saved(fig: Figure, tmp_path, name: str) -> None:
    assert isinstance(fig, Figure)
    save_figure(fig, tmp_path / f"{name}.pdf", tmp_path / f"{name}.png")
    assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / f"{name}.png").stat().st_size > 1000


def test_fig4(tmp_path):
    rng = np.random.default_rng(0)
    panels = [
        fig4_panel_inputs(relaxing_spectrum(rng), model_a_fit(case), networks=20)
        for case in ("eq26", "identity")
    ]
    assert panels[0]["x"].shape[0] == 20 and np.isfinite(panels[0]["mean"]).all()
    # shown until the slowest mode (rate 0.02) has 5 e-folds behind it: epoch 2 + 250
    assert panels[0]["epochs"][-1] == pytest.approx(250.0)
    saved(fig4(panels), tmp_path, "fig4")


def test_fig5(tmp_path):
    rng = np.random.default_rng(1)
    epochs = np.arange(220.0, 400, 20)  # the window, epoch >= 300, holds 5 of the 9 snapshots
    spectrum = {"x": 4.0 + rng.normal(0, 0.05, (30, len(epochs), 2)), "epochs": epochs}
    panel = fig5_panel_inputs(spectrum, model_a_fit("eq27"))
    assert panel["x"].size == 30 * 5 * 2
    saved(fig5([panel, panel], bins=30), tmp_path, "fig5")


def test_ts_scans(tmp_path):
    saved(ts_scans(*scan_fits_and_summary()), tmp_path, "ts_scans")


def test_external_figure(tmp_path):
    rng = np.random.default_rng(2)
    values = np.sort(2.0 + rng.normal(0, 0.01, (500, 2)), axis=1)[:, ::-1]
    report = {
        "name": "authors_bs16",
        "modes": [{"kind": "pair", "indices": [0, 1], "centre": q(2.0), "width": q(0.01)}],
    }
    saved(external_figure(values, report, bins=30), tmp_path, "external")
