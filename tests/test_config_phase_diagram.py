"""The phase_diagram config section: each kind of bad input is rejected with a message naming the
key; grid, shards and seeds derived from it."""

import copy

import pytest
from conftest import SCHEMA
from test_config import rejection

from rmtsgd.config import ConfigError, validate_config
from rmtsgd.phase_diagram.config import (
    pd_grid_points,
    pd_shard_networks,
    pd_shard_of,
    pd_shards,
    pd_slot_seeds,
    pd_snapshots,
)

BAD = [
    ("phase_diagram.grid.eps", [0.125, -1.0], "phase_diagram.grid.eps.1", "> 0"),
    ("phase_diagram.grid.eps", [0.0], "phase_diagram.grid.eps.0", "> 0"),
    ("phase_diagram.grid.sigma_w", [0.5, 0.0], "phase_diagram.grid.sigma_w.1", "> 0"),
    ("phase_diagram.grid.sigma_w", [-2.0], "phase_diagram.grid.sigma_w.0", "> 0"),
    ("phase_diagram.grid.eps", [], "phase_diagram.grid.eps", "non-empty"),
    ("phase_diagram.grid.sigma_w", [], "phase_diagram.grid.sigma_w", "non-empty"),
    ("phase_diagram.grid.points_per_shard", 0, "phase_diagram.grid.points_per_shard", ">= 1"),
    ("phase_diagram.grid.networks", 1, "phase_diagram.grid.networks", ">= 2"),
    (
        "phase_diagram.training.snapshot_epochs",
        [10, 2000],
        "phase_diagram.training.snapshot_epochs",
        "beyond the run",
    ),
    ("phase_diagram.training.loss_threshold", 0.0, "phase_diagram.training.loss_threshold", "> 0"),
    ("phase_diagram.training.loss_threshold", -5, "phase_diagram.training.loss_threshold", "> 0"),
    ("phase_diagram.training.epochs", 1.5, "phase_diagram.training.epochs", "integer"),
    ("phase_diagram.training.dtype", "float16", "phase_diagram.training.dtype", "one of"),
    ("phase_diagram.data.n_train", 4001, "phase_diagram.data.n_train", "multiple of the batch"),
    ("phase_diagram.analysis.indexing", "shifted", "phase_diagram.analysis.indexing", "one of"),
    ("phase_diagram.analysis.noise", "neuron", "phase_diagram.analysis.noise", "one of"),
    ("phase_diagram.analysis.null_z", -1.0, "phase_diagram.analysis.null_z", ">= 0"),
    (
        "phase_diagram.claims.jammed_saturation",
        {"tolerance": 0.0, "max_error": 0.05},
        "phase_diagram.claims.jammed_saturation",
        "basis",
    ),
    (
        "phase_diagram.analysis.classifier_epoch",
        7,
        "phase_diagram.analysis.classifier_epoch",
        "snapshot epochs",
    ),
    (
        "phase_diagram.analysis.growth_from_epoch",
        1000,
        "phase_diagram.analysis.growth_from_epoch",
        "snapshot epochs",
    ),
    (
        "phase_diagram.analysis.points.jammed",
        {"eps": 0.125, "sigma_w": 300.0},
        "phase_diagram.analysis.points.jammed",
        "not on the grid",
    ),
    ("phase_diagram.analysis.tc_sigma_w", 0.2, "phase_diagram.analysis.tc_sigma_w", "not on"),
    ("phase_diagram.analysis.contour_levels", [0.68, 1.0], "contour_levels.1", "< 1"),
    ("phase_diagram.claims.skip", ["tc", "Tc"], "phase_diagram.claims.skip.1", "one of"),
]


@pytest.mark.parametrize(("key", "value", "named", "expected"), BAD)
def test_bad_phase_diagram_config_is_rejected_naming_the_key(
    default_config, key, value, named, expected
):
    message = rejection(default_config, key, value)
    assert named in message
    assert expected in message


def test_missing_section_is_named(default_config):
    config = copy.deepcopy(default_config)
    del config["phase_diagram"]
    with pytest.raises(ConfigError, match="phase_diagram"):
        validate_config(config, SCHEMA)


def test_grid_shards_and_snapshots(default_config):
    pd = default_config["phase_diagram"]
    points = pd_grid_points(pd)
    assert len(points) == 144 and len({p.name for p in points}) == 144
    shards = pd_shards(pd)
    assert [len(s) for s in shards] == [72, 72]
    assert sum(shards, []) == points
    odd = copy.deepcopy(pd)
    odd["grid"]["points_per_shard"] = 50
    assert [len(s) for s in pd_shards(odd)] == [50, 50, 44]
    assert pd_shard_of(pd, 0.125, 0.125) == 0 and pd_shard_of(pd, 0.125, 256) == 1
    with pytest.raises(ConfigError, match="not a point"):
        pd_shard_of(pd, 0.3, 0.125)
    assert pd_snapshots(pd["training"]) == [0, 1, 3, 10, 30, 100, 300, 500, 1000]


def test_slots_and_seeds(default_config):
    pd = copy.deepcopy(default_config["phase_diagram"])
    rows = pd_shard_networks(pd, 1)
    assert len(rows["slot"]) == 72 * 16
    assert rows["slot"][:20] == list(range(16)) + [0, 1, 2, 3]
    assert rows["eps"][:16] == [pd["grid"]["eps"][0]] * 16
    assert rows["sigma_w"][0] == pd["grid"]["sigma_w"][6]
    seeds = [pd_slot_seeds(5, k) for k in range(16)]
    assert len({v for s in seeds for v in s.values()}) == 64  # all distinct
    assert pd_slot_seeds(5, 3) == seeds[3] != pd_slot_seeds(6, 3)
