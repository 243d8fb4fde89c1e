"""The phase-diagram slice study (issue 15): cross points and config checks, the run stopped at a
trend epoch, the fit in log t, the one-draw bootstrap, the trend claims, the figure, and the
slice's DAG at the smoke scale."""

import copy
import json

import numpy as np
import pytest
from conftest import ROOT, SCHEMA
from helpers import drop_declared_deviations

from rmtsgd.claims import read_claims_file
from rmtsgd.config import ConfigError, load_config, validate_config
from rmtsgd.phase_diagram.analysis import network_observables
from rmtsgd.phase_diagram.config import pd_slot_seeds
from rmtsgd.phase_diagram.model import SGDTrainer, TanhNet, initial_weights, make_instance, train
from rmtsgd.phase_diagram.slice import (
    SQRT2_LOG2,
    check_slice,
    log_fit,
    slice_claims,
    slice_points,
    slice_shard_networks,
    slice_shards,
    slice_snapshots,
    slice_trend,
    slot_bootstrap,
    stopped_at,
    trend_observables,
)
from rmtsgd.phase_diagram.slice_plots import boundary_trend

CONFIGS = {
    "default": ["config/config.yaml"],
    "smoke": ["config/config.yaml", "config/smoke.yaml"],
    "slice": ["config/config.yaml", "config/slice.yaml"],
    "paper": ["config/config.yaml", "config/paper.yaml"],
}


def config_of(name: str) -> dict:
    return load_config(*(ROOT / path for path in CONFIGS[name]))


# --------------------------------------------------------------------------- config


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_config_holds_a_valid_slice(name):
    config = config_of(name)
    validate_config(config, SCHEMA)
    check_slice(config["phase_diagram"])


def test_slice_scale_is_the_papers_networks_per_point():
    assert config_of("slice")["phase_diagram"]["slice"]["networks"] == 100
    assert config_of("paper")["phase_diagram"]["slice"]["epochs"] == 100_000


def test_cross_points_share_one_point_and_cover_column_and_row():
    pd = config_of("default")["phase_diagram"]
    points = slice_points(pd)
    slc, analysis = pd["slice"], pd["analysis"]
    assert len(points) == len(slc["column_eps"]) + len(slc["row_sigma_w"]) - 1
    assert len(set(points)) == len(points)
    assert {(e, analysis["tc_sigma_w"]) for e in slc["column_eps"]} <= set(points)
    assert {(analysis["boundary_eps"], s) for s in slc["row_sigma_w"]} <= set(points)
    shards = slice_shards(pd)
    assert [p for shard in shards for p in shard] == points
    rows = slice_shard_networks(pd, 1)
    assert len(rows["slot"]) == len(shards[1]) * slc["networks"]
    assert rows["slot"][: slc["networks"]] == list(range(slc["networks"]))
    assert slice_snapshots(slc) == sorted({0, *slc["snapshot_epochs"], slc["epochs"]})


BAD_SLICES = [
    ("column_eps", [0.25, 0.5], "phase_diagram.slice.column_eps", "boundary_eps"),
    ("row_sigma_w", [0.5, 1.0], "phase_diagram.slice.row_sigma_w", "tc_sigma_w"),
    ("row_sigma_w", [1.0, 0.125], "phase_diagram.slice.row_sigma_w", "ascending"),
    ("snapshot_epochs", [1, 5000], "phase_diagram.slice.snapshot_epochs", "beyond"),
    ("trend_epochs", [10, 20], "phase_diagram.slice.trend_epochs", "not snapshot epochs"),
    ("fit_from_epoch", 1000, "phase_diagram.slice.fit_from_epoch", "at least 2"),
]


@pytest.mark.parametrize(("key", "value", "named", "message"), BAD_SLICES)
def test_bad_slice_is_rejected_naming_the_key(key, value, named, message):
    pd = copy.deepcopy(config_of("default")["phase_diagram"])
    pd["slice"][key] = value
    with pytest.raises(ConfigError, match=message) as error:
        check_slice(pd)
    assert named in str(error.value)


def test_schema_rejects_a_missing_slice_key():
    config = config_of("default")
    del config["phase_diagram"]["slice"]["trend_epochs"]
    with pytest.raises(ConfigError, match="trend_epochs"):
        validate_config(config, SCHEMA)


# --------------------------------------------------------------------------- fit and bootstrap


def test_log_fit_recovers_a_line_in_log_t_and_its_extrapolation():
    epochs = np.array([100, 300, 1000, 3000])
    values = -1.0 - 0.4 * np.log10(epochs)
    fit = log_fit(epochs, values, 1e5)
    assert fit["slope"] == pytest.approx(-0.4)
    assert fit["extrapolated"] == pytest.approx(-1.0 - 0.4 * 5)
    assert fit["curvature"] == pytest.approx(0.0, abs=1e-10)
    bent = log_fit(epochs, 0.3 * np.log10(epochs) ** 2, 1e5)
    assert bent["curvature"] == pytest.approx(0.3)
    assert np.isnan(log_fit(epochs, np.array([1.0, np.nan, 2.0, 3.0]), 1e5)["slope"])
    assert np.isnan(log_fit(epochs[:2], values[:2], 1e5)["curvature"])


def _lines(values: np.ndarray) -> dict:
    """Two lines holding the same per-slot values under two keys."""
    point = {"test_loss_final": values[None, None], "other": values[None, None].copy()}
    return {"column": {1: point}, "row": {1: {k: v.copy() for k, v in point.items()}}}


def test_bootstrap_draws_the_same_slots_for_every_line_and_key():
    values = np.random.default_rng(0).normal(size=50)

    def statistic(lines):
        column, row = lines["column"][1], lines["row"][1]
        return {
            "difference": float(np.mean(column["test_loss_final"]) - np.mean(row["other"])),
            "mean": float(np.mean(column["test_loss_final"])),
        }

    result = slot_bootstrap(statistic, _lines(values), 200, 1)
    assert result["difference"] == {"value": 0.0, "error": 0.0, "undefined_share": 0.0}
    expected = np.std(values, ddof=1) / np.sqrt(len(values))
    assert result["mean"]["error"] == pytest.approx(expected, rel=0.2)


def test_bootstrap_error_is_infinite_when_replicates_are_undefined():
    values = np.arange(20.0)

    def statistic(lines):
        sample = lines["column"][1]["test_loss_final"]
        return {"needs_the_top": float(np.max(sample)) if np.max(sample) == 19 else np.nan}

    result = slot_bootstrap(statistic, _lines(values), 100, 2)
    assert result["needs_the_top"]["value"] == 19
    assert result["needs_the_top"]["undefined_share"] > 0.1
    assert result["needs_the_top"]["error"] == np.inf


# --------------------------------------------------------------------------- the run stopped at t


def _tiny_slice() -> dict:
    pd = copy.deepcopy(config_of("smoke")["phase_diagram"])
    pd["data"]["n_train"] = 400
    pd["analysis"]["bootstrap"] = 30
    pd["slice"].update(
        networks=3,
        column_eps=[0.125, 16.0],
        row_sigma_w=[0.125, 256.0],
        points_per_shard=3,
        epochs=6,
        snapshot_epochs=[3],
        trend_epochs=[3, 6],
        fit_from_epoch=3,
        extrapolate_to=6,
    )
    return pd


def _train(pd: dict, epochs: list[int]) -> tuple[dict, dict]:
    """Train the tiny slice's one shard up to the last of `epochs`; its instances and run."""
    net = TanhNet(**pd["model"])
    seeds = [pd_slot_seeds(1, k) for k in range(pd["slice"]["networks"])]
    instances = {k: make_instance(net, s, 400, 128) for k, s in enumerate(seeds)}
    rows = slice_shard_networks(pd, 0)
    w0 = initial_weights(net, rows["sigma_w"], [seeds[k]["init"] for k in rows["slot"]])
    trainer = SGDTrainer(
        [i.teacher for i in instances.values()],
        [i.train for i in instances.values()],
        rows["slot"],
        rows["eps"],
        w0,
        4,
        100.0,
    )
    return instances, {"rows": rows, "run": train(trainer, epochs)}


def test_a_trend_epoch_reads_as_a_run_stopped_there():
    pd = _tiny_slice()
    instances, long = _train(pd, [0, 3, 6])
    _, short = _train(pd, [0, 3])
    slots = long["rows"]["slot"]
    trend = trend_observables(long["run"].weights, [0, 3, 6], instances, slots, [3, 6])
    stopped = network_observables(short["run"].weights, [0, 3], instances, slots)
    for key, value in stopped.items():
        np.testing.assert_allclose(trend[f"{key}@3"], value, err_msg=key)
    assert trend["x@6"].shape[1] == 3


def test_stopped_at_counts_only_networks_diverged_by_then():
    shard = {
        "q@10": np.zeros(3),
        "q@100": np.ones(3),
        "slot": np.arange(3),
        "eps": np.ones(3),
        "sigma_w": np.ones(3),
        "diverged": np.array([True, True, False]),
        "diverged_epoch": np.array([5, 50, -1]),
        "snapshots": np.array([0, 10, 100]),
        **{key: np.int64(1) for key in ("inputs", "hidden0", "hidden")},
    }
    at10 = stopped_at(shard, 10)
    assert at10["diverged"].tolist() == [True, False, False]
    assert at10["diverged_epoch"].tolist() == [5, -1, -1]
    assert at10["snapshots"].tolist() == [0, 10]
    assert at10["q"].tolist() == [0, 0, 0] and "q@100" not in at10


def test_slice_trend_of_a_tiny_run_has_every_statistic():
    pd = _tiny_slice()
    instances, long = _train(pd, slice_snapshots(pd["slice"]))
    run, rows = long["run"], long["rows"]
    observables = trend_observables(run.weights, run.snapshots, instances, rows["slot"], [3, 6])
    shard = {
        **observables,
        **{key: np.asarray(v) for key, v in rows.items()},
        "snapshots": run.snapshots,
        "diverged": run.diverged,
        "diverged_epoch": run.diverged_epoch,
        **{key: np.int64(v) for key, v in pd["model"].items()},
    }
    trend = slice_trend([shard], pd, 7)
    stats = trend["statistics"]
    assert trend["epochs"] == [3, 6]
    for name in ("boundary", "tc", "classifier", "classifier_minus_tc"):
        assert {f"{name}@3", f"{name}@6", f"{name}_slope", f"{name}_extrapolated"} <= set(stats)
    # two epochs: the fit passes through both, so its value at the last epoch is that epoch's
    assert stats["tc_extrapolated"]["value"] == pytest.approx(stats["tc@6"]["value"])
    assert np.isfinite(stats["tc@6"]["value"]) and stats["tc@6"]["error"] > 0


# --------------------------------------------------------------------------- claims and figure


def _trend(boundary=(-2.0, 0.1), slope=(-0.3, 0.05), tc=(-1.4, 0.1), gap=(0.1, 0.1)) -> dict:
    def stat(pair):
        return {"value": pair[0], "error": pair[1], "undefined_share": 0.0}

    statistics = {
        "boundary@100": stat(boundary),
        "boundary@1000": stat(boundary),
        "boundary_slope": stat(slope),
        "boundary_extrapolated": stat(boundary),
        "tc@100": stat(tc),
        "tc@1000": stat(tc),
        "tc_slope": stat((0.0, 0.01)),
        "tc_extrapolated": stat(tc),
        "classifier@100": stat(tc),
        "classifier@1000": {"value": None, "error": None, "undefined_share": 1.0},
        "classifier_slope": stat((0.0, 0.01)),
        "classifier_extrapolated": stat(tc),
        "classifier_minus_tc@1000": stat(gap),
    }
    return {
        "epochs": [100, 1000],
        "fit_from_epoch": 100,
        "extrapolate_to": 100000,
        "networks": 100,
        "level": 0.68,
        "statistics": statistics,
    }


def _outcomes(trend: dict, declared: bool = False) -> dict:
    """Claims of a trend under the default config, its declared deviations kept or dropped."""
    pd = config_of("default")["phase_diagram"]
    if not declared:
        drop_declared_deviations(pd["slice"]["claims"])
    return {c["name"]: c for c in slice_claims(trend, pd)}


def test_declared_deviations_cover_a_boundary_that_falls_away_from_sqrt2():
    claims = _outcomes(_trend(boundary=(-5.3, 0.1), slope=(-1.18, 0.03)), declared=True)
    assert claims["ordered_jammed_boundary"]["outcome"] == "deviates"
    assert claims["ordered_jammed_approach"]["outcome"] == "deviates"
    back = _outcomes(_trend(boundary=(0.4, 0.1), slope=(0.3, 0.03)), declared=True)
    assert back["ordered_jammed_boundary"]["outcome"] == "fails"
    assert back["ordered_jammed_approach"]["outcome"] == "fails"


def test_claims_state_the_papers_values_and_judge_the_trend():
    claims = _outcomes(_trend())
    assert claims["ordered_jammed_boundary"]["reference"] == SQRT2_LOG2
    assert claims["tc"]["reference"] == pytest.approx(np.log2(0.375))
    # far below sqrt 2 and still falling: the boundary moves away
    assert claims["ordered_jammed_boundary"]["outcome"] == "fails"
    assert claims["ordered_jammed_approach"]["value"] == pytest.approx(-0.3)
    assert claims["ordered_jammed_approach"]["outcome"] == "fails"
    assert claims["tc"]["outcome"] == "reproduced"
    assert claims["classifier_tc"]["outcome"] == "reproduced"
    # above sqrt 2 a falling boundary approaches it
    above = _outcomes(_trend(boundary=(1.5, 0.1)))
    assert above["ordered_jammed_approach"]["value"] == pytest.approx(0.3)
    assert above["ordered_jammed_approach"]["outcome"] == "reproduced"


def test_undefined_statistics_fail_or_stay_inconclusive():
    trend = _trend()
    trend["statistics"]["tc_extrapolated"] = {"value": None, "error": None}
    trend["statistics"]["classifier_minus_tc@1000"] = {"value": 0.2, "error": None}
    claims = _outcomes(trend)
    assert claims["tc"]["outcome"] == "fails"
    assert claims["classifier_tc"]["outcome"] == "inconclusive"
    assert claims["classifier_tc"]["decide"]["text"]


def test_skipped_kinds_are_left_out():
    pd = copy.deepcopy(config_of("default")["phase_diagram"])
    pd["slice"]["claims"]["skip"] = ["tc"]
    assert "tc" not in {c["name"] for c in slice_claims(_trend(), pd)}


def test_figure_has_two_panels_and_skips_undefined_epochs():
    fig = boundary_trend(json.loads(json.dumps(_trend())), 8.0)
    left, right = fig.axes
    assert left.get_xscale() == "log" and right.get_yscale() == "log"
    assert len(right.get_legend().get_texts()) == 3


# --------------------------------------------------------------------------- the DAG


@pytest.mark.pipeline
def test_smoke_slice_writes_claims_none_fails_and_the_figure():
    from test_pipeline import SMOKE, snakemake

    claims = "results/smoke/claims/phase_diagram_slice.json"
    figure = "figures/smoke/pd_slice_trend.png"
    snakemake("--cores", "2", claims, figure, *SMOKE)
    payload = read_claims_file(ROOT / claims, "phase_diagram_slice")
    smoke = config_of("smoke")["phase_diagram"]["slice"]
    assert payload["skipped_kinds"] == smoke["claims"]["skip"]
    assert payload["n_claims"] == 4 - len(smoke["claims"]["skip"])
    assert payload["counts"]["fails"] == 0, json.dumps(payload["claims"], indent=1)
    assert (ROOT / figure).stat().st_size > 1000
