"""The smoke config's RBM claims through profiles/slurm on a real SLURM cluster (ci/local-slurm.sh
up starts a one-node one; .ci/run does): every job (training shards, spectra, fits, claims) goes
through sbatch, and the claims are the same numbers as the local smoke run's. One module keeps
the test at a few minutes: the plugin's status checks back off by 10 s per idle poll, which made
the whole smoke DAG (about 100 jobs) take 15 minutes on two cores."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pytestmark = [pytest.mark.pipeline, pytest.mark.slurm]

BIN = Path(sys.executable).parent


def cluster_env() -> dict[str, str]:
    """The environment of a reachable SLURM cluster (this one's, or the local test cluster's)."""
    env = dict(os.environ)
    if "SLURM_CONF" not in env:
        script = 'eval "$(ci/local-slurm.sh env)" && env -0'
        out = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)
        local = dict(item.split("=", 1) for item in out.stdout.split("\0") if "=" in item)
        if Path(local.get("SLURM_CONF", "/nonexistent")).exists():
            env = local
    if not (shutil.which("sbatch", path=env["PATH"]) and shutil.which("sinfo", path=env["PATH"])):
        pytest.skip(
            "no SLURM here: start a local cluster with `ci/local-slurm.sh up` (.ci/run does)"
        )
    try:
        subprocess.run(["sinfo", "-h"], env=env, check=True, capture_output=True, timeout=20)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"SLURM controller not answering ({error}); ci/local-slurm.sh up starts one")
    return env


def test_smoke_run_through_the_slurm_profile(smoke_results, tmp_path):
    env = cluster_env()
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump({"results": str(tmp_path / "res"), "figures": str(tmp_path / "fig")})
    )
    command = [
        str(BIN / "snakemake"),
        "--workflow-profile",
        "profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "2",  # smoke jobs take seconds; the profile's 40 s suits a real cluster
        "--configfile",
        "config/smoke.yaml",
        str(overlay),
        "--",
        str(tmp_path / "res/claims/rbm.json"),
    ]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-5000:]

    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    remote = re.findall(r"^rule (\w+):$", log, re.M)  # local rules print "localrule ...:"
    assert "rbm_train" in remote and len(submitted) == len(remote)
    states = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i|%T"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    state_of = dict(line.split("|") for line in states.split())
    assert all(state_of.get(job) == "COMPLETED" for job in submitted), (submitted, state_of)

    fields = ("name", "value", "error", "reference", "tolerance", "outcome")
    ours, local = (
        json.loads((folder / "claims/rbm.json").read_text())
        for folder in (tmp_path / "res", smoke_results)
    )
    assert ours["n_claims"] == local["n_claims"] and ours["counts"]["fails"] == 0
    assert [[c[f] for f in fields] for c in ours["claims"]] == [
        [c[f] for f in fields] for c in local["claims"]
    ]
    check = subprocess.run(
        [str(BIN / "rmtsgd"), "check", str(tmp_path / "res"), "--module", "rbm"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
