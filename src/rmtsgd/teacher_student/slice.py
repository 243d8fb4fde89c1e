"""Slice study of model B (issue 15): why the Binder cumulant U4 of the learnt singular-value pair
lies above the semicircle value -4/27 (Eq 12) at the PRE settings.

Candidates, and the knob each one scales with:

- a finite measurement window: U4 moves with the number of snapshots pooled (1/length);
- a finite ensemble: the U4 estimator's bias falls as 1/networks;
- the discrete updates: at fixed alpha/|B| (fixed strength of the mini-batch's multiplicative
  noise) they vanish as alpha -> 0;
- the mini-batch's multiplicative noise itself: W' = W + alpha [(W_t - W) C - xi] multiplies the
  weights' error by a random C whose fluctuations have variance ~ 1/|B| per update; in the
  continuous-time limit its strength is alpha/|B|, and with C = I (the expected gradient, Eq 28's
  limit) the stationary error is an exact GOE matrix for every alpha, hence U4 = -4/27 exactly.

Every slice ensemble is a model-B ensemble (teacher, initial weights and GOE noise of the
`model_b` config) measured in relaxation times 1/alpha of the updates: a burn-in, then
snapshots a fixed number of relaxation times apart, so that windows and the correlation between
snapshots are the same at every alpha. Networks are the independent samples: every error is a
delete-one-block jackknife over networks, trends over nested subsets (windows, network counts)
are jackknifed as a whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rmtsgd.claims import make_claim
from rmtsgd.config import ConfigError, derived_seed
from rmtsgd.coulomb import SEMICIRCLE_U4, binder_cumulant
from rmtsgd.fits import jackknife, weighted_line
from rmtsgd.spectra import singular_values
from rmtsgd.teacher_student.config import ScanSetting, model_b_spec

MODULE = "teacher_student_slice"
EQ12 = "spec: coulomb_gas.md Eq 12 (seed 002 Eq 11; the GOE pair of PRE 111 015303)"


# --------------------------------------------------------------------------- the ensembles


@dataclass(frozen=True)
class SliceRun:
    """One slice ensemble: learning rate alpha, batch size |B| and the gradient (mini-batch, or
    the expected gradient C = I of Eq 28's limit)."""

    lr: float
    batch: int
    gradient: str = "minibatch"

    @property
    def name(self) -> str:
        suffix = "_expected" if self.gradient == "expected" else ""
        return f"lr{self.lr:g}_B{self.batch}{suffix}"

    @property
    def noise(self) -> float:
        """alpha / |B|: the strength of the mini-batch's multiplicative noise."""
        return self.lr / self.batch


def base_run(section: Mapping) -> SliceRun:
    """The ensemble of the window and network trends."""
    return SliceRun(section["base"]["lr"], section["base"]["batch"])


def alpha_runs(section: Mapping, gradient: str = "minibatch") -> list[SliceRun]:
    """The alpha trend at fixed alpha/|B|: alpha = noise x |B| for each listed |B|."""
    trend = section["alpha_trend"]
    return [SliceRun(trend["noise"] * batch, batch, gradient) for batch in trend["batch"]]


def noise_runs(section: Mapping) -> list[SliceRun]:
    """The alpha/|B| trend at the base alpha."""
    return [SliceRun(section["base"]["lr"], batch) for batch in section["noise_trend"]["batch"]]


def control_runs(section: Mapping) -> list[SliceRun]:
    """Expected-gradient twins of the alpha trend's points at the listed |B|."""
    trend = section["alpha_trend"]
    return [SliceRun(trend["noise"] * b, b, "expected") for b in section["control_batch"]]


def slice_runs(section: Mapping) -> dict[str, SliceRun]:
    """Every ensemble of the slice once, by name."""
    runs = [base_run(section), *alpha_runs(section), *noise_runs(section)]
    return {run.name: run for run in runs + control_runs(section)}


def snapshot_updates(section: Mapping, lr: float) -> list[int]:
    """Update counts of the snapshots: after `burn_in` relaxation times 1/alpha, then every
    `spacing` relaxation times, `snapshots` in all."""
    times = section["burn_in"] + section["spacing"] * np.arange(section["snapshots"])
    return [int(round(t / lr)) for t in times]


def slice_spec(config: Mapping, run: SliceRun) -> dict:
    """Everything that determines a slice ensemble's numbers (a model-B trainer spec)."""
    section = config["teacher_student"]["slice"]
    setting = ScanSetting(run.lr, run.batch, section["eps"], ("slice",))
    return {
        **model_b_spec(config, setting),
        "gradient": run.gradient,
        "networks": section["networks"],
        "snapshots": snapshot_updates(section, run.lr),
        "seed": derived_seed(config["seed"], f"ts_slice_{run.name}"),
    }


def check_slice(section: Mapping, blocks: int) -> None:
    """Raise ConfigError naming the key of a slice the analysis cannot measure."""
    key = "teacher_student.slice"
    if max(section["windows"]) > section["snapshots"]:
        raise ConfigError(
            f"config key '{key}.windows': longer than the {section['snapshots']} snapshots taken"
        )
    if max(section["network_counts"]) > section["networks"]:
        raise ConfigError(
            f"config key '{key}.network_counts': more than the "
            f"{section['networks']} networks trained"
        )
    if section["networks"] < 2 * blocks:
        raise ConfigError(
            f"config key '{key}.networks': fewer than two per jackknife block ({blocks} blocks)"
        )
    for name, sizes in (
        ("windows", section["windows"]),
        ("network_counts", section["network_counts"]),
        ("alpha_trend.batch", section["alpha_trend"]["batch"]),
        ("noise_trend.batch", section["noise_trend"]["batch"]),
    ):
        if len(set(sizes)) < 2:
            raise ConfigError(f"config key '{key}.{name}': a trend needs two distinct values")
    stable = [b for b in section["alpha_trend"]["batch"] if section["alpha_trend"]["noise"] * b < 1]
    if len(stable) != len(section["alpha_trend"]["batch"]):
        raise ConfigError(f"config key '{key}.alpha_trend': alpha = noise x |B| must stay below 1")
    missing = set(section["control_batch"]) - set(section["alpha_trend"]["batch"])
    if missing:
        raise ConfigError(
            f"config key '{key}.control_batch': {sorted(missing)} not in alpha_trend.batch"
        )


# --------------------------------------------------------------------------- U4 and its trends


def pair_samples(weights: np.ndarray) -> np.ndarray:
    """Singular values s[network, snapshot, 2] of the networks that never diverged."""
    values = singular_values(weights)
    return values[np.isfinite(values).all(axis=(1, 2))]


def pair_u4(samples: np.ndarray) -> float:
    """U4 of the pooled pair (both singular values of every network and snapshot)."""
    return float(binder_cumulant(samples.ravel()))


def _ensemble_table(samples: np.ndarray) -> dict[str, float]:
    """U4 of the pooled window, the pair's standard deviation, and the change of U4 from the
    window's first half to its second (stationarity)."""
    half = samples.shape[1] // 2
    return {
        "u4": pair_u4(samples),
        "std": float(np.std(samples)),
        "u4_drift": pair_u4(samples[:, half:]) - pair_u4(samples[:, :half]),
    }


def ensemble_summary(run: SliceRun, samples: np.ndarray, blocks: int) -> dict:
    """U4 of one ensemble with its jackknife error, and its stationarity: the change of U4
    between the window's halves in jackknife errors."""
    table = jackknife(_ensemble_table, samples, blocks)
    drift = table["u4_drift"]
    return {
        "name": run.name,
        "lr": run.lr,
        "batch": run.batch,
        "noise": run.noise,
        "gradient": run.gradient,
        "networks": int(len(samples)),
        "snapshots": int(samples.shape[1]),
        "u4": table["u4"],
        "std": table["std"],
        "u4_drift_z": drift["value"] / drift["error"] if drift["error"] > 0 else None,
    }


def window_table(samples: np.ndarray, windows: Sequence[int]) -> dict[str, float]:
    """U4 of the first k snapshots pooled, for each window length k."""
    return {str(k): pair_u4(samples[:, :k]) for k in windows}


def group_table(samples: np.ndarray, counts: Sequence[int], total: int) -> dict[str, float]:
    """Mean U4 over disjoint groups of about n networks, for each count n: the estimator's
    expectation at n networks. The number of groups is fixed by the full ensemble (`total`), so
    a jackknife sample splits its networks into as many, slightly smaller, groups."""
    return {
        str(n): float(np.mean([pair_u4(g) for g in np.array_split(samples, total // n)]))
        for n in counts
    }


def _inverse_fit(sizes: Sequence[int], table: Mapping[str, float], errors: np.ndarray) -> dict:
    """Weighted fit y = limit + slope / size."""
    y = np.array([table[str(s)] for s in sizes])
    (slope, limit), _, chi2, _ = weighted_line(1.0 / np.asarray(sizes, float), y, errors, False)
    return {"limit": float(limit), "slope": float(slope), "chi2": chi2}


def nested_trend(
    samples: np.ndarray,
    sizes: Sequence[int],
    table: Callable[[np.ndarray], dict[str, float]],
    blocks: int,
) -> dict:
    """U4 at each size of nested subsets of one ensemble and the fit U4 = limit + slope/size.

    The points share networks, so the fit is jackknifed as a whole (its errors carry their
    correlation); the weights are the points' own jackknife errors. chi^2 ignores the
    correlation and is reported as an indication only.
    """
    points = jackknife(table, samples, blocks)
    errors = np.array([points[str(s)]["error"] for s in sizes])
    fit = jackknife(lambda d: _inverse_fit(sizes, table(d), errors), samples, blocks)
    return {
        "sizes": list(map(int, sizes)),
        "u4": [points[str(s)] for s in sizes],
        "limit": fit["limit"],
        "slope": fit["slope"],
        "chi2_dof_uncorrelated": fit["chi2"]["value"] / max(len(sizes) - 2, 1),
    }


def line_trend(x: Sequence[float], u4: Sequence[Mapping]) -> dict:
    """Weighted fit U4 = intercept + slope x over independent ensembles; the covariance is
    scaled by chi^2/dof where that exceeds 1 (scatter beyond the errors widens them)."""
    value = np.array([q["value"] for q in u4])
    error = np.array([q["error"] for q in u4])
    (slope, intercept), cov, chi2, dof = weighted_line(np.asarray(x, float), value, error, False)
    scale = max(1.0, chi2 / dof) if dof > 0 else 1.0
    return {
        "x": list(map(float, x)),
        "u4": list(u4),
        "intercept": {"value": float(intercept), "error": math.sqrt(scale * cov[1, 1])},
        "slope": {"value": float(slope), "error": math.sqrt(scale * cov[0, 0])},
        "chi2": chi2,
        "dof": dof,
    }


def slice_trends(
    section: Mapping,
    steps_per_epoch: int,
    summaries: Mapping[str, Mapping],
    base: np.ndarray,
    blocks: int,
) -> dict:
    """The four trends: window and networks (nested subsets of the base ensemble), alpha at
    fixed alpha/|B| and alpha/|B| at fixed alpha (independent ensembles), plus the controls."""
    run = base_run(section)
    alpha = [summaries[r.name] for r in alpha_runs(section)]
    noise = [summaries[r.name] for r in noise_runs(section)]
    total = len(base)
    window = nested_trend(
        base, section["windows"], lambda d: window_table(d, section["windows"]), blocks
    )
    # window length in epochs: the span from the first snapshot to the k-th
    epochs = section["spacing"] / run.lr / steps_per_epoch
    window["epochs"] = [float((k - 1) * epochs) for k in section["windows"]]
    counts = section["network_counts"]
    networks = nested_trend(base, counts, lambda d: group_table(d, counts, total), blocks)
    return {
        "base": run.name,
        "noise": section["alpha_trend"]["noise"],
        "window": window,
        "networks": networks,
        "alpha": {
            **line_trend([s["lr"] for s in alpha], [s["u4"] for s in alpha]),
            "settings": [s["name"] for s in alpha],
        },
        "alpha_over_batch": {
            **line_trend([s["noise"] for s in noise], [s["u4"] for s in noise]),
            "settings": [s["name"] for s in noise],
        },
        "controls": [summaries[r.name] for r in control_runs(section)],
        "ensembles": dict(summaries),
    }


# --------------------------------------------------------------------------- trend claims


def slice_claims(trends: Mapping, section: Mapping, claims: Mapping) -> list[dict]:
    """The trend claims: U4 -> -4/27 (Eq 12) as alpha -> 0 at fixed alpha/|B|, as the window
    grows, as the networks grow, as alpha/|B| -> 0; and U4 = -4/27 with the expected gradient."""
    z, limit, control = claims["z"], claims["u4_limit"], claims["u4_control"]
    samples = {"count": section["networks"], "unit": "networks per ensemble"}
    base = trends["ensembles"][trends["base"]]
    at_base = {"lr": base["lr"], "batch": base["batch"], "eps": section["eps"]}
    window, networks = trends["window"], trends["networks"]
    alpha, noise = trends["alpha"], trends["alpha_over_batch"]

    def slope(trend: Mapping) -> dict:
        return {"slope": trend["slope"]["value"], "slope_error": trend["slope"]["error"]}

    out = [
        make_claim(
            "u4_limit_alpha",
            f"U4 of the pair tends to -4/27 as alpha -> 0 at fixed alpha/|B| = "
            f"{trends['noise']:g} (discrete updates vanish): intercept U4_0 of U4 = U4_0 + "
            f"c alpha over alpha = {_join(alpha['x'])}",
            EQ12,
            alpha["intercept"]["value"],
            alpha["intercept"]["error"],
            SEMICIRCLE_U4,
            limit,
            z,
            setting={
                "alpha_over_batch": trends["noise"],
                "eps": section["eps"],
                **slope(alpha),
                "chi2": alpha["chi2"],
                "dof": alpha["dof"],
            },
            samples=samples,
        ),
        make_claim(
            "u4_limit_window",
            f"U4 of the pair tends to -4/27 as the measurement window grows: limit of U4 = "
            f"U4_inf + b/k over windows of k = {_join(window['sizes'])} snapshots (up to "
            f"{window['epochs'][-1]:.3g} epochs)",
            EQ12,
            window["limit"]["value"],
            window["limit"]["error"],
            SEMICIRCLE_U4,
            limit,
            z,
            setting={**at_base, **slope(window)},
            samples=samples,
        ),
        make_claim(
            "u4_limit_networks",
            f"U4 of the pair tends to -4/27 as the ensemble grows: limit of U4 = U4_inf + b/n "
            f"over groups of n = {_join(networks['sizes'])} networks",
            EQ12,
            networks["limit"]["value"],
            networks["limit"]["error"],
            SEMICIRCLE_U4,
            limit,
            z,
            setting={**at_base, **slope(networks)},
            samples=samples,
        ),
        make_claim(
            "u4_limit_alpha_over_batch",
            f"U4 of the pair tends to -4/27 as alpha/|B| -> 0 at alpha = {base['lr']:g} (the "
            "mini-batch's multiplicative noise vanishes): intercept U4_0 of U4 = U4_0 + "
            f"c alpha/|B| over alpha/|B| = {_join(noise['x'])}",
            "ours: the stationary error is a GOE matrix when C = I (coulomb_gas.md Eq 12)",
            noise["intercept"]["value"],
            noise["intercept"]["error"],
            SEMICIRCLE_U4,
            limit,
            z,
            setting={
                "lr": base["lr"],
                "eps": section["eps"],
                **slope(noise),
                "chi2": noise["chi2"],
                "dof": noise["dof"],
            },
            samples=samples,
        ),
    ]
    for run in trends["controls"]:
        out.append(
            make_claim(
                f"u4_expected_gradient_lr{run['lr']:g}",
                f"with the expected gradient (C = I, Eq 28's limit) the stationary error is a "
                f"GOE matrix at any alpha, so U4 of the pair is -4/27 at alpha = {run['lr']:g}, "
                f"|B| = {run['batch']}",
                "spec: teacher_student.md (Eq 28's limit) and coulomb_gas.md Eq 12",
                run["u4"]["value"],
                run["u4"]["error"],
                SEMICIRCLE_U4,
                control,
                z,
                setting={"lr": run["lr"], "batch": run["batch"], "eps": section["eps"]},
                samples=samples,
            )
        )
    return out


def _join(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)
