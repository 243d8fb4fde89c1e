"""Analysis of the Gaussian-RBM ensembles: per-setting fits, the scaling with alpha/|B| across
both scans, and the claims of seed 002 Sec 4.1 (Eqs 9, 11, 12, 31) and of PRE 111 015303.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rmtsgd.claims import make_claim, ratio_with_error, stationarity_claim
from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.fits import analyse_modes, weighted_line
from rmtsgd.pair_laws import (
    binder_u4_claim,
    scaled_distance,
    spacing_mean_claim,
    surmise_claim,
)
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


def _quantity(params: np.ndarray, cov: np.ndarray, i: int) -> dict[str, float]:
    return {"value": float(params[i]), "error": float(np.sqrt(cov[i, i]))}


def _width_lines(width: Mapping, inside: np.ndarray, entry: dict) -> None:
    """Width against sqrt(alpha/|B|) through the origin, per scan and both scans together, and
    the power law's exponent, over the settings `inside` the scaling range."""
    root = np.sqrt(width["noise"])
    for scan in ("lr", "batch"):
        sel = inside & np.array([scan in s for s in width["scans"]])
        params, cov, _, _ = weighted_line(root[sel], width["value"][sel], width["error"][sel], True)
        entry[f"slope_{scan}"] = _quantity(params, cov, 0)
    params, cov, chi2, dof = weighted_line(
        root[inside], width["value"][inside], width["error"][inside], True
    )
    entry["slope_joint"] = _quantity(params, cov, 0)
    entry["slope_joint_chi2_dof"] = chi2 / max(dof, 1)
    params, cov, chi2, dof = weighted_line(
        np.log(width["noise"][inside]),
        np.log(width["value"][inside]),
        width["error"][inside] / width["value"][inside],
        False,
    )
    entry["width_exponent"] = _quantity(params, cov, 0)
    entry["width_exponent_chi2_dof"] = chi2 / max(dof, 1)


def _largest_noise_deviation(
    fits: Sequence[Mapping], width: Mapping, inside: np.ndarray, entry: Mapping
) -> dict:
    """Relative deviation of the width at the largest alpha/|B| beyond the scaling range from
    the joint line, its error from both the width's and the slope's."""
    outside = np.flatnonzero(~inside)
    j = outside[np.argmax(width["noise"][outside])]
    a, a_err = entry["slope_joint"]["value"], entry["slope_joint"]["error"]
    line = a * np.sqrt(width["noise"][j])
    return {
        "noise": float(width["noise"][j]),
        "lr": fits[j]["setting"]["lr"],
        "batch": fits[j]["setting"]["batch"],
        "value": float(width["value"][j] / line - 1.0),
        "error": float(np.hypot(width["error"][j] / line, width["value"][j] / line * a_err / a)),
    }


def _noise_line(series: Mapping, sel: np.ndarray) -> dict:
    """A straight line in alpha/|B| through the selected settings: its value at alpha/|B| = 0,
    its slope, with errors, and chi^2/dof."""
    params, cov, chi2, dof = weighted_line(
        series["noise"][sel], series["value"][sel], series["error"][sel], False
    )
    return {
        "intercept": _quantity(params, cov, 1),
        "slope": _quantity(params, cov, 0),
        "chi2_dof": chi2 / max(dof, 1),
        "settings": int(sel.sum()),
    }


def _weighted_mean(series: Mapping, sel: np.ndarray) -> dict:
    """Inverse-variance weighted mean of the selected settings' values, with its error."""
    weights = series["error"][sel] ** -2.0
    return {
        "value": float(np.sum(weights * series["value"][sel]) / np.sum(weights)),
        "error": float(np.sum(weights) ** -0.5),
        "settings": int(sel.sum()),
    }


def scaling_summary(fits: Sequence[Mapping], analysis: Mapping, mu2: float) -> list[dict]:
    """Per mode: width against sqrt(alpha/|B|) per scan and jointly, the slope against the PRE's
    sqrt(alpha (mu^2 - kappa)/|B|), and the centre-ratio limit; per pair also U4 over the
    scaling range, and U4 and <S>/(sqrt(pi) sigma) against alpha/|B| (their finite-noise
    slopes).

    Width and centre fits use the settings with alpha/|B| <= analysis.scaling_max_noise; the
    largest-noise setting beyond that range is compared with the small-noise line and reported
    as a relative deviation. The U4 and <S> lines use the per-setting claims' range, alpha/|B|
    <= analysis.claim_max_noise, over which their slopes are the measured finite-noise shifts.
    """
    summary = []
    for k, mode in enumerate(fits[0]["modes"]):
        width = mode_series(fits, k, "width")
        inside = width["noise"] <= analysis["scaling_max_noise"]
        entry = {"index": k, "kind": mode["kind"], "kappa": mode["kappa"]}
        _width_lines(width, inside, entry)
        collapse = np.sqrt(mu2 - mode["kappa"])  # sigma = a sqrt(alpha/|B|) sqrt(mu^2 - kappa)
        entry["slope_collapse"] = {
            key: entry["slope_joint"][key] / collapse for key in ("value", "error")
        }
        ratio = _noise_line(mode_series(fits, k, "centre_ratio"), inside)
        entry["centre_ratio_limit"] = ratio["intercept"]
        entry["centre_ratio_chi2_dof"] = ratio["chi2_dof"]
        if mode["kind"] == "pair":  # the per-setting claims' finite-noise shifts, measured
            for quantity in ("binder_u4", "spacing_ratio"):
                series = mode_series(fits, k, quantity)
                claimed = series["noise"] <= analysis["claim_max_noise"]
                entry[f"{quantity}_line"] = _noise_line(series, claimed)
            entry["binder_u4_small_noise"] = _weighted_mean(
                mode_series(fits, k, "binder_u4"), inside
            )
        if not inside.all():
            entry["largest_noise_deviation"] = _largest_noise_deviation(fits, width, inside, entry)
        summary.append(entry)
    return summary


def collapse_ratios(summary: Sequence[Mapping]) -> list[dict]:
    """Per mode: its slope of width against sqrt(alpha (mu^2 - kappa)/|B|) over the weighted
    mean slope of all other modes, 1 when every mode falls on one line. The mode is left out of
    the mean so that its own error is not counted twice; the errors add in quadrature, which
    neglects correlations between modes fitted on the same replicas."""
    slopes = {
        key: np.array([e["slope_collapse"][key] for e in summary]) for key in ("value", "error")
    }
    ratios = []
    for k, entry in enumerate(summary):
        rest = _weighted_mean(slopes, np.arange(len(summary)) != k)
        value, error = ratio_with_error(entry["slope_collapse"], rest)
        ratios.append({"index": entry["index"], "value": value, "error": error})
    return ratios


def _setting_of(fit: Mapping) -> dict:
    return {key: fit["setting"][key] for key in ("lr", "batch")}


def _replicas(fit: Mapping) -> dict:
    return {"count": fit["replicas"]["used"], "unit": "replicas per setting"}


def _pair_claims(fit: Mapping, spec: Mapping, z: float) -> list[dict]:
    """Eq 12, Eq 31 and the Wigner surmise for every degenerate pair of one setting."""
    tag, setting, samples = fit["setting"]["name"], _setting_of(fit), _replicas(fit)
    n = fit["replicas"]["used"] * fit["window_snapshots"]  # spacings pooled per pair
    statistic = (
        f"sqrt(n) x KS distance, n = {n} spacings: {fit['replicas']['used']} replicas x "
        f"{fit['window_snapshots']} snapshots of the measurement window, counted as independent"
    )
    claims = []
    for mode in fit["modes"]:
        if mode["kind"] != "pair":
            continue
        label = f"pair{mode['index']}_{tag}"
        pair = f"the kappa = {mode['kappa']:.3f} pair at alpha = {setting['lr']:g}, "
        pair += f"|B| = {setting['batch']}"
        claims += [
            binder_u4_claim(
                f"binder_u4_{label}",
                mode["binder_u4"],
                pair,
                spec["binder_u4"],
                z,
                setting,
                samples,
            ),
            spacing_mean_claim(
                f"spacing_mean_{label}",
                mode["spacing_ratio"],
                pair,
                spec["spacing_mean"],
                z,
                setting,
                samples,
            ),
            surmise_claim(
                f"wigner_surmise_{label}",
                scaled_distance(mode["ks_surmise"], n),
                pair,
                statistic,
                spec["wigner_surmise_ks"],
                z,
                setting,
                samples,
            ),
        ]
    return claims


def _mode_claims(
    entry: Mapping, spec: Mapping, z: float, setting: Mapping, samples: Mapping
) -> list[dict]:
    """Eq 9 (width ~ sqrt(alpha/|B|), one line for both scans) and the centre's limit for one
    mode, over the scaling range; our finding at the largest alpha/|B| beyond it."""
    label, kappa = f"mode{entry['index']}", f"kappa = {entry['kappa']:.3f}"
    ratio, ratio_err = ratio_with_error(entry["slope_lr"], entry["slope_batch"])
    limit = entry["centre_ratio_limit"]
    claims = [
        make_claim(
            f"width_exponent_{label}",
            f"the width of the {kappa} mode scales as (alpha/|B|)^p with p = 1/2 "
            "(both scans together)",
            "paper: seed 002 Eq 9",
            entry["width_exponent"]["value"],
            entry["width_exponent"]["error"],
            0.5,
            spec["width_exponent"],
            z,
            setting=setting,
            samples=samples,
        ),
        make_claim(
            f"width_slope_ratio_{label}",
            f"the width of the {kappa} mode depends on alpha and |B| only through alpha/|B|: "
            "the slopes against sqrt(alpha/|B|) of the alpha scan and the |B| scan agree (ratio)",
            "paper: seed 002 Eq 9 and Fig 3 right (linear scaling rule)",
            ratio,
            ratio_err,
            1.0,
            spec["width_slope_ratio"],
            z,
            setting=setting,
            samples=samples,
        ),
        make_claim(
            f"centre_ratio_limit_{label}",
            f"the fitted lambda/kappa of the {kappa} mode tends to 1 as alpha/|B| -> 0 "
            "(intercept of a line in alpha/|B|)",
            "paper: seed 002 Fig 3 left and Sec 4.1",
            limit["value"],
            limit["error"],
            1.0,
            spec["centre_ratio_limit"],
            z,
            setting=setting,
            samples=samples,
        ),
    ]
    deviation = entry.get("largest_noise_deviation")
    if deviation:
        claims.append(
            make_claim(
                f"width_below_line_at_largest_noise_{label}",
                f"at the largest alpha/|B| = {deviation['noise']:g} the width of the {kappa} "
                "mode lies on or below the line sigma = a sqrt(alpha/|B|) of the small-noise "
                "range, never above it (relative deviation from the line)",
                "ours: the small-noise Eq 9 line overestimates the width at large alpha/|B| "
                "(spec rbm.md, what to expect)",
                deviation["value"],
                deviation["error"],
                0.0,
                spec["largest_noise_deviation"],
                z,
                rule="at_most",
                setting={"lr": deviation["lr"], "batch": deviation["batch"]},
                samples=samples,
            )
        )
    return claims


def _u4_limit_claim(
    entry: Mapping, spec: Mapping, z: float, setting: Mapping, samples: Mapping
) -> dict:
    """U4 of one pair in the small-noise range, where Eq 11 holds, is the semicircle value."""
    mean = entry["binder_u4_small_noise"]
    return make_claim(
        f"binder_u4_limit_pair{entry['index']}",
        f"at small alpha/|B| U4 of the kappa = {entry['kappa']:.3f} pair equals the semicircle "
        f"value -4/27 (weighted mean over the {mean['settings']} settings of both scans with "
        f"alpha/|B| <= {setting['max_noise']:g})",
        "paper: seed 002 Eq 12 with Eqs 8-11 (the Coulomb gas's small-noise limit)",
        mean["value"],
        mean["error"],
        SEMICIRCLE_U4,
        spec,
        z,
        setting=setting,
        samples=samples,
    )


def _collapse_claims(
    summary: Sequence[Mapping], spec: Mapping, z: float, setting: Mapping, samples: Mapping
) -> list[dict]:
    """All modes' widths fall on one line against sqrt(alpha (mu^2 - kappa)/|B|): each mode's
    slope against that variable agrees with the other modes' (`collapse_ratios`)."""
    return [
        make_claim(
            f"mode_collapse_mode{ratio['index']}",
            f"the width of the kappa = {entry['kappa']:.3f} mode lies on the common line "
            "sigma = a sqrt(alpha (mu^2 - kappa)/|B|) of all modes: its slope over the "
            "weighted mean slope of the other modes (both scans, fits through the origin)",
            "paper: PRE 111 015303 (widths and spacings of all modes against "
            "sqrt(alpha (mu^2 - kappa)/|B|) on one line y = a x)",
            ratio["value"],
            ratio["error"],
            1.0,
            spec,
            z,
            setting=setting,
            samples=samples,
        )
        for entry, ratio in zip(summary, collapse_ratios(summary), strict=True)
    ]


def rbm_claims(fits: Sequence[Mapping], summary: Sequence[Mapping], cfg: Mapping) -> list[dict]:
    """The RBM module's claims from the per-setting fits and the scaling summary.

    `cfg` is the config's rbm section (analysis and claims): per-setting pair claims are made
    only for alpha/|B| <= analysis.claim_max_noise, scaling claims over the settings with
    alpha/|B| <= analysis.scaling_max_noise. Claim kinds listed in claims.skip are left out.
    """
    spec, z = cfg["claims"], cfg["claims"]["z"]
    analysis = cfg["analysis"]
    claims = []
    for fit in fits:
        claims.append(
            stationarity_claim(
                f"stationary_{fit['setting']['name']}",
                fit["stationarity"],
                spec["stationarity"],
                z,
                _setting_of(fit),
            )
        )
        if fit["setting"]["lr"] / fit["setting"]["batch"] <= analysis["claim_max_noise"]:
            claims += _pair_claims(fit, spec, z)
    range_ = {"max_noise": analysis["scaling_max_noise"]}
    samples = {"count": min(f["replicas"]["used"] for f in fits), "unit": "replicas per setting"}
    for entry in summary:
        claims += _mode_claims(entry, spec, z, range_, samples)
        if "binder_u4_small_noise" in entry:
            claims.append(_u4_limit_claim(entry, spec["binder_u4_limit"], z, range_, samples))
    claims += _collapse_claims(summary, spec["mode_collapse"], z, range_, samples)
    skipped = tuple(spec["skip"])
    return [claim for claim in claims if not claim["name"].startswith(skipped)]
