"""The DMFT module's claims (seed 003; spec/dmft_gaussian_mixture.md) from its analysis summary
(rmtsgd.dmft.analysis.summarise): each states the paper's, the spec's or our statement with
its source, the value the statement asserts as the reference, and the measured value with its
error (rmtsgd.claims)."""

from __future__ import annotations

from collections.abc import Mapping

from rmtsgd.claims import make_claim

PAPER = "paper: Mignacco et al., NeurIPS 2020 (arXiv 2006.06098), abstract"
SPEC = "spec: dmft_gaussian_mixture.md"
CONVERGENCE_EXPONENT = -0.5  # per-system fluctuations of the order parameters ~ d^(-1/2)
TAU_EXPONENT = 1.0  # the mean shift of a noise of intensity ~ b tau is linear in tau
ERM_LABELS = {"m": "m = w.v*/d", "q": "C = |w|^2/d", "train_loss": "the training loss"}


def dmft_claims(summary: Mapping, cfg: Mapping) -> list[dict]:
    """The module's claims from the analysis summary; kinds in cfg['skip'] are left out."""
    makers = {
        "agreement": agreement_claims,
        "convergence_exponent": convergence_claims,
        "early_law": early_claims,
        "ridge": ridge_claims,
        "erm": erm_claims,
        "batch_fraction": batch_fraction_claims,
        "batch_correlation": batch_correlation_claims,
        "tau_exponent": tau_claims,
    }
    skip = set(cfg["skip"])
    return [
        claim
        for kind, maker in makers.items()
        if kind not in skip
        for claim in maker(summary, cfg[kind], cfg["z"])
    ]


def _null_setting(null: Mapping) -> dict:
    """What chance gives for the largest |z| of the grid (rmtsgd.dmft.analysis.null_max_abs_z)."""
    return {
        "points": null["points"],
        "chance_max_z_mean": null["mean"],  # None (JSON null) where infinite: dof <= 1
        "chance_max_z_q95": null["q95"],
    }


def agreement_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    """The paper's central claim, per curve and observable: the largest |simulation - DMFT|
    over the time grid in combined errors. A z-score has unit error by construction."""
    d = summary["largest_d"]
    claims = []
    for name, per_observable in summary["agreement"].items():
        for observable, row in per_observable.items():
            claims.append(
                make_claim(
                    f"agreement_{name}_{observable}",
                    f"the DMFT gives the {observable.replace('_', ' ')} of finite-d SGD: "
                    f"simulations of '{name}' at d = {d} scatter around the DMFT curve as "
                    "their errors say (largest |simulation - DMFT| over the time grid, in "
                    "combined errors)",
                    PAPER,
                    row["max_z"],
                    1.0,
                    0.0,
                    spec,
                    z,
                    rule="at_most",
                    setting={
                        "curve": name,
                        "d": d,
                        "time": row["time"],
                        "largest_gap": row["largest_gap"],
                        "systems": row["systems"],
                        **_null_setting(row["null"]),
                    },
                )
            )
    return claims


def convergence_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    conv = summary["convergence"]
    return [
        make_claim(
            "convergence_exponent",
            f"a single system's {conv['observable'].replace('_', ' ')} at t = {conv['time']:g} "
            "approaches the DMFT as d^p (RMS gap over systems) with p = -1/2",
            "ours: central-limit fluctuations of m and C about their d -> infinity values "
            f"({SPEC}, Checks: finite-d simulations against the DMFT)",
            conv["exponent"],
            conv["exponent_error"],
            CONVERGENCE_EXPONENT,
            spec,
            z,
            setting={
                "curve": summary["convergence_curve"],
                "dims": conv["dims"],
                "bias_shift": conv["bias_shift"],
            },
            samples={"count": min(conv["systems"]), "unit": "systems per d"},
        )
    ]


def early_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    early = summary["early"]
    laws = {"m": "m ~ -alpha b l'(1,0) t", "q": "C ~ alpha (alpha b^2 + Delta b) l'(1,0)^2 t^2"}
    claims = []
    for source in ("dmft", "simulation"):
        for key, law in laws.items():
            row = early[f"{source}_{key}"]
            claims.append(
                make_claim(
                    f"early_{key}_{source}",
                    f"from w(0) = 0 and t << b tau, {law} ({source}: the ratio to the law "
                    "extrapolated linearly to t = 0)",
                    f"{SPEC}, Checks: early times",
                    row["value"],
                    row["error"],
                    1.0,
                    spec,
                    z,
                    setting={
                        "fit_until": early["fit_until"],
                        "extrapolation": early["extrapolation"][key],
                    },
                )
            )
    return claims


def ridge_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    claims = []
    for key, label in (("m", "m(t)"), ("q", "C(t, t)")):
        row = summary["ridge"][key]
        claims.append(
            make_claim(
                f"ridge_{key}",
                f"b = 1, square loss: the DMFT {label} equals the exact large-d gradient descent "
                "through the Marchenko-Pastur spectrum (largest |DMFT - exact| over the grid, "
                "in errors)",
                f"{SPEC}, Checks: b = 1, square loss",
                row["max_z"],
                1.0,
                0.0,
                spec,
                z,
                rule="at_most",
                setting={
                    "time": row["time"],
                    "gap": row["gap"],
                    "error_there": row["error"],
                    **_null_setting(row["null"]),
                },
            )
        )
    return claims


def erm_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    """b = 1, convex loss, lambda > 0: the DMFT's t -> infinity limit against the empirical-risk
    minimisers of finite systems: their difference against 0."""
    erm = summary["erm"]
    claims = []
    for key, label in ERM_LABELS.items():
        row = erm[key]
        claims.append(
            make_claim(
                f"erm_{key}",
                f"b = 1, convex loss, lambda > 0: as t -> infinity, {label} of the DMFT equals "
                "that of the empirical-risk minimiser (DMFT at its last time minus the mean "
                f"minimiser of finite systems at d = {erm['d']})",
                f"{SPEC}, Checks: b = 1, convex loss, lambda > 0",
                row["gap"],
                row["error"],
                0.0,
                spec,
                z,
                setting={
                    "d": erm["d"],
                    "t_max": erm["t_max"],
                    "dmft": row["dmft"],
                    "minimiser": row["minimiser"],
                    "dmft_drift": row["drift"],
                    "minimiser_bound": erm["bound"],
                },
                samples={"count": erm["systems"], "unit": "systems"},
            )
        )
    return claims


def batch_fraction_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    row = summary["batch"]["fraction"]
    return [
        make_claim(
            "batch_fraction",
            "the simulated batch process selects a share b of the samples (stationary "
            "P(s = 1) = b)",
            f"{SPEC}, Persistent SGD",
            row["value"],
            row["error"],
            row["reference"],
            spec,
            z,
            setting={"curve": summary["batch_curve"]},
        )
    ]


def batch_correlation_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    row = summary["batch"]["correlation_time"]
    return [
        make_claim(
            "batch_correlation",
            "the simulated s has the chain's autocorrelation (1 - eta/(b tau))^lag, the "
            "telegraph law exp(-t/(b tau)) as eta -> 0: fitted over exact correlation time",
            f"{SPEC}, Persistent SGD",
            row["value"],
            row["error"],
            1.0,
            spec,
            z,
            setting={"curve": summary["batch_curve"], "exact_steps": row["exact_steps"]},
        )
    ]


def tau_claims(summary: Mapping, spec: Mapping, z: float) -> list[dict]:
    row = summary["tau_limit"]
    return [
        make_claim(
            "tau_exponent",
            "tau -> 0 at fixed b approaches gradient descent on b x loss: the RMS gap in "
            f"{row['observable'].replace('_', ' ')} shrinks as tau^p with p = 1",
            f"ours: derived (the spec's tau -> 0 limit, {SPEC}, Checks; the linear law is ours)",
            row["exponent"]["value"],
            row["exponent"]["error"],
            TAU_EXPONENT,
            spec,
            z,
            setting={"taus": row["taus"], "range_exponents": row["ranges"], "local": row["local"]},
        )
    ]
