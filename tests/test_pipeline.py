"""The Snakemake pipeline: smoke run end to end with its claims, caching of trained ensembles,
bad config stopped before any job, single-figure dry run, and the linters."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, job_counts

BIN = Path(sys.executable).parent
SMOKE = ["--configfile", "config/smoke.yaml"]
pytestmark = pytest.mark.pipeline


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def snakemake(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(str(BIN / "snakemake"), *args, check=check)


def dry_run_jobs(*args: str) -> dict[str, int]:
    """Job counts per rule of a dry run."""
    return job_counts(snakemake("-n", "--quiet", "rules", *args).stdout)


@pytest.fixture(scope="module")
def smoke_run():
    """Run the smoke overlay to completion once for this module."""
    snakemake("--cores", "2", *SMOKE)
    return ROOT / "results/smoke"


def test_smoke_claims_all_pass(smoke_run):
    claims = json.loads((smoke_run / "claims/rbm.json").read_text())
    assert claims["module"] == "rbm" and claims["n_claims"] >= 30
    failed = [c for c in claims["claims"] if not c["pass"]]
    assert not failed, json.dumps(failed, indent=1)
    for claim in claims["claims"]:
        assert {"name", "value", "error", "reference", "tolerance", "pass"} <= set(claim)
    kinds = ["binder_u4", "spacing_mean", "wigner_surmise", "stationary"]
    kinds += ["width_slope_ratio", "centre_ratio_limit"]
    for kind in kinds:
        assert any(c["name"].startswith(kind) for c in claims["claims"]), kind
    assert claims["skipped_kinds"] == ["width_exponent"]
    assert claims["provenance"]["seeds"]


def test_smoke_figures_exist(smoke_run):
    for name in ("fig2", "fig3", "spacings"):
        for ext in ("pdf", "png"):
            assert (ROOT / f"figures/smoke/{name}.{ext}").stat().st_size > 1000


def test_changing_a_plot_parameter_does_not_retrain(smoke_run, tmp_path):
    assert dry_run_jobs(*SMOKE) == {}
    overlay = tmp_path / "restyle.yaml"
    overlay.write_text(yaml.safe_dump({"rbm": {"figures": {"bins": 41}}}))
    assert dry_run_jobs("--configfile", "config/smoke.yaml", str(overlay)) == {"fig2": 1}


def test_report_builds(smoke_run, tmp_path):
    snakemake(*SMOKE, "--report", str(tmp_path / "report.zip"))
    assert (tmp_path / "report.zip").stat().st_size > 10000


def test_single_figure_dry_run_needs_only_its_settings():
    jobs = dry_run_jobs("--forceall", "figures/fig2.pdf")
    # three learning rates of Fig 2 left (the close-up is one of them), two shards each
    assert jobs == {"rbm_train": 6, "rbm_spectra": 3, "rbm_fit": 1, "fig2": 1}


def test_bad_config_stops_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump({"results": str(tmp_path / "res"), "rbm": {"model": {"mu2": 7.0}}})
    )
    result = snakemake("-n", "--configfile", str(bad), check=False)
    assert result.returncode != 0
    assert "rbm.model.mu2" in result.stdout + result.stderr
    assert not (tmp_path / "res").exists()


def test_snakemake_lint():
    snakemake("--lint")


def test_snakefmt():
    run(str(BIN / "snakefmt"), "--check", ".")


def test_ruff():
    run(str(BIN / "ruff"), "check", ".")
    run(str(BIN / "ruff"), "format", "--check", ".")
