"""The single-index part of the pipeline: the smoke run's claims and figures, what reruns when
analysis or plot settings change, one figure asked for alone, and bad config stopped early."""

import json

import numpy as np
import pytest
import yaml
from conftest import ROOT
from test_pipeline import SMOKE, dry_run_jobs, snakemake

from rmtsgd.config import load_config

pytestmark = pytest.mark.pipeline
KINDS = [
    "plateau_exponent",
    "a0_exponent",
    "threshold_exponent",
    "slope_fixed",
    "slope_theorem",
    "large_eta_exponent",
    "a1_exponent",
]


def _kind(claim: dict) -> str:
    """A claim's key in the claims config: a slope's is slope_<its step-size rule>."""
    name = claim["name"]
    return f"slope_{claim['setting']['rule']}" if name.startswith("slope_") else name


def _smoke_si() -> dict:
    return load_config(ROOT / "config/config.yaml", ROOT / "config/smoke.yaml")["single_index"]


def test_smoke_single_index_claims_outcomes(smoke_results):
    """No claim fails; every declared deviation deviates; every record states its source,
    tolerance basis and the noiseless values beside the fitted one (where a drift exists)."""
    claims = json.loads((smoke_results / "claims/single_index.json").read_text())
    cfg = _smoke_si()["claims"]
    assert claims["module"] == "single_index" and claims["skipped_kinds"] == cfg["skip"]
    failed = [c for c in claims["claims"] if c["outcome"] == "fails"]
    assert not failed, json.dumps(failed, indent=1)
    for claim in claims["claims"]:
        declared = cfg[_kind(claim)].get("deviates", {})
        if claim["name"] in declared:
            assert claim["outcome"] == "deviates", claim
        assert claim["error"] > 0 and claim["source"].startswith("spec: single_index.md")
        assert claim["tolerance_basis"] == cfg[_kind(claim)]["basis"]
        if not claim["name"].startswith("a1"):
            assert np.isfinite(claim["setting"]["drift_only"])
            assert np.isfinite(claim["setting"]["mean_flow"])
    kinds = {_kind(c) for c in claims["claims"]}
    assert kinds == set(KINDS) - set(cfg["skip"])
    assert len([c for c in claims["claims"] if c["name"].startswith("slope_")]) == 2
    assert claims["provenance"]["seeds"]


def test_smoke_single_index_figures_exist(smoke_results):
    for name in ("si_eta", "si_collapse", "si_exponents"):
        for ext in ("pdf", "png"):
            assert (ROOT / f"figures/smoke/{name}.{ext}").stat().st_size > 1000


def test_changing_analysis_or_claims_does_not_rerun_the_scans(smoke_results, tmp_path):
    assert dry_run_jobs(*SMOKE) == {}
    tolerance = tmp_path / "tolerance.yaml"
    tolerance.write_text(yaml.safe_dump({"single_index": {"claims": {"z": 3.0}}}))
    jobs = dry_run_jobs("--configfile", "config/smoke.yaml", str(tolerance))
    report = {"claims_table": 1, "report_summary": 1}  # this module's claims table, the summary
    assert jobs == {"si_claims": 1, "si_exponents": 1, **report}
    window = tmp_path / "window.yaml"
    window.write_text(
        yaml.safe_dump({"single_index": {"analysis": {"crossover": {"max_eta": 0.06}}}})
    )
    jobs = dry_run_jobs("--configfile", "config/smoke.yaml", str(window))
    assert jobs == {"si_fit": 1, "si_claims": 1, "si_collapse": 1, "si_exponents": 1, **report}


def test_si_eta_alone_needs_only_its_dimension():
    si = load_config(ROOT / "config/config.yaml")["single_index"]
    d = si["figures"]["eta_d"]
    curves = [name for name, c in si["curves"].items() if d in c["dims"]]
    shards = -(-si["run"]["runs"] // si["run"]["runs_per_job"])
    jobs = dry_run_jobs("--forceall", "figures/si_eta.pdf")
    assert jobs == {"si_run": len(curves) * shards, "si_medians": len(curves), "si_eta": 1}


def test_bad_single_index_config_stops_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    overlay = {"results": str(tmp_path / "res"), "single_index": {"model": {"threshold": 1.0}}}
    bad.write_text(yaml.safe_dump(overlay))
    result = snakemake("-n", "--configfile", str(bad), check=False)
    assert result.returncode != 0
    assert "single_index.model.threshold" in result.stdout + result.stderr
    assert not (tmp_path / "res").exists()
