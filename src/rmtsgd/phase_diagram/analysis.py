"""Analysis of the phase-diagram grid (seed 000): observables of every network of a training
shard, per-grid-point summaries and phases, and boundaries with bootstrap errors (the claims:
rmtsgd.phase_diagram.claims).

Network k of every grid point belongs to slot k: an independent problem instance (teacher with
its fixed M and Z, training and test sets, and the standard-normal draw of the initial W, scaled
by the point's sigma_W). Slots are the independent units: every error is a bootstrap over slots,
the same resample for all grid points, and it includes the teacher-to-teacher variation.

Diverged networks count as data: they passed the loss threshold, so their final test loss and
their x-based quantities (x grew without bound) enter medians as +inf, and the classifier
counts them as noise dominated; q, alignment, Lyapunov rate and gradient norms skip them (NaN).

Order parameters built from x (mean eigenvalue x_bar of W W^T, i.e. |W|_F^2 / K):
- teacher_ratio = log10(x_bar_final / x_bar_teacher): below 0 while x flows to the teacher's
  from a small start, about 0 once it has arrived (ordered), above 0 once x outgrows it
  (paramagnetic).
- excess = log10(x_bar_final / max(x_bar_initial, x_bar_teacher)): growth beyond both the
  start and the teacher, the paramagnetic criterion of the phase rule at any sigma_W.
- growth = log10(x_bar_final / x_bar at growth_from_epoch): x still growing late in the run.
- spectral_change = mean over modes of |log10(x_i final / x_i initial)|: x frozen if small.
- teacher_distance = mean over modes of |log10(x_i final / x_i teacher)|: 0 once x has reached
  the teacher's values, mode by mode.

The paramagnetic boundary has one definition, shared by the phase rule, Tc and the
classifier's comparison: per sigma_W column, the log2 T where the median excess first rises
through paramagnetic_min_excess (interpolated in log2 T); Tc is its value in the Tc column.

The Langevin classifier (rmtsgd.phase_diagram.observables) is evaluated at every snapshot; the
grid's shares and contours use analysis.classifier_epoch, analysis.indexing and analysis.noise.
Each network is drift dominated, noise dominated or null; the contours are those of the share of
networks that are not noise dominated (drift or null), which is the paper's drift-dominated
share when no network is null. The claims (rmtsgd.phase_diagram.claims) compare the variants.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rmtsgd.phase_diagram import observables
from rmtsgd.phase_diagram.model import Instance, TanhNet

SUMMARISED = (
    "test_loss_final",
    "train_loss_final",
    "grad_norm_final",
    "grad_norm_initial",
    "q",
    "alignment",
    "lyapunov",
    "teacher_ratio",
    "excess",
    "growth",
    "spectral_change",
    "teacher_distance",
    "saturated_final",
)
CLASSIFIER_TERMS = (
    "drift",
    "drift_error",
    *(f"repulsion_{i}_{n}" for i in observables.INDEXINGS for n in observables.NOISES),
)
_PER_NETWORK = (
    "x",
    "test_loss",
    "train_loss_final",
    "grad_norm_final",
    "grad_norm_initial",
    "q",
    "alignment",
    "lyapunov",
    "saturated",
    *CLASSIFIER_TERMS,
    "i_eps",
    "i_sigma",
    "eps",
    "sigma_w",
    "diverged",
    "diverged_epoch",
    "slot",
    "teacher_x",
)


# --------------------------------------------------------------------------- per network


def _group_observables(
    weights: np.ndarray, snapshots: np.ndarray, instance: Instance
) -> dict[str, np.ndarray]:
    """Observables of networks (n, S, K, L) that all learn the teacher of `instance`."""
    z, train, test = instance.teacher.z, instance.train, instance.test
    initial, final = weights[:, 0], weights[:, -1]
    x = observables.x_eigenvalues(weights)
    train_loss, grad_final = observables.loss_and_gradient_norm(final, train, z)
    _, grad_initial = observables.loss_and_gradient_norm(initial, train, z)
    teacher_x = observables.x_eigenvalues(instance.teacher.w)
    return {
        "x": x,
        "test_loss": observables.test_loss(weights, test, z),
        "train_loss_final": train_loss,
        "grad_norm_final": grad_final,
        "grad_norm_initial": grad_initial,
        "q": observables.overlap_q(initial, final, test),
        "alignment": observables.alignment(final, test, z),
        "lyapunov": observables.lyapunov_rate(x[:, 0], x[:, -1], int(snapshots[-1])),
        "saturated": observables.saturated_share(weights, test.features),
        **classifier_terms(weights, instance),
        "teacher_x": np.broadcast_to(teacher_x, (len(weights), len(teacher_x))),
    }


def classifier_terms(weights: np.ndarray, instance: Instance) -> dict[str, np.ndarray]:
    """K_t, its standard error and V_t (each indexing and noise version) of networks (n, S, K,
    L) at every snapshot, (n, S); NaN where W is not finite (diverged)."""
    finite = np.isfinite(weights).all(axis=(-2, -1))
    w = np.where(finite[..., None, None], weights, 0.0)
    test, z = instance.test, instance.teacher.z
    terms = {"drift_error": observables.drift_error(w, test, z)}
    for noise in observables.NOISES:
        _, mean, variance = observables.drift_and_variance(w, test, z, noise)
        terms["drift"] = observables.drift_term(mean)
        for indexing in observables.INDEXINGS:
            terms[f"repulsion_{indexing}_{noise}"] = observables.repulsion_term(variance, indexing)
    return {key: np.where(finite, v, np.nan) for key, v in terms.items()}


def network_observables(
    weights: np.ndarray,
    snapshots: Sequence[int],
    instances: Mapping[int, Instance],
    slots: Sequence[int],
) -> dict[str, np.ndarray]:
    """Every per-network observable of a shard's weights (N, S, K, L) at its snapshots; network
    n learnt the teacher of instances[slots[n]].

    x (N, S, K), test_loss, the saturated share and the classifier's terms (N, S) at every
    snapshot; the rest per network: final training loss and gradient norm, initial gradient
    norm, q, alignment, Lyapunov rate, and the teacher's x.
    """
    snapshots, slots = np.asarray(snapshots), np.asarray(slots)
    result: dict[str, np.ndarray] = {}
    for slot in np.unique(slots):
        members = np.flatnonzero(slots == slot)
        block = _group_observables(weights[members], snapshots, instances[int(slot)])
        for key, values in block.items():
            if key not in result:
                result[key] = np.empty((len(weights), *values.shape[1:]), dtype=values.dtype)
            result[key][members] = values
    return result


def x_order_parameters(
    x: np.ndarray,
    snapshots: np.ndarray,
    teacher_x: np.ndarray,
    growth_from_epoch: int,
    diverged: np.ndarray,
) -> dict[str, np.ndarray]:
    """teacher_ratio, excess, growth, spectral_change and teacher_distance of the module
    docstring per network,
    from x (N, S, K) and each network's teacher's x (N, K); +inf for diverged networks."""
    x_bar = x.mean(axis=-1)
    reference = int(np.flatnonzero(np.asarray(snapshots) == growth_from_epoch)[0])
    teacher_bar = np.mean(teacher_x, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {
            "teacher_ratio": np.log10(x_bar[:, -1] / teacher_bar),
            "excess": np.log10(x_bar[:, -1] / np.maximum(x_bar[:, 0], teacher_bar)),
            "growth": np.log10(x_bar[:, -1] / x_bar[:, reference]),
            "spectral_change": np.mean(np.abs(np.log10(x[:, -1] / x[:, 0])), axis=-1),
            "teacher_distance": np.mean(np.abs(np.log10(x[:, -1] / teacher_x)), axis=-1),
        }
    return {key: np.where(diverged, np.inf, v) for key, v in values.items()}


def classifier_classes(
    terms: Mapping[str, np.ndarray],
    snapshot: int,
    variant: Mapping,
    temperature: np.ndarray,
    sigma_w: np.ndarray,
    net: TanhNet,
    null_z: float,
) -> np.ndarray:
    """The classifier's class (index into observables.CLASSES) of every network from its terms
    (..., S) at snapshot index `snapshot`, with the variant's indexing and noise; temperature
    and sigma_W broadcast against the networks."""
    repulsion = terms[f"repulsion_{variant['indexing']}_{variant['noise']}"][..., snapshot]
    drift, error = terms["drift"][..., snapshot], terms["drift_error"][..., snapshot]
    return observables.classify(drift, error, repulsion, temperature, sigma_w, net, null_z)


def class_shares(classes: np.ndarray) -> dict[str, np.ndarray]:
    """Per grid point, from classes (..., networks): the share of networks in each class and
    the share not noise dominated (drift or null), the quantity the contours follow."""
    shares = {
        f"{name}_share": np.mean(classes == k, axis=-1)
        for k, name in enumerate(observables.CLASSES)
    }
    return {**shares, "contour_share": 1.0 - shares["noise_share"]}


# --------------------------------------------------------------------------- per grid point


def by_point(
    values: np.ndarray, i_eps: np.ndarray, i_sigma: np.ndarray, slot: np.ndarray, shape
) -> np.ndarray:
    """Per-network values arranged as (n_eps, n_sigma, networks, ...), networks by slot."""
    n_eps, n_sigma = shape
    order = np.lexsort((slot, i_sigma, i_eps))
    counts = np.bincount(i_eps * n_sigma + i_sigma, minlength=n_eps * n_sigma)
    if counts.min() != counts.max():
        raise ValueError(f"grid points hold different numbers of networks: {np.unique(counts)}")
    return values[order].reshape(n_eps, n_sigma, counts[0], *values.shape[1:])


def assemble_grid(shards: Sequence[Mapping[str, np.ndarray]], pd: Mapping) -> dict:
    """Join the observables of every shard into per-point arrays (n_eps, n_sigma, networks, ...),
    derive the x order parameters and the classifier's classes at analysis.classifier_epoch,
    and summarise each point (median and 16-84 % band of every observable, mean Lyapunov rate,
    class shares, phase)."""
    joined = {
        key: np.concatenate([s[key] for s in shards]) for key in shards[0] if key in _PER_NETWORK
    }
    first = shards[0]
    snapshots = first["snapshots"]
    analysis = pd["analysis"]
    net = TanhNet(**{k: int(first[k]) for k in ("inputs", "hidden0", "hidden")})
    joined.update(
        x_order_parameters(
            joined["x"],
            snapshots,
            joined["teacher_x"],
            analysis["growth_from_epoch"],
            joined["diverged"],
        )
    )
    joined["test_loss_final"] = np.where(joined["diverged"], np.inf, joined["test_loss"][:, -1])
    joined["saturated_final"] = joined["saturated"][:, -1]
    snapshot = int(np.flatnonzero(snapshots == analysis["classifier_epoch"])[0])
    joined["classifier_class"] = classifier_classes(
        joined,
        snapshot,
        analysis,
        joined["eps"] / pd["training"]["batch"],
        joined["sigma_w"],
        net,
        analysis["null_z"],
    )
    shape = (len(pd["grid"]["eps"]), len(pd["grid"]["sigma_w"]))
    i_eps, i_sigma, slot = joined.pop("i_eps"), joined.pop("i_sigma"), joined.pop("slot")
    grid = {key: by_point(v, i_eps, i_sigma, slot, shape) for key, v in joined.items()}
    for key in SUMMARISED:
        for stat, v in observables.band(grid[key]).items():
            grid[f"{key}_{stat}"] = v
    grid["lyapunov_mean"] = np.nanmean(grid["lyapunov"], axis=-1)
    grid.update(class_shares(grid["classifier_class"]))
    grid["phase"] = observables.phase_of(
        grid["test_loss_final_median"], grid["excess_median"], analysis
    )
    grid.update(measured_boundaries(grid, pd))
    grid.update(
        snapshots=snapshots,
        eps=np.asarray(pd["grid"]["eps"], dtype=float),
        sigma_w=np.asarray(pd["grid"]["sigma_w"], dtype=float),
        temperature=np.asarray(pd["grid"]["eps"], dtype=float) / pd["training"]["batch"],
        inputs=np.int64(net.inputs),
        hidden0=np.int64(net.hidden0),
        hidden=np.int64(net.hidden),
    )
    return grid


def point_networks(shards: Sequence[Mapping[str, np.ndarray]], eps: float, sigma_w: float) -> dict:
    """x (networks, S, K) and test_loss (networks, S) of one grid point, from the observables of
    the shards that hold it, with the snapshots and the teacher's x."""
    picked = [
        {
            key: s[key][(s["eps"] == eps) & (s["sigma_w"] == sigma_w)]
            for key in ("x", "test_loss", "teacher_x")
        }
        for s in shards
    ]
    x = np.concatenate([p["x"] for p in picked])
    if not len(x):
        raise ValueError(f"no network at eps = {eps}, sigma_W = {sigma_w} in these shards")
    return {
        "x": x,
        "test_loss": np.concatenate([p["test_loss"] for p in picked]),
        "teacher_x": np.concatenate([p["teacher_x"] for p in picked]),
        "snapshots": shards[0]["snapshots"],
    }


def median_log10(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """log10 of the median (inf stays inf)."""
    with np.errstate(divide="ignore"):
        return np.log10(np.nanmedian(values, axis=axis))


# --------------------------------------------------------------------------- boundaries


def crossing(coords: np.ndarray, values: np.ndarray, level: float) -> float:
    """First coordinate, going up `coords`, where `values` rise through `level` (linear
    interpolation between the two grid points around it); NaN if they never do."""
    below = values[:-1] < level
    above = values[1:] >= level
    hits = np.flatnonzero(below & above)
    if not hits.size:
        return np.nan
    i = hits[0]
    v0, v1 = values[i], values[i + 1]
    fraction = 0.0 if not np.isfinite(v1) else (level - v0) / (v1 - v0)
    return float(coords[i] + fraction * (coords[i + 1] - coords[i]))


def bootstrap(
    statistic: Callable[[Mapping[str, np.ndarray]], float],
    per_point: Mapping[str, np.ndarray],
    resamples: int,
    seed: int,
) -> dict[str, float]:
    """Value and bootstrap error of `statistic` of per-point arrays (n_eps, n_sigma, slots).

    Each resample redraws the slots (independent problem instances: teacher, data, initial
    draw) with replacement, the same draw for every grid point and every array, so that the
    correlations between points and between observables through a shared slot are kept. The
    error is the standard deviation of the finite replicates; if more than a tenth of the
    replicates are undefined (NaN, e.g. no crossing), the error is infinite.
    """
    value = float(statistic(per_point))
    rng = np.random.default_rng(seed)
    slots = next(iter(per_point.values())).shape[2]
    draws = [rng.integers(0, slots, slots) for _ in range(resamples)]
    replicates = np.array(
        [statistic({key: v[:, :, draw] for key, v in per_point.items()}) for draw in draws],
        dtype=float,
    )
    finite = replicates[np.isfinite(replicates)]
    undefined = 1 - finite.size / resamples
    error = float(np.std(finite, ddof=1)) if finite.size > 1 else np.inf
    if undefined > 0.1 or not np.isfinite(value):
        error = np.inf
    return {"value": value, "error": error, "undefined_share": undefined}


class Grid:
    """The grid's coordinates and the indices the claims need, from the config section."""

    def __init__(self, pd: Mapping) -> None:
        grid, analysis = pd["grid"], pd["analysis"]
        self.eps = np.asarray(grid["eps"], dtype=float)
        self.sigma_w = np.asarray(grid["sigma_w"], dtype=float)
        self.temperature = self.eps / pd["training"]["batch"]
        self.log2_t = np.log2(self.temperature)
        self.log2_sigma = np.log2(self.sigma_w)
        self.points = {
            name: (list(grid["eps"]).index(p["eps"]), list(grid["sigma_w"]).index(p["sigma_w"]))
            for name, p in analysis["points"].items()
        }
        self.tc_column = list(grid["sigma_w"]).index(analysis["tc_sigma_w"])
        self.boundary_row = list(grid["eps"]).index(analysis["boundary_eps"])


def paramagnetic_boundary_log2(
    per_point: Mapping[str, np.ndarray], grid: Grid, min_excess: float
) -> np.ndarray:
    """Per sigma_W column: log2 T where the median excess first rises through `min_excess`
    (the phase rule's paramagnetic criterion); NaN where it never does."""
    excess = np.nanmedian(per_point["excess"], axis=-1)
    return np.array(
        [crossing(grid.log2_t, excess[:, j], min_excess) for j in range(excess.shape[1])]
    )


def tc_log2(per_point: Mapping[str, np.ndarray], grid: Grid, min_excess: float) -> float:
    """log2 Tc: the paramagnetic boundary in the Tc column."""
    column = {"excess": per_point["excess"][:, [grid.tc_column]]}
    return float(paramagnetic_boundary_log2(column, grid, min_excess)[0])


def vertical_boundary_log2(
    per_point: Mapping[str, np.ndarray], grid: Grid, max_loss: float
) -> float:
    """log2(1/sigma_W) where, going down from the largest 1/sigma_W along the boundary row,
    the median final test loss first rises through `max_loss`."""
    loss = median_log10(per_point["test_loss_final"][grid.boundary_row])
    return -crossing(grid.log2_sigma, loss, np.log10(max_loss))


def contour_log2(share: np.ndarray, grid: Grid, level: float) -> np.ndarray:
    """Per sigma_W column: log2 T where the share (n_eps, n_sigma) not noise dominated first
    falls below `level` going up in T; NaN where it never does."""
    return np.array([crossing(grid.log2_t, -share[:, j], -level) for j in range(share.shape[1])])


def measured_boundaries(grid_arrays: Mapping[str, np.ndarray], pd: Mapping) -> dict:
    """Point estimates of the boundaries the figures draw: Tc and the vertical boundary of the
    claims, and per sigma_W column the paramagnetic boundary and the classifier contours."""
    grid, analysis = Grid(pd), pd["analysis"]
    levels = np.asarray(analysis["contour_levels"], dtype=float)
    share = grid_arrays["contour_share"]
    min_excess = analysis["paramagnetic_min_excess"]
    return {
        "tc_log2": np.float64(tc_log2(grid_arrays, grid, min_excess)),
        "vertical_boundary_log2": np.float64(
            vertical_boundary_log2(grid_arrays, grid, analysis["ordered_max_loss"])
        ),
        "paramagnetic_boundary_log2_t": paramagnetic_boundary_log2(grid_arrays, grid, min_excess),
        "contour_levels": levels,
        "contour_log2_t": np.array([contour_log2(share, grid, c) for c in levels]),
    }
