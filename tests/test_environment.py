"""The conda environment file pins the same packages as the pip install."""

import re
import tomllib

import yaml
from conftest import ROOT


def test_conda_env_matches_pip_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "envs/rmtsgd.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = {p for p in pip_section if re.match(r"^[A-Za-z]", p)}
    assert conda_pins == set(project["dependencies"])
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert project["requires-python"] == ">=" + python.split("=")[1]
