"""Config of the Gaussian RBM module: the checks its section needs beyond the schema and the
settings, seeds and job lists derived from it. Torch-free: every job parses the workflow, which
imports this; the models are imported inside the checks that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rmtsgd.config import (
    ConfigError,
    snapshot_schedule,
)
from rmtsgd.spectra import target_modes


def _check_rbm(rbm: Mapping) -> None:
    from rmtsgd.rbm.model import lattice_kappa

    model, training, scans = rbm["model"], rbm["training"], rbm["scans"]
    kappa_max = float(lattice_kappa(model["nv"], model["m2"]).max())
    if model["mu2"] <= kappa_max:
        raise ConfigError(
            f"config key 'rbm.model.mu2': mu^2 = {model['mu2']} must exceed the target's largest "
            f"kappa = {kappa_max:.4g} (m^2 + 4 for N = {model['nv']}), else the target cannot "
            "be learnt"
        )
    if model["nh"] < model["nv"]:
        raise ConfigError(
            f"config key 'rbm.model.nh': expected nh >= nv = {model['nv']} so that every "
            f"target mode can be learnt, got {model['nh']}"
        )
    updates = training["updates"]
    if training["snapshot_every"] > updates:
        raise ConfigError(
            "config key 'rbm.training.snapshot_every': expected at most the run length "
            f"rbm.training.updates = {updates}, got {training['snapshot_every']}"
        )
    if training["measure_from"] >= updates:
        raise ConfigError(
            "config key 'rbm.training.measure_from': expected a value below the run length "
            f"rbm.training.updates = {updates}, got {training['measure_from']}"
        )
    if rbm["analysis"]["jackknife_blocks"] > training["replicas"]:
        raise ConfigError(
            "config key 'rbm.analysis.jackknife_blocks': expected at most rbm.training.replicas "
            f"= {training['replicas']} blocks, got {rbm['analysis']['jackknife_blocks']}"
        )
    _check_scaling_range(rbm)
    figures = rbm["figures"]
    for key, values in (("fig2_lrs", figures["fig2_lrs"]), ("fig2_lr", [figures["fig2_lr"]])):
        missing = [v for v in values if v not in scans["lr"]["lr"]]
        if missing:
            raise ConfigError(
                f"config key 'rbm.figures.{key}': {missing} not in the learning-rate scan "
                f"rbm.scans.lr.lr = {scans['lr']['lr']}"
            )
    if figures["fig2_batch"] != scans["lr"]["batch"]:
        raise ConfigError(
            f"config key 'rbm.figures.fig2_batch': expected the lr scan's batch "
            f"{scans['lr']['batch']}, got {figures['fig2_batch']}"
        )
    n_pairs = sum(m.is_pair for m in target_modes(lattice_kappa(model["nv"], model["m2"])))
    if figures["fig2_pair"] > n_pairs:
        raise ConfigError(
            f"config key 'rbm.figures.fig2_pair': the target has {n_pairs} degenerate pairs, "
            f"got {figures['fig2_pair']}"
        )


def _check_scaling_range(rbm: Mapping) -> None:
    """The scaling fits need both scans inside the range and two distinct alpha/|B| values."""
    max_noise = rbm["analysis"]["scaling_max_noise"]
    scans = rbm["scans"]
    noise = {
        "batch": [scans["batch"]["lr"] / b for b in scans["batch"]["batch"]],
        "lr": [a / scans["lr"]["batch"] for a in scans["lr"]["lr"]],
    }
    inside = {scan: {n for n in values if n <= max_noise} for scan, values in noise.items()}
    if not all(inside.values()) or len(inside["batch"] | inside["lr"]) < 2:
        raise ConfigError(
            f"config key 'rbm.analysis.scaling_max_noise': expected a value that keeps at least "
            f"one setting of each scan and two distinct alpha/|B| values, got {max_noise} "
            f"(alpha/|B| of the batch scan: {noise['batch']}, of the lr scan: {noise['lr']})"
        )


@dataclass(frozen=True)
class Setting:
    """One (learning rate, batch size) point of the scans."""

    lr: float
    batch: int

    @property
    def name(self) -> str:
        return f"lr{self.lr:g}_B{self.batch}"

    @property
    def noise(self) -> float:
        """alpha / |B|, the combination that sets the fluctuations (Eq 9)."""
        return self.lr / self.batch


def rbm_settings(rbm: Mapping) -> list[Setting]:
    """Every setting of both scans, each once, in a fixed order."""
    scans = rbm["scans"]
    settings = [Setting(float(scans["batch"]["lr"]), int(b)) for b in scans["batch"]["batch"]]
    settings += [Setting(float(a), int(scans["lr"]["batch"])) for a in scans["lr"]["lr"]]
    return list(dict.fromkeys(settings))


def setting_by_name(rbm: Mapping, name: str) -> Setting:
    """The setting a wildcard names."""
    for setting in rbm_settings(rbm):
        if setting.name == name:
            return setting
    raise ConfigError(f"no setting named '{name}' in rbm.scans")


@dataclass(frozen=True)
class Schedule:
    """Update counts of one setting: snapshots and the first update pooled by the fits."""

    snapshots: tuple[int, ...]
    measure_from: int


def schedule_for(training: Mapping, lr: float) -> Schedule:
    """Counts of the config, scaled by reference_lr/lr when reference_lr is set."""
    scale = 1.0 if training["reference_lr"] is None else training["reference_lr"] / lr
    updates = max(1, round(training["updates"] * scale))
    every = max(1, round(training["snapshot_every"] * scale))
    snapshots = snapshot_schedule(updates, min(every, updates))
    return Schedule(tuple(int(s) for s in snapshots), round(training["measure_from"] * scale))


def normals_per_replica_update(nv: int, nh: int, batch: int, k: int) -> int:
    """Normals one PCD update of one replica draws: (k+1)|B|Nh hidden plus k|B|Nv visible."""
    return (k + 1) * batch * nh + k * batch * nv


def training_normals(rbm: Mapping, setting: Setting, replicas: int) -> int:
    """Gaussian normals a training shard of `replicas` replicas draws: its cost, as PCD is
    bound by drawing them (benchmarks/README.md)."""
    model = rbm["model"]
    updates = schedule_for(rbm["training"], setting.lr).snapshots[-1]
    per_update = normals_per_replica_update(
        model["nv"], model["nh"], setting.batch, rbm["training"]["k"]
    )
    return replicas * updates * per_update


def check(config: Mapping) -> None:
    """Checks of the `rbm` section a schema cannot express."""
    _check_rbm(config["rbm"])
