"""`rmtsgd check`: passing, doctored, missing and malformed claims files; the report's tables."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rmtsgd.claims import claims_file, make_claim
from rmtsgd.cli import main
from rmtsgd.report import claims_table_html, landing_summary_rst

TOL = {"tolerance": 0.03, "max_error": 0.04}


def claims(module: str) -> dict:
    entries = [
        make_claim("u4_pair1", "U4 is the semicircle value", -0.15, 0.01, -0.148, TOL, 2.0),
        make_claim("ks_pair1", "Wigner surmise", 0.01, 0.004, 0.0, TOL, 2.0, rule="at_most"),
    ]
    return claims_file(module, "test", {"seeds": [1]}, entries)


@pytest.fixture
def results(tmp_path) -> Path:
    """A results folder with two modules, both passing."""
    folder = tmp_path / "results"
    (folder / "claims").mkdir(parents=True)
    manifest = {"modules": {"rbm": "Gaussian RBM", "toy": "Toy"}}
    (folder / "claims/manifest.json").write_text(json.dumps(manifest))
    for module in manifest["modules"]:
        (folder / f"claims/{module}.json").write_text(json.dumps(claims(module)))
    return folder


def doctor(results: Path, module: str, index: int, **changes) -> None:
    """Change fields of one claim in a module's claims file."""
    path = results / f"claims/{module}.json"
    payload = json.loads(path.read_text())
    payload["claims"][index].update(changes)
    path.write_text(json.dumps(payload))


def check(folder: Path, capsys, *options: str) -> tuple[int, str]:
    status = main(["check", str(folder), *options])
    return status, capsys.readouterr().out


def test_passing_results(results, capsys):
    status, out = check(results, capsys)
    assert status == 0
    assert "Gaussian RBM (rbm): 2/2 claims pass" in out
    assert "Toy (toy): 2/2 claims pass" in out
    assert "2/2 modules reproduced" in out


def test_doctored_value_fails_and_is_named(results, capsys):
    doctor(results, "toy", 0, value=-0.25)  # far from the reference; "pass" still says true
    status, out = check(results, capsys)
    assert status == 1
    assert "Toy (toy): 1/2 claims pass" in out
    assert "FAIL u4_pair1: -0.25 +- 0.01 vs reference -0.148 (tolerance 0.03" in out
    assert "does not follow from these numbers" in out
    assert "failing: toy" in out


def test_recorded_failure_fails(results, capsys):
    doctor(results, "rbm", 1, value=0.2, **{"pass": False})  # KS distance above tolerance
    status, out = check(results, capsys)
    assert status == 1
    assert "FAIL ks_pair1: 0.2 +- 0.004 vs reference 0 (tolerance 0.03" in out
    assert "does not follow" not in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing"),
        ("{not json", "not readable JSON"),
        ('{"module": "toy", "claims": []}', "'claims' must be a non-empty list"),
        ('{"module": "other", "claims": [{}]}', "'module' is 'other', expected 'toy'"),
        ('{"module": "toy", "claims": [{"name": "a", "value": "1"}]}', "'value' must be a"),
    ],
)
def test_missing_or_malformed_claims_file_fails(results, capsys, content, message):
    path = results / "claims/toy.json"
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    status, out = check(results, capsys)
    assert status == 1
    assert "Toy (toy): FAILED" in out and message in out
    assert "Gaussian RBM (rbm): 2/2 claims pass" in out


def test_missing_manifest_fails(tmp_path, capsys):
    status, out = check(tmp_path, capsys)
    assert status == 1
    assert "manifest.json: missing" in out


def test_named_modules_need_no_manifest(results, capsys):
    (results / "claims/manifest.json").unlink()
    (results / "claims/rbm.json").unlink()
    status, out = check(results, capsys, "--module", "toy")
    assert status == 0
    assert "toy (toy): 2/2 claims pass" in out and "1/1 modules reproduced" in out
    status, out = check(results, capsys, "--module", "toy", "--module", "rbm")
    assert status == 1
    assert "rbm (rbm): FAILED" in out and "rbm.json: missing" in out and "failing: rbm" in out


def test_named_modules_keep_the_manifest_titles(results, capsys):
    status, out = check(results, capsys, "--module", "rbm")
    assert status == 0
    assert "Gaussian RBM (rbm): 2/2 claims pass" in out and "Toy" not in out


def test_console_script_exit_status(results):
    rmtsgd = Path(sys.executable).parent / "rmtsgd"
    ok = subprocess.run([str(rmtsgd), "check", str(results)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (results / "claims/rbm.json").unlink()
    bad = subprocess.run([str(rmtsgd), "check", str(results)], capture_output=True, text=True)
    assert bad.returncode == 1 and "rbm.json: missing" in bad.stdout


def test_claims_table_and_landing_summary():
    payload = claims("toy")
    payload["claims"][0]["value"] = -0.25
    page = claims_table_html(payload, "Toy <module>", {"seed": 7})
    assert "<b>1 of 2</b> claims pass" in page
    assert page.count('<tr class="fail">') == 1 and page.count('<tr class="pass">') == 1
    assert "Toy &lt;module&gt;" in page and "&quot;seed&quot;: 7" in page
    summary = landing_summary_rst({"toy": "Toy"}, {"toy": payload}, "results/x")
    assert "   * - Toy (``toy``)\n     - 1 of 2\n     - ``u4_pair1``" in summary
