"""Analysis of the single-index hitting times (seed 001): medians per scan point with bootstrap
errors, the fitted exponents (plateau, A0, threshold, slopes above the threshold, large eta),
and the module's claims.

Runs are independent, so every error is a bootstrap over runs: each replicate resamples the
runs of every (curve, d, eta) point on its own, recomputes all medians, and every derived
quantity (knee positions, fitted exponents) is recomputed from the replicate's medians. The
error is the replicates' standard deviation.

Censored runs (no hit within the budget) count as hitting at +infinity: the median is exact as
long as more than half of a point's runs hit, and +infinity (undefined) otherwise. A quantity
that needs an undefined median is NaN, and a claim on it fails.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rmtsgd.claims import make_claim
from rmtsgd.scaling import log_defined, loglog_slope
from rmtsgd.single_index.flow import drift_only_time, mean_flow_time, median_start_overlap
from rmtsgd.single_index.model import SingleIndexModel

# Slope of log(samples) against log(eta) above the threshold that the spec predicts for A2
# under each step-size rule: gamma independent of eta gives eta^{-1}, the theorem's rule
# (gamma ~ eta / d) eta^{-2}.
SLOPE_PREDICTION = {"fixed": -1.0, "information": -1.0, "theorem": -2.0}


def censored_median(samples: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """Median over the last axis with censored runs at +infinity."""
    return np.median(np.where(hit, samples.astype(float), np.inf), axis=-1)


def bootstrap_medians(
    samples: np.ndarray, hit: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Medians of `n_boot` bootstrap replicates, runs (last axis) resampled per point:
    shape (n_boot, *samples.shape[:-1])."""
    times = np.where(hit, samples.astype(float), np.inf)
    runs = times.shape[-1]
    flat = times.reshape(-1, runs)
    out = np.empty((n_boot, flat.shape[0]))
    for p, row in enumerate(flat):
        out[:, p] = np.median(row[rng.integers(0, runs, size=(n_boot, runs))], axis=1)
    return out.reshape(n_boot, *times.shape[:-1])


def point_medians(
    samples: np.ndarray, hit: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Full-sample medians (row 0) stacked on `n_boot` bootstrap replicates (rows 1..)."""
    return np.concatenate(
        [censored_median(samples, hit)[None], bootstrap_medians(samples, hit, n_boot, rng)]
    )


def point_counts(hit: np.ndarray, diverged: np.ndarray, final: np.ndarray) -> dict:
    """Per point (last axis = runs): hit fraction, censored, diverged, censored below m = 0."""
    return {
        "runs": np.full(hit.shape[:-1], hit.shape[-1]),
        "hit_fraction": hit.mean(axis=-1),
        "censored": (~hit).sum(axis=-1),
        "diverged": diverged.sum(axis=-1),
        "censored_below_zero": ((~hit) & (final < 0)).sum(axis=-1),
    }


def estimate(replicated: np.ndarray) -> dict:
    """Value (row 0), bootstrap error (std over rows 1..), share of undefined replicates.

    The error is taken over the replicates where the quantity is defined; the share of the
    others is reported beside it.
    """
    replicated = np.asarray(replicated, dtype=float)
    replicates = np.where(np.isfinite(replicated[1:]), replicated[1:], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no defined replicate: NaN
        error = np.nanstd(replicates, axis=0, ddof=1)
        undefined = np.mean(np.isnan(replicates), axis=0)
    return {
        "value": replicated[0].tolist(),
        "error": np.asarray(error).tolist(),
        "undefined_replicates": np.asarray(undefined).tolist(),
    }


def point_summary(medians: Mapping) -> dict:
    """One (curve, d) medians file as a table: per eta the median with its bootstrap error, the
    hit fraction and the censored, diverged and censored-below-zero counts."""
    table = estimate(medians["medians"])
    keys = ("gamma", "hit_fraction", "runs", "censored", "diverged", "censored_below_zero")
    return {
        "d": int(medians["d"]),
        "budget": int(medians["budget"]),
        "eta": np.asarray(medians["eta"]).tolist(),
        "median": table["value"],
        "median_error": table["error"],
        **{key: np.asarray(medians[key]).tolist() for key in keys},
    }


@dataclass
class CurveMedians:
    """Medians of one curve over its (d, eta) grid: row 0 the full sample, rows 1.. bootstrap."""

    name: str
    rule: str
    dims: np.ndarray  # (n_d,)
    etas: np.ndarray  # (n_eta,)
    medians: np.ndarray  # (1 + n_boot, n_d, n_eta)
    algorithm: str = "A2"
    c: float = float("nan")  # the step-size rule's constant

    def column(self, eta: float) -> int:
        """Index of `eta` in the curve's grid."""
        matches = np.flatnonzero(np.isclose(self.etas, eta, rtol=1e-9, atol=0.0))
        if matches.size != 1:
            raise ValueError(f"eta = {eta} is not in the grid {self.etas.tolist()} of {self.name}")
        return int(matches[0])


def pooled_slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Common slope of log y against log x over the last axis, with one intercept per row of the
    second-to-last axis (one line per d, all sharing the slope)."""
    lx, ly = np.log(np.asarray(x, dtype=float)), log_defined(y)
    dx = lx - lx.mean()
    dy = ly - ly.mean(axis=-1, keepdims=True)
    return np.sum(dx * dy, axis=(-2, -1)) / (ly.shape[-2] * np.sum(dx * dx))


def _noiseless_curve(curve: CurveMedians, model: SingleIndexModel, time) -> CurveMedians | None:
    """The curve's (d, eta) grid with the noiseless medians `time(model, algorithm, rule, c, d,
    eta)` as the only row (None for A1, whose look-ahead has no drift formula here)."""
    if curve.algorithm == "A1":
        return None
    times = [
        [time(model, curve.algorithm, curve.rule, curve.c, d, e) for e in curve.etas]
        for d in curve.dims
    ]
    return replace(curve, medians=np.array(times)[None])


def drift_only_curve(curve: CurveMedians, model: SingleIndexModel) -> CurveMedians | None:
    """The curve's drift-only medians: fitted like the data, they give the exponent the drift
    alone predicts at these d and eta."""
    return _noiseless_curve(curve, model, drift_only_time)


def mean_flow_curve(curve: CurveMedians, model: SingleIndexModel) -> CurveMedians | None:
    """The curve's mean-flow medians: the drift plus the normalisation's contraction at the
    curve's step sizes (`rmtsgd.single_index.flow`)."""
    return _noiseless_curve(curve, model, mean_flow_time)


def crossover_shape(s: np.ndarray, rho: float) -> np.ndarray:
    """T(eta) / T(0) of A2's small-m drift, dm/dt ~ m (m + 36 eta / a0), from m0 to m*.

    With s = 36 eta / (a0 m0) and rho = m0 / m*: ln((1 + s) / (1 + rho s)) / ((1 - rho) s),
    1 at s = 0, falling as ln(1/rho) / ((1 - rho) s) for s >> 1/rho.
    """
    s = np.asarray(s, dtype=float)
    safe = np.where(s > 0, s, 1.0)
    shape = np.log((1.0 + safe) / (1.0 + rho * safe)) / ((1.0 - rho) * safe)
    return np.where(s > 0, shape, 1.0)


def fit_knee(etas: np.ndarray, times: np.ndarray, rho: float, per_decade: int = 100):
    """Least-squares fit of log T = log T0 + log crossover_shape(eta / eta_c, rho).

    times (..., n_eta) are medians at `etas`; leading axes (bootstrap replicates) are fitted
    separately. T0 is profiled out and eta_c found on a log grid (`per_decade` points per
    decade) from 1/100 of the smallest positive eta to 10 times the largest. Returns eta_c and
    T0 (NaN where a median is undefined or the best eta_c lies on the grid's edge).
    """
    positive = etas[etas > 0]
    lo, hi = np.log10(positive.min() / 100.0), np.log10(positive.max() * 10.0)
    grid = np.logspace(lo, hi, int(round((hi - lo) * per_decade)) + 1)
    log_shape = np.log(crossover_shape(etas[None, :] / grid[:, None], rho))  # (grid, eta)
    residual = log_defined(times)[..., None, :] - log_shape  # (..., grid, eta)
    offset = residual.mean(axis=-1)
    sse = np.sum((residual - offset[..., None]) ** 2, axis=-1)
    defined = np.isfinite(sse).all(axis=-1)
    best = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=-1)
    inside = defined & (best > 0) & (best < len(grid) - 1)
    plateau = np.exp(np.take_along_axis(offset, best[..., None], axis=-1)[..., 0])
    return np.where(inside, grid[best], np.nan), np.where(inside, plateau, np.nan)


def dimension_exponent(curve: CurveMedians, eta: float, log_corrected: bool = False) -> dict:
    """q of samples ~ d^q at one eta (samples / ln d ~ d^q if `log_corrected`)."""
    times = curve.medians[:, :, curve.column(eta)]
    if log_corrected:
        times = times / np.log(curve.dims)
    return {
        **estimate(loglog_slope(curve.dims, times)),
        "curve": curve.name,
        "eta": float(eta),
        "dims": curve.dims.tolist(),
        "log_corrected": log_corrected,
    }


def crossover_fit(curve: CurveMedians, max_eta: float, threshold: float) -> dict:
    """Each d's crossover fit over eta <= max_eta (`fit_knee`): the plateau T0(d) and the knee
    eta_c(d), and the exponents q of T0 ~ d^q and r of eta_c ~ d^{-r}; `threshold` is the
    overlap m* that counts as learnt."""
    inside = curve.etas <= max_eta
    rho = np.array([median_start_overlap(d) / threshold for d in curve.dims])
    fits = [
        fit_knee(curve.etas[inside], curve.medians[:, i][:, inside], rho[i])
        for i in range(len(curve.dims))
    ]
    knees = np.stack([knee for knee, _ in fits], axis=-1)
    plateaus = np.stack([plateau for _, plateau in fits], axis=-1)
    return {
        "curve": curve.name,
        "max_eta": float(max_eta),
        "etas": curve.etas[inside].tolist(),
        "dims": curve.dims.tolist(),
        "rho": rho.tolist(),
        "eta_c": estimate(knees),
        "plateau": estimate(plateaus),
        "threshold_exponent": estimate(-loglog_slope(curve.dims, knees)),
        "plateau_exponent": estimate(loglog_slope(curve.dims, plateaus)),
    }


def eta_slope(curve: CurveMedians, window: Sequence[float]) -> dict:
    """Common slope of log(samples) against log(eta) for eta inside `window`, all d."""
    inside = (curve.etas >= window[0]) & (curve.etas <= window[1])
    return {
        **estimate(pooled_slope(curve.etas[inside], curve.medians[:, :, inside])),
        "curve": curve.name,
        "rule": curve.rule,
        "window": [float(w) for w in window],
        "etas": curve.etas[inside].tolist(),
        "dims": curve.dims.tolist(),
        "prediction": SLOPE_PREDICTION[curve.rule],
    }


NOISELESS = {"drift_only": drift_only_curve, "mean_flow": mean_flow_curve}  # fitted like data


def exponents(
    curves: Mapping[str, CurveMedians], analysis: Mapping, model: SingleIndexModel
) -> dict:
    """Every fitted exponent the claims and the exponent figure use (config analysis section),
    each with the values the same fit gives on the noiseless medians (`NOISELESS`) where the
    curve's algorithm has a drift formula: the drift alone, and the mean flow, which adds the
    normalisation's contraction; the latter is the finite-d, finite-eta and finite-step
    systematic the tolerances quote."""
    noiseless = {
        key: {name: make(curve, model) for name, curve in curves.items()}
        for key, make in NOISELESS.items()
    }

    def fitted(fit, name: str, *args) -> dict:
        result = fit(curves[name], *args)
        for key, limits in noiseless.items():
            if limits[name] is not None:
                result[key] = fit(limits[name], *args)["value"]
        return result

    crossover, large, a1 = analysis["crossover"], analysis["large_eta"], analysis["a1"]
    fit = crossover_fit(curves[crossover["curve"]], crossover["max_eta"], model.threshold)
    setting = {key: fit[key] for key in ("curve", "dims", "max_eta")}
    limit_fits = {
        key: crossover_fit(limits[crossover["curve"]], crossover["max_eta"], model.threshold)
        for key, limits in noiseless.items()
    }

    def knee_exponent(name: str) -> dict:
        """One exponent of the crossover fit with its noiseless counterparts."""
        limits = {key: limit[name]["value"] for key, limit in limit_fits.items()}
        return {**fit[name], **setting, **limits}

    return {
        "crossover": fit,
        "plateau": knee_exponent("plateau_exponent"),
        "threshold": knee_exponent("threshold_exponent"),
        "a0": fitted(dimension_exponent, analysis["a0"]["curve"], 0.0),
        "slopes": {name: fitted(eta_slope, name, w) for name, w in analysis["slopes"].items()},
        "large_eta": fitted(dimension_exponent, large["curve"], large["eta"], True),
        "a1": fitted(dimension_exponent, a1["curve"], a1["eta"], True),
    }


def stack_curve(name: str, curve: Mapping, points: Sequence[Mapping]) -> CurveMedians:
    """One curve's medians from its per-d files (loaded medians .npz), sorted by d; `curve` is
    its config entry (algorithm, rule, c)."""
    points = sorted(points, key=lambda p: int(p["d"]))
    etas = np.asarray(points[0]["eta"], dtype=float)
    for p in points:
        if not np.array_equal(p["eta"], etas):
            raise ValueError(f"curve {name}: d = {int(p['d'])} has a different eta grid")
    return CurveMedians(
        name=name,
        rule=curve["rule"],
        dims=np.array([int(p["d"]) for p in points]),
        etas=etas,
        medians=np.stack([p["medians"] for p in points], axis=1),
        algorithm=curve["algorithm"],
        c=float(curve["c"]),
    )


SPEC = "spec: single_index.md, Predictions"  # seed 001 is a news summary of the paper
# Per step-size rule: A2's regime above the threshold, and where the spec states it.
SLOPE_STATEMENT = {
    "theorem": (
        "with gamma tuned per eta by the theorem's rule: samples ~ eta^-2 d",
        "'A2, large eta: ~ eta^{-2} d with gamma tuned per eta (theorem rule)' (summary [N])",
    ),
    "fixed": (
        "at a fixed step size gamma: samples ~ eta^-1",
        "'A2, large eta: ~ eta^{-1} at fixed gamma' (derived [D])",
    ),
    "information": (
        "at gamma = c d^{-3/2} for every eta: samples ~ eta^-1",
        "'A2, large eta: ~ eta^{-1} at fixed gamma' (derived [D])",
    ),
}


def exponent_rows(fitted: Mapping) -> list[dict]:
    """Each fitted exponent with its prediction, statement, source and setting, in a fixed
    order; `kind` is its key in the claims config (a slope's: slope_<its step-size rule>)."""
    plateau, a0, a1 = fitted["plateau"], fitted["a0"], fitted["a1"]
    threshold, large = fitted["threshold"], fitted["large_eta"]
    rows = [
        {
            "name": "plateau_exponent",
            "statement": "A2 at small eta stays in the information-exponent regime: samples ~ "
            "d^2 (fitted: the small-eta plateau T0 of the crossover fit over eta <= "
            f"{plateau['max_eta']:g} grows as d^q, q = 2)",
            "source": f"{SPEC}, 'A2, small eta: ~ d^2' (summary [N])",
            "fit": plateau,
            "prediction": 2.0,
            "setting": ("max_eta",),
        },
        {
            "name": "a0_exponent",
            "statement": "online SGD (A0) on He_3, information exponent 3, needs samples ~ d^2",
            "source": f"{SPEC}, 'A0, He_3: samples ~ d^2' (summary [N], classical)",
            "fit": a0,
            "prediction": 2.0,
            "setting": (),
        },
        {
            "name": "threshold_exponent",
            "statement": "A2's learning-rate threshold scales as eta_c ~ d^{-1/2} (fitted: "
            "eta_c ~ d^{-r}, r = 1/2, eta_c the scale of the crossover fit of A2's two drift "
            f"terms to the medians at eta <= {threshold['max_eta']:g})",
            "source": f"{SPEC}, 'A2 threshold: eta_c ~ d^{{-1/2}}' (summary [N])",
            "fit": threshold,
            "prediction": 0.5,
            "setting": ("max_eta",),
        },
        {
            "name": "large_eta_exponent",
            "statement": f"A2 at large eta (eta = {large['eta']:g}, gamma tuned per eta by the "
            "theorem's rule) reaches the generative-exponent regime: samples ~ d up to logs "
            "(fitted: samples / ln d ~ d^q, q = 1)",
            "source": f"{SPEC}, 'A2, large eta: ~ eta^{{-2}} d' and Fig 1's d polylog d "
            "(summary [N])",
            "fit": large,
            "prediction": 1.0,
            "setting": ("eta",),
        },
        {
            "name": "a1_exponent",
            "statement": f"A1's batch reuse at a fixed eta = {a1['eta']:g} (eta d = "
            f"{a1['eta'] * min(a1['dims']):g} to {a1['eta'] * max(a1['dims']):g}) reaches about "
            "d samples (fitted: samples / ln d ~ d^q, q = 1)",
            "source": f"{SPEC}, 'A1: ~ d for eta above ~ d^{{-1}}' (summary [N])",
            "fit": a1,
            "prediction": 1.0,
            "setting": ("eta",),
        },
    ]
    for name, fit in fitted["slopes"].items():
        regime, source = SLOPE_STATEMENT[fit["rule"]]
        rows.append(
            {
                "name": f"slope_{name}",
                "kind": f"slope_{fit['rule']}",
                "statement": f"A2 above the threshold, {regime} (fitted: the common slope of "
                f"log samples against log eta over eta in [{fit['window'][0]:g}, "
                f"{fit['window'][1]:g}], all d, is {fit['prediction']:g})",
                "source": f"{SPEC}, {source}",
                "fit": fit,
                "prediction": fit["prediction"],
                "setting": ("rule", "window", "etas"),
            }
        )
    for row in rows:
        row.setdefault("kind", row["name"])
    return rows


def _number(value: float | None) -> float:
    """A fitted number as read back from JSON, where an undefined one was written as null."""
    return float("nan") if value is None else float(value)


def single_index_claims(fitted: Mapping, claims_cfg: Mapping, runs: int) -> list[dict]:
    """The module's claims from the fitted exponents (`runs` per scan point); tolerances,
    declared deviations and skips from the config."""
    claims = []
    for row in exponent_rows(fitted):
        if row["kind"] in claims_cfg["skip"]:
            continue
        fit = row["fit"]
        systematics = [key for key in ("drift_only", "mean_flow") if key in fit]
        keys = ("curve", "dims", *row["setting"], *systematics)
        claims.append(
            make_claim(
                row["name"],
                row["statement"],
                row["source"],
                _number(fit["value"]),
                _number(fit["error"]),
                row["prediction"],
                claims_cfg[row["kind"]],
                claims_cfg["z"],
                setting={key: fit[key] for key in keys},
                samples={"count": runs, "unit": "runs per point"},
            )
        )
    return claims
