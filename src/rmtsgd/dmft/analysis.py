"""Analysis of the DMFT module (seed 003): DMFT solutions against finite-d simulations, their
convergence with d, the spec's checks (early-time laws, the exact ridge solution, the batch
process, tau -> 0, the empirical-risk minimiser); the claims are in rmtsgd.dmft.claims.

A DMFT solution carries its observables per group of paths (axis 0): its estimate is the group
mean and its error the standard error over groups. A simulation carries them per system (seed):
likewise the mean over systems and its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import integrate, stats

from rmtsgd.dmft.model import BatchProcess, Problem
from rmtsgd.dmft.ridge import ridge_descent
from rmtsgd.scaling import loglog_slope, power_law

OBSERVABLES = ("train_loss", "train_error", "test_error")
ERM_OBSERVABLES = ("m", "q", "train_loss")  # compared at the empirical-risk minimiser


def mean_and_error(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over axis 0 (groups or systems) and its standard error, finite entries only (a
    diverged system's curve is NaN from its divergence on)."""
    values = np.asarray(values, float)
    count = np.isfinite(values).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(values, axis=0)
        error = np.nanstd(values, axis=0, ddof=1) / np.sqrt(count)
    return mean, error


def null_max_abs_z(points: int, dof: int) -> dict:
    """What chance alone gives for the largest |z| of `points` independent z-scores whose errors
    are estimated from dof + 1 samples (each z a Student t with dof degrees of freedom): the
    mean, standard deviation and 95% quantile of that maximum. The z's of neighbouring times
    on a grid are positively correlated, which only lowers the maximum: upper bounds there."""
    law = stats.t(dof)

    def density(x: float) -> float:
        return points * (2 * law.cdf(x) - 1) ** (points - 1) * 2 * law.pdf(x)

    # the maximum has the tails of one t: a mean only for dof > 1, a variance only for dof > 2
    mean = integrate.quad(lambda x: x * density(x), 0, np.inf)[0] if dof > 1 else math.inf
    second = integrate.quad(lambda x: x * x * density(x), 0, np.inf)[0] if dof > 2 else math.inf
    return {
        "points": int(points),
        "dof": int(dof),
        "mean": float(mean),
        "std": float(math.sqrt(second - mean * mean)) if dof > 2 else math.inf,
        "q95": float(law.ppf(0.5 + 0.5 * 0.95 ** (1 / points))),
    }


# --------------------------------------------------------------------------- DMFT vs simulation


def agreement(dmft: Mapping, sim: Mapping, observable: str) -> dict:
    """Largest |simulation - DMFT| over the time grid, in units of the combined error.

    Times where both errors vanish (a deterministic start) and the values agree are skipped.
    """
    d_mean, d_err = mean_and_error(dmft[observable])
    s_mean, s_err = mean_and_error(sim[observable])
    error = np.hypot(d_err, s_err)
    gap = s_mean - d_mean
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(error > 0, np.abs(gap) / error, np.where(np.abs(gap) > 1e-12, np.inf, 0.0))
    worst = int(np.nanargmax(z))
    systems = int(np.isfinite(sim[observable][:, -1]).sum())
    points = int(np.count_nonzero(error > 0))
    return {
        "max_z": float(z[worst]),
        "null": null_max_abs_z(points, systems - 1),
        "time": float(dmft["t"][worst]),
        "dmft": float(d_mean[worst]),
        "dmft_error": float(d_err[worst]),
        "simulation": float(s_mean[worst]),
        "simulation_error": float(s_err[worst]),
        "largest_gap": float(np.nanmax(np.abs(gap))),
        "systems": systems,
        "diverged": int(np.asarray(sim["diverged"]).sum()),
    }


def convergence(
    dmft: Mapping,
    sims: Sequence[Mapping],
    dims: Sequence[int],
    observable: str,
    time: float,
    bootstrap: int,
    seed: int,
) -> dict:
    """Gap between single systems and the DMFT at `time` as d grows.

    Per d: the root-mean-square gap of the systems (their typical distance to the d -> infinity
    curve) and the mean gap (the bias of the ensemble). The exponent is the slope of
    log RMS against log d, its error a bootstrap over systems at every d.
    """
    k = int(np.argmin(np.abs(np.asarray(dmft["t"]) - time)))
    target = float(np.mean(np.asarray(dmft[observable])[:, k]))
    gaps = [_finite(np.asarray(sim[observable])[:, k]) - target for sim in sims]
    rms = np.array([math.sqrt(np.mean(g * g)) for g in gaps])
    exponent, amplitude = power_law(dims, rms)
    rng = np.random.default_rng(seed)
    resampled = np.stack(  # (bootstrap, dims): the RMS gap of systems drawn with replacement
        [
            np.sqrt(np.mean(g[rng.integers(0, g.size, (bootstrap, g.size))] ** 2, axis=1))
            for g in gaps
        ],
        axis=1,
    )
    replicates = loglog_slope(dims, resampled)
    mean_gaps = np.array([np.mean(g) for g in gaps])
    dmft_error = float(mean_and_error(np.asarray(dmft[observable])[:, k])[1])
    return {
        "observable": observable,
        "time": float(dmft["t"][k]),
        "dmft": target,
        "dmft_error": dmft_error,
        "dims": [int(d) for d in dims],
        "rms_gap": rms.tolist(),
        "mean_gap": mean_gaps.tolist(),
        "mean_gap_error": [float(np.std(g, ddof=1) / math.sqrt(g.size)) for g in gaps],
        "systems": [int(g.size) for g in gaps],
        "exponent": float(exponent),
        "exponent_error": float(np.std(replicates, ddof=1)),
        "amplitude": float(amplitude),
        "bias_shift": _bias_shift(dims, rms, mean_gaps, dmft_error, exponent),
    }


def _bias_shift(dims, rms, mean_gaps, dmft_error, exponent) -> float:
    """How much the exponent moves when the ensemble's measured bias (mean gap) and the DMFT's
    own error are taken out of the RMS gap, leaving the fluctuations alone: the systematic of
    fitting the RMS."""
    fluctuation = np.sqrt(np.clip(rms**2 - mean_gaps**2 - dmft_error**2, 1e-30, None))
    return float(abs(loglog_slope(dims, fluctuation) - exponent))


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


# --------------------------------------------------------------------------- checks


def early_laws(
    dmft: Mapping, sim: Mapping, problem: Problem, batch: BatchProcess, fit_until: float
) -> dict:
    """m / (a_m t) and C / (a_C t^2) from w(0) = 0, fitted linearly in t over 0 < t <= fit_until;
    the intercepts (t -> 0) against 1, for the DMFT (error over groups) and the simulation
    (error over systems). `extrapolation` is the discretisation's systematic: on a grid of
    step eta the first step obeys the law exactly, and the fitted line moves by |slope| eta
    between t = 0 and that step (measured on the DMFT's mean ratio)."""
    slope_m, slope_c = problem.early_laws(batch.b, batch.weight)
    t = np.asarray(dmft["t"], float)
    window = (t > 0) & (t <= fit_until * (1 + 1e-9))
    laws = {"m": slope_m * t[window], "q": slope_c * t[window] ** 2}
    result = {"fit_until": fit_until, "law_m": slope_m, "law_c": slope_c, "extrapolation": {}}
    for source, data in (("dmft", dmft), ("simulation", sim)):
        for key in ("m", "q"):
            rows = np.asarray(data[key], float)[:, window] / laws[key]
            rows = rows[np.isfinite(rows).all(axis=1)]
            intercepts = np.polyfit(t[window], rows.T, 1)[1]
            mean, error = mean_and_error(intercepts)
            result[f"{source}_{key}"] = {"value": float(mean), "error": float(error)}
            if source == "dmft":  # the precise curve measures the discretisation's share
                slope = np.polyfit(t[window], rows.mean(axis=0), 1)[0]
                result["extrapolation"][key] = float(abs(slope) * (t[1] - t[0]))
    return result


def ridge_check(dmft: Mapping, problem: Problem, eta: float, start: Mapping) -> dict:
    """The b = 1 square-loss DMFT against the exact large-d gradient descent (same eta) and
    gradient flow through the Marchenko-Pastur spectrum (rmtsgd.dmft.ridge): the largest
    |DMFT - exact| over the grid in errors, each error the Monte-Carlo one over groups and the
    iteration's last change (the solution is known to that) in quadrature."""
    t = np.asarray(dmft["t"], float)
    args = (problem.alpha, problem.delta, problem.lam, t)
    exact = ridge_descent(*args, eta, m0=start["m0"], s0=start["s0"])
    flow = ridge_descent(*args, None, m0=start["m0"], s0=start["s0"])
    residual = float(np.asarray(dmft["changes"])[-1])
    groups = np.asarray(dmft["m"]).shape[0]
    result = {"t": t.tolist(), "residual": residual}
    for key in ("m", "q"):
        mean, error = mean_and_error(dmft[key])
        error = np.hypot(error, residual * (1 + np.abs(mean)))
        gap = np.abs(mean - exact[key])
        z = gap / error
        worst = int(np.argmax(z))
        result[key] = {
            "max_z": float(z[worst]),
            "time": float(t[worst]),
            "gap": float(gap[worst]),
            "error": float(error[worst]),
            "largest_gap": float(gap.max()),
            "null": null_max_abs_z(t.size, groups - 1),
            "dmft": mean.tolist(),
            "exact": exact[key].tolist(),
            "flow": flow[key].tolist(),
            "largest_gap_to_flow": float(np.max(np.abs(mean - flow[key]))),
        }
    return result


def batch_check(sim: Mapping, batch: BatchProcess) -> dict:
    """The simulated batch process: its mean against b and its correlation time (a fit of
    log autocorrelation against the lag, while the exact law stays above 0.05) against the
    exact chain's, each with the error over systems."""
    fraction = np.nanmean(np.asarray(sim["batch_fraction"], float), axis=1)
    acov = np.asarray(sim["s_autocovariance"], float)  # (systems, lags)
    lags = np.arange(acov.shape[1])
    exact = batch.autocovariance(lags) / batch.autocovariance(0)
    used = (lags >= 1) & (exact >= 0.05)
    if used.sum() < 2:
        raise ValueError(
            "the batch process decorrelates within a lag or two: no correlation time to fit "
            f"(exact autocorrelation {exact[:3]})"
        )
    rho = acov[:, used] / acov[:, :1]
    slopes = np.array([np.polyfit(lags[used], np.log(np.clip(r, 1e-12, None)), 1)[0] for r in rho])
    exact_time = -1.0 / math.log(1.0 - batch.join - batch.leave)
    ratio = (-1.0 / slopes) / exact_time
    f_mean, f_err = mean_and_error(fraction)
    r_mean, r_err = mean_and_error(ratio)
    return {
        "fraction": {"value": float(f_mean), "error": float(f_err), "reference": batch.b},
        "correlation_time": {
            "value": float(r_mean),
            "error": float(r_err),
            "exact_steps": exact_time,
            "continuum_steps": batch.b * batch.tau / batch.eta,
            "lags_fitted": int(used.sum()),
        },
        "measured": (acov.mean(axis=0) / acov.mean(axis=0)[0]).tolist(),
        "exact": exact.tolist(),
    }


def erm_check(dmft: Mapping, minimisers: Mapping) -> dict:
    """b = 1, convex loss, lambda > 0: the DMFT at its last time against the empirical-risk
    minimisers of finite systems (rmtsgd.dmft.model.minimise), per observable.

    `drift` is the DMFT's largest change over the last quarter of its grid: how far it may
    still be from its t -> infinity limit. The gap's error combines the DMFT's error over
    groups and the minimisers' over systems.
    """
    result = {
        "t_max": float(np.asarray(dmft["t"])[-1]),
        "systems": int(np.asarray(minimisers["m"]).size),
        "bound": float(np.max(minimisers["bound"])),
    }
    for key in ERM_OBSERVABLES:
        curve, curve_error = mean_and_error(dmft[key])
        quarter = max(1, curve.size // 4)
        value, error = mean_and_error(minimisers[key])
        result[key] = {
            "dmft": float(curve[-1]),
            "dmft_error": float(curve_error[-1]),
            "drift": float(np.max(np.abs(curve[-quarter - 1 :] - curve[-1]))),
            "minimiser": float(value),
            "minimiser_error": float(error),
            "gap": float(curve[-1] - value),
            "error": float(np.hypot(curve_error[-1], error)),
        }
    return result


def tau_limit(solutions: Sequence[Mapping], taus: Sequence[float], reference: Mapping, key: str):
    """Gap between persistent SGD at each tau and gradient descent on b x loss: the RMS over
    the time grid of the difference in `key`, per group (common random numbers), and the
    exponent p of gap ~ tau^p fitted per group; errors over groups. With three taus or more,
    `ranges` holds the exponent fitted without the smallest and without the largest tau, and
    `local` the slopes between neighbours: how much p depends on the range (the curvature
    of the gap in tau)."""
    gaps = np.array(
        [
            np.sqrt(np.mean((np.asarray(s[key]) - np.asarray(reference[key])) ** 2, axis=1))
            for s in solutions
        ]
    )  # (taus, groups)
    exponents, amplitudes = power_law(taus, gaps.T)
    mean, error = mean_and_error(gaps.T)
    p_mean, p_err = mean_and_error(exponents)
    return {
        "observable": key,
        "taus": [float(t) for t in taus],
        "rms_gap": mean.tolist(),
        "rms_gap_error": error.tolist(),
        "exponent": {"value": float(p_mean), "error": float(p_err)},
        "amplitude": float(np.exp(np.mean(np.log(amplitudes)))),
        "ranges": [
            float(loglog_slope(taus[:-1], mean[:-1])),
            float(loglog_slope(taus[1:], mean[1:])),
        ]
        if len(taus) >= 3
        else [],
        "local": [
            float(loglog_slope(taus[i : i + 2], mean[i : i + 2])) for i in range(len(taus) - 1)
        ],
    }


# --------------------------------------------------------------------------- the whole summary


def summarise(
    curves: Mapping[str, tuple[Mapping, Mapping]],
    convergence_sims: Sequence[Mapping],
    checks: Mapping[str, Mapping],
    jobs: Mapping[str, Mapping],
    settings: Mapping,
    dims: Sequence[int],
    seed: int,
) -> dict:
    """Everything the claims and the figures need, as plain JSON.

    curves: name -> (DMFT solution, simulation at the largest d); checks: the solutions of
    check_ridge, check_early, check_tau<i>, check_tau_reference, check_erm, the early
    simulation and the empirical-risk minimisers ("minimisers").
    """
    conv, early = settings["convergence"], settings["early"]
    batch_curve = settings["batch_process"]["curve"]
    taus = settings["tau_limit"]["taus"]
    tau_solutions = [checks[f"check_tau{i}"] for i in range(len(taus))]
    return {
        "largest_d": int(max(dims)),
        "agreement": {
            name: {obs: agreement(sol, sim, obs) for obs in OBSERVABLES}
            for name, (sol, sim) in curves.items()
        },
        "convergence_curve": conv["curve"],
        "convergence": convergence(
            curves[conv["curve"]][0],
            convergence_sims,
            dims,
            conv["observable"],
            conv["time"],
            bootstrap=conv["bootstrap"],
            seed=seed,
        ),
        "early": early_laws(
            checks["check_early"],
            checks["early_simulation"],
            Problem(**jobs["check_early"]["problem"]),
            BatchProcess(**jobs["check_early"]["batch"]),
            early["fit_until"],
        ),
        "ridge": ridge_check(
            checks["check_ridge"],
            Problem(**jobs["check_ridge"]["problem"]),
            jobs["check_ridge"]["batch"]["eta"],
            jobs["check_ridge"]["start"],
        ),
        "erm": {"d": settings["erm"]["d"], **erm_check(checks["check_erm"], checks["minimisers"])},
        "batch_curve": batch_curve,
        "batch": batch_check(curves[batch_curve][1], BatchProcess(**jobs[batch_curve]["batch"])),
        "tau_limit": tau_limit(
            tau_solutions, taus, checks["check_tau_reference"], settings["tau_limit"]["observable"]
        ),
        "iterations": {name: int(sol["iterations"]) for name, (sol, _) in curves.items()},
        "diverged": {
            name: int(np.asarray(sim["diverged"]).sum()) for name, (_, sim) in curves.items()
        },
    }
