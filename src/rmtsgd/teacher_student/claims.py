"""Claims of the linear teacher-student module (claim records version 2, `rmtsgd.claims`).

Every claim states what seed 002 (arXiv 2412.20496, Sec 4.2) or the PRE paper (Aarts, Lucini,
Park, PRE 111 (2025) 015303) asserts, with the value it asserts as reference; where our runs
deviate, the config declares the deviation with its mechanism and band (`rmtsgd.claims`).
`tol` below is the config's teacher_student.claims section: one entry per claim kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rmtsgd.claims import make_claim, ratio_with_error, stationarity_claim
from rmtsgd.coulomb import SEMICIRCLE_U4
from rmtsgd.teacher_student.analysis import is_isotropic

SEED002 = "paper: seed 002 (arXiv 2412.20496)"
PRE = "paper: PRE 111 015303"
EQUAL_RATES = f"{SEED002} Sec 4.2, below Eq 28: 'When Z = 1, the rate of convergence is the same'"
STRONG_EVIDENCE_AIC = 10.0
"""Delta AIC of strong evidence on the usual (Burnham-Anderson) scale: the paper's 'evident'."""


# --------------------------------------------------------------------------- model A


def _relaxation_claims(fit: Mapping, tol: Mapping, z: float) -> list[dict]:
    """Seed 002 Fig 4: Eq 22 describes the mean x_i(t); rates ordered like (U^T Z^T Z U)_ii, or
    equal for Z^T Z ~ I."""
    case, setting = fit["case"], {"case": fit["case"], "noise_std": fit["noise_std"]}
    modes = fit["relaxation"]["modes"]
    fit_from = fit["relaxation"]["fit_from"]
    claims = [
        make_claim(
            f"eq22_fit_{case}_mode{m['index']}",
            f"Eq 22 fitted from epoch {fit_from:g} agrees with the ensemble mean x_"
            f"{m['index'] + 1}(t) for Z = {case}: share of the relaxation's mean square left "
            "unexplained (1 - R^2)",
            f"{SEED002} Fig 4 caption",
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
                f"for Z = {case} the eigenvalue with the larger diagonal entry of U_s^T Z^T Z U_s "
                f"(x_{fast['index'] + 1}) converges faster: log of the Eq 22 rate ratio "
                f"a_{slow['index'] + 1}/a_{fast['index'] + 1} is negative",
                f"{SEED002} Sec 4.2, below Eq 28, and Eq 21 (a_i ~ alpha (U_s^T Z^T Z U_s)_ii)",
                float(np.log(ratio)),
                error / ratio,
                0.0,
                tol["rate_order"],
                z,
                rule="at_most",
                setting=setting,
            )
        )
        return claims
    ratio, error = ratio_with_error(modes[0]["rate"], modes[1]["rate"])
    flow = "the Eq 28 noise" if fit["noise_std"] else "no noise (the deterministic flow, Eq 18)"
    claims.append(
        make_claim(
            f"rate_ratio_{case}",
            f"with Z^T Z ~ I ({case}) and {flow} both eigenvalues converge at the same rate: "
            "Eq 22 rate ratio a_1/a_2",
            EQUAL_RATES,
            ratio,
            error,
            1.0,
            tol["rate_ratio"],
            z,
            setting=setting,
        )
    )
    return claims


def _stationary_claims(fit: Mapping, tol: Mapping, z: float) -> list[dict]:
    """Seed 002 Fig 5 and Eqs 30-32: one or two species, sigma_m, the surmise, stationarity."""
    case, setting = fit["case"], {"case": fit["case"], "noise_std": fit["noise_std"]}
    stationary = fit["stationary"]
    table = stationary["fits"]
    aic, ratio = table["delta_aic"], table["sigma_m_ratio"]
    claims = [
        stationarity_claim(
            f"stationary_{case}", stationary["stationarity"], tol["stationarity"], z, setting
        ),
        surmise_claim(f"wigner_surmise_{case}", stationary["surmise"], SEED002, tol, z, setting),
        make_claim(
            f"sigma_m_ratio_{case}",
            f"sigma_m from Eq 30 with the fitted sigma_1, sigma_2 is compatible with sigma_m from "
            f"the spacing distribution (Eq 31) for Z = {case}: ratio",
            f"{SEED002} Sec 4.2, last paragraph",
            ratio["value"],
            ratio["error"],
            1.0,
            tol["sigma_m_ratio"],
            z,
            setting=setting,
        ),
    ]
    if not is_isotropic(fit["ztz"]):
        return claims + [
            make_claim(
                f"two_species_aic_{case}",
                f"the two-species density (Eq 32) captures the stationary x of Z = {case} better "
                "than Eq 11, strong evidence: AIC(Eq 11) - AIC(Eq 32) for one snapshot of the "
                "ensemble",
                f"{SEED002} Fig 5 and Sec 4.2",
                aic["value"],
                aic["error"],
                STRONG_EVIDENCE_AIC,
                tol["two_species_aic"],
                z,
                rule="at_least",
                setting=setting,
            )
        ]
    u4 = table["binder_u4"]
    return claims + [
        make_claim(
            f"one_species_aic_{case}",
            f"for Z^T Z ~ I ({case}) Eq 32 reduces to Eq 11 (sigma_1 = sigma_2): a second width "
            "brings no evidence, AIC(Eq 11) - AIC(Eq 32) for one snapshot of the ensemble",
            "spec: coulomb_gas.md (Eq 32 reduces to Eq 11 when sigma_1 = sigma_2)",
            aic["value"],
            aic["error"],
            0.0,
            tol["one_species_aic"],
            z,
            rule="at_most",
            setting=setting,
        ),
        make_claim(
            f"binder_u4_{case}",
            f"U4 of the pair equals the semicircle value -4/27 for Z = {case}",
            f"{SEED002} Eq 12",
            u4["value"],
            u4["error"],
            SEMICIRCLE_U4,
            tol["binder_u4"],
            z,
            setting=setting,
        ),
    ]


# --------------------------------------------------------------------------- pairs


def surmise_claim(
    name: str, test: Mapping, source: str, tol: Mapping, z: float, setting: Mapping
) -> dict:
    """The spacings of independent networks follow the Wigner surmise: sqrt(n) times their KS
    distance from it (`surmise_distance`) with its bootstrap error; the tolerance is the
    distance's finite-sample law under the surmise (config basis)."""
    return make_claim(
        name,
        f"the level spacings s = S/<S> follow the Wigner surmise (Eq 31): sqrt(n) x KS distance "
        f"of {test['n']} independent networks' spacings (KS test p = {test['p_value']:.3g})",
        f"{source} Eq 31",
        test["scaled_ks"],
        test["scaled_ks_error"],
        0.0,
        tol["wigner_surmise"],
        z,
        rule="at_most",
        setting=setting,
    )


def pair_claims(
    pair: Mapping,
    surmise: Mapping,
    label: str,
    setting: Mapping,
    tol: Mapping,
    z: float,
    samples: Mapping | None = None,
) -> list[dict]:
    """Eq 11-12 and Eq 31 claims of one degenerate pair: <S> = sqrt(pi) sigma, U4, and the
    surmise test of its independent spacings. `samples` ({count, unit}): the ensemble's size,
    for what would decide an inconclusive claim."""
    return [
        make_claim(
            f"spacing_mean_{label}",
            "<S> = sqrt(pi) sigma for the pair, sigma the Eq 11 width (ratio)",
            f"{SEED002} Sec 4.1 (<S> = sqrt(pi) sigma, Eq 31 with Eq 11); {PRE}",
            pair["spacing_ratio"]["value"],
            pair["spacing_ratio"]["error"],
            1.0,
            tol["spacing_mean"],
            z,
            setting=setting,
            samples=samples,
        ),
        make_claim(
            f"binder_u4_{label}",
            "U4 of the pair equals the semicircle value -4/27",
            f"{SEED002} Eq 12; {PRE}",
            pair["binder_u4"]["value"],
            pair["binder_u4"]["error"],
            SEMICIRCLE_U4,
            tol["binder_u4"],
            z,
            setting=setting,
            samples=samples,
        ),
        surmise_claim(f"wigner_surmise_{label}", surmise, PRE, tol, z, setting),
    ]


# --------------------------------------------------------------------------- model B scans


def _setting(fit: Mapping) -> dict:
    return {k: fit["setting"][k] for k in ("lr", "batch", "eps")}


def _setting_claims(fits: Sequence[Mapping], tol: Mapping, z: float, max_noise: float) -> list:
    """Per setting the pair laws (U4 only for alpha/|B| <= max_noise) and stationarity; U4 of
    the largest alpha/|B| beyond, where the config declares how far it lies off -4/27."""
    claims = []
    for fit in fits:
        tag = fit["setting"]["name"]
        inside = fit["setting"]["noise"] <= max_noise
        claims.append(
            stationarity_claim(
                f"stationary_{tag}", fit["stationarity"], tol["stationarity"], z, _setting(fit)
            )
        )
        samples = {"count": fit["networks"]["used"], "unit": "networks per setting"}
        pair = pair_claims(fit["modes"][0], fit["surmise"], tag, _setting(fit), tol, z, samples)
        claims += [c for c in pair if inside or not c["name"].startswith("binder_u4")]
    claims += _weighted_pair_claims([f for f in fits if f["setting"]["noise"] <= max_noise], tol, z)
    outside = [f for f in fits if f["setting"]["noise"] > max_noise]
    if outside:
        fit = max(outside, key=lambda f: f["setting"]["noise"])
        u4 = fit["modes"][0]["binder_u4"]
        claims.append(
            make_claim(
                f"binder_u4_largest_noise_{fit['setting']['name']}",
                f"U4 of the pair equals the semicircle value -4/27 also at the largest "
                f"alpha/|B| = {fit['setting']['noise']:g}",
                f"{SEED002} Eq 12; {PRE}",
                u4["value"],
                u4["error"],
                SEMICIRCLE_U4,
                tol["binder_u4_largest_noise"],
                z,
                setting=_setting(fit),
            )
        )
    return claims


def weighted_mean(quantities: Sequence[Mapping]) -> tuple[float, float]:
    """Inverse-variance weighted mean of independent {value, error} quantities, and its error."""
    value = np.array([q["value"] for q in quantities])
    weight = 1.0 / np.array([q["error"] for q in quantities]) ** 2
    return float(np.sum(weight * value) / np.sum(weight)), float(1.0 / np.sqrt(np.sum(weight)))


def _weighted_pair_claims(fits: Sequence[Mapping], tol: Mapping, z: float) -> list[dict]:
    """U4 and <S>/(sqrt(pi) sigma) of the pair averaged over the settings with alpha/|B| <=
    claim_max_noise (independent ensembles): the pair laws at the precision of the whole scan."""
    if not fits:
        return []
    names = [f["setting"]["name"] for f in fits]
    setting = {"settings": names}
    u4 = weighted_mean([f["modes"][0]["binder_u4"] for f in fits])
    ratio = weighted_mean([f["modes"][0]["spacing_ratio"] for f in fits])
    over = f"weighted mean over the {len(names)} settings with small alpha/|B|"
    return [
        make_claim(
            "binder_u4_weighted",
            f"U4 of the pair equals the semicircle value -4/27: {over}",
            f"{SEED002} Eq 12; {PRE}",
            *u4,
            SEMICIRCLE_U4,
            tol["binder_u4"],
            z,
            setting=setting,
        ),
        make_claim(
            "spacing_mean_weighted",
            f"<S> = sqrt(pi) sigma for the pair, sigma the Eq 11 width (ratio): {over}",
            f"{SEED002} Sec 4.1 (<S> = sqrt(pi) sigma, Eq 31 with Eq 11); {PRE}",
            *ratio,
            1.0,
            tol["spacing_mean"],
            z,
            setting=setting,
        ),
    ]


def _line_claims(summary: Mapping, tol: Mapping, z: float) -> list[dict]:
    """PRE: <S> = a sqrt(alpha eps^2/|B|), one straight line through the origin for all scans,
    and <S> = sqrt(pi) sigma along each."""
    scans, line = summary["scans"], summary["line"]
    range_ = {"max_lr": summary["max_lr"]}
    statement = "<S> against X = sqrt(alpha eps^2/|B|) is one straight line through the origin"
    claims = [
        make_claim(
            "spacing_line",
            f"{statement}: chi^2/dof of <S> = a X over the {len(line['settings'])} settings of "
            f"the scans with alpha <= {summary['max_lr']:g} (error sqrt(2/dof))",
            f"{PRE}; spec: teacher_student.md B",
            line["chi2"] / line["dof"],
            np.sqrt(2.0 / line["dof"]),
            1.0,
            tol["spacing_line"],
            z,
            rule="at_most",
            setting={**range_, "dof": line["dof"]},
        )
    ]
    reference = scans["eps"]["slope_spacing"]
    for scan in ("batch", "lr"):
        ratio, error = ratio_with_error(scans[scan]["slope_spacing"], reference)
        claims.append(
            make_claim(
                f"slope_ratio_{scan}_eps",
                f"{statement}: the slope a of the {scan} scan equals that of the eps scan (ratio)",
                PRE,
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
                f"{SEED002} Sec 4.1 (<S> = sqrt(pi) sigma); {PRE}",
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
                    f"spacing_on_line_at_largest_lr_{scan}",
                    f"{statement} also at the largest alpha = {deviation['lr']:g}: relative "
                    f"deviation of <S> from the line fitted over alpha <= {summary['max_lr']:g}",
                    PRE,
                    deviation["value"],
                    deviation["error"],
                    0.0,
                    tol["line_at_largest_lr"],
                    z,
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
        claims += _relaxation_claims(fit, cfg, z)
        if fit["stationary"] is not None:
            claims += _stationary_claims(fit, cfg, z)
    claims += _setting_claims(model_b, cfg, z, analysis["claim_max_noise"])
    claims += _line_claims(summary, cfg, z)
    skipped = tuple(cfg["skip"])
    return [claim for claim in claims if not claim["name"].startswith(skipped)]
