"""The DMFT module's figures from small real solutions, simulations and an analysis summary."""

import numpy as np
import pytest

from rmtsgd.dmft.analysis import summarise
from rmtsgd.dmft.model import BatchProcess, Problem, Start, minimise, simulate
from rmtsgd.dmft.plots import curve_label, fig_checks, fig_convergence, fig_curves
from rmtsgd.dmft.solver import solve

PROBLEM = {
    "clusters": 2,
    "alpha": 2.0,
    "delta": 0.5,
    "loss": "logistic",
    "readout": "linear",
    "lam": 0.0,
}
RIDGE = {**PROBLEM, "loss": "square", "lam": 0.1}
REGULARISED = {**PROBLEM, "lam": 0.5}


def _job(problem, b, tau, eta, steps, start=None):
    return {
        "problem": problem,
        "start": start or {"s0": 0.2, "m0": 0.0},
        "batch": {"b": b, "tau": tau, "eta": eta, "weight": 1.0},
        "steps": steps,
    }


def _solve(job, seed):
    batch = BatchProcess(**job["batch"])
    sol = solve(Problem(**job["problem"]), batch, Start(**job["start"]), job["steps"], 60, 2, seed)
    return vars(sol)


def _simulate(job, d, seed, seeds=3):
    batch = BatchProcess(**job["batch"])
    run = simulate(
        Problem(**job["problem"]),
        batch,
        Start(**job["start"]),
        d,
        job["steps"],
        seeds,
        seed,
        max_lag=12,
    )
    return vars(run)


@pytest.fixture(scope="module")
def analysed():
    jobs = {
        "gd": _job(PROBLEM, 1.0, 1.0, 0.1, 10),
        "psgd": _job(PROBLEM, 0.5, 1.0, 0.1, 10),
        "check_ridge": _job(RIDGE, 1.0, 1.0, 0.1, 10, {"s0": 0.5, "m0": 0.0}),
        "check_early": _job(PROBLEM, 0.5, 20.0, 0.01, 10, {"s0": 0.0, "m0": 0.0}),
        "check_erm": _job(REGULARISED, 1.0, 1.0, 1.0, 10),
    }
    taus = [0.4, 0.2]
    tau_jobs = {f"check_tau{i}": _job(PROBLEM, 0.5, t, 0.05, 10) for i, t in enumerate(taus)}
    reference = _job(PROBLEM, 1.0, 1.0, 0.05, 10)
    reference["batch"]["weight"] = 0.5
    curves = {
        name: (_solve(jobs[name], 1), _simulate(jobs[name], 60, 2)) for name in ("gd", "psgd")
    }
    checks = {name: _solve(job, 3) for name, job in {**jobs, **tau_jobs}.items() if "check" in name}
    checks["check_tau_reference"] = _solve(reference, 3)
    checks["early_simulation"] = _simulate(jobs["check_early"], 60, 4)
    checks["minimisers"] = vars(minimise(Problem(**REGULARISED), 60, 3, seed=7))
    dims = [30, 60]
    settings = {
        "convergence": {"curve": "psgd", "observable": "test_error", "time": 1.0, "bootstrap": 50},
        "early": {"b": 0.5, "fit_until": 0.05},
        "batch_process": {"curve": "psgd"},
        "tau_limit": {"taus": taus, "observable": "test_error"},
        "erm": {"d": 60},
    }
    sims = [_simulate(jobs["psgd"], d, 5 + d) for d in dims]
    summary = summarise(curves, sims, checks, jobs, settings, dims, seed=6)
    return curves, checks, summary


def test_curve_figure(analysed):
    curves, _, _ = analysed
    items = [
        {"curve": {"b": b, "tau": 1.0}, "solution": sol, "simulation": sim}
        for b, (sol, sim) in zip((1.0, 0.5), curves.values(), strict=True)
    ]
    fig = fig_curves(items, 60)
    assert len(fig.axes) == 3
    assert [t.get_text() for t in fig.legends[0].get_texts()][:2] == [
        "GD ($b = 1$)",
        r"persistent ($b = 0.5$, $\tau = 1$)",
    ]


def test_convergence_and_checks_figures(analysed):
    _, checks, summary = analysed
    assert len(fig_convergence(summary).axes) == 2
    fig = fig_checks(summary, checks["check_early"], checks["early_simulation"])
    assert len(fig.axes) == 4
    ridge_lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(ridge_lines[0].get_ydata(), summary["ridge"]["m"]["exact"])


def test_curve_labels_name_the_algorithm():
    assert curve_label({"b": 1.0, "tau": 3.0}, 0.1) == "GD ($b = 1$)"
    assert curve_label({"b": 0.2, "tau": 0.5}, 0.1).startswith("SGD")
    assert curve_label({"b": 0.2, "tau": 2.0}, 0.1).startswith("persistent")
