"""Config of the DMFT module: the checks its section needs beyond the schema and the settings,
seeds and job lists derived from it. Torch-free: every job parses the workflow, which imports
this; the models are imported inside the checks that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rmtsgd.config import (
    ConfigError,
    as_plain,
    derived_seed,
)


def _dmft_need(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"config key 'dmft.{key}': {message}")


def dmft_steps(eta: float, t_max: float, key: str) -> int:
    """Steps of size eta up to t_max: a whole number, at least one."""
    steps = round(t_max / eta)
    _dmft_need(
        steps >= 1 and abs(steps * eta - t_max) <= 1e-9 * t_max,
        key,
        f"t_max = {t_max} is not a whole number of steps eta = {eta} (t = eta x steps)",
    )
    return steps


def _dmft_problem(dm: Mapping, name: str, key: str, **required: Any) -> Mapping:
    """The problem a curve or check names, checked to exist (and to have `required` fields)."""
    _dmft_need(
        name in dm["problems"],
        key,
        f"no problem '{name}' in dmft.problems ({sorted(dm['problems'])})",
    )
    problem = dm["problems"][name]
    for field_name, value in required.items():
        _dmft_need(
            problem[field_name] == value,
            key,
            f"expected a problem with {field_name} = {value!r}, '{name}' has "
            f"{problem[field_name]!r}",
        )
    return problem


def _dmft_rate(b: float, tau: float, eta: float, key: str) -> None:
    """The batch process's flip probabilities are at most 1 (spec)."""
    from rmtsgd.dmft.model import BatchProcess

    if b < 1.0:
        bound = BatchProcess.max_eta(b, tau)
        _dmft_need(
            eta <= bound * (1 + 1e-12),
            key,
            f"eta = {eta} exceeds tau min(1, b/(1-b)) = {bound:.6g} at b = {b}, tau = {tau}: "
            "a flip probability of the batch process would exceed 1",
        )


def _check_dmft(dm: Mapping) -> None:
    for name, problem in dm["problems"].items():
        key = f"problems.{name}"
        wanted = "linear" if problem["clusters"] == 2 else "even"
        _dmft_need(
            problem["readout"] == wanted,
            f"{key}.readout",
            f"{problem['clusters']} clusters need the {wanted} read-out, got "
            f"{problem['readout']!r}",
        )
        for field_name in ("rho", "offset") if problem["clusters"] == 3 else ():
            _dmft_need(field_name in problem, f"{key}.{field_name}", "required for 3 clusters")
    grid, checks, sim = dm["grid"], dm["checks"], dm["simulation"]
    dmft_steps(grid["eta"], grid["t_max"], "grid.t_max")
    for name, curve in dm["curves"].items():
        _dmft_problem(dm, curve["problem"], f"curves.{name}.problem")
        _dmft_rate(curve["b"], curve["tau"], grid["eta"], f"curves.{name}.tau")
    for figure, clusters in (("k2", 2), ("k3", 3)):
        for name in dm["figures"][figure]:
            _dmft_need(
                name in dm["curves"], f"figures.{figure}", f"no curve '{name}' in dmft.curves"
            )
            problem = dm["problems"][dm["curves"][name]["problem"]]
            _dmft_need(
                problem["clusters"] == clusters,
                f"figures.{figure}",
                f"curve '{name}' has {problem['clusters']} clusters, expected {clusters}",
            )
    solver = dm["solver"]
    _dmft_need(
        solver["response_paths"]
        <= min(solver["paths"], checks["ridge"]["paths"], checks["erm"]["paths"]),
        "solver.response_paths",
        f"expected at most dmft.solver.paths = {solver['paths']}, dmft.checks.ridge.paths "
        f"= {checks['ridge']['paths']} and dmft.checks.erm.paths = {checks['erm']['paths']}, "
        f"got {solver['response_paths']}",
    )
    conv = checks["convergence"]
    _dmft_need(
        conv["curve"] in dm["curves"], "checks.convergence.curve", "not a curve of dmft.curves"
    )
    _dmft_need(len(sim["dims"]) >= 2, "simulation.dims", "expected at least two dimensions to fit")
    step = conv["time"] / grid["eta"]
    _dmft_need(
        conv["time"] <= grid["t_max"] and abs(step - round(step)) <= 1e-9 * step,
        "checks.convergence.time",
        f"expected a time of the grid (a multiple of eta = {grid['eta']} up to t_max = "
        f"{grid['t_max']}), got {conv['time']}",
    )
    _dmft_problem(dm, checks["ridge"]["problem"], "checks.ridge.problem", loss="square", clusters=2)
    early = checks["early"]
    _dmft_problem(dm, early["problem"], "checks.early.problem", clusters=2)
    steps = dmft_steps(early["eta"], early["t_max"], "checks.early.t_max")
    _dmft_rate(early["b"], early["tau"], early["eta"], "checks.early.eta")
    _dmft_need(
        early["t_max"] <= early["b"] * early["tau"] / 10,
        "checks.early.t_max",
        f"the laws hold for t << b tau = {early['b'] * early['tau']:g}: expected t_max at most a "
        f"tenth of it, got {early['t_max']}",
    )
    _dmft_need(
        3 <= round(early["fit_until"] / early["eta"]) <= steps,
        "checks.early.fit_until",
        f"expected at least three steps of eta = {early['eta']} and at most t_max = "
        f"{early['t_max']}, got {early['fit_until']}",
    )
    tau = checks["tau_limit"]
    _dmft_problem(dm, tau["problem"], "checks.tau_limit.problem")
    dmft_steps(tau["eta"], tau["t_max"], "checks.tau_limit.t_max")
    for value in tau["taus"]:
        _dmft_rate(tau["b"], value, tau["eta"], "checks.tau_limit.taus")
    erm = checks["erm"]
    problem = _dmft_problem(dm, erm["problem"], "checks.erm.problem", clusters=2)
    _dmft_need(
        problem["lam"] > 0,
        "checks.erm.problem",
        f"the minimiser is unique only for lambda > 0, '{erm['problem']}' has lambda = "
        f"{problem['lam']}",
    )
    dmft_steps(erm["eta"], erm["t_max"], "checks.erm.t_max")
    batch = checks["batch_process"]["curve"]
    _dmft_need(batch in dm["curves"], "checks.batch_process.curve", "not a curve of dmft.curves")
    _dmft_need(
        dm["curves"][batch]["b"] < 1,
        "checks.batch_process.curve",
        f"expected a curve with b < 1 (at b = 1 every sample is always selected), '{batch}' has "
        "b = 1",
    )


def _dmft_job(
    dm: Mapping,
    problem: str,
    b: float,
    tau: float,
    eta: float,
    t_max: float,
    stream: str,
    start: Mapping | None = None,
    weight: float | None = None,
) -> dict:
    """Everything that determines one DMFT solution or simulation (plain JSON)."""
    fields = as_plain(dm["problems"][problem])
    fields.pop("start")
    if weight is None:
        weight = 1.0 / b if dm["normalised"] else 1.0
    return {
        "problem": fields,
        "start": as_plain(start if start is not None else dm["problems"][problem]["start"]),
        "batch": {"b": b, "tau": tau, "eta": eta, "weight": weight},
        "steps": dmft_steps(eta, t_max, "grid.t_max"),
        "stream": stream,
    }


def dmft_curves_used(dm: Mapping) -> list[str]:
    """The curves the figures and checks name, in that order (dmft.curves may define more)."""
    names = [*dm["figures"]["k2"], *dm["figures"]["k3"]]
    names += [dm["checks"]["convergence"]["curve"], dm["checks"]["batch_process"]["curve"]]
    return list(dict.fromkeys(names))


def dmft_jobs(dm: Mapping) -> dict[str, dict]:
    """Every DMFT solution of the config by name: the curves used, then the checks' settings
    (check_ridge, check_early, check_erm: gradient descent towards the empirical-risk
    minimiser, check_tau<i> and check_tau_reference: gradient descent on b x loss, all with the
    tau-limit's random numbers)."""
    grid, checks = dm["grid"], dm["checks"]
    jobs = {}
    for name in dmft_curves_used(dm):
        c = dm["curves"][name]
        jobs[name] = _dmft_job(dm, c["problem"], c["b"], c["tau"], grid["eta"], grid["t_max"], name)
    jobs["check_ridge"] = _dmft_job(
        dm, checks["ridge"]["problem"], 1.0, 1.0, grid["eta"], grid["t_max"], "check_ridge"
    )
    early = checks["early"]
    jobs["check_early"] = _dmft_job(
        dm,
        early["problem"],
        early["b"],
        early["tau"],
        early["eta"],
        early["t_max"],
        "check_early",
        start={"s0": 0.0, "m0": 0.0},
    )
    erm = checks["erm"]
    jobs["check_erm"] = _dmft_job(
        dm, erm["problem"], 1.0, 1.0, erm["eta"], erm["t_max"], "check_erm"
    )
    tau = checks["tau_limit"]
    for i, value in enumerate(tau["taus"]):
        jobs[f"check_tau{i}"] = _dmft_job(
            dm, tau["problem"], tau["b"], value, tau["eta"], tau["t_max"], "check_tau"
        )
    reference_weight = 1.0 if dm["normalised"] else tau["b"]
    jobs["check_tau_reference"] = _dmft_job(
        dm,
        tau["problem"],
        1.0,
        1.0,
        tau["eta"],
        tau["t_max"],
        "check_tau",
        weight=reference_weight,
    )
    return jobs


def dmft_simulations(dm: Mapping) -> list[tuple[str, int]]:
    """(job, d) of every simulation: each curve used and the early check at the largest d, the
    convergence curve at every d."""
    dims = sorted(dm["simulation"]["dims"])
    convergence = dm["checks"]["convergence"]["curve"]
    runs = [
        (name, d)
        for name in dmft_curves_used(dm)
        for d in (dims if name == convergence else dims[-1:])
    ]
    return runs + [("check_early", dims[-1])]


def dmft_sim_seeds(dm: Mapping, job: str) -> int:
    """Systems simulated for a job: check_seeds for the convergence curve and the early check
    (their claims rest on the spread over systems), seeds otherwise."""
    checked = (dm["checks"]["convergence"]["curve"], "check_early")
    return dm["simulation"]["check_seeds" if job in checked else "seeds"]


def dmft_solver(dm: Mapping, job: str) -> dict:
    """Solver settings of a job: dmft.solver, with the ridge and ERM checks' own numbers of
    paths."""
    solver = as_plain(dm["solver"])
    if job in ("check_ridge", "check_erm"):
        solver["paths"] = dm["checks"][job.removeprefix("check_")]["paths"]
    return solver


def dmft_seed(base_seed: int, stream: str, d: int = 0) -> int:
    """Seed of a DMFT solution (d = 0) or of the simulations of a job at dimension d."""
    return derived_seed(base_seed, f"dmft/{stream}", d)


def check(config: Mapping) -> None:
    """Checks of the `dmft` section a schema cannot express."""
    _check_dmft(config["dmft"])
