"""Analysis of the linear teacher-student ensembles: the relaxation of the squared singular values
(seed 002 Eq 22, Fig 4), their stationary two-species Coulomb gas (Eqs 29-32, Fig 5), the
single-layer scans of PRE 111 (2025) 015303, and the module's claims.

Samples come as x[network, snapshot, mode] with modes sorted descending; networks are the
independent samples, so every error is a delete-one-block jackknife over blocks of networks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import optimize

from rmtsgd.claims import make_claim, ratio_with_error, stationarity_claim
from rmtsgd.coulomb import SEMICIRCLE_U4
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
    """The surmise test (`surmise_test`) on the pair spacings of the last snapshot: one spacing
    per network, so the samples are independent."""
    return surmise_test(samples[:, -1, 0] - samples[:, -1, 1])


# --------------------------------------------------------------------------- model B scans


def scan_variable(setting: Mapping) -> float:
    """sqrt(alpha eps^2 / |B|): the predicted scale of the learnt spread (PRE)."""
    return float(np.sqrt(setting["lr"] * setting["eps"] ** 2 / setting["batch"]))


def scan_summary(fits: Sequence[Mapping], max_lr: float) -> dict:
    """Per scan: y = a X fits of <S> and sqrt(pi) sigma against X = sqrt(alpha eps^2/|B|) over
    the settings with alpha <= max_lr, and how far the largest alpha lies off that line."""
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
    return summary


# --------------------------------------------------------------------------- claims


def is_isotropic(ztz: np.ndarray) -> bool:
    """Whether Z^T Z is a multiple of the identity (every mode learns at the same rate)."""
    ztz = np.asarray(ztz, dtype=float)
    return bool(np.allclose(ztz, ztz[0, 0] * np.eye(len(ztz)), rtol=1e-9, atol=1e-12))


def _rate_claims(fit: Mapping, tol: Mapping, z: float) -> list[dict]:
    """Seed 002 Fig 4: rates ordered like (U^T Z^T Z U)_ii, or equal for Z^T Z ~ I."""
    case, setting = fit["case"], {"case": fit["case"], "noise_std": fit["noise_std"]}
    modes = fit["relaxation"]["modes"]
    fit_from = fit["relaxation"]["fit_from"]
    claims = [
        make_claim(
            f"eq22_fit_{case}_mode{m['index']}",
            f"Eq 22 fitted from epoch {fit_from:g} describes the mean x_{m['index'] + 1}(t) "
            f"for Z = {case}: share of the relaxation's mean square left unexplained (1 - R^2)",
            m["unexplained"]["value"],
            m["unexplained"]["error"],
            0.0,
            tol["eq22_unexplained"],
            z,
            rule="at_most",
            setting=setting,
        )
        for m in modes
    ]
    if not is_isotropic(fit["ztz"]):
        fast, slow = sorted(modes, key=lambda m: -m["projected_ztz"]["value"])
        ratio, error = ratio_with_error(slow["rate"], fast["rate"])
        claims.append(
            make_claim(
                f"rate_order_{case}",
                f"for Z = {case} the mode with the larger diagonal entry of U_s^T Z^T Z U_s "
                f"(x_{fast['index'] + 1}) converges faster: log of the Eq 22 rate ratio "
                f"a_{slow['index'] + 1}/a_{fast['index'] + 1}",
                float(np.log(ratio)),
                error / ratio,
                0.0,
                tol["rate_order"],
                z,
                rule="below",
                setting=setting,
            )
        )
        return claims
    ratio, error = ratio_with_error(modes[0]["rate"], modes[1]["rate"])
    if fit["noise_std"] == 0:
        claims.append(
            make_claim(
                f"rate_ratio_{case}",
                f"with Z^T Z ~ I ({case}) and no added noise both modes converge at the same "
                "rate: Eq 22 rate ratio a_1/a_2",
                ratio,
                error,
                1.0,
                tol["rate_ratio"],
                z,
                setting=setting,
            )
        )
    else:
        claims.append(
            make_claim(
                f"rate_repulsion_{case}",
                f"with Z^T Z ~ I ({case}) and the Eq 28 noise the sorted modes do not relax at "
                "one rate (measured deviation from the paper's equal rates): level repulsion at "
                "the degenerate teacher slows the larger mode's mean, a_1/a_2 below 1",
                ratio,
                error,
                1.0,
                tol["rate_repulsion"],
                z,
                rule="below",
                setting=setting,
            )
        )
    return claims


def _stationary_claims(fit: Mapping, tol: Mapping, z: float) -> list[dict]:
    """Seed 002 Fig 5 and Eqs 30-31: one or two species, sigma_m, the surmise, stationarity."""
    case, setting = fit["case"], {"case": fit["case"], "noise_std": fit["noise_std"]}
    stationary = fit["stationary"]
    table = stationary["fits"]
    two_species = not is_isotropic(fit["ztz"])
    aic, ratio = table["delta_aic"], table["sigma_m_ratio"]
    claims = [
        stationarity_claim(
            f"stationary_{case}", stationary["stationarity"], tol["stationarity"], setting
        ),
        surmise_claim(f"wigner_surmise_{case}", stationary["surmise"], tol, setting),
    ]
    if two_species:
        claims += [
            make_claim(
                f"two_species_aic_{case}",
                f"the two-species density (Eq 32) fits the stationary x of Z = {case} better "
                "than Eq 11: AIC(Eq 11) - AIC(Eq 32) for one snapshot of the ensemble",
                aic["value"],
                aic["error"],
                0.0,
                tol["two_species_aic"],
                z,
                rule="above",
                setting=setting,
            ),
            make_claim(
                f"sigma_m_ratio_{case}",
                f"sigma_m from Eq 30 with the fitted sigma_1, sigma_2 lies below sigma_m from "
                f"the spacing fit (Eq 31) for Z = {case} (measured deviation; the paper found "
                "them compatible): ratio",
                ratio["value"],
                ratio["error"],
                1.0,
                tol["sigma_m_deviation"],
                z,
                rule="below",
                setting=setting,
            ),
        ]
    else:
        claims += [
            make_claim(
                f"one_species_aic_{case}",
                f"for Z^T Z ~ I ({case}) a second width brings no evidence: AIC(Eq 11) - "
                "AIC(Eq 32) for one snapshot of the ensemble",
                aic["value"],
                aic["error"],
                0.0,
                tol["two_species_aic"],
                z,
                rule="at_most",
                setting=setting,
            ),
            make_claim(
                f"sigma_m_ratio_{case}",
                f"sigma_m from Eq 30 agrees with sigma_m from the spacing fit (Eq 31) for "
                f"Z = {case}: ratio",
                ratio["value"],
                ratio["error"],
                1.0,
                tol["sigma_m_ratio"],
                z,
                setting=setting,
            ),
            make_claim(
                f"binder_u4_{case}",
                f"U4 of the pair equals the semicircle value -4/27 (Eq 12) for Z = {case}",
                table["binder_u4"]["value"],
                table["binder_u4"]["error"],
                SEMICIRCLE_U4,
                tol["binder_u4"],
                z,
                setting=setting,
            ),
        ]
    return claims


def surmise_claim(name: str, test: Mapping, tol: Mapping, setting: Mapping) -> dict:
    """The spacings of independent networks pass a KS test against the Wigner surmise."""
    return make_claim(
        name,
        f"spacings s = S/<S> of the pair follow the Wigner surmise (Eq 31): KS test of "
        f"{test['n']} independent networks, p-value (KS distance {test['ks']:.4f})",
        test["p_value"],
        0.0,
        0.0,
        tol["wigner_surmise_p"],
        0.0,
        rule="above",
        setting=setting,
    )


def pair_claims(
    pair: Mapping, surmise: Mapping, label: str, setting: Mapping, tol: Mapping, z: float
) -> list[dict]:
    """Eq 11-12 and Eq 31 claims of one degenerate pair: <S> = sqrt(pi) sigma, U4, and the
    surmise test of its independent spacings."""
    return [
        make_claim(
            f"spacing_mean_{label}",
            "<S> = sqrt(pi) sigma for the pair (Eq 31 with the Eq 11 width; ratio shown)",
            pair["spacing_ratio"]["value"],
            pair["spacing_ratio"]["error"],
            1.0,
            tol["spacing_mean"],
            z,
            setting=setting,
        ),
        make_claim(
            f"binder_u4_{label}",
            "U4 of the pair equals the semicircle value -4/27 (Eq 12)",
            pair["binder_u4"]["value"],
            pair["binder_u4"]["error"],
            SEMICIRCLE_U4,
            tol["binder_u4"],
            z,
            setting=setting,
        ),
        surmise_claim(f"wigner_surmise_{label}", surmise, tol, setting),
    ]


def _scan_claims(
    fits: Sequence[Mapping], summary: Mapping, tol: Mapping, z: float, max_noise: float
) -> list[dict]:
    """PRE: per setting the pair laws (U4 only for alpha/|B| <= max_noise, and how far U4 lies
    off the semicircle value at the largest alpha/|B| beyond); across scans one slope of <S>."""
    claims = []
    for fit in fits:
        setting = {k: fit["setting"][k] for k in ("lr", "batch", "eps")}
        tag = fit["setting"]["name"]
        inside = fit["setting"]["noise"] <= max_noise
        claims.append(
            stationarity_claim(
                f"stationary_{tag}", fit["stationarity"], tol["stationarity"], setting
            )
        )
        claims += [
            claim
            for claim in pair_claims(fit["modes"][0], fit["surmise"], tag, setting, tol, z)
            if inside or not claim["name"].startswith("binder_u4")
        ]
    outside = [f for f in fits if f["setting"]["noise"] > max_noise]
    if outside:
        fit = max(outside, key=lambda f: f["setting"]["noise"])
        u4 = fit["modes"][0]["binder_u4"]
        claims.append(
            make_claim(
                "binder_u4_above_semicircle_at_largest_noise",
                f"at the largest alpha/|B| = {fit['setting']['noise']:g} U4 lies above the "
                "semicircle value -4/27 (measured deviation: the mini-batch's multiplicative "
                "noise fattens the tails)",
                u4["value"],
                u4["error"],
                SEMICIRCLE_U4,
                tol["binder_u4_deviation"],
                z,
                rule="above",
                setting={k: fit["setting"][k] for k in ("lr", "batch", "eps")},
            )
        )
    scans = summary["scans"]
    reference = scans["eps"]["slope_spacing"]
    range_ = {"max_lr": summary["max_lr"]}
    for scan in ("batch", "lr"):
        ratio, error = ratio_with_error(scans[scan]["slope_spacing"], reference)
        claims.append(
            make_claim(
                f"slope_ratio_{scan}_eps",
                f"<S> = a sqrt(alpha eps^2/|B|): the slope a of the {scan} scan agrees with that "
                "of the eps scan (ratio)",
                ratio,
                error,
                1.0,
                tol["slope_ratio"],
                z,
                setting=range_,
            )
        )
    for scan, entry in scans.items():
        ratio, error = ratio_with_error(entry["slope_spacing"], entry["slope_sqrt_pi_sigma"])
        claims.append(
            make_claim(
                f"slope_spacing_over_width_{scan}",
                f"<S> = sqrt(pi) sigma along the {scan} scan: ratio of the two fitted slopes",
                ratio,
                error,
                1.0,
                tol["spacing_mean"],
                z,
                setting=range_,
            )
        )
        deviation = entry.get("largest_lr_deviation")
        if deviation:
            claims.append(
                make_claim(
                    f"spacing_above_line_at_largest_lr_{scan}",
                    f"at the largest alpha = {deviation['lr']:g} <S> lies above the small-alpha "
                    "line (relative deviation; discrete-time updates widen the stationary law "
                    "by about sqrt((2 - alpha_0)/(2 - alpha)))",
                    deviation["value"],
                    deviation["error"],
                    0.0,
                    tol["largest_lr_deviation"],
                    z,
                    rule="above",
                    setting={"lr": deviation["lr"]},
                )
            )
    return claims


def teacher_student_claims(
    model_a: Sequence[Mapping],
    model_b: Sequence[Mapping],
    summary: Mapping,
    cfg: Mapping,
    analysis: Mapping,
) -> list[dict]:
    """Every claim of the module; `cfg` and `analysis` are the config's teacher_student.claims
    and teacher_student.analysis sections."""
    z = cfg["z"]
    claims = []
    for fit in model_a:
        claims += _rate_claims(fit, cfg, z)
        if fit["stationary"] is not None:
            claims += _stationary_claims(fit, cfg, z)
    claims += _scan_claims(model_b, summary, cfg, z, analysis["claim_max_noise"])
    skipped = tuple(cfg["skip"])
    return [claim for claim in claims if not claim["name"].startswith(skipped)]
