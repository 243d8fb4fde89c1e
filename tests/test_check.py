"""`rmtsgd check`: outcomes, doctored, missing and malformed claims files; the report's tables."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rmtsgd.claims import claims_file, make_claim
from rmtsgd.cli import main
from rmtsgd.report import claims_table_html, landing_summary_rst

TOL = {"tolerance": 0.03, "max_error": 0.04, "basis": "the semicircle's finite-N correction"}
DEVIATES = {**TOL, "deviates": {"*": {"reason": "finite training time", "band": [0.3, 0.5]}}}


def claims(module: str) -> dict:
    entries = [
        make_claim("u4_pair1", "U4 is -4/27", "paper: Eq 12", -0.15, 0.01, -0.148, TOL, 2.0),
        make_claim(
            "ks_pair1", "Wigner surmise", "paper: PRE", 0.01, 0.004, 0.0, TOL, 2.0, rule="at_most"
        ),
        make_claim("boundary", "boundary at 0", "paper: abstract", 0.4, 0.02, 0.0, DEVIATES, 2.0),
    ]
    return claims_file(module, "test", {"seeds": [1]}, entries)


@pytest.fixture
def results(tmp_path) -> Path:
    """A results folder with two modules: two claims reproduced, one declared deviation each."""
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


COUNTS = "3 claims: 2 reproduced, 1 deviates, 0 inconclusive, 0 fails"


def test_results_with_a_declared_deviation_pass(results, capsys):
    status, out = check(results, capsys)
    assert status == 0
    assert f"Gaussian RBM (rbm): {COUNTS}" in out and f"Toy (toy): {COUNTS}" in out
    assert "DEVIATES boundary: 0.4 +- 0.02 vs reference 0 (tension 20" in out
    assert "why: finite training time" in out and "boundary at 0 [paper: abstract]" in out
    assert "2/2 modules pass the check" in out


def test_strict_fails_on_deviations_and_inconclusive_claims(results, capsys):
    assert check(results, capsys, "--strict")[0] == 1
    doctor(results, "rbm", 2, value=0.0, error=0.001, outcome="fails")
    doctor(results, "toy", 2, value=0.0, error=0.001, outcome="fails")
    assert check(results, capsys)[0] == 1  # the deviations are gone: fails
    doctor(results, "rbm", 2, value=0.0, error=1.0, outcome="inconclusive")
    doctor(results, "toy", 2, value=0.0, error=1.0, outcome="inconclusive")
    status, out = check(results, capsys)
    assert status == 0 and "INCONCLUSIVE boundary" in out and "decided by" not in out
    assert check(results, capsys, "--strict")[0] == 1


def test_doctored_value_fails_and_is_named(results, capsys):
    doctor(results, "toy", 0, value=-0.25)  # far from the reference; "reproduced" recorded
    status, out = check(results, capsys)
    assert status == 1
    assert "Toy (toy): 3 claims: 1 reproduced, 1 deviates, 0 inconclusive, 1 fails" in out
    assert "FAILS u4_pair1: -0.25 +- 0.01 vs reference -0.148" in out
    assert "recorded outcome 'reproduced' does not follow from these numbers" in out
    assert "failing: toy" in out


def test_declared_deviation_moved_to_the_papers_value_fails(results, capsys):
    doctor(results, "rbm", 2, value=0.0)  # agrees with the paper: the declaration is stale
    status, out = check(results, capsys)
    assert status == 1 and "FAILS boundary: 0 +- 0.02" in out and "failing: rbm" in out


def test_recorded_failure_fails(results, capsys):
    doctor(results, "rbm", 1, value=0.2, outcome="fails")  # KS distance above tolerance
    status, out = check(results, capsys)
    assert status == 1
    assert "FAILS ks_pair1: 0.2 +- 0.004 vs reference 0" in out
    assert "does not follow" not in out


def test_json_output(results, capsys):
    doctor(results, "toy", 0, value=-0.25)
    status, out = check(results, capsys, "--json")
    payload = json.loads(out)
    assert status == 1 and not payload["ok"]
    rbm, toy = payload["modules"]
    assert rbm["ok"] and rbm["counts"]["deviates"] == 1
    assert [c["name"] for c in toy["listed"]] == ["u4_pair1", "boundary"]
    assert toy["listed"][0]["outcome"] == "fails"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing"),
        ("{not json", "not readable JSON"),
        ('{"module": "toy", "claims": []}', "'version' is None, expected 2"),
        ('{"version": 2, "module": "toy", "claims": []}', "'claims' must be a non-empty list"),
        ('{"version": 2, "module": "x", "claims": [{}]}', "'module' is 'x', expected 'toy'"),
        ('{"version": 2, "module": "toy", "claims": [{"name": "a", "value": "1"}]}', "'value'"),
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
    assert f"Gaussian RBM (rbm): {COUNTS}" in out


def test_missing_manifest_fails(tmp_path, capsys):
    status, out = check(tmp_path, capsys)
    assert status == 1
    assert "manifest.json: missing" in out


def test_slice_manifest_adds_its_modules(results, capsys):
    (results / "claims/manifest_slice.json").write_text(json.dumps({"modules": {"sl": "Slice"}}))
    (results / "claims/sl.json").write_text(json.dumps(claims("sl")))
    status, out = check(results, capsys)
    assert status == 0 and f"Slice (sl): {COUNTS}" in out and "3/3 modules pass" in out
    (results / "claims/manifest.json").unlink()
    status, out = check(results, capsys)
    assert status == 0 and "1/1 modules pass" in out


def test_named_modules_need_no_manifest(results, capsys):
    (results / "claims/manifest.json").unlink()
    (results / "claims/rbm.json").unlink()
    status, out = check(results, capsys, "--module", "toy")
    assert status == 0
    assert f"toy (toy): {COUNTS}" in out and "1/1 modules pass the check" in out
    status, out = check(results, capsys, "--module", "toy", "--module", "rbm")
    assert status == 1
    assert "rbm (rbm): FAILED" in out and "rbm.json: missing" in out and "failing: rbm" in out


def test_named_modules_keep_the_manifest_titles(results, capsys):
    status, out = check(results, capsys, "--module", "rbm")
    assert status == 0
    assert f"Gaussian RBM (rbm): {COUNTS}" in out and "Toy" not in out


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
    assert "<b>1 reproduced, 1 deviates, 0 inconclusive, 1 fails</b>" in page
    for outcome in ("reproduced", "deviates", "fails"):
        assert page.count(f'<tr class="{outcome}">') == 1, outcome
    assert "<th>tension</th>" in page and "finite-N correction" in page
    assert "Toy &lt;module&gt;" in page and "&quot;seed&quot;: 7" in page
    summary = landing_summary_rst({"toy": "Toy"}, {"toy": payload}, "results/x")
    assert "   * - Toy (``toy``)\n     - 1\n     - 1\n     - 0\n     - 1" in summary
    assert "- **deviates** (Toy) ``boundary``: boundary at 0 [paper: abstract]" in summary
    assert "tension 20. finite training time" in summary
    assert "- **fails** (Toy) ``u4_pair1``" in summary
