"""The DMFT part of the pipeline: the smoke run's claims and figures, what reruns when claim or
plot settings change, one figure asked for alone, and bad config stopped early."""

import json

import numpy as np
import pytest
import yaml
from conftest import ROOT
from test_pipeline import SMOKE, dry_run_jobs, snakemake

from rmtsgd.config import load_config
from rmtsgd.dmft.config import dmft_jobs
from rmtsgd.io import load_npz

pytestmark = pytest.mark.pipeline
KINDS = {
    "agreement": "agreement_",
    "convergence_exponent": "convergence_exponent",
    "early_law": "early_",
    "ridge": "ridge_",
    "erm": "erm_",
    "batch_fraction": "batch_fraction",
    "batch_correlation": "batch_correlation",
    "tau_exponent": "tau_exponent",
}


def _smoke_dmft() -> dict:
    return load_config(ROOT / "config/config.yaml", ROOT / "config/smoke.yaml")["dmft"]


def test_smoke_dmft_claims_hold_or_deviate_as_declared(smoke_results):
    claims = json.loads((smoke_results / "claims/dmft.json").read_text())
    dm = _smoke_dmft()
    skip = dm["claims"]["skip"]
    assert claims["module"] == "dmft" and claims["skipped_kinds"] == skip
    failed = [c for c in claims["claims"] if c["outcome"] == "fails"]
    assert not failed, json.dumps(failed, indent=1)
    for claim in claims["claims"]:
        assert claim["source"].split(":")[0] in ("paper", "spec", "ours"), claim["name"]
        assert "PLACEHOLDER" not in claim["tolerance_basis"], claim["name"]
        declared = claim["expect"] is not None
        assert (claim["outcome"] == "deviates") == declared or claim["outcome"] == "inconclusive"
    names = [c["name"] for c in claims["claims"]]
    for kind, prefix in KINDS.items():
        assert any(n.startswith(prefix) for n in names) == (kind not in skip), kind
    curves = {*dm["figures"]["k2"], *dm["figures"]["k3"]}
    agreement = {n for n in names if n.startswith("agreement_")}
    assert len(agreement) == 3 * len(curves)


def test_smoke_dmft_artifacts_record_convergence_and_seeds(smoke_results):
    dm = _smoke_dmft()
    jobs = dmft_jobs(dm)
    for name in jobs:
        solution = load_npz(smoke_results / f"dmft/solutions/{name}.npz")
        assert int(solution["iterations"]) >= 1 and solution["changes"][-1] <= 1e-8
        assert int(solution["seed"]) > 0
        assert json.loads(str(solution["provenance"]))["job"] == jobs[name]
    summary = json.loads((smoke_results / "dmft/summary.json").read_text())
    assert all(count == 0 for count in summary["diverged"].values())
    d = max(dm["simulation"]["dims"])
    run = load_npz(smoke_results / f"dmft/simulations/k2_gd/d{d}.npz")
    shape = (dm["simulation"]["seeds"], jobs["k2_gd"]["steps"] + 1)
    assert run["m"].shape == shape and np.isfinite(run["m"]).all()
    assert int(run["d"]) == d and int(run["seed"]) > 0


def test_smoke_dmft_figures_exist(smoke_results):
    for name in ("dmft_k2", "dmft_k3", "dmft_convergence", "dmft_checks"):
        for ext in ("pdf", "png"):
            assert (ROOT / f"figures/smoke/{name}.{ext}").stat().st_size > 1000


def test_changing_claims_or_figures_does_not_rerun_solutions(smoke_results, tmp_path):
    assert dry_run_jobs(*SMOKE) == {}
    tolerance = tmp_path / "tolerance.yaml"
    tolerance.write_text(yaml.safe_dump({"dmft": {"claims": {"z": 3.0}}}))
    jobs = dry_run_jobs("--configfile", "config/smoke.yaml", str(tolerance))
    assert jobs == {"dmft_claims": 1, "claims_table": 1, "report_summary": 1}
    curves = tmp_path / "curves.yaml"
    curves.write_text(yaml.safe_dump({"dmft": {"figures": {"k3": ["k3_gd"]}}}))
    jobs = dry_run_jobs("--configfile", "config/smoke.yaml", str(curves))
    # one curve fewer: the analysis and what reads it rerun, no solution or simulation
    assert "dmft_solve" not in jobs and "dmft_simulate" not in jobs
    assert jobs["dmft_analyse"] == 1 and jobs["dmft_curves"] == 1


def test_dmft_k2_alone_needs_only_its_curves():
    dm = load_config(ROOT / "config/config.yaml")["dmft"]
    jobs = dry_run_jobs("--forceall", "figures/dmft_k2.pdf")
    curves = len(dm["figures"]["k2"])
    assert jobs == {"dmft_solve": curves, "dmft_simulate": curves, "dmft_curves": 1}


def test_bad_dmft_config_stops_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    overlay = {"results": str(tmp_path / "res"), "dmft": {"grid": {"t_max": 4.05}}}
    bad.write_text(yaml.safe_dump(overlay))
    result = snakemake("-n", "--configfile", str(bad), check=False)
    assert result.returncode != 0
    assert "dmft.grid.t_max" in result.stdout + result.stderr
    assert not (tmp_path / "res").exists()
