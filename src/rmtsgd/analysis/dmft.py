"""Analysis of the DMFT module (seed 003): DMFT solutions against finite-d simulations, their
convergence with d, the spec's checks (early-time laws, the exact ridge solution, the batch
process, tau -> 0), and the module's claims.

A DMFT solution carries its observables per group of paths (axis 0): its estimate is the group
mean and its error the standard error over groups. A simulation carries them per system (seed):
likewise the mean over systems and its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from rmtsgd.claims import make_claim
from rmtsgd.models.gaussian_mixture import BatchProcess, Problem
from rmtsgd.ridge import ridge_descent
from rmtsgd.scaling import loglog_slope, power_law

OBSERVABLES = ("train_loss", "train_error", "test_error")
CONVERGENCE_EXPONENT = -0.5  # per-system fluctuations of the order parameters ~ d^(-1/2)
TAU_EXPONENT = 1.0  # the mean shift of a noise of intensity ~ b tau is linear in tau


def mean_and_error(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over axis 0 (groups or systems) and its standard error, finite entries only (a
    diverged system's curve is NaN from its divergence on)."""
    values = np.asarray(values, float)
    count = np.isfinite(values).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(values, axis=0)
        error = np.nanstd(values, axis=0, ddof=1) / np.sqrt(count)
    return mean, error


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
    return {
        "max_z": float(z[worst]),
        "time": float(dmft["t"][worst]),
        "dmft": float(d_mean[worst]),
        "dmft_error": float(d_err[worst]),
        "simulation": float(s_mean[worst]),
        "simulation_error": float(s_err[worst]),
        "largest_gap": float(np.nanmax(np.abs(gap))),
        "systems": int(np.isfinite(sim[observable][:, -1]).sum()),
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
    return {
        "observable": observable,
        "time": float(dmft["t"][k]),
        "dmft": target,
        "dmft_error": float(mean_and_error(np.asarray(dmft[observable])[:, k])[1]),
        "dims": [int(d) for d in dims],
        "rms_gap": rms.tolist(),
        "mean_gap": [float(np.mean(g)) for g in gaps],
        "mean_gap_error": [float(np.std(g, ddof=1) / math.sqrt(g.size)) for g in gaps],
        "systems": [int(g.size) for g in gaps],
        "exponent": float(exponent),
        "exponent_error": float(np.std(replicates, ddof=1)),
        "amplitude": float(amplitude),
    }


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


# --------------------------------------------------------------------------- checks


def early_laws(
    dmft: Mapping, sim: Mapping, problem: Problem, batch: BatchProcess, fit_until: float
) -> dict:
    """m / (a_m t) and C / (a_C t^2) from w(0) = 0, fitted linearly in t over 0 < t <= fit_until;
    the intercepts (t -> 0) against 1, for the DMFT (error over groups) and the simulation
    (error over systems)."""
    slope_m, slope_c = problem.early_laws(batch.b, batch.weight)
    t = np.asarray(dmft["t"], float)
    window = (t > 0) & (t <= fit_until * (1 + 1e-9))
    laws = {"m": slope_m * t[window], "q": slope_c * t[window] ** 2}
    result = {"fit_until": fit_until, "law_m": slope_m, "law_c": slope_c}
    for source, data in (("dmft", dmft), ("simulation", sim)):
        for key in ("m", "q"):
            rows = np.asarray(data[key], float)[:, window] / laws[key]
            rows = rows[np.isfinite(rows).all(axis=1)]
            intercepts = np.polyfit(t[window], rows.T, 1)[1]
            mean, error = mean_and_error(intercepts)
            result[f"{source}_{key}"] = {"value": float(mean), "error": float(error)}
    return result


def ridge_check(dmft: Mapping, problem: Problem, eta: float, start: Mapping) -> dict:
    """The b = 1 square-loss DMFT against the exact large-d gradient descent (same eta) and
    gradient flow through the Marchenko-Pastur spectrum (rmtsgd.ridge)."""
    t = np.asarray(dmft["t"], float)
    args = (problem.alpha, problem.delta, problem.lam, t)
    exact = ridge_descent(*args, eta, m0=start["m0"], s0=start["s0"])
    flow = ridge_descent(*args, None, m0=start["m0"], s0=start["s0"])
    result = {"t": t.tolist()}
    for key in ("m", "q"):
        mean, error = mean_and_error(dmft[key])
        gap = np.abs(mean - exact[key])
        worst = int(np.argmax(gap))
        result[key] = {
            "largest_gap": float(gap[worst]),
            "error": float(error[worst]),
            "time": float(t[worst]),
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


def tau_limit(solutions: Sequence[Mapping], taus: Sequence[float], reference: Mapping, key: str):
    """Gap between persistent SGD at each tau and gradient descent on b x loss: the RMS over
    the time grid of the difference in `key`, per group (common random numbers), and the
    exponent p of gap ~ tau^p fitted per group; errors over groups."""
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
    }


# --------------------------------------------------------------------------- claims


def dmft_claims(summary: Mapping, cfg: Mapping) -> list[dict]:
    """The module's claims from the analysis summary; kinds in cfg['skip'] are left out."""
    z, skip = cfg["z"], set(cfg["skip"])
    claims = []
    if "agreement" not in skip:
        for name, per_observable in summary["agreement"].items():
            for observable, row in per_observable.items():
                claims.append(
                    make_claim(
                        f"agreement_{name}_{observable}",
                        f"the DMFT {observable.replace('_', ' ')} curve of '{name}' matches the "
                        "simulations at the largest d: the largest gap over the time grid, in "
                        "combined errors, is at most the tolerance",
                        row["max_z"],
                        0.0,
                        0.0,
                        cfg["agreement"],
                        0.0,
                        rule="at_most",
                        setting={"curve": name, "d": summary["largest_d"], "time": row["time"]},
                    )
                )
    if "convergence_exponent" not in skip:
        conv = summary["convergence"]
        claims.append(
            make_claim(
                "convergence_exponent",
                f"a single system's {conv['observable'].replace('_', ' ')} at t = "
                f"{conv['time']:g} approaches the DMFT as d^p (RMS gap over systems), p = -1/2",
                conv["exponent"],
                conv["exponent_error"],
                CONVERGENCE_EXPONENT,
                cfg["convergence_exponent"],
                z,
                setting={"curve": summary["convergence_curve"], "dims": conv["dims"]},
            )
        )
    if "early_law" not in skip:
        early = summary["early"]
        for source in ("dmft", "simulation"):
            for key, law in (
                ("m", "m ~ -alpha b l'(1,0) t"),
                ("q", "C ~ alpha (alpha b^2 + Delta b) l'(1,0)^2 t^2"),
            ):
                row = early[f"{source}_{key}"]
                claims.append(
                    make_claim(
                        f"early_{key}_{source}",
                        f"from w(0) = 0 and t << b tau, {law} ({source}: the ratio to the law "
                        "extrapolated to t = 0)",
                        row["value"],
                        row["error"],
                        1.0,
                        cfg["early_law"],
                        z,
                        setting={"fit_until": early["fit_until"]},
                    )
                )
    if "ridge" not in skip:
        for key, label in (("m", "m(t)"), ("q", "C(t, t)")):
            row = summary["ridge"][key]
            claims.append(
                make_claim(
                    f"ridge_{key}",
                    f"b = 1, square loss: the DMFT {label} equals the exact large-d gradient "
                    "descent through the Marchenko-Pastur spectrum (largest |gap| over the grid)",
                    row["largest_gap"],
                    row["error"],
                    0.0,
                    cfg["ridge"],
                    z,
                    setting={"time": row["time"]},
                )
            )
    batch = summary["batch"]
    if "batch_fraction" not in skip:
        row = batch["fraction"]
        claims.append(
            make_claim(
                "batch_fraction",
                "the simulated batch process selects a share b of the samples",
                row["value"],
                row["error"],
                row["reference"],
                cfg["batch_fraction"],
                z,
                setting={"curve": summary["batch_curve"]},
            )
        )
    if "batch_correlation" not in skip:
        row = batch["correlation_time"]
        claims.append(
            make_claim(
                "batch_correlation",
                "the simulated s has the chain's autocorrelation (1 - eta/(b tau))^lag, i.e. the "
                "telegraph law exp(-t/(b tau)) as eta -> 0: fitted over exact correlation time",
                row["value"],
                row["error"],
                1.0,
                cfg["batch_correlation"],
                z,
                setting={"curve": summary["batch_curve"], "exact_steps": row["exact_steps"]},
            )
        )
    if "tau_exponent" not in skip:
        row = summary["tau_limit"]
        claims.append(
            make_claim(
                "tau_exponent",
                f"tau -> 0 at fixed b approaches gradient descent on b x loss: the RMS gap in "
                f"{row['observable'].replace('_', ' ')} shrinks as tau^p, p = 1 (ours: derived)",
                row["exponent"]["value"],
                row["exponent"]["error"],
                TAU_EXPONENT,
                cfg["tau_exponent"],
                z,
                setting={"taus": row["taus"]},
            )
        )
    return claims


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
    check_ridge, check_early, check_tau<i>, check_tau_reference and the early simulation.
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
