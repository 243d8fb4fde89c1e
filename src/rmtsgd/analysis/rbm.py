"""Analysis of the Gaussian-RBM ensembles: per-setting fits, the scaling with alpha/|B| across
both scans, and the claims of seed 002 Sec 4.1 and the PRE paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rmtsgd.claims import make_claim, ratio_with_error, stationarity_claim
from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.fits import analyse_modes, weighted_line
from rmtsgd.spectra import target_modes, window_samples


def analyse_setting(
    x: np.ndarray,
    snapshots: np.ndarray,
    measure_from: int,
    kappa: np.ndarray,
    mu2: float,
    n_blocks: int,
) -> dict:
    """Fits of every mode of one setting, with jackknife errors, and a stationarity check.

    Each mode also gets its centre ratio (mu^2 - centre) / kappa: lambda_fit / kappa of Fig 3.
    """
    samples = window_samples(x, snapshots, measure_from)
    return analyse_modes(
        samples,
        target_modes(kappa),
        n_blocks,
        derived=lambda mode, values: {"centre_ratio": (mu2 - values["centre"]) / mode.kappa},
    )


def mode_series(fits: Sequence[Mapping], k: int, quantity: str) -> dict[str, np.ndarray]:
    """One mode's quantity across settings, with the settings' alpha/|B| and scan membership."""
    return {
        "noise": np.array([f["setting"]["lr"] / f["setting"]["batch"] for f in fits]),
        "value": np.array([f["modes"][k][quantity]["value"] for f in fits]),
        "error": np.array([f["modes"][k][quantity]["error"] for f in fits]),
        "scans": [f["setting"]["scans"] for f in fits],
    }


def scaling_summary(fits: Sequence[Mapping], max_noise: float) -> list[dict]:
    """Per mode: width against sqrt(alpha/|B|) per scan and jointly, and the centre-ratio limit.

    Only settings with alpha/|B| <= max_noise enter the fits; the largest-noise setting beyond
    that range is compared with the small-noise line and reported as a relative deviation.
    """
    summary = []
    for k, mode in enumerate(fits[0]["modes"]):
        width = mode_series(fits, k, "width")
        ratio = mode_series(fits, k, "centre_ratio")
        inside = width["noise"] <= max_noise
        root = np.sqrt(width["noise"])
        entry = {"index": k, "kind": mode["kind"], "kappa": mode["kappa"]}
        for scan in ("lr", "batch"):
            sel = inside & np.array([scan in s for s in width["scans"]])
            (a,), cov, chi2, dof = weighted_line(
                root[sel], width["value"][sel], width["error"][sel], True
            )
            entry[f"slope_{scan}"] = {"value": a, "error": float(np.sqrt(cov[0, 0]))}
        (a,), cov, chi2, dof = weighted_line(
            root[inside], width["value"][inside], width["error"][inside], True
        )
        a_err = float(np.sqrt(cov[0, 0]))
        entry["slope_joint"] = {"value": a, "error": a_err}
        entry["slope_joint_chi2_dof"] = chi2 / max(dof, 1)
        log_w = np.log(width["value"][inside])
        (p, _), cov, chi2, dof = weighted_line(
            np.log(width["noise"][inside]),
            log_w,
            width["error"][inside] / width["value"][inside],
            False,
        )
        entry["width_exponent"] = {"value": p, "error": float(np.sqrt(cov[0, 0]))}
        entry["width_exponent_chi2_dof"] = chi2 / max(dof, 1)
        (_, c0), cov, chi2, dof = weighted_line(
            ratio["noise"][inside], ratio["value"][inside], ratio["error"][inside], False
        )
        entry["centre_ratio_limit"] = {"value": c0, "error": float(np.sqrt(cov[1, 1]))}
        entry["centre_ratio_chi2_dof"] = chi2 / max(dof, 1)
        outside = np.flatnonzero(~inside)
        if outside.size:
            j = outside[np.argmax(width["noise"][outside])]
            line = a * root[j]
            entry["largest_noise_deviation"] = {
                "noise": float(width["noise"][j]),
                "lr": fits[j]["setting"]["lr"],
                "batch": fits[j]["setting"]["batch"],
                "value": float(width["value"][j] / line - 1.0),
                "error": float(
                    np.hypot(width["error"][j] / line, width["value"][j] / line * a_err / a)
                ),
            }
        summary.append(entry)
    return summary


def _setting_of(fit: Mapping) -> dict:
    return {key: fit["setting"][key] for key in ("lr", "batch")}


def rbm_claims(fits: Sequence[Mapping], summary: Sequence[Mapping], cfg: Mapping) -> list[dict]:
    """The RBM module's claims from the per-setting fits and the scaling summary.

    `cfg` is the config's rbm section: claims use its tolerances and make per-setting claims
    only for alpha/|B| <= analysis.claim_max_noise, and scaling claims over the settings with
    alpha/|B| <= analysis.scaling_max_noise.
    """
    tol, z = cfg["claims"], cfg["claims"]["z"]
    max_noise = cfg["analysis"]["claim_max_noise"]
    claims = []
    for fit in fits:
        setting = _setting_of(fit)
        tag = fit["setting"]["name"]
        claims.append(
            stationarity_claim(
                f"stationary_{tag}", fit["stationarity"], tol["stationarity"], setting
            )
        )
        if fit["setting"]["lr"] / fit["setting"]["batch"] > max_noise:
            continue
        for mode in fit["modes"]:
            if mode["kind"] != "pair":
                continue
            label = f"pair{mode['index']}_{tag}"
            kappa = f"kappa={mode['kappa']:.3f}"
            u4, ratio, ks = mode["binder_u4"], mode["spacing_ratio"], mode["ks_surmise"]
            claims += [
                make_claim(
                    f"binder_u4_{label}",
                    f"U4 of the {kappa} pair equals the semicircle value -4/27 (Eq 12)",
                    u4["value"],
                    u4["error"],
                    SEMICIRCLE_U4,
                    tol["binder_u4"],
                    z,
                    setting=setting,
                ),
                make_claim(
                    f"spacing_mean_{label}",
                    f"<S> = sqrt(pi) sigma for the {kappa} pair (Eq 31, ratio shown)",
                    ratio["value"],
                    ratio["error"],
                    1.0,
                    tol["spacing_mean"],
                    z,
                    setting=setting,
                ),
                make_claim(
                    f"wigner_surmise_{label}",
                    f"spacings s = S/<S> of the {kappa} pair follow the Wigner surmise "
                    "(KS distance)",
                    ks["value"],
                    ks["error"],
                    0.0,
                    tol["wigner_surmise_ks"],
                    z,
                    rule="at_most",
                    setting=setting,
                ),
            ]
    for entry in summary:
        label = f"mode{entry['index']}"
        kappa = f"kappa={entry['kappa']:.3f}"
        expo, limit = entry["width_exponent"], entry["centre_ratio_limit"]
        lr_slope, b_slope = entry["slope_lr"], entry["slope_batch"]
        ratio, ratio_err = ratio_with_error(lr_slope, b_slope)
        range_ = {"max_noise": cfg["analysis"]["scaling_max_noise"]}
        claims += [
            make_claim(
                f"width_exponent_{label}",
                f"width of the {kappa} mode scales as (alpha/|B|)^p with p = 1/2, both scans "
                "together",
                expo["value"],
                expo["error"],
                0.5,
                tol["width_exponent"],
                z,
                setting=range_,
            ),
            make_claim(
                f"width_slope_ratio_{label}",
                f"slope of width against sqrt(alpha/|B|) of the {kappa} mode agrees between "
                "the alpha scan and the |B| scan (ratio)",
                ratio,
                ratio_err,
                1.0,
                tol["width_slope_ratio"],
                z,
                setting=range_,
            ),
            make_claim(
                f"centre_ratio_limit_{label}",
                f"fitted lambda / kappa of the {kappa} mode extrapolates to 1 as "
                "alpha/|B| -> 0 (intercept of a linear fit)",
                limit["value"],
                limit["error"],
                1.0,
                tol["centre_ratio_limit"],
                z,
                setting=range_,
            ),
        ]
        deviation = entry.get("largest_noise_deviation")
        if deviation:
            claims.append(
                make_claim(
                    f"width_below_line_at_largest_noise_{label}",
                    f"at the largest alpha/|B| = {deviation['noise']:g} the width of the "
                    f"{kappa} mode falls below the small-noise line (relative deviation)",
                    deviation["value"],
                    deviation["error"],
                    0.0,
                    tol["largest_noise_deviation"],
                    z,
                    rule="below",
                    setting={"lr": deviation["lr"], "batch": deviation["batch"]},
                )
            )
    skipped = tuple(cfg["claims"]["skip"])
    return [claim for claim in claims if not claim["name"].startswith(skipped)]
