"""Config validation of the dmft section: each kind of bad input the issue lists (and the
arithmetic checks) is rejected with a message naming the key and what was expected; the jobs
and simulations the rules run."""

import copy

import pytest
from conftest import SCHEMA
from test_config import rejection

from rmtsgd.config import ConfigError, validate_config
from rmtsgd.dmft.config import (
    dmft_curves_used,
    dmft_jobs,
    dmft_seed,
    dmft_simulations,
    dmft_solver,
    dmft_steps,
)

P = "dmft.problems.two_clusters"
C = "dmft.curves.k2_persistent"
BAD = [
    (f"{C}.b", 0.0, f"{C}.b", "> 0"),
    (f"{C}.b", 1.5, f"{C}.b", "<= 1"),
    (f"{C}.tau", 0.0, f"{C}.tau", "> 0"),
    (f"{C}.tau", -1.0, f"{C}.tau", "> 0"),
    # eta = 0.1 > tau min(1, b/(1-b)) = 0.05
    (f"{C}.tau", 0.05, f"{C}.tau", "exceeds tau min(1, b/(1-b))"),
    ("dmft.grid.eta", 0.0, "dmft.grid.eta", "> 0"),
    (f"{P}.delta", 0.0, f"{P}.delta", "> 0"),
    (f"{P}.delta", -0.5, f"{P}.delta", "> 0"),
    (f"{P}.alpha", 0.0, f"{P}.alpha", "> 0"),
    (f"{P}.loss", "hinge", f"{P}.loss", "one of"),
    (f"{P}.readout", "cubic", f"{P}.readout", "one of"),
    (f"{P}.readout", "even", f"{P}.readout", "linear read-out"),
    ("dmft.problems.three_clusters.readout", "linear", "three_clusters.readout", "even read-out"),
    ("dmft.grid.t_max", 4.05, "dmft.grid.t_max", "whole number of steps"),
    ("dmft.grid.t_max", 0.0, "dmft.grid.t_max", "> 0"),
    ("dmft.checks.convergence.time", 4.5, "checks.convergence.time", "time of the grid"),
    ("dmft.checks.convergence.time", 1.05, "checks.convergence.time", "time of the grid"),
    ("dmft.checks.early.t_max", 0.205, "checks.early.t_max", "whole number of steps"),
    ("dmft.checks.early.t_max", 2.0, "checks.early.t_max", "t << b tau"),
    ("dmft.checks.early.fit_until", 0.01, "checks.early.fit_until", "three steps"),
    ("dmft.checks.early.tau", 0.005, "checks.early.eta", "exceeds"),
    ("dmft.checks.tau_limit.taus", [0.4, 0.01], "checks.tau_limit.taus", "exceeds"),
    ("dmft.checks.tau_limit.taus", [0.4], "checks.tau_limit.taus", "at least"),
    ("dmft.checks.ridge.problem", "two_clusters", "checks.ridge.problem", "loss = 'square'"),
    ("dmft.checks.ridge.problem", "four", "checks.ridge.problem", "no problem"),
    ("dmft.checks.early.problem", "three_clusters", "checks.early.problem", "clusters = 2"),
    ("dmft.checks.erm.problem", "two_clusters", "checks.erm.problem", "lambda > 0"),
    ("dmft.checks.erm.problem", "three_clusters", "checks.erm.problem", "clusters = 2"),
    ("dmft.checks.erm.t_max", 20.5, "checks.erm.t_max", "whole number of steps"),
    ("dmft.checks.erm.systems", 1, "dmft.checks.erm.systems", ">= 2"),
    ("dmft.checks.erm.paths", 1001, "dmft.checks.erm.paths", "multiple of 2"),
    ("dmft.checks.erm.paths", 100, "dmft.solver.response_paths", "dmft.checks.erm.paths = 100"),
    ("dmft.checks.batch_process.curve", "k2_gd", "batch_process.curve", "b < 1"),
    ("dmft.checks.convergence.curve", "k9", "checks.convergence.curve", "not a curve"),
    ("dmft.checks.convergence.observable", "m", "convergence.observable", "one of"),
    ("dmft.checks.convergence.bootstrap", 5, "convergence.bootstrap", ">= 10"),
    (f"{C}.problem", "five_clusters", f"{C}.problem", "no problem"),
    ("dmft.figures.k2", ["k3_gd"], "dmft.figures.k2", "expected 2"),
    ("dmft.figures.k3", ["k3_x"], "dmft.figures.k3", "no curve"),
    ("dmft.solver.paths", 1001, "dmft.solver.paths", "multiple of 2"),
    ("dmft.solver.groups", 1, "dmft.solver.groups", ">= 2"),
    ("dmft.solver.response_paths", 5000, "dmft.solver.response_paths", "at most"),
    ("dmft.solver.damping", 1.0, "dmft.solver.damping", "< 1"),
    ("dmft.simulation.dims", [2000], "dmft.simulation.dims", "two dimensions"),
    ("dmft.claims.skip", ["everything"], "dmft.claims.skip.0", "one of"),
]


@pytest.mark.parametrize(("key", "value", "named", "expected"), BAD)
def test_bad_dmft_config_is_rejected(default_config, key, value, named, expected):
    message = rejection(default_config, key, value)
    assert named in message and expected in message, message


def test_three_clusters_need_rho_and_offset(default_config):
    config = copy.deepcopy(default_config)
    del config["dmft"]["problems"]["three_clusters"]["rho"]
    with pytest.raises(ConfigError, match="three_clusters.rho.*required for 3 clusters"):
        validate_config(config, SCHEMA)


def test_steps_of_a_grid():
    assert dmft_steps(0.1, 4.0, "k") == 40
    assert dmft_steps(0.025, 2.0, "k") == 80
    with pytest.raises(ConfigError, match="'dmft.k'"):
        dmft_steps(0.3, 1.0, "k")


def test_jobs_and_simulations(default_config):
    dm = default_config["dmft"]
    jobs = dmft_jobs(dm)
    curves = dmft_curves_used(dm)
    taus = dm["checks"]["tau_limit"]["taus"]
    assert list(jobs) == curves + ["check_ridge", "check_early", "check_erm"] + [
        f"check_tau{i}" for i in range(len(taus))
    ] + ["check_tau_reference"]
    assert jobs["check_early"]["start"] == {"s0": 0.0, "m0": 0.0}
    erm = jobs["check_erm"]
    assert erm["batch"]["b"] == 1.0 and erm["problem"]["lam"] > 0
    assert dmft_solver(dm, "check_erm")["paths"] == dm["checks"]["erm"]["paths"]
    reference = jobs["check_tau_reference"]["batch"]
    assert reference["b"] == 1.0 and reference["weight"] == dm["checks"]["tau_limit"]["b"]
    streams = {jobs[f"check_tau{i}"]["stream"] for i in range(len(taus))}
    assert streams == {jobs["check_tau_reference"]["stream"]}  # common random numbers
    sims = dmft_simulations(dm)
    dims = sorted(dm["simulation"]["dims"])
    convergence = dm["checks"]["convergence"]["curve"]
    assert [d for name, d in sims if name == convergence] == dims
    assert all(d == dims[-1] for name, d in sims if name != convergence)
    assert dmft_seed(1, "a") != dmft_seed(1, "b") and dmft_seed(1, "a", 250) != dmft_seed(1, "a")


def test_normalised_batch_loss_weights_selected_samples(default_config):
    dm = copy.deepcopy(default_config["dmft"])
    dm["normalised"] = True
    jobs = dmft_jobs(dm)
    assert jobs["k2_persistent"]["batch"]["weight"] == pytest.approx(1 / 0.5)
    assert jobs["check_tau_reference"]["batch"]["weight"] == 1.0
