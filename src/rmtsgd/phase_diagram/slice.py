"""Slice study of the phase diagram (issue 15): where the boundaries sit as training goes on.

The slice trains a cross of the grid at the papers' scale: the 1/sigma_W = analysis.tc_sigma_w
column (eps = slice.column_eps) and the T = analysis.boundary_eps / |B| row (sigma_W =
slice.row_sigma_w), with the grid's slots (network k of every point is instance k). Each trend
epoch t is read as a run stopped at t: the observables are those of the snapshots up to t, the
final W (also the one the Langevin classifier reads) is W(t), and a network counts as diverged
only if it diverged by t. From these, with the module's own definitions
(`rmtsgd.phase_diagram.analysis`):

- the ordered/jammed boundary along the row (log2 1/sigma_W where the median final test loss
  passes analysis.ordered_max_loss);
- Tc in the column (log2 T where the median log10(mean x_final / mean x_teacher) crosses 0);
- the classifier's crossing in the column (log2 T where the drift-dominated share falls below
  the lowest contour level, 0.68).

Fit of the approach: b(t) = b_1 + s log10 t over the trend epochs from slice.fit_from_epoch on,
evaluated at slice.extrapolate_to (the paper's 100 000 epochs). Two parameters, because over the
two to three decades a local run covers a power-law approach b_inf + a t^-p is not resolved
(b_inf and p trade off against each other), and the paper's statements are about its figures at
100 000 epochs, not about t -> infinity: a straight line in log t reaches a finite value there
without assuming a limit exists. Its adequacy is measured: the curvature (the quadratic
coefficient in log10 t over the same window) is reported with its error. The boundary and Tc
claims use the extrapolation (their curvature is consistent with 0 at 100 networks and
10-300 epochs); the classifier's crossing is compared with Tc where both are measured, at the
last trend epoch, because it jumps between 100 and 300 epochs (curvature 2.0 +- 0.9 there).

Errors: one bootstrap over slots (independent instances), the same resample for every point,
line and epoch, so that the correlations between epochs of one run (the same networks) and
between Tc and the classifier's crossing carry into the fit and the differences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rmtsgd.claims import make_claim
from rmtsgd.config import ConfigError
from rmtsgd.phase_diagram.analysis import (
    Grid,
    assemble_grid,
    contour_log2,
    network_observables,
    tc_log2,
    vertical_boundary_log2,
)
from rmtsgd.phase_diagram.model import Instance
from rmtsgd.phase_diagram.observables import CLASSES

KINDS = ("ordered_jammed_boundary", "ordered_jammed_approach", "tc", "classifier_tc")
SERIES = ("boundary", "tc", "classifier", "classifier_minus_tc")
"""Boundary positions per trend epoch: log2(1/sigma_W) of the ordered/jammed boundary, log2 Tc,
log2 T of the classifier's crossing, and that crossing over Tc (log2)."""
SQRT2_LOG2 = 0.5  # log2 sqrt 2: the paper's ordered/jammed boundary
PAPER_TC = 0.375  # Tc at 1/sigma_W = 8 (spec/phase_diagram.md)
_NETWORK_KEYS = ("slot", "eps", "sigma_w")
_MODEL_KEYS = ("inputs", "hidden0", "hidden")
_SHARD_KEYS = ("snapshots", *_MODEL_KEYS)  # per shard, not per network


# --------------------------------------------------------------------------- cross points


def slice_points(pd: Mapping) -> list[tuple[float, float]]:
    """(eps, sigma_W) of every cross point: the column, then the row less the shared point."""
    slc, analysis = pd["slice"], pd["analysis"]
    column = [(float(eps), float(analysis["tc_sigma_w"])) for eps in slc["column_eps"]]
    row = [(float(analysis["boundary_eps"]), float(s)) for s in slc["row_sigma_w"]]
    return column + [p for p in row if p not in column]


def slice_shards(pd: Mapping) -> list[list[tuple[float, float]]]:
    """Cross points of each training job (consecutive blocks of slice.points_per_shard)."""
    points, per = slice_points(pd), pd["slice"]["points_per_shard"]
    return [points[start : start + per] for start in range(0, len(points), per)]


def slice_shard_networks(pd: Mapping, shard: int) -> dict[str, list]:
    """Every network of one slice shard: its point (eps, sigma_W) and its slot."""
    networks = pd["slice"]["networks"]
    rows: dict[str, list] = {key: [] for key in _NETWORK_KEYS}
    for eps, sigma_w in slice_shards(pd)[shard]:
        rows["slot"] += list(range(networks))
        rows["eps"] += [eps] * networks
        rows["sigma_w"] += [sigma_w] * networks
    return rows


def slice_snapshots(slc: Mapping) -> list[int]:
    """Snapshot epochs of the slice's training: 0, the configured ones and the last epoch."""
    return sorted({0, *slc["snapshot_epochs"], slc["epochs"]})


def check_slice(pd: Mapping) -> None:
    """Arithmetic checks of phase_diagram.slice that the schema cannot express."""
    slc, analysis = pd["slice"], pd["analysis"]
    key = "config key 'phase_diagram.slice"
    if analysis["boundary_eps"] not in slc["column_eps"]:
        raise ConfigError(
            f"{key}.column_eps': must hold analysis.boundary_eps = {analysis['boundary_eps']} "
            f"(the point the column shares with the row), got {slc['column_eps']}"
        )
    if analysis["tc_sigma_w"] not in slc["row_sigma_w"]:
        raise ConfigError(
            f"{key}.row_sigma_w': must hold analysis.tc_sigma_w = {analysis['tc_sigma_w']} "
            f"(the point the row shares with the column), got {slc['row_sigma_w']}"
        )
    for name, values in (("column_eps", slc["column_eps"]), ("row_sigma_w", slc["row_sigma_w"])):
        if list(values) != sorted(values):
            raise ConfigError(f"{key}.{name}': expected ascending values, got {values}")
    late = [e for e in slc["snapshot_epochs"] if e > slc["epochs"]]
    if late:
        raise ConfigError(f"{key}.snapshot_epochs': {late} lie beyond epochs = {slc['epochs']}")
    missing = [e for e in slc["trend_epochs"] if e not in slice_snapshots(slc)]
    if missing:
        raise ConfigError(
            f"{key}.trend_epochs': {missing} are not snapshot epochs {slice_snapshots(slc)}"
        )
    fitted = [e for e in slc["trend_epochs"] if e >= slc["fit_from_epoch"]]
    if len(fitted) < 2:
        raise ConfigError(
            f"{key}.fit_from_epoch': {slc['fit_from_epoch']} leaves {len(fitted)} trend "
            "epoch(s) to fit, need at least 2"
        )


# --------------------------------------------------------------------------- observables


def trend_observables(
    weights: np.ndarray,
    snapshots: Sequence[int],
    instances: Mapping[int, Instance],
    slots: Sequence[int],
    trend_epochs: Sequence[int],
) -> dict[str, np.ndarray]:
    """The module's per-network observables of the run stopped at each trend epoch t (the
    snapshots up to t; W(t) is the final W and the classifier's), as `key@t`."""
    snapshots = np.asarray(snapshots)
    result = {}
    for epoch in trend_epochs:
        stop = int(np.flatnonzero(snapshots == epoch)[0]) + 1
        observables = network_observables(weights[:, :stop], snapshots[:stop], instances, slots)
        result.update({f"{key}@{epoch}": value for key, value in observables.items()})
    return result


def stopped_at(shard: Mapping[str, np.ndarray], epoch: int) -> dict[str, np.ndarray]:
    """A shard's observables as a run stopped at `epoch` would have them: its `key@epoch`
    entries, the networks' points and slots, which had diverged by then, the snapshots up to
    `epoch` and the layer sizes (_SHARD_KEYS)."""
    suffix = f"@{epoch}"
    stopped = {k.removesuffix(suffix): v for k, v in shard.items() if k.endswith(suffix)}
    stopped.update({key: shard[key] for key in _NETWORK_KEYS + _MODEL_KEYS})
    stopped["snapshots"] = shard["snapshots"][shard["snapshots"] <= epoch]
    by_then = (shard["diverged_epoch"] >= 0) & (shard["diverged_epoch"] <= epoch)
    stopped["diverged"] = by_then
    stopped["diverged_epoch"] = np.where(by_then, shard["diverged_epoch"], -1)
    return stopped


# --------------------------------------------------------------------------- lines of the cross


def line_config(pd: Mapping, line: str, snapshots: Sequence[int]) -> dict:
    """The phase_diagram section for one line of the cross as a grid of its own (one column or
    one row), its run stopped at the last of `snapshots`."""
    analysis = pd["analysis"]
    if line == "column":
        grid = {"eps": list(pd["slice"]["column_eps"]), "sigma_w": [analysis["tc_sigma_w"]]}
    else:
        grid = {"eps": [analysis["boundary_eps"]], "sigma_w": list(pd["slice"]["row_sigma_w"])}
    # the growth order parameter (unused here) compares the last snapshot with the one before;
    # the classifier reads the run's final W, at the epoch it is stopped at (as the module does)
    stopped = {
        "growth_from_epoch": int(snapshots[-2]),
        "points": {},
        "classifier_epoch": int(snapshots[-1]),
    }
    return {**pd, "grid": {**pd["grid"], **grid}, "analysis": {**analysis, **stopped}}


def line_grid(stopped: Sequence[Mapping[str, np.ndarray]], line_pd: Mapping) -> dict:
    """The module's grid summary (`assemble_grid`) of the networks of one line."""
    eps, sigma_w = line_pd["grid"]["eps"], line_pd["grid"]["sigma_w"]
    parts = []
    for shard in stopped:
        inside = np.isin(shard["eps"], eps) & np.isin(shard["sigma_w"], sigma_w)
        part = {key: value if key in _SHARD_KEYS else value[inside] for key, value in shard.items()}
        part["i_eps"] = np.searchsorted(eps, part["eps"])
        part["i_sigma"] = np.searchsorted(sigma_w, part["sigma_w"])
        parts.append(part)
    return assemble_grid(parts, line_pd)


# --------------------------------------------------------------------------- trend statistics


def log_fit(epochs: np.ndarray, values: np.ndarray, at: float) -> dict[str, float]:
    """Least-squares line in log10 t: slope s (per decade), value at `at`, and the curvature
    (quadratic coefficient in log10 t; NaN with fewer than 3 epochs). NaN if any value is."""
    u = np.log10(np.asarray(epochs, dtype=float))
    nan = {"slope": np.nan, "extrapolated": np.nan, "curvature": np.nan}
    if len(u) < 2 or not np.isfinite(values).all():
        return nan
    slope, intercept = np.polyfit(u, values, 1)
    curvature = np.polyfit(u, values, 2)[0] if len(u) >= 3 else np.nan
    return {
        "slope": float(slope),
        "extrapolated": float(intercept + slope * np.log10(at)),
        "curvature": float(curvature),
    }


def series(lines: Mapping[str, Mapping[int, Mapping]], pd: Mapping) -> dict[str, np.ndarray]:
    """The SERIES per trend epoch from per-point arrays lines[line][epoch][key] (n_eps,
    n_sigma, slots) of the column and the row."""
    analysis = pd["analysis"]
    level = min(analysis["contour_levels"])
    column, row = (Grid(line_config(pd, name, [0, 1])) for name in ("column", "row"))
    epochs = sorted(lines["column"])
    out = {name: np.empty(len(epochs)) for name in SERIES}
    for k, epoch in enumerate(epochs):
        col = lines["column"][epoch]
        # the share not noise dominated (drift or null), as the module's contours use
        share = 1.0 - np.mean(col["classifier_class"] == CLASSES.index("noise"), axis=-1)
        out["boundary"][k] = vertical_boundary_log2(
            lines["row"][epoch], row, analysis["ordered_max_loss"]
        )
        out["tc"][k] = tc_log2(col, column, analysis["paramagnetic_min_excess"])
        out["classifier"][k] = contour_log2(share, column, level)[0]
    out["classifier_minus_tc"] = out["classifier"] - out["tc"]
    return out


def trend_statistics(lines: Mapping[str, Mapping[int, Mapping]], pd: Mapping) -> dict[str, float]:
    """Every SERIES per trend epoch (`<series>@<epoch>`) and its fit over the fit window
    (`<series>_slope`, `<series>_extrapolated`, `<series>_curvature`), as one flat dict."""
    slc = pd["slice"]
    epochs = np.array(sorted(lines["column"]))
    window = epochs >= slc["fit_from_epoch"]
    values = series(lines, pd)
    flat = {}
    for name, trend in values.items():
        flat.update({f"{name}@{e}": float(v) for e, v in zip(epochs, trend, strict=True)})
        fit = log_fit(epochs[window], trend[window], slc["extrapolate_to"])
        flat.update({f"{name}_{key}": v for key, v in fit.items()})
    return flat


def slot_bootstrap(
    statistic: Callable[[Mapping], Mapping[str, float]],
    lines: Mapping[str, Mapping[int, Mapping[str, np.ndarray]]],
    resamples: int,
    seed: int,
) -> dict[str, dict[str, float]]:
    """Value and bootstrap error of every entry of `statistic(lines)`: each resample redraws the
    slots (last axis of every array) with replacement, one draw for all lines, epochs and keys.
    The error is the standard deviation of the finite replicates, infinite if the value is not
    finite or more than a tenth of the replicates are undefined (as `phase_diagram.bootstrap`)."""
    values = statistic(lines)
    slots = next(iter(next(iter(lines.values())).values()))["test_loss_final"].shape[-1]
    rng = np.random.default_rng(seed)
    replicates = {name: [] for name in values}
    for _ in range(resamples):
        draw = rng.integers(0, slots, slots)
        resampled = {
            line: {e: {k: v[..., draw] for k, v in p.items()} for e, p in by_epoch.items()}
            for line, by_epoch in lines.items()
        }
        for name, value in statistic(resampled).items():
            replicates[name].append(value)
    result = {}
    for name, value in values.items():
        sample = np.asarray(replicates[name], dtype=float)
        finite = sample[np.isfinite(sample)]
        undefined = 1 - finite.size / resamples
        error = float(np.std(finite, ddof=1)) if finite.size > 1 else np.inf
        if undefined > 0.1 or not np.isfinite(value):
            error = np.inf
        result[name] = {"value": float(value), "error": error, "undefined_share": undefined}
    return result


CLAIM_INPUTS = ("test_loss_final", "excess", "classifier_class")


def slice_trend(shards: Sequence[Mapping[str, np.ndarray]], pd: Mapping, seed: int) -> dict:
    """The boundaries per trend epoch and their fits, each with its bootstrap error, from the
    trend observables of every slice shard (`trend_observables` plus the shard's arrays)."""
    slc = pd["slice"]
    snapshots = [int(s) for s in shards[0]["snapshots"]]
    lines: dict[str, dict[int, dict]] = {"column": {}, "row": {}}
    for epoch in slc["trend_epochs"]:
        stopped = [stopped_at(shard, epoch) for shard in shards]
        upto = [s for s in snapshots if s <= epoch]
        for name in lines:
            grid = line_grid(stopped, line_config(pd, name, upto))
            lines[name][epoch] = {key: grid[key] for key in CLAIM_INPUTS}
    result = slot_bootstrap(
        lambda sample: trend_statistics(sample, pd), lines, pd["analysis"]["bootstrap"], seed
    )
    return {
        "epochs": sorted(slc["trend_epochs"]),
        "fit_from_epoch": slc["fit_from_epoch"],
        "extrapolate_to": slc["extrapolate_to"],
        "networks": slc["networks"],
        "level": min(pd["analysis"]["contour_levels"]),
        "statistics": result,
    }


# --------------------------------------------------------------------------- claims


def read_statistic(stats: Mapping, name: str) -> dict[str, float]:
    """One bootstrap statistic as read back from JSON, where a NaN value and an infinite error
    were written as null."""
    stat = stats[name]
    value, error = stat["value"], stat["error"]
    return {
        "value": np.nan if value is None else float(value),
        "error": np.inf if error is None else float(error),
    }


def slice_claims(trend: Mapping, pd: Mapping) -> list[dict]:
    """The slice's trend claims (version 2) from `slice_trend`'s result."""
    slc, analysis = pd["slice"], pd["analysis"]
    tol, z = slc["claims"], slc["claims"]["z"]
    stats = {name: read_statistic(trend["statistics"], name) for name in trend["statistics"]}
    at, level = trend["extrapolate_to"], trend["level"]
    fit = {
        "trend_epochs": trend["epochs"],
        "fit_from_epoch": trend["fit_from_epoch"],
        "extrapolate_to": at,
        "fit": "b_1 + s log10 t",
    }
    samples = {"count": trend["networks"], "unit": "networks per point"}
    row = {"T": analysis["boundary_eps"] / pd["training"]["batch"], **fit}
    column = {"inv_sigma_w": 1 / analysis["tc_sigma_w"], **fit}
    final = trend["epochs"][-1]
    last = stats[f"boundary@{final}"]["value"]
    towards = (
        -1.0 if last > SQRT2_LOG2 else 1.0
    )  # the boundary lies above sqrt 2: falling approaches
    approach = stats["boundary_slope"]

    def claim(kind, statement, source, stat, reference, setting, rule="within", sign=1.0):
        return make_claim(
            kind,
            statement,
            source,
            sign * stat["value"],
            stat["error"],
            reference,
            tol[kind],
            z,
            rule=rule,
            setting=setting,
            samples=samples,
        )

    claims = [
        claim(
            "ordered_jammed_boundary",
            f"the ordered/jammed boundary at T = {row['T']:g} sits at 1/sigma_W = sqrt 2 after "
            f"the paper's {at:g} epochs (log2 1/sigma_W where the median final test loss passes "
            f"{analysis['ordered_max_loss']:g}, going down from the largest 1/sigma_W; "
            "extrapolated by the fit in log t)",
            "spec: phase_diagram.md (vertical boundary at 1/sigma_W = sqrt 2, tanh density)",
            stats["boundary_extrapolated"],
            SQRT2_LOG2,
            row,
        ),
        claim(
            "ordered_jammed_approach",
            "as training goes on the ordered/jammed boundary moves towards 1/sigma_W = sqrt 2: "
            "its slope in log10 t (log2 units per decade), signed towards sqrt 2 from where it "
            "lies at the last trend epoch, is at least 0",
            "ours: the paper's sqrt 2 boundary read as the long-training limit (issue 15)",
            approach,
            0.0,
            {**row, "sign_towards_sqrt2": towards},
            rule="at_least",
            sign=towards,
        ),
        claim(
            "tc",
            f"the ordered/paramagnetic transition at 1/sigma_W = {column['inv_sigma_w']:g} sits "
            f"at Tc = {PAPER_TC} after the paper's {at:g} epochs (log2 T where the median "
            "log10(mean x_final / mean x_teacher) crosses 0; extrapolated by the fit in log t)",
            "spec: phase_diagram.md (Tc ~ 0.375 at 1/sigma_W = 8)",
            stats["tc_extrapolated"],
            float(np.log2(PAPER_TC)),
            column,
        ),
        claim(
            "classifier_tc",
            f"the Langevin classifier's {level:g} crossing at 1/sigma_W = "
            f"{column['inv_sigma_w']:g} sits at Tc: log2 of the crossing's T over Tc, both read "
            f"from the same networks after {final} epochs (the classifier on W of that epoch; "
            "compared where measured: the crossing is not linear in log t)",
            "spec: phase_diagram.md (the paper's Tc is the classifier's 68 % crossing)",
            stats[f"classifier_minus_tc@{final}"],
            0.0,
            {**column, "epoch": final, "level": level, "indexing": analysis["indexing"]},
        ),
    ]
    return [c for c in claims if c["name"] not in slc["claims"]["skip"]]
