"""Config of the teacher-student and external ensembles module: the checks its section needs beyond
the schema and the settings, seeds and job lists derived from it. Torch-free: every job parses
the workflow, which imports this; the models are imported inside the checks that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rmtsgd.config import (
    as_plain,
    derived_seed,
    fail,
)
from rmtsgd.io import EnsembleFileError, inspect_ensemble


def epoch_steps(epochs: float, steps_per_epoch: int, key: str) -> int:
    """An epoch count as a whole number of updates, or a ConfigError naming `key`."""
    steps = epochs * steps_per_epoch
    if not np.isclose(steps, round(steps), rtol=0, atol=1e-9):
        fail(
            key, f"{epochs} epochs are not a whole number of updates ({steps_per_epoch} per epoch)"
        )
    return int(round(steps))


def model_a_snapshot_steps(model_a: Mapping) -> list[int]:
    """Update counts of the model-A snapshots: 0 (the initial weights), then each segment's
    multiples of `every` up to `until`."""
    spe, steps, start = model_a["steps_per_epoch"], {0}, 0
    for i, segment in enumerate(model_a["snapshots"]):
        key = f"teacher_student.model_a.snapshots.{i}"
        every = epoch_steps(segment["every"], spe, f"{key}.every")
        until = epoch_steps(segment["until"], spe, f"{key}.until")
        if until <= start:
            fail(f"{key}.until", f"expected segments in increasing order, got {segment['until']}")
        steps.update(range(start - start % every + every, until + 1, every))
        steps.add(until)
        start = until
    return sorted(steps)


def _check_model_a(model_a: Mapping, blocks: int, figures: Mapping) -> None:
    key = "teacher_student.model_a"
    total = epoch_steps(model_a["epochs"], model_a["steps_per_epoch"], f"{key}.epochs")
    steps = model_a_snapshot_steps(model_a)
    if steps[-1] != total:
        fail(
            f"{key}.snapshots",
            f"the last segment must end at the run's end, epochs = {model_a['epochs']}, "
            f"got until = {model_a['snapshots'][-1]['until']}",
        )
    epochs = np.array(steps) / model_a["steps_per_epoch"]
    if np.sum(epochs >= model_a["fit_from"]) < 4:
        fail(f"{key}.fit_from", "expected at least 4 snapshots from this epoch on for Eq 22")
    if np.sum(epochs >= model_a["measure_from"]) < 2:
        fail(f"{key}.measure_from", "expected at least 2 snapshots from this epoch on")
    if model_a["networks"] < blocks:
        fail(
            f"{key}.networks",
            f"expected at least teacher_student.analysis.jackknife_blocks = {blocks} networks",
        )
    for name, case in model_a["cases"].items():
        z = case["z"]
        if len({len(row) for row in z}) != 1:
            fail(f"{key}.cases.{name}.z", f"rows of unequal length: {z}")
    cases = model_a["cases"]
    for figure in ("fig4_cases", "fig5_cases"):
        missing = [c for c in figures[figure] if c not in cases]
        if missing:
            fail(f"teacher_student.figures.{figure}", f"{missing} not in {key}.cases")
    silent = [c for c in figures["fig5_cases"] if case_noise(model_a, c) == 0]
    if silent:
        fail(
            "teacher_student.figures.fig5_cases",
            f"{silent} run without noise and have no stationary spread to histogram",
        )


def case_noise(model_a: Mapping, case: str) -> float:
    """The noise standard deviation of one model-A case (its own, else the model's)."""
    return float(model_a["cases"][case].get("noise_std", model_a["noise_std"]))


def _check_model_b(model_b: Mapping, blocks: int, analysis: Mapping) -> None:
    key = "teacher_student.model_b"
    if model_b["snapshot_every"] > model_b["epochs"]:
        fail(
            f"{key}.snapshot_every",
            f"expected at most the run length {key}.epochs = {model_b['epochs']}, "
            f"got {model_b['snapshot_every']}",
        )
    if model_b["measure_from"] > model_b["epochs"]:
        fail(f"{key}.measure_from", f"expected at most {key}.epochs = {model_b['epochs']}")
    if model_b["networks"] < blocks:
        fail(
            f"{key}.networks",
            f"expected at least teacher_student.analysis.jackknife_blocks = {blocks} networks",
        )
    lrs = model_b["scans"]["lr"]["lr"]
    if min(lrs) > analysis["scaling_max_lr"]:
        fail(
            "teacher_student.analysis.scaling_max_lr",
            f"expected a value that keeps at least one alpha of {key}.scans.lr.lr = {lrs}",
        )


def _check_teacher_student(ts: Mapping) -> None:
    blocks = ts["analysis"]["jackknife_blocks"]
    _check_model_a(ts["model_a"], blocks, ts["figures"])
    _check_model_b(ts["model_b"], blocks, ts["analysis"])


@dataclass(frozen=True)
class ScanSetting:
    """One (alpha, |B|, eps) point of the model-B scans, and the scans it belongs to."""

    lr: float
    batch: int
    eps: float
    scans: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"lr{self.lr:g}_B{self.batch}_eps{self.eps:g}"

    @property
    def noise(self) -> float:
        """alpha / |B|, the strength of the mini-batch's multiplicative noise."""
        return self.lr / self.batch


def model_b_settings(model_b: Mapping) -> list[ScanSetting]:
    """Every point of the three scans once, in a fixed order, with its scan membership."""
    scans = model_b["scans"]
    points = [
        (scans["batch"]["lr"], b, scans["batch"]["eps"], "batch") for b in scans["batch"]["batch"]
    ]
    points += [(a, scans["lr"]["batch"], scans["lr"]["eps"], "lr") for a in scans["lr"]["lr"]]
    points += [(scans["eps"]["lr"], scans["eps"]["batch"], e, "eps") for e in scans["eps"]["eps"]]
    member: dict[tuple, list[str]] = {}
    for lr, batch, eps, scan in points:
        member.setdefault((float(lr), int(batch), float(eps)), []).append(scan)
    return [ScanSetting(*point, tuple(scans_)) for point, scans_ in member.items()]


def _ts_training_spec(config: Mapping) -> dict:
    """Training settings shared by every teacher-student job."""
    training = config["teacher_student"]["training"]
    return {
        "noise_dtype": training["noise_dtype"],
        "divergence_threshold": training["divergence_threshold"],
        "check_every": training["divergence_check_every"],
        "device": config["device"],
    }


def model_a_spec(config: Mapping, case: str) -> dict:
    """Everything that determines the numbers of one model-A ensemble (a trainer spec)."""
    model_a = config["teacher_student"]["model_a"]
    entry = model_a["cases"][case]
    return {
        **_ts_training_spec(config),
        "z": as_plain(entry["z"]),
        "teacher_singular_value": model_a["teacher_singular_value"],
        "init_std": model_a["init_std"],
        "lr": model_a["lr"],
        "batch": model_a["batch"],
        "noise_std": case_noise(model_a, case),
        "noise": "iid",
        "per_sample": False,
        "gradient": entry.get("gradient", model_a["gradient"]),
        "quenched": False,
        "steps_per_epoch": model_a["steps_per_epoch"],
        "networks": model_a["networks"],
        "snapshots": model_a_snapshot_steps(model_a),
        "seed": derived_seed(config["seed"], f"ts_a_{case}"),
    }


def model_b_spec(config: Mapping, setting: ScanSetting) -> dict:
    """Everything that determines the numbers of one model-B ensemble (a trainer spec)."""
    model_b = config["teacher_student"]["model_b"]
    spe, every = model_b["steps_per_epoch"], model_b["snapshot_every"]
    return {
        **_ts_training_spec(config),
        "z": [[1.0, 0.0], [0.0, 1.0]],
        "teacher_singular_value": model_b["teacher_singular_value"],
        "init_std": model_b["init_std"],
        "lr": setting.lr,
        "batch": setting.batch,
        "noise_std": setting.eps,
        "noise": "goe",
        "per_sample": True,
        "gradient": "minibatch",
        "quenched": model_b["quenched"],
        "steps_per_epoch": spe,
        "networks": model_b["networks"],
        "snapshots": list(range(0, model_b["epochs"] * spe + 1, every * spe)),
        "seed": derived_seed(config["seed"], f"ts_b_{setting.name}"),
    }


def scan_setting_meta(setting: ScanSetting) -> dict:
    """A model-B setting as the analysis records it."""
    return {
        "name": setting.name,
        "lr": setting.lr,
        "batch": setting.batch,
        "eps": setting.eps,
        "noise": setting.noise,
        "scans": list(setting.scans),
    }


def _check_external(external: Mapping, blocks: int) -> None:
    """Every listed file exists, is an npz with W[network, snapshot, row, column], has enough
    networks for the jackknife and the snapshot asked for."""
    for name, entry in external.items():
        try:
            shape = inspect_ensemble(entry["path"])
        except EnsembleFileError as error:
            fail(f"external.{name}.path", str(error))
        snapshot = entry.get("snapshot", -1)
        if not -shape[1] <= snapshot < shape[1]:
            fail(
                f"external.{name}.snapshot",
                f"{entry['path']} has {shape[1]} snapshots, got snapshot {snapshot}",
            )
        if shape[0] < blocks:
            fail(
                f"external.{name}.path",
                f"{entry['path']} holds {shape[0]} networks, fewer than the "
                f"teacher_student.analysis.jackknife_blocks = {blocks} jackknife blocks",
            )


def check(config: Mapping) -> None:
    """Checks of the `teacher_student` section a schema cannot express."""
    _check_teacher_student(config["teacher_student"])


def check_external(config: Mapping) -> None:
    """Every `external` entry names a readable ensemble with enough networks."""
    blocks = config["teacher_student"]["analysis"]["jackknife_blocks"]
    _check_external(config["external"], blocks)
