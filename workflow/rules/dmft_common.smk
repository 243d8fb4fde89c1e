# Helpers of the DMFT rules (workflow/rules/dmft.smk): jobs, seeds, inputs, targets, costs.
from rmtsgd.dmft.config import (
    dmft_curves_used,
    dmft_jobs,
    dmft_seed,
    dmft_sim_seeds,
    dmft_simulations,
    dmft_solver,
)

DM = config["dmft"]
DM_JOBS = dmft_jobs(DM)
DM_CURVES = dmft_curves_used(DM)
DM_SIMS = dmft_simulations(DM)
DM_DIMS = sorted(DM["simulation"]["dims"])
DM_FIGURES = ["dmft_k2", "dmft_k3", "dmft_convergence", "dmft_checks"]
DM_CHECKS = DM["checks"]
DM_TAUS = [f"check_tau{i}" for i in range(len(DM_CHECKS["tau_limit"]["taus"]))]


wildcard_constraints:
    job=alternatives(DM_JOBS),
    dim=r"\d+",


def dm_solution(job):
    return f"{RES}/dmft/solutions/{job}.npz"


def dm_simulation(job, d=DM_DIMS[-1]):
    return f"{RES}/dmft/simulations/{job}/d{d}.npz"


def dm_minimisers():
    return f"{RES}/dmft/minimisers.npz"


def dm_solve_seed(wildcards):
    return dmft_seed(config["seed"], DM_JOBS[wildcards.job]["stream"])


def dm_simulate_seed(wildcards):
    return dmft_seed(config["seed"], wildcards.job, int(wildcards.dim))


def dm_analysis_inputs():
    """What the analysis reads: every curve's solution and largest-d simulation, the
    convergence curve at every d, the checks' solutions (and the early check's runs) and the
    empirical-risk minimisers.
    """
    conv = DM_CHECKS["convergence"]["curve"]
    return {
        "solutions": [dm_solution(name) for name in DM_CURVES],
        "simulations": [dm_simulation(name) for name in DM_CURVES],
        "convergence": [dm_simulation(conv, d) for d in DM_DIMS],
        "ridge": dm_solution("check_ridge"),
        "early": dm_solution("check_early"),
        "early_simulation": dm_simulation("check_early"),
        "taus": [dm_solution(name) for name in DM_TAUS],
        "tau_reference": dm_solution("check_tau_reference"),
        "erm": dm_solution("check_erm"),
        "minimisers": dm_minimisers(),
    }


def dm_targets():
    """The module's figures (PDF and PNG) and its claims file."""
    figures = [f"{FIG}/{name}.{ext}" for name in DM_FIGURES for ext in ("pdf", "png")]
    return figures + [f"{RES}/claims/dmft.json"]


# DMFT job costs (measured: benchmarks/README.md, "DMFT"). One iteration costs about 1.5-3e-9
# CPU-s per response path and T^3 plus 5e-9 per path and T^2 here, twice that below (slower
# cluster cores), over at most DM_ITERATIONS iterations (8-21 at every shipped scale). A
# simulation step costs 3-7e-9 CPU-s per float of its data here (two passes, memory bound).
# Memory: the paths' arrays (a few times G N T floats), chi of one chunk (chunk T^2), or one
# chunk of systems' data (chunk n d floats).
DM_BASE_MB = 400
DM_ITERATIONS = 30
DM_RESPONSE_S = 6e-9
DM_FIELD_S = 1e-8
DM_DATA_S = 1e-8
DM_ANALYSIS_CPU_S = 120


def dm_points(wildcards):
    return DM_JOBS[wildcards.job]["steps"] + 1


def dm_solve_cpu_s(wildcards):
    """CPU seconds of one solution (an upper bound: DM_ITERATIONS iterations)."""
    solver, points = dmft_solver(DM, wildcards.job), dm_points(wildcards)
    response = solver["groups"] * solver["response_paths"] * points**3
    fields = solver["groups"] * solver["paths"] * points**2
    return DM_ITERATIONS * (DM_RESPONSE_S * response + DM_FIELD_S * fields)


def dm_solve_mb(wildcards):
    solver, points = dmft_solver(DM, wildcards.job), dm_points(wildcards)
    paths = 8 * solver["groups"] * solver["paths"] * points * 8
    chi = 4 * solver["groups"] * solver["chunk"] * points**2 * 8
    return DM_BASE_MB + (paths + chi) / 1e6


def dm_data_floats(wildcards):
    problem = DM_JOBS[wildcards.job]["problem"]
    d = int(wildcards.dim)
    return dmft_sim_seeds(DM, wildcards.job) * round(problem["alpha"] * d) * d


def dm_simulate_cpu_s(wildcards):
    """CPU seconds of one simulation: every step passes twice over the data."""
    return DM_DATA_S * dm_data_floats(wildcards) * DM_JOBS[wildcards.job]["steps"]


def dm_simulate_mb(wildcards):
    """The data of one chunk of systems, a few copies."""
    chunk = min(DM["simulation"]["chunk"], dmft_sim_seeds(DM, wildcards.job))
    share = chunk / dmft_sim_seeds(DM, wildcards.job)
    return DM_BASE_MB + 3 * 8 * share * dm_data_floats(wildcards) / 1e6


# The empirical-risk minimisers: L-BFGS converges in about 15 iterations of two passes over one
# system's data (measured: 16 systems at d = 1 000 in 13 s on a shared core, drawing the data
# included), so a system costs about as much as 60 simulation steps over its data.
DM_MINIMISE_STEPS = 60


def dm_minimise_floats():
    erm = DM_CHECKS["erm"]
    alpha = DM_JOBS["check_erm"]["problem"]["alpha"]
    return erm["systems"] * round(alpha * erm["d"]) * erm["d"]


def dm_minimise_cpu_s(wildcards):
    return DM_DATA_S * dm_minimise_floats() * DM_MINIMISE_STEPS


def dm_minimise_mb(wildcards):
    """One system's data at a time, a few copies."""
    return DM_BASE_MB + 3 * 8 * dm_minimise_floats() / DM_CHECKS["erm"]["systems"] / 1e6
