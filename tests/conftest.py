"""Shared fixtures: repository paths and the default config."""

import subprocess
import sys
from pathlib import Path

import pytest

from rmtsgd.config import load_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"


@pytest.fixture
def default_config() -> dict:
    return load_config(ROOT / "config/config.yaml")


@pytest.fixture(scope="session")
def smoke_results() -> Path:
    """The smoke overlay's results, made once per session (a no-op when they are up to date)."""
    snakemake = Path(sys.executable).parent / "snakemake"
    result = subprocess.run(
        [str(snakemake), "--cores", "2", "--configfile", "config/smoke.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise AssertionError(f"smoke run failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return ROOT / "results/smoke"


def job_counts(dry_run_output: str) -> dict[str, int]:
    """Jobs per rule in the output of `snakemake -n --quiet rules` (the target rule left out)."""
    counts = {}
    for line in dry_run_output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] not in ("total", "all"):
            counts[parts[0]] = int(parts[1])
    return counts
