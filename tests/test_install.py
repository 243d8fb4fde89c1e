"""The README's first command installs everything the README then shows: the pipeline, the
SLURM profile, `snakemake --report` and the `rmtsgd check` command."""

import re
import tomllib
from importlib import metadata

from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def name_of(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def first_command_extras() -> list[str]:
    """Extras of the first `pip install -e ".[...]"` in the README."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r'pip install -e "\.\[([\w,]+)\]"', readme)
    assert match, "the README shows no pip install command"
    return match.group(1).split(",")


def installed_by_first_command() -> set[str]:
    extras = PROJECT["optional-dependencies"]
    requirements = PROJECT["dependencies"] + [r for e in first_command_extras() for r in extras[e]]
    return {name_of(r) for r in requirements}


def test_first_command_installs_what_reports_need():
    reports = [
        name_of(r)
        for r in metadata.requires("snakemake") or []
        if re.search(r"extra\s*==\s*[\"']reports[\"']", r)
    ]
    assert reports, "snakemake's 'reports' extra lists nothing: check how it names it"
    assert set(reports) <= installed_by_first_command()


def test_first_command_installs_the_slurm_executor_and_the_check_command():
    assert {"snakemake", "snakemake-executor-plugin-slurm"} <= installed_by_first_command()
    assert PROJECT["scripts"]["rmtsgd"] == "rmtsgd.cli:main"
