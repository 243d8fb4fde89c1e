"""The module registry: every registered module has its package, config checks, schema section,
rule file, captions, docs page and, at smoke scale, its claims file."""

import json

import pytest
import yaml
from conftest import ROOT

from rmtsgd.modules import MODULES, module

SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
SNAKEFILE = (ROOT / "Snakefile").read_text()


@pytest.mark.parametrize("entry", MODULES, ids=lambda m: m.name)
def test_registered_module_has_every_part(entry):
    assert callable(entry.checker())
    assert (ROOT / f"src/rmtsgd/{entry.package}/__init__.py").is_file()
    assert entry.name in SCHEMA["properties"] and entry.name in SCHEMA["required"]
    rules = ROOT / f"workflow/rules/{entry.name}.smk"
    assert f'include: "workflow/rules/{entry.name}.smk"' in SNAKEFILE
    assert f'register_module("{entry.name}"' in rules.read_text()
    assert list((ROOT / f"workflow/report/{entry.name}").glob("*.rst")), "no captions"
    docs = ROOT / f"docs/{entry.name}.md"
    assert docs.is_file() and len(docs.read_text().splitlines()) > 20
    assert f"docs/{entry.name}.md" in (ROOT / "README.md").read_text()


def test_unknown_module_is_named():
    with pytest.raises(KeyError, match="no module named 'nope'"):
        module("nope")


@pytest.mark.pipeline
def test_every_module_of_the_smoke_run_writes_its_claims(smoke_results):
    manifest = json.loads((smoke_results / "claims/manifest.json").read_text())["modules"]
    expected = {m.name: m.title for m in MODULES if m.name != "external"}
    assert manifest == expected  # the smoke config lists no external ensembles
    for name in manifest:
        payload = json.loads((smoke_results / f"claims/{name}.json").read_text())
        assert payload["module"] == name and payload["claims"]


def test_readme_is_a_landing_page_and_no_source_file_is_a_warehouse():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200
    long = [
        (str(p.relative_to(ROOT)), n)
        for p in (ROOT / "src/rmtsgd").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 500
    ]
    assert not long, long
