"""Config of the phase diagram module: the checks its section needs beyond the schema and the
settings, seeds and job lists derived from it. Torch-free: every job parses the workflow, which
imports this; the models are imported inside the checks that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rmtsgd.config import (
    ConfigError,
    derived_seed,
)


@dataclass(frozen=True)
class GridPoint:
    """One (eps, sigma_W) point of the phase-diagram grid, with its indices in the grid lists."""

    i_eps: int
    i_sigma: int
    eps: float
    sigma_w: float

    @property
    def name(self) -> str:
        return f"eps{self.eps:g}_sigma{self.sigma_w:g}"


def pd_grid_points(pd: Mapping) -> list[GridPoint]:
    """Every grid point, sigma_W-major (one sigma_W column after the other, eps ascending)."""
    grid = pd["grid"]
    return [
        GridPoint(i, j, float(eps), float(sigma))
        for j, sigma in enumerate(grid["sigma_w"])
        for i, eps in enumerate(grid["eps"])
    ]


def pd_shards(pd: Mapping) -> list[list[GridPoint]]:
    """Grid points of each training shard (consecutive blocks of grid.points_per_shard)."""
    points, per = pd_grid_points(pd), pd["grid"]["points_per_shard"]
    return [points[start : start + per] for start in range(0, len(points), per)]


def pd_shard_of(pd: Mapping, eps: float, sigma_w: float) -> int:
    """Index of the shard that trains the grid point (eps, sigma_W)."""
    for index, shard in enumerate(pd_shards(pd)):
        if any(p.eps == eps and p.sigma_w == sigma_w for p in shard):
            return index
    raise ConfigError(f"({eps}, {sigma_w}) is not a point of the phase_diagram grid")


def pd_snapshots(training: Mapping) -> list[int]:
    """Snapshot epochs: 0 (the initial W), the configured ones and the last epoch."""
    return sorted({0, *training["snapshot_epochs"], training["epochs"]})


PD_SEED_KINDS = ("teacher", "train", "test", "init")


def pd_slot_seeds(base_seed: int, slot: int) -> dict[str, int]:
    """Seeds of network slot k: its teacher (M, Z, W_t), training and test inputs, and the
    standard-normal draw its initial W scales by sigma_W. Network k of every grid point uses
    slot k, so the slots are independent problem instances shared across the grid."""
    return {
        kind: derived_seed(base_seed, "phase_diagram", slot, k)
        for k, kind in enumerate(PD_SEED_KINDS)
    }


def pd_shard_networks(pd: Mapping, shard: int) -> dict[str, list]:
    """Every network of one shard: its grid point (indices, eps, sigma_W) and its slot."""
    networks = pd["grid"]["networks"]
    rows: dict[str, list] = {"i_eps": [], "i_sigma": [], "eps": [], "sigma_w": [], "slot": []}
    for point in pd_shards(pd)[shard]:
        rows["i_eps"] += [point.i_eps] * networks
        rows["i_sigma"] += [point.i_sigma] * networks
        rows["eps"] += [point.eps] * networks
        rows["sigma_w"] += [point.sigma_w] * networks
        rows["slot"] += list(range(networks))
    return rows


def _check_phase_diagram(pd: Mapping) -> None:
    """Arithmetic checks of the phase_diagram section that the schema cannot express."""
    data, grid, training, analysis = pd["data"], pd["grid"], pd["training"], pd["analysis"]
    if data["n_train"] % training["batch"]:
        raise ConfigError(
            f"config key 'phase_diagram.data.n_train': expected a multiple of the batch "
            f"phase_diagram.training.batch = {training['batch']}, got {data['n_train']}"
        )
    epochs = training["epochs"]
    late = [e for e in training["snapshot_epochs"] if e > epochs]
    if late:
        raise ConfigError(
            f"config key 'phase_diagram.training.snapshot_epochs': {late} lie beyond the run "
            f"(phase_diagram.training.epochs = {epochs})"
        )
    snapshots = pd_snapshots(training)
    for key, allowed in (
        ("classifier_epoch", snapshots),
        ("growth_from_epoch", snapshots[:-1]),
    ):
        if analysis[key] not in allowed:
            raise ConfigError(
                f"config key 'phase_diagram.analysis.{key}': expected one of the snapshot "
                f"epochs {allowed}, got {analysis[key]}"
            )
    on_grid = {f"points.{name}": (p["eps"], p["sigma_w"]) for name, p in analysis["points"].items()}
    on_grid["tc_sigma_w"] = (grid["eps"][0], analysis["tc_sigma_w"])
    on_grid["boundary_eps"] = (analysis["boundary_eps"], grid["sigma_w"][0])
    for key, (eps, sigma) in on_grid.items():
        if eps not in grid["eps"] or sigma not in grid["sigma_w"]:
            raise ConfigError(
                f"config key 'phase_diagram.analysis.{key}': (eps, sigma_w) = ({eps}, {sigma}) "
                f"is not on the grid phase_diagram.grid.eps = {grid['eps']}, "
                f"sigma_w = {grid['sigma_w']}"
            )


def check(config: Mapping) -> None:
    """Checks of the `phase_diagram` section a schema cannot express."""
    _check_phase_diagram(config["phase_diagram"])
