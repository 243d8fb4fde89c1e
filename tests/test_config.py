"""Config validation: every shipped config passes; each kind of bad input is rejected with a
message naming the key and what was expected."""

import copy

import pytest
from conftest import ROOT, SCHEMA

from rmtsgd.claims import declared_deviation
from rmtsgd.config import ConfigError, load_config, shard_seed, shard_sizes, validate_config
from rmtsgd.rbm.config import rbm_settings, schedule_for


@pytest.mark.parametrize("overlay", [None, "smoke.yaml", "paper.yaml"])
def test_shipped_configs_are_valid(overlay):
    files = [ROOT / "config/config.yaml"] + ([ROOT / "config" / overlay] if overlay else [])
    validate_config(load_config(*files), SCHEMA)


def test_paper_scale_drops_the_default_training_time_deviations():
    """The phase diagram's default declarations are its 1 000 epochs: at the paper's 100 000 each
    claim is judged on its own, so config/paper.yaml clears them (deviates: null)."""
    default = load_config(ROOT / "config/config.yaml")["phase_diagram"]["claims"]
    paper = load_config(ROOT / "config/config.yaml", ROOT / "config/paper.yaml")
    for kind in ("ordered_contrast", "ordered_teacher_x", "vertical_boundary"):
        assert default[kind]["deviates"]
        assert declared_deviation(paper["phase_diagram"]["claims"][kind], kind) is None


def _set(config, dotted, value):
    node = config
    *parents, last = dotted.split(".")
    for key in parents:
        node = node[key]
    node[last] = value


def rejection(config, dotted, value) -> str:
    """The ConfigError message for a copy of `config` with `dotted` set to `value`."""
    config = copy.deepcopy(config)
    _set(config, dotted, value)
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    return str(error.value)


BAD = [
    ("rbm.training.colour", "blue", "rbm.training", "unknown key"),
    ("rbm.scans.lr.lr", [0.01, -0.1], "rbm.scans.lr.lr.1", "> 0"),
    ("rbm.scans.lr.lr", [0.0], "rbm.scans.lr.lr.0", "> 0"),
    ("rbm.scans.batch.lr", 0, "rbm.scans.batch.lr", "> 0"),
    ("rbm.scans.batch.batch", [16, 0], "rbm.scans.batch.batch.1", ">= 1"),
    ("rbm.scans.lr.batch", -4, "rbm.scans.lr.batch", ">= 1"),
    ("rbm.training.replicas", 10.5, "rbm.training.replicas", "integer"),
    ("rbm.training.updates", "1e4", "rbm.training.updates", "integer"),
    ("rbm.training.k", 2.0, "rbm.training.k", "integer"),
    ("rbm.model.mu2", 8.0, "rbm.model.mu2", "largest kappa"),
    ("rbm.model.mu2", 7.5, "rbm.model.mu2", "cannot be learnt"),
    ("rbm.training.snapshot_every", 20000, "rbm.training.snapshot_every", "at most the run"),
    ("rbm.training.measure_from", 10000, "rbm.training.measure_from", "below the run"),
    ("rbm.scans.lr.lr", [], "rbm.scans.lr.lr", "non-empty"),
    ("rbm.scans.batch.batch", [], "rbm.scans.batch.batch", "non-empty"),
    ("rbm.analysis.scaling_max_noise", 1e-5, "rbm.analysis.scaling_max_noise", "each scan"),
    ("rbm.figures.fig2_lrs", [0.03], "rbm.figures.fig2_lrs", "learning-rate scan"),
    ("device", "tpu", "device", "one of"),
    ("teacher_student.model_a.lr", 0, "teacher_student.model_a.lr", "> 0"),
    ("teacher_student.model_a.batch", 1, "teacher_student.model_a.batch", ">= 2"),
    ("teacher_student.model_a.gradient", "exact", "teacher_student.model_a.gradient", "one of"),
    (
        "teacher_student.model_a.snapshots",
        [{"every": 0.25, "until": 1500}],
        "teacher_student.model_a.snapshots.0.every",
        "whole number of updates",
    ),
    (
        "teacher_student.model_a.snapshots",
        [{"every": 1, "until": 1000}],
        "teacher_student.model_a.snapshots",
        "run's end",
    ),
    ("teacher_student.model_a.fit_from", 1500, "teacher_student.model_a.fit_from", "at least 4"),
    (
        "teacher_student.model_a.cases.eq26.z",
        [[1.0, 0.0], [0.0]],
        "teacher_student.model_a.cases.eq26.z",
        "unequal length",
    ),
    ("teacher_student.model_a.cases", {}, "teacher_student.model_a.cases", "at least one"),
    (
        "teacher_student.figures.fig4_cases",
        ["eq99"],
        "teacher_student.figures.fig4_cases",
        "not in",
    ),
    (
        "teacher_student.figures.fig5_cases",
        ["identity_deterministic"],
        "teacher_student.figures.fig5_cases",
        "without noise",
    ),
    (
        "teacher_student.model_b.snapshot_every",
        20,
        "teacher_student.model_b.snapshot_every",
        "at most",
    ),
    ("teacher_student.model_b.networks", 5, "teacher_student.model_b.networks", "jackknife_blocks"),
    ("teacher_student.model_b.scans.lr.lr", [], "teacher_student.model_b.scans.lr.lr", "non-empty"),
    (
        "teacher_student.analysis.scaling_max_lr",
        0.05,
        "teacher_student.analysis.scaling_max_lr",
        "at least one alpha",
    ),
    (
        "teacher_student.claims.rate_ratio",
        {"tolerance": 0.02},
        "teacher_student.claims.rate_ratio",
        "missing required key",
    ),
]


@pytest.mark.parametrize(("key", "value", "named", "expected"), BAD)
def test_bad_config_is_rejected_naming_the_key(default_config, key, value, named, expected):
    message = rejection(default_config, key, value)
    assert f"'{named}'" in message
    assert expected in message


def test_missing_key_is_named(default_config):
    config = copy.deepcopy(default_config)
    del config["rbm"]["training"]["updates"]
    with pytest.raises(ConfigError, match="rbm.training.*updates"):
        validate_config(config, SCHEMA)


def test_settings_union_of_both_scans(default_config):
    names = [s.name for s in rbm_settings(default_config["rbm"])]
    assert len(names) == len(set(names)) == 10  # lr0.1_B16 belongs to both scans
    assert "lr0.1_B16" in names and "lr0.01_B16" in names and "lr0.1_B4" in names


def test_schedule_keeps_learning_time_fixed(default_config):
    training = default_config["rbm"]["training"]
    slow, fast = schedule_for(training, 0.01), schedule_for(training, 0.1)
    assert slow.snapshots[-1] == 10 * fast.snapshots[-1]
    assert slow.measure_from == 10 * fast.measure_from
    assert len(slow.snapshots) == len(fast.snapshots)
    paper = dict(training, reference_lr=None)
    assert schedule_for(paper, 0.01).snapshots == schedule_for(paper, 0.1).snapshots


def test_shards_and_seeds(default_config):
    training = dict(default_config["rbm"]["training"], replicas=450, replicas_per_shard=200)
    assert shard_sizes(training) == [200, 200, 50]
    a, b = rbm_settings(default_config["rbm"])[:2]
    seeds = {shard_seed(1, s, i) for s in (a, b) for i in range(3)}
    assert len(seeds) == 6
    assert shard_seed(1, a, 0) == shard_seed(1, a, 0)
    assert shard_seed(1, a, 0) != shard_seed(2, a, 0)
