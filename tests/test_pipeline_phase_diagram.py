"""The phase-diagram part of the pipeline: smoke run with every outcome asserted, figures, single
figures reusing trained shards, re-analysis without retraining, bad config stopped early."""

import json

import pytest
import yaml
from conftest import ROOT
from test_pipeline import SMOKE, dry_run_jobs, snakemake

pytestmark = pytest.mark.pipeline

FIGURES = ["pd1", "pd2", "pd3", "pd4", "pd5", "pd6", "pd7", "pd8", "pd9", "pd_phase_map"]
CLAIMS = "results/smoke/claims/phase_diagram.json"


@pytest.fixture(scope="module")
def pd_smoke_run():
    """Run the phase-diagram targets of the smoke overlay to completion once."""
    targets = [CLAIMS] + [f"figures/smoke/{name}.pdf" for name in FIGURES]
    snakemake("--cores", "2", *targets, *SMOKE)
    return ROOT / "results/smoke"


def test_smoke_claims_have_their_expected_outcomes(pd_smoke_run):
    """No claim fails; the deviations the smoke overlay declares stay deviations."""
    claims = json.loads((ROOT / CLAIMS).read_text())
    assert claims["module"] == "phase_diagram" and claims["version"] == 2
    smoke = yaml.safe_load((ROOT / "config/smoke.yaml").read_text())["phase_diagram"]
    assert claims["skipped_kinds"] == smoke["claims"]["skip"]
    names = [c["name"] for c in claims["claims"]]
    assert names == [
        "ordered_contrast",
        "paramagnetic_plateau",
        "paramagnetic_growth",
        "ordered_teacher_x",
        "jammed_frozen",
        "jammed_saturation",
    ]
    failed = [c for c in claims["claims"] if c["outcome"] == "fails"]
    assert not failed, json.dumps(failed, indent=1)
    declared = {
        name
        for kind in smoke["claims"].values()
        if isinstance(kind, dict)
        for name in kind.get("deviates", {})
    }
    outcomes = {c["name"]: c["outcome"] for c in claims["claims"]}
    assert declared and all(outcomes[name] == "deviates" for name in declared), outcomes
    for claim in claims["claims"]:
        assert claim["error"] > 0 and claim["tolerance_basis"] and claim["statement"]
    assert len(claims["provenance"]["seeds"]["slots"]) == smoke["grid"]["networks"]
    assert claims["provenance"]["diverged_networks"] == 0
    assert set(claims["measured"]["classifier"]["results"]) == {
        "claims",
        "initial",
        "final",
        "indexing_original",
        "noise_literal",
    }


def test_smoke_figures_exist(pd_smoke_run):
    for name in FIGURES:
        for ext in ("pdf", "png"):
            assert (ROOT / f"figures/smoke/{name}.{ext}").stat().st_size > 1000, name


def test_reanalysis_and_restyling_reuse_the_trained_shards(pd_smoke_run, tmp_path):
    overlay = tmp_path / "reanalyse.yaml"
    overlay.write_text(yaml.safe_dump({"phase_diagram": {"figures": {"tanh_s2": [1.0]}}}))
    pd1 = "figures/smoke/pd1.pdf"
    assert dry_run_jobs("--cores", "1", pd1, *SMOKE, str(overlay)) == {"pd1": 1}
    overlay.write_text(yaml.safe_dump({"phase_diagram": {"analysis": {"ordered_max_loss": 3e-4}}}))
    jobs = dry_run_jobs("--cores", "1", CLAIMS, "figures/smoke/pd2.pdf", *SMOKE, str(overlay))
    assert jobs == {"pd_grid": 1, "pd_claims": 1, "pd_grid_figures": 1}


def test_single_figures_need_only_their_shards(tmp_path):
    overlay = tmp_path / "twelve_shards.yaml"
    overlay.write_text(yaml.safe_dump({"phase_diagram": {"grid": {"points_per_shard": 12}}}))
    config = ("--configfile", "config/config.yaml", str(overlay))
    # Fig 6's three points lie in shard 0 (1/sigma_W = 8) and shard 11 (1/sigma_W = 1/256)
    assert dry_run_jobs("--forceall", "figures/pd6.pdf", *config) == {
        "pd_train": 2,
        "pd_observables": 2,
        "pd6": 1,
    }
    assert dry_run_jobs("--forceall", "figures/pd1.pdf", *config) == {"pd1": 1}
    assert dry_run_jobs("--forceall", "figures/pd_phase_map.pdf", *config) == {
        "pd_train": 12,
        "pd_observables": 12,
        "pd_grid": 1,
        "pd_grid_figures": 1,
    }


def test_bad_phase_diagram_config_stops_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "results": str(tmp_path / "res"),
                "phase_diagram": {"training": {"snapshot_epochs": [5000]}},
            }
        )
    )
    result = snakemake("-n", "--configfile", str(bad), check=False)
    assert result.returncode != 0
    assert "phase_diagram.training.snapshot_epochs" in result.stdout + result.stderr
    assert not (tmp_path / "res").exists()
