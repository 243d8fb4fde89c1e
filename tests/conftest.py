"""Shared fixtures: repository paths and the default config."""

from pathlib import Path

import pytest

from rmtsgd.config import load_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"


@pytest.fixture
def default_config() -> dict:
    return load_config(ROOT / "config/config.yaml")
