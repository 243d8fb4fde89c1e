"""Configuration: validation against the pipeline's JSON schema plus the checks a schema cannot
express, and the derived quantities every rule needs (settings, update counts, seeds).

Every Snakemake job parses the workflow, which imports this module: the models (torch, ~2 s)
are therefore imported only inside the two checks that need them, which only the submitting
process runs (workflow/rules/common.smk).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

from rmtsgd.io import EnsembleFileError, inspect_ensemble
from rmtsgd.spectra import target_modes


class ConfigError(ValueError):
    """A configuration value is missing, malformed or inconsistent; the message names the key."""


def load_yaml(path: str | Path) -> dict:
    """Read one YAML file into a dict."""
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def merge(base: Mapping, overlay: Mapping) -> dict:
    """Recursive merge of an overlay onto a base config (Snakemake's --configfile semantics)."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(*paths: str | Path) -> dict:
    """The config a run with these files gets: the first file, then each overlay on top."""
    config: dict = {}
    for path in paths:
        config = merge(config, load_yaml(path))
    return config


def _key(path) -> str:
    return ".".join(str(part) for part in path) or "<top level>"


# Counts must be written as integers: JSON Schema would accept 2.0 as an integer.
_STRICT_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
)
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, type_checker=_STRICT_TYPES
)


def validate_config(config: Mapping, schema_path: str | Path) -> None:
    """Raise ConfigError naming the first offending key, or return if the config is usable."""
    schema = load_yaml(schema_path)
    errors = sorted(
        _Validator(schema).iter_errors(config),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        error = errors[0]
        raise ConfigError(f"config key '{_key(error.absolute_path)}': {_describe(error)}")
    _check_declared_deviations(config)
    _check_rbm(config["rbm"])
    _check_teacher_student(config["teacher_student"])
    _check_external(config["external"], config["teacher_student"]["analysis"]["jackknife_blocks"])
    _check_phase_diagram(config["phase_diagram"])
    _check_single_index(config["single_index"])
    _check_dmft(config["dmft"])


def _check_declared_deviations(config: Mapping) -> None:
    """Every declared deviation's band is an interval: low <= high."""
    for module, section in config.items():
        claims = section.get("claims") if isinstance(section, Mapping) else None
        for kind, spec in (claims or {}).items():
            if not isinstance(spec, Mapping):
                continue
            for name, entry in spec.get("deviates", {}).items():
                low, high = entry["band"]
                if not low <= high:
                    key = f"{module}.claims.{kind}.deviates.{name}.band"
                    raise ConfigError(
                        f"config key '{key}': expected [low, high], got {[low, high]}"
                    )


def _describe(error: jsonschema.ValidationError) -> str:
    """A reader's version of a schema error: what was found and what was expected."""
    expected = {
        "additionalProperties": "unknown key(s); allowed: "
        + ", ".join(sorted(error.schema.get("properties", {}))),
        "type": f"expected {error.validator_value}",
        "minimum": f"expected a value >= {error.validator_value}",
        "exclusiveMinimum": f"expected a value > {error.validator_value}",
        "exclusiveMaximum": f"expected a value < {error.validator_value}",
        "maximum": f"expected a value <= {error.validator_value}",
        "multipleOf": f"expected a multiple of {error.validator_value}",
        "maxItems": f"expected at most {error.validator_value} items",
        "minItems": "expected a non-empty list"
        if error.validator_value == 1
        else f"expected at least {error.validator_value} items",
        "enum": f"expected one of {error.validator_value}",
        "required": "missing required key",
        "uniqueItems": "expected distinct values",
        "pattern": "names may use only letters, digits, _ and -",
        "minProperties": "expected at least one entry",
    }.get(error.validator, "")
    return f"{error.message} ({expected})" if expected else error.message


def _check_rbm(rbm: Mapping) -> None:
    from rmtsgd.models.rbm import lattice_kappa

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


def snapshot_schedule(updates: int, every: int) -> np.ndarray:
    """Update counts at which weights are kept: every `every` updates, the last one included."""
    if every <= 0 or every > updates:
        raise ValueError(f"snapshot interval must be in 1..{updates} updates, got {every}")
    steps = np.arange(every, updates + 1, every)
    return steps if steps[-1] == updates else np.append(steps, updates)


def schedule_for(training: Mapping, lr: float) -> Schedule:
    """Counts of the config, scaled by reference_lr/lr when reference_lr is set."""
    scale = 1.0 if training["reference_lr"] is None else training["reference_lr"] / lr
    updates = max(1, round(training["updates"] * scale))
    every = max(1, round(training["snapshot_every"] * scale))
    snapshots = snapshot_schedule(updates, min(every, updates))
    return Schedule(tuple(int(s) for s in snapshots), round(training["measure_from"] * scale))


def shard_sizes(training: Mapping) -> list[int]:
    """Replicas of each training shard."""
    total, per = training["replicas"], training["replicas_per_shard"]
    return [min(per, total - start) for start in range(0, total, per)]


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


def derived_seed(base_seed: int, name: str, *indices: int) -> int:
    """Seed of the stream named `name` and `indices` (e.g. a shard; 0 when none is given):
    independent streams per job, stable under reordering of the config."""
    path = indices or (0,)
    sequence = np.random.SeedSequence([base_seed, zlib.crc32(name.encode()), *path])
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def shard_seed(base_seed: int, setting: Setting, shard: int) -> int:
    """Seed of one RBM shard: independent streams per setting and shard."""
    return derived_seed(base_seed, setting.name, shard)


def as_plain(value: Any) -> Any:
    """Snakemake hands configs around as its own mapping types: make them plain for JSON."""
    if isinstance(value, Mapping):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- teacher-student


def _fail(key: str, message: str) -> None:
    raise ConfigError(f"config key '{key}': {message}")


def epoch_steps(epochs: float, steps_per_epoch: int, key: str) -> int:
    """An epoch count as a whole number of updates, or a ConfigError naming `key`."""
    steps = epochs * steps_per_epoch
    if not np.isclose(steps, round(steps), rtol=0, atol=1e-9):
        _fail(
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
            _fail(f"{key}.until", f"expected segments in increasing order, got {segment['until']}")
        steps.update(range(start - start % every + every, until + 1, every))
        steps.add(until)
        start = until
    return sorted(steps)


def _check_model_a(model_a: Mapping, blocks: int, figures: Mapping) -> None:
    key = "teacher_student.model_a"
    total = epoch_steps(model_a["epochs"], model_a["steps_per_epoch"], f"{key}.epochs")
    steps = model_a_snapshot_steps(model_a)
    if steps[-1] != total:
        _fail(
            f"{key}.snapshots",
            f"the last segment must end at the run's end, epochs = {model_a['epochs']}, "
            f"got until = {model_a['snapshots'][-1]['until']}",
        )
    epochs = np.array(steps) / model_a["steps_per_epoch"]
    if np.sum(epochs >= model_a["fit_from"]) < 4:
        _fail(f"{key}.fit_from", "expected at least 4 snapshots from this epoch on for Eq 22")
    if np.sum(epochs >= model_a["measure_from"]) < 2:
        _fail(f"{key}.measure_from", "expected at least 2 snapshots from this epoch on")
    if model_a["networks"] < blocks:
        _fail(
            f"{key}.networks",
            f"expected at least teacher_student.analysis.jackknife_blocks = {blocks} networks",
        )
    for name, case in model_a["cases"].items():
        z = case["z"]
        if len({len(row) for row in z}) != 1:
            _fail(f"{key}.cases.{name}.z", f"rows of unequal length: {z}")
    cases = model_a["cases"]
    for figure in ("fig4_cases", "fig5_cases"):
        missing = [c for c in figures[figure] if c not in cases]
        if missing:
            _fail(f"teacher_student.figures.{figure}", f"{missing} not in {key}.cases")
    silent = [c for c in figures["fig5_cases"] if case_noise(model_a, c) == 0]
    if silent:
        _fail(
            "teacher_student.figures.fig5_cases",
            f"{silent} run without noise and have no stationary spread to histogram",
        )


def case_noise(model_a: Mapping, case: str) -> float:
    """The noise standard deviation of one model-A case (its own, else the model's)."""
    return float(model_a["cases"][case].get("noise_std", model_a["noise_std"]))


def _check_model_b(model_b: Mapping, blocks: int, analysis: Mapping) -> None:
    key = "teacher_student.model_b"
    if model_b["snapshot_every"] > model_b["epochs"]:
        _fail(
            f"{key}.snapshot_every",
            f"expected at most the run length {key}.epochs = {model_b['epochs']}, "
            f"got {model_b['snapshot_every']}",
        )
    if model_b["measure_from"] > model_b["epochs"]:
        _fail(f"{key}.measure_from", f"expected at most {key}.epochs = {model_b['epochs']}")
    if model_b["networks"] < blocks:
        _fail(
            f"{key}.networks",
            f"expected at least teacher_student.analysis.jackknife_blocks = {blocks} networks",
        )
    lrs = model_b["scans"]["lr"]["lr"]
    if min(lrs) > analysis["scaling_max_lr"]:
        _fail(
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


# --------------------------------------------------------------------------- external ensembles


def _check_external(external: Mapping, blocks: int) -> None:
    """Every listed file exists, is an npz with W[network, snapshot, row, column], has enough
    networks for the jackknife and the snapshot asked for."""
    for name, entry in external.items():
        try:
            shape = inspect_ensemble(entry["path"])
        except EnsembleFileError as error:
            _fail(f"external.{name}.path", str(error))
        snapshot = entry.get("snapshot", -1)
        if not -shape[1] <= snapshot < shape[1]:
            _fail(
                f"external.{name}.snapshot",
                f"{entry['path']} has {shape[1]} snapshots, got snapshot {snapshot}",
            )
        if shape[0] < blocks:
            _fail(
                f"external.{name}.path",
                f"{entry['path']} holds {shape[0]} networks, fewer than the "
                f"teacher_student.analysis.jackknife_blocks = {blocks} jackknife blocks",
            )


# --------------------------------------------------------------------------- phase diagram


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


# --------------------------------------------------------------------------- single index


def _si_curve(si: Mapping, key: str, name: str, algorithm: str | None = None) -> Mapping:
    """The curve an analysis setting names, checked to exist (and to run `algorithm`)."""
    curves = si["curves"]
    if name not in curves:
        raise ConfigError(
            f"config key 'single_index.analysis.{key}': no curve '{name}' in "
            f"single_index.curves (have {sorted(curves)})"
        )
    curve = curves[name]
    if algorithm and curve["algorithm"] != algorithm:
        raise ConfigError(
            f"config key 'single_index.analysis.{key}': expected a curve of algorithm "
            f"{algorithm}, '{name}' runs {curve['algorithm']}"
        )
    return curve


def _si_need(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"config key 'single_index.{key}': {message}")


def _check_single_index(si: Mapping) -> None:
    run, analysis = si["run"], si["analysis"]
    _si_need(
        run["runs_per_job"] <= run["runs"],
        "run.runs_per_job",
        f"expected at most single_index.run.runs = {run['runs']}, got {run['runs_per_job']}",
    )
    for name, curve in si["curves"].items():
        if curve["algorithm"] == "A0":
            _si_need(
                curve["eta"] == [0.0] or curve["eta"] == [0],
                f"curves.{name}.eta",
                f"A0 has no eta: expected [0.0], got {curve['eta']}",
            )
    two_dims = "expected a curve with at least two dimensions to fit an exponent"
    a0 = _si_curve(si, "a0.curve", analysis["a0"]["curve"], "A0")
    _si_need(len(a0["dims"]) >= 2, "analysis.a0.curve", two_dims)
    knee = _si_curve(si, "crossover.curve", analysis["crossover"]["curve"], "A2")
    max_eta = analysis["crossover"]["max_eta"]
    fitted = [e for e in knee["eta"] if 0 < e <= max_eta]
    _si_need(
        0 in knee["eta"] and len(knee["dims"]) >= 2,
        "analysis.crossover.curve",
        "expected a curve with eta = 0 (the plateau) and at least two dimensions, got eta "
        f"{knee['eta']} and dims {knee['dims']}",
    )
    _si_need(
        len(fitted) >= 3,
        "analysis.crossover.max_eta",
        f"expected a value keeping at least three positive etas of the curve's grid "
        f"{knee['eta']} in the crossover fit, got {max_eta}",
    )
    for name, window in analysis["slopes"].items():
        curve = _si_curve(si, f"slopes.{name}", name, "A2")
        inside = [e for e in curve["eta"] if window[0] <= e <= window[1]]
        _si_need(
            window[0] < window[1] and len(inside) >= 2,
            f"analysis.slopes.{name}",
            f"expected [lowest, highest] eta holding at least two etas of the curve's grid "
            f"{curve['eta']}, got {window}",
        )
    large = _si_curve(si, "large_eta.curve", analysis["large_eta"]["curve"], "A2")
    _si_need(
        analysis["large_eta"]["eta"] in large["eta"] and len(large["dims"]) >= 2,
        "analysis.large_eta",
        f"expected an eta of the curve's grid {large['eta']} and a curve with at least two "
        f"dimensions (dims {large['dims']})",
    )
    a1 = _si_curve(si, "a1.curve", analysis["a1"]["curve"], "A1")
    _si_need(
        analysis["a1"]["eta"] in a1["eta"] and len(a1["dims"]) >= 2,
        "analysis.a1",
        f"expected an eta of the curve's grid {a1['eta']} and a curve with at least two "
        f"dimensions (dims {a1['dims']})",
    )
    _si_need(
        any(si["figures"]["eta_d"] in curve["dims"] for curve in si["curves"].values()),
        "figures.eta_d",
        f"expected a dimension that some curve runs, got {si['figures']['eta_d']}",
    )


@dataclass(frozen=True)
class SingleIndexJob:
    """One job of the single-index scans: every eta of one curve at one d, one shard of runs."""

    curve: str
    d: int

    @property
    def name(self) -> str:
        return f"{self.curve}_d{self.d}"


def si_budget(curve: Mapping, d: int) -> int:
    """Sample budget of one run at dimension d: scale * d^power, at least one sample."""
    return max(1, round(curve["budget"]["scale"] * d ** curve["budget"]["power"]))


def analysed_curves(analysis: Mapping) -> list[str]:
    """Names of the curves the exponents need, each once, in a fixed order."""
    names = [analysis[key]["curve"] for key in ("crossover", "a0", "large_eta", "a1")]
    return list(dict.fromkeys([*names, *analysis["slopes"]]))


def si_jobs(si: Mapping) -> list[SingleIndexJob]:
    """Every (curve, d) of the config, curves in config order."""
    return [SingleIndexJob(name, int(d)) for name, c in si["curves"].items() for d in c["dims"]]


def si_shard_sizes(run: Mapping) -> list[int]:
    """Runs of each job of one (curve, d): single_index.run.runs split by runs_per_job."""
    return shard_sizes({"replicas": run["runs"], "replicas_per_shard": run["runs_per_job"]})


def si_bootstrap_seed(base_seed: int, job: SingleIndexJob) -> int:
    """Seed of a job's bootstrap: a stream of its own, apart from every shard's runs."""
    return shard_seed(base_seed, SingleIndexJob(f"{job.curve}/bootstrap", job.d), 0)


# --------------------------------------------------------------------------- DMFT


def _dmft_need(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"config key 'dmft.{key}': {message}")


def dmft_steps(eta: float, t_max: float, key: str) -> int:
    """Steps of size eta up to t_max: a whole number, at least one."""
    steps = round(t_max / eta)
    _dmft_need(
        steps >= 1 and abs(steps * eta - t_max) <= 1e-9 * t_max,
        key,
        f"t_max = {t_max} is not a whole number of steps eta = {eta} (t = eta x steps)",
    )
    return steps


def _dmft_problem(dm: Mapping, name: str, key: str, **required: Any) -> Mapping:
    """The problem a curve or check names, checked to exist (and to have `required` fields)."""
    _dmft_need(
        name in dm["problems"],
        key,
        f"no problem '{name}' in dmft.problems ({sorted(dm['problems'])})",
    )
    problem = dm["problems"][name]
    for field_name, value in required.items():
        _dmft_need(
            problem[field_name] == value,
            key,
            f"expected a problem with {field_name} = {value!r}, '{name}' has "
            f"{problem[field_name]!r}",
        )
    return problem


def _dmft_rate(b: float, tau: float, eta: float, key: str) -> None:
    """The batch process's flip probabilities are at most 1 (spec)."""
    from rmtsgd.models.gaussian_mixture import BatchProcess

    if b < 1.0:
        bound = BatchProcess.max_eta(b, tau)
        _dmft_need(
            eta <= bound * (1 + 1e-12),
            key,
            f"eta = {eta} exceeds tau min(1, b/(1-b)) = {bound:.6g} at b = {b}, tau = {tau}: "
            "a flip probability of the batch process would exceed 1",
        )


def _check_dmft(dm: Mapping) -> None:
    for name, problem in dm["problems"].items():
        key = f"problems.{name}"
        wanted = "linear" if problem["clusters"] == 2 else "even"
        _dmft_need(
            problem["readout"] == wanted,
            f"{key}.readout",
            f"{problem['clusters']} clusters need the {wanted} read-out, got "
            f"{problem['readout']!r}",
        )
        for field_name in ("rho", "offset") if problem["clusters"] == 3 else ():
            _dmft_need(field_name in problem, f"{key}.{field_name}", "required for 3 clusters")
    grid, checks, sim = dm["grid"], dm["checks"], dm["simulation"]
    dmft_steps(grid["eta"], grid["t_max"], "grid.t_max")
    for name, curve in dm["curves"].items():
        _dmft_problem(dm, curve["problem"], f"curves.{name}.problem")
        _dmft_rate(curve["b"], curve["tau"], grid["eta"], f"curves.{name}.tau")
    for figure, clusters in (("k2", 2), ("k3", 3)):
        for name in dm["figures"][figure]:
            _dmft_need(
                name in dm["curves"], f"figures.{figure}", f"no curve '{name}' in dmft.curves"
            )
            problem = dm["problems"][dm["curves"][name]["problem"]]
            _dmft_need(
                problem["clusters"] == clusters,
                f"figures.{figure}",
                f"curve '{name}' has {problem['clusters']} clusters, expected {clusters}",
            )
    solver = dm["solver"]
    _dmft_need(
        solver["response_paths"]
        <= min(solver["paths"], checks["ridge"]["paths"], checks["erm"]["paths"]),
        "solver.response_paths",
        f"expected at most dmft.solver.paths = {solver['paths']}, dmft.checks.ridge.paths "
        f"= {checks['ridge']['paths']} and dmft.checks.erm.paths = {checks['erm']['paths']}, "
        f"got {solver['response_paths']}",
    )
    conv = checks["convergence"]
    _dmft_need(
        conv["curve"] in dm["curves"], "checks.convergence.curve", "not a curve of dmft.curves"
    )
    _dmft_need(len(sim["dims"]) >= 2, "simulation.dims", "expected at least two dimensions to fit")
    step = conv["time"] / grid["eta"]
    _dmft_need(
        conv["time"] <= grid["t_max"] and abs(step - round(step)) <= 1e-9 * step,
        "checks.convergence.time",
        f"expected a time of the grid (a multiple of eta = {grid['eta']} up to t_max = "
        f"{grid['t_max']}), got {conv['time']}",
    )
    _dmft_problem(dm, checks["ridge"]["problem"], "checks.ridge.problem", loss="square", clusters=2)
    early = checks["early"]
    _dmft_problem(dm, early["problem"], "checks.early.problem", clusters=2)
    steps = dmft_steps(early["eta"], early["t_max"], "checks.early.t_max")
    _dmft_rate(early["b"], early["tau"], early["eta"], "checks.early.eta")
    _dmft_need(
        early["t_max"] <= early["b"] * early["tau"] / 10,
        "checks.early.t_max",
        f"the laws hold for t << b tau = {early['b'] * early['tau']:g}: expected t_max at most a "
        f"tenth of it, got {early['t_max']}",
    )
    _dmft_need(
        3 <= round(early["fit_until"] / early["eta"]) <= steps,
        "checks.early.fit_until",
        f"expected at least three steps of eta = {early['eta']} and at most t_max = "
        f"{early['t_max']}, got {early['fit_until']}",
    )
    tau = checks["tau_limit"]
    _dmft_problem(dm, tau["problem"], "checks.tau_limit.problem")
    dmft_steps(tau["eta"], tau["t_max"], "checks.tau_limit.t_max")
    for value in tau["taus"]:
        _dmft_rate(tau["b"], value, tau["eta"], "checks.tau_limit.taus")
    erm = checks["erm"]
    problem = _dmft_problem(dm, erm["problem"], "checks.erm.problem", clusters=2)
    _dmft_need(
        problem["lam"] > 0,
        "checks.erm.problem",
        f"the minimiser is unique only for lambda > 0, '{erm['problem']}' has lambda = "
        f"{problem['lam']}",
    )
    dmft_steps(erm["eta"], erm["t_max"], "checks.erm.t_max")
    batch = checks["batch_process"]["curve"]
    _dmft_need(batch in dm["curves"], "checks.batch_process.curve", "not a curve of dmft.curves")
    _dmft_need(
        dm["curves"][batch]["b"] < 1,
        "checks.batch_process.curve",
        f"expected a curve with b < 1 (at b = 1 every sample is always selected), '{batch}' has "
        "b = 1",
    )


def _dmft_job(
    dm: Mapping,
    problem: str,
    b: float,
    tau: float,
    eta: float,
    t_max: float,
    stream: str,
    start: Mapping | None = None,
    weight: float | None = None,
) -> dict:
    """Everything that determines one DMFT solution or simulation (plain JSON)."""
    fields = as_plain(dm["problems"][problem])
    fields.pop("start")
    if weight is None:
        weight = 1.0 / b if dm["normalised"] else 1.0
    return {
        "problem": fields,
        "start": as_plain(start if start is not None else dm["problems"][problem]["start"]),
        "batch": {"b": b, "tau": tau, "eta": eta, "weight": weight},
        "steps": dmft_steps(eta, t_max, "grid.t_max"),
        "stream": stream,
    }


def dmft_curves_used(dm: Mapping) -> list[str]:
    """The curves the figures and checks name, in that order (dmft.curves may define more)."""
    names = [*dm["figures"]["k2"], *dm["figures"]["k3"]]
    names += [dm["checks"]["convergence"]["curve"], dm["checks"]["batch_process"]["curve"]]
    return list(dict.fromkeys(names))


def dmft_jobs(dm: Mapping) -> dict[str, dict]:
    """Every DMFT solution of the config by name: the curves used, then the checks' settings
    (check_ridge, check_early, check_erm: gradient descent towards the empirical-risk
    minimiser, check_tau<i> and check_tau_reference: gradient descent on b x loss, all with the
    tau-limit's random numbers)."""
    grid, checks = dm["grid"], dm["checks"]
    jobs = {}
    for name in dmft_curves_used(dm):
        c = dm["curves"][name]
        jobs[name] = _dmft_job(dm, c["problem"], c["b"], c["tau"], grid["eta"], grid["t_max"], name)
    jobs["check_ridge"] = _dmft_job(
        dm, checks["ridge"]["problem"], 1.0, 1.0, grid["eta"], grid["t_max"], "check_ridge"
    )
    early = checks["early"]
    jobs["check_early"] = _dmft_job(
        dm,
        early["problem"],
        early["b"],
        early["tau"],
        early["eta"],
        early["t_max"],
        "check_early",
        start={"s0": 0.0, "m0": 0.0},
    )
    erm = checks["erm"]
    jobs["check_erm"] = _dmft_job(
        dm, erm["problem"], 1.0, 1.0, erm["eta"], erm["t_max"], "check_erm"
    )
    tau = checks["tau_limit"]
    for i, value in enumerate(tau["taus"]):
        jobs[f"check_tau{i}"] = _dmft_job(
            dm, tau["problem"], tau["b"], value, tau["eta"], tau["t_max"], "check_tau"
        )
    reference_weight = 1.0 if dm["normalised"] else tau["b"]
    jobs["check_tau_reference"] = _dmft_job(
        dm,
        tau["problem"],
        1.0,
        1.0,
        tau["eta"],
        tau["t_max"],
        "check_tau",
        weight=reference_weight,
    )
    return jobs


def dmft_simulations(dm: Mapping) -> list[tuple[str, int]]:
    """(job, d) of every simulation: each curve used and the early check at the largest d, the
    convergence curve at every d."""
    dims = sorted(dm["simulation"]["dims"])
    convergence = dm["checks"]["convergence"]["curve"]
    runs = [
        (name, d)
        for name in dmft_curves_used(dm)
        for d in (dims if name == convergence else dims[-1:])
    ]
    return runs + [("check_early", dims[-1])]


def dmft_sim_seeds(dm: Mapping, job: str) -> int:
    """Systems simulated for a job: check_seeds for the convergence curve and the early check
    (their claims rest on the spread over systems), seeds otherwise."""
    checked = (dm["checks"]["convergence"]["curve"], "check_early")
    return dm["simulation"]["check_seeds" if job in checked else "seeds"]


def dmft_solver(dm: Mapping, job: str) -> dict:
    """Solver settings of a job: dmft.solver, with the ridge and ERM checks' own numbers of
    paths."""
    solver = as_plain(dm["solver"])
    if job in ("check_ridge", "check_erm"):
        solver["paths"] = dm["checks"][job.removeprefix("check_")]["paths"]
    return solver


def dmft_seed(base_seed: int, stream: str, d: int = 0) -> int:
    """Seed of a DMFT solution (d = 0) or of the simulations of a job at dimension d."""
    return derived_seed(base_seed, f"dmft/{stream}", d)
