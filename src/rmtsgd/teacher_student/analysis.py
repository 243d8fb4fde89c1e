"""Analysis of the linear teacher-student ensembles: the relaxation of the squared singular values
(seed 002 Eq 22, Fig 4), their stationary two-species Coulomb gas (Eqs 29-32, Fig 5), the
single-layer scans of PRE 111 (2025) 015303. The claims are in `teacher_student_claims`.

Samples come as x[network, snapshot, mode] with modes sorted descending; networks are the
independent samples, so every error is a delete-one-block jackknife over blocks of networks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import optimize

from rmtsgd.coulomb import wigner_surmise_cdf
from rmtsgd.fits import (
    TwoSpeciesFit,
    analyse_modes,
    fit_semicircle_pair,
    fit_two_species,
    jackknife,
    surmise_test,
    weighted_line,
)
from rmtsgd.spectra import Mode, window_samples

PAIR = Mode((0, 1), float("nan"), "pair")
"""The two squared singular values of a 2 x 2 student of a degenerate teacher: one pair."""

SURMISE_RESAMPLES = 200
"""Bootstrap resamples of the KS distance: its error to about 5% (1/sqrt(2 x 200))."""


# --------------------------------------------------------------------------- Eq 22 relaxation


def eq22(t: np.ndarray, sqrt_kappa: float, sqrt_x0: float, rate: float) -> np.ndarray:
    """x(t) = [sqrt(kappa) + (sqrt(x0) - sqrt(kappa)) e^{-a t}]^2, seed 002 Eq 22."""
    return (sqrt_kappa + (sqrt_x0 - sqrt_kappa) * np.exp(-rate * t)) ** 2


def fit_eq22(t: np.ndarray, mean: np.ndarray) -> dict[str, float]:
    """Least-squares fit of Eq 22 to a mean curve, and the share of its relaxation left unexplained.

    `unexplained` = sum (mean - fit)^2 / sum (mean - kappa_fit)^2, i.e. 1 - R^2 of the
    relaxation towards the fitted plateau.
    """
    params, _ = optimize.curve_fit(eq22, t - t[0], mean, p0=_eq22_start(t, mean), maxfev=20000)
    sqrt_kappa, sqrt_start, rate = params
    residual = mean - eq22(t - t[0], *params)
    return {
        "rate": float(rate),
        "kappa": float(sqrt_kappa**2),
        "sqrt_kappa": float(sqrt_kappa),
        # the curve's sqrt(x0) at epoch 0, extrapolated back from the fit window (signed)
        "sqrt_x0": float(sqrt_kappa + (sqrt_start - sqrt_kappa) * np.exp(rate * t[0])),
        "unexplained": float(np.sum(residual**2) / np.sum((mean - sqrt_kappa**2) ** 2)),
    }


def _eq22_start(t: np.ndarray, mean: np.ndarray) -> list[float]:
    """Start values: the last and first means, and the rate from the 1/e time of the approach."""
    distance = np.abs(mean - mean[-1])
    settled = np.flatnonzero(distance < distance[0] / np.e)
    e_time = t[settled[0]] - t[0] if settled.size and settled[0] > 0 else t[-1] - t[0]
    return [np.sqrt(mean[-1]), np.sqrt(max(mean[0], 0.0)), 1.0 / max(e_time, 1e-12)]


def _relaxation_table(data: np.ndarray, epochs: np.ndarray) -> dict[str, float]:
    """Eq 22 fit of every mode's ensemble mean (data: network, snapshot, value)."""
    mean = data.mean(axis=0)
    table = {}
    for i in range(mean.shape[-1]):
        table.update({f"{i}.{k}": v for k, v in fit_eq22(epochs, mean[:, i]).items()})
    return table


def is_isotropic(ztz: np.ndarray) -> bool:
    """Whether Z^T Z is a multiple of the identity (every mode learns at the same rate)."""
    ztz = np.asarray(ztz, dtype=float)
    return bool(np.allclose(ztz, ztz[0, 0] * np.eye(len(ztz)), rtol=1e-9, atol=1e-12))


def analyse_relaxation(
    x: np.ndarray, projected: np.ndarray, epochs: np.ndarray, fit_from: float, n_blocks: int
) -> dict:
    """Eq 22 fits from epoch `fit_from` on, per sorted mode, with jackknife errors, plus each
    mode's (U_s^T Z^T Z U_s)_ii averaged over networks and the fit window (the paper's a_i ~
    alpha times it)."""
    keep = np.isfinite(x).all(axis=(1, 2))
    window = epochs >= fit_from
    data, proj = x[keep][:, window], projected[keep][:, window]
    table = jackknife(lambda d: _relaxation_table(d, epochs[window]), data, n_blocks)
    diag = jackknife(
        lambda d: {str(i): float(d[..., i].mean()) for i in range(d.shape[-1])}, proj, n_blocks
    )
    modes = []
    for i in range(x.shape[-1]):
        entry = {"index": i, "projected_ztz": diag[str(i)]}
        entry.update({k.split(".", 1)[1]: q for k, q in table.items() if k.startswith(f"{i}.")})
        modes.append(entry)
    return {"fit_from": fit_from, "snapshots": int(window.sum()), "modes": modes}


# --------------------------------------------------------------------------- two species


def _two_species_table(data: np.ndarray, start: TwoSpeciesFit) -> dict[str, float]:
    """Eq 11 and Eq 32 fits of the pooled pair and sigma_m from the spacings (Eq 31). The Eq 32
    search starts from `start`."""
    samples = data.ravel()
    one = fit_semicircle_pair(samples)
    two = fit_two_species(samples, start)
    spacing = (data[..., 0] - data[..., 1]).ravel()
    # maximum likelihood of Eq 31: sigma_m^2 = <S^2> / 4
    sigma_m_spacing = float(np.sqrt(np.mean(spacing**2) / 4.0))
    return {
        "centre_one": one.center,
        "sigma_one": one.sigma,
        "centre_two": two.center,
        "sigma1": two.sigma1,
        "sigma2": two.sigma2,
        "sigma_m_eq30": two.sigma_m,
        "sigma_m_spacing": sigma_m_spacing,
        "sigma_m_ratio": two.sigma_m / sigma_m_spacing,
        "loglik_gain": two.mean_loglik - one.mean_loglik,
    }


def analyse_stationary(
    x: np.ndarray, epochs: np.ndarray, measure_from: float, n_blocks: int
) -> dict:
    """The stationary ensemble of a 2 x 2 student: one- and two-species fits of the pooled
    squared singular values with jackknife errors, and the Akaike criterion between them.

    delta_aic = AIC(Eq 11) - AIC(Eq 32) for one independent snapshot of the ensemble
    (2 x networks samples, one more parameter), from the mean log-likelihood gain per sample
    over the window: positive favours two species.
    """
    samples = window_samples(x, epochs, measure_from)
    if len(samples) < n_blocks:
        raise ValueError(f"only {len(samples)} networks for {n_blocks} jackknife blocks")
    start = fit_two_species(samples.ravel())
    table = jackknife(lambda d: _two_species_table(d, start), samples, n_blocks)
    n_eff = 2 * len(samples)
    gain = table["loglik_gain"]
    table["delta_aic"] = {
        "value": 2.0 * n_eff * gain["value"] - 2.0,
        "error": 2.0 * n_eff * gain["error"],
    }
    shapes = analyse_modes(samples, [PAIR], n_blocks)
    pair = shapes["modes"][0]
    table["binder_u4"] = pair["binder_u4"]
    return {
        "measure_from": measure_from,
        "networks": int(len(samples)),
        "window_snapshots": int(samples.shape[1]),
        "fits": table,
        "surmise": last_snapshot_surmise(samples),
        "stationarity": shapes["stationarity"],
    }


def last_snapshot_surmise(samples: np.ndarray) -> dict[str, float]:
    """The surmise test (`surmise_distance`) on the pair spacings of the last snapshot: one
    spacing per network, so the samples are independent."""
    return surmise_distance(samples[:, -1, 0] - samples[:, -1, 1])


def surmise_distance(
    spacings: np.ndarray, resamples: int = SURMISE_RESAMPLES, seed: int = 0
) -> dict[str, float]:
    """KS distance D of independent spacings s = S/<S> from the Wigner surmise (Eq 31), with
    the KS test's p-value (`surmise_test`), and sqrt(n) D: in these units the law of D under
    the surmise does not depend on n. Its error is the bootstrap standard deviation over the
    spacings, each resample scaled by its own mean as the data are (a fixed seed: reruns give
    identical numbers)."""
    spacings = np.asarray(spacings, dtype=float).ravel()
    test = surmise_test(spacings)
    rng = np.random.default_rng(seed)
    resampled = rng.choice(spacings, (resamples, spacings.size))
    root_n = np.sqrt(spacings.size)
    return {
        **test,
        "scaled_ks": float(root_n * test["ks"]),
        "scaled_ks_error": float(root_n * np.std(surmise_ks_rows(resampled), ddof=1)),
        "resamples": resamples,
    }


def surmise_ks_rows(spacings: np.ndarray) -> np.ndarray:
    """KS distance from the surmise of each row of spacings, scaled by the row's mean (the
    bootstrap's many resamples at once; `surmise_test` gives the same for one row)."""
    s = np.sort(spacings / spacings.mean(axis=1, keepdims=True), axis=1)
    cdf = wigner_surmise_cdf(s)
    n = s.shape[1]
    above = np.arange(1, n + 1) / n - cdf
    below = cdf - np.arange(n) / n
    return np.maximum(above.max(axis=1), below.max(axis=1))


# --------------------------------------------------------------------------- model B scans


def scan_variable(setting: Mapping) -> float:
    """sqrt(alpha eps^2 / |B|): the predicted scale of the learnt spread (PRE)."""
    return float(np.sqrt(setting["lr"] * setting["eps"] ** 2 / setting["batch"]))


def scan_summary(fits: Sequence[Mapping], max_lr: float) -> dict:
    """Per scan: y = a X fits of <S> and sqrt(pi) sigma against X = sqrt(alpha eps^2/|B|) over
    the settings with alpha <= max_lr, and how far the largest alpha lies off that line; over
    all scans together, one line of <S> through the settings with alpha <= max_lr."""
    summary = {"max_lr": max_lr, "scans": {}}
    for scan in sorted({s for f in fits for s in f["setting"]["scans"]}):
        rows = [f for f in fits if scan in f["setting"]["scans"]]
        entry = {"settings": [f["setting"]["name"] for f in rows]}
        variable = np.array([scan_variable(f["setting"]) for f in rows])
        inside = np.array([f["setting"]["lr"] <= max_lr for f in rows])
        for name, quantity, factor in (
            ("spacing", "spacing_mean", 1.0),
            ("sqrt_pi_sigma", "width", np.sqrt(np.pi)),
        ):
            value = factor * np.array([f["modes"][0][quantity]["value"] for f in rows])
            error = factor * np.array([f["modes"][0][quantity]["error"] for f in rows])
            (slope,), cov, chi2, dof = weighted_line(
                variable[inside], value[inside], error[inside], True
            )
            entry[f"slope_{name}"] = {"value": float(slope), "error": float(np.sqrt(cov[0, 0]))}
            entry[f"slope_{name}_chi2_dof"] = chi2 / max(dof, 1)
        outside = np.flatnonzero(~inside)
        if outside.size:
            j = outside[np.argmax([rows[k]["setting"]["lr"] for k in outside])]
            slope = entry["slope_spacing"]
            line = slope["value"] * variable[j]
            mode = rows[j]["modes"][0]["spacing_mean"]
            entry["largest_lr_deviation"] = {
                "lr": rows[j]["setting"]["lr"],
                "value": float(mode["value"] / line - 1.0),
                "error": float(
                    np.hypot(
                        mode["error"] / line,
                        mode["value"] / line * slope["error"] / slope["value"],
                    )
                ),
            }
        summary["scans"][scan] = entry
    summary["line"] = spacing_line([f for f in fits if f["setting"]["lr"] <= max_lr])
    return summary


def spacing_line(fits: Sequence[Mapping]) -> dict:
    """<S> = a X through the origin, X = sqrt(alpha eps^2/|B|), over the given settings (each
    once, whichever scans it belongs to): the slope, chi^2 and its degrees of freedom."""
    variable = np.array([scan_variable(f["setting"]) for f in fits])
    spacing = [f["modes"][0]["spacing_mean"] for f in fits]
    value = np.array([q["value"] for q in spacing])
    error = np.array([q["error"] for q in spacing])
    (slope,), cov, chi2, dof = weighted_line(variable, value, error, True)
    return {
        "settings": [f["setting"]["name"] for f in fits],
        "slope": {"value": float(slope), "error": float(np.sqrt(cov[0, 0]))},
        "chi2": chi2,
        "dof": dof,
    }
