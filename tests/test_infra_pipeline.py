"""What a user relies on beyond one run: the report in a real browser (and a clear message when
results are missing), `rmtsgd check` on the smoke results, library edits rerunning exactly what
they affect, identical numbers after a hard kill and resume, and the SLURM profile stopping at
once on a machine without SLURM."""

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from functools import partial
from html import unescape
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, job_counts

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent
SMOKE = ["--configfile", "config/smoke.yaml"]
ARTIFACTS = Path(os.environ.get("RMTSGD_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def snakemake(*args: str, cwd: Path = ROOT, env=None, check: bool = True):
    result = subprocess.run(
        [str(BIN / "snakemake"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def overlay(tmp_path: Path, **keys) -> list[str]:
    """Config arguments: the smoke overlay plus one writing into tmp_path (pass them last:
    --configfile takes every argument after it)."""
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(keys))
    return ["--configfile", "config/smoke.yaml", str(path)]


# --------------------------------------------------------------------------- report


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    return found


def browse(browser: str, url: str, profile: Path, *mode: str) -> subprocess.CompletedProcess:
    """Headless Chromium, fresh profile, no network beyond the page; `mode` says what to print."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
        "--virtual-time-budget=20000",
    ]
    return subprocess.run(
        [browser, *flags, *mode, url], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def served_report(smoke_results, tmp_path):
    """The smoke run's report.zip, unpacked with a probe that clicks through it, on localhost."""
    snakemake(*SMOKE, "--report", str(tmp_path / "report.zip"))
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        archive.extractall(tmp_path / "unpacked")
    index = next((tmp_path / "unpacked").glob("*/report.html"))
    claims = json.loads((smoke_results / "claims/rbm.json").read_text())
    probe = (ROOT / "tests/report_probe.js").read_text()
    probe = probe.replace("PROBE_CATEGORY", json.dumps("Gaussian RBM"))
    probe = probe.replace("PROBE_CLAIMS", json.dumps("claims_rbm.html"))
    probe = probe.replace("PROBE_FIGURE", json.dumps("fig2.png"))
    page = index.read_text()
    cut = page.rindex("</body>")
    (index.parent / "probe.html").write_text(f"{page[:cut]}<script>{probe}</script>{page[cut:]}")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(index.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/probe.html", claims
    server.shutdown()
    server.server_close()


def test_report_renders_claims_table_and_figure_in_a_browser(served_report, tmp_path):
    browser = chromium()
    url, claims = served_report
    dom = browse(browser, url, tmp_path / "profile1", "--dump-dom")
    found = re.findall(r'<pre id="probe" style="display: none;">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"no probe output; chromium said:\n{dom.stderr[-2000:]}"
    seen = json.loads(unescape(found[-1]))
    assert "error" not in seen, seen
    n, counts = claims["n_claims"], claims["counts"]
    assert seen["claims_rows"] == n and seen["claims_fails"] == counts["fails"] == 0
    assert seen["claims_reproduced"] == counts["reproduced"] > 0
    assert seen["claims_summary"].startswith(f"{counts['reproduced']} reproduced")
    assert seen["figure_width"] > 500 and seen["figure_height"] > 200
    row = "\t".join(str(counts[o]) for o in ("reproduced", "deviates", "inconclusive", "fails"))
    assert f"Gaussian RBM (rbm)\t{row}" in seen["landing"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-claims.png"
    shot.unlink(missing_ok=True)
    browse(browser, url, tmp_path / "profile2", f"--screenshot={shot}")
    assert shot.stat().st_size > 10000


def test_report_without_results_names_them(tmp_path):
    args = overlay(tmp_path, results=str(tmp_path / "res"), figures=str(tmp_path / "fig"))
    result = snakemake(*args, "--report", str(tmp_path / "r.html"), check=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "the report needs this config's results" in out
    assert f"{tmp_path}/res/claims/rbm.json" in out and f"{tmp_path}/fig/fig2.png" in out
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- check


def test_check_passes_on_smoke_results(smoke_results):
    result = subprocess.run(
        [str(BIN / "rmtsgd"), "check", str(smoke_results)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
    counts = r"Gaussian RBM \(rbm\): \d+ claims: \d+ reproduced, .*, 0 fails"
    assert re.search(counts, result.stdout)
    assert "modules pass the check" in result.stdout


# --------------------------------------------------------------------------- reruns


def dry_run_jobs(cwd: Path, env: dict) -> dict[str, int]:
    return job_counts(snakemake("-n", "--quiet", "rules", *SMOKE, cwd=cwd, env=env).stdout)


def test_library_edits_rerun_exactly_what_imports_them(smoke_results, tmp_path):
    """In a copy of the tree (library imported from the copy): a plotting edit reruns only the
    figures; a fits edit reruns fits, claims and figures but no training; a model edit retrains."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for part in ("Snakefile", "workflow", "config", "src", "results/smoke", "figures/smoke"):
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy2
        copy(ROOT / part, tree / part)
    shutil.copytree(ROOT / ".snakemake/metadata", tree / ".snakemake/metadata")
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    library = tree / "src/rmtsgd"
    assert dry_run_jobs(tree, env) == {}

    def edited(module: str) -> dict[str, int]:
        path = library / module
        original = path.read_text()
        path.write_text(original + "\n# edited\n")
        try:
            return dry_run_jobs(tree, env)
        finally:
            path.write_text(original)

    spectra_figures = {"fig2": 1, "fig3": 1, "spacings": 1, "fig4": 1, "fig5": 1, "ts_scans": 1}
    # the phase-diagram and single-index figures use no spectral fits
    other_figures = {"pd1": 1, "pd6": 1, "pd_grid_figures": 1}
    other_figures |= {"si_eta": 1, "si_collapse": 1, "si_exponents": 1}
    other_figures |= {"dmft_curves": 2, "dmft_convergence": 1, "dmft_checks": 1}
    assert edited("plotting/style.py") == spectra_figures | other_figures
    analysis = {"rbm_fit": 3, "rbm_claims": 1, "ts_fit_a": 4, "ts_fit_b": 5, "ts_claims": 1}
    analysis |= {"claims_table": 2, "report_summary": 1}
    assert edited("fits.py") == {**analysis, **spectra_figures}
    retrained = edited("rbm/model.py")
    assert retrained["rbm_train"] == 3 and retrained["rbm_spectra"] == 3
    assert dry_run_jobs(tree, env) == {}


# --------------------------------------------------------------------------- recovery


def test_resume_after_hard_kill_gives_identical_numbers(smoke_results, tmp_path):
    """Kill -9 the pipeline mid-training, --unlock, --rerun-incomplete: the same numbers."""
    args = overlay(tmp_path, results=str(tmp_path / "res"), figures=str(tmp_path / "fig"))
    target = str(tmp_path / "res/rbm/fits/lr0.1_B16.json")
    train_log = tmp_path / "res/logs/rbm_train/lr0.1_B16_shard0.log"
    run = subprocess.Popen(
        [str(BIN / "snakemake"), "--cores", "1", target, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not (train_log.exists() and "update " in train_log.read_text()):
        assert run.poll() is None and time.monotonic() < deadline, "training never reported"
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)  # the whole group this test started: snakemake + job
    run.wait()
    locked = snakemake("--cores", "2", target, *args, check=False)
    assert locked.returncode != 0 and "--unlock" in locked.stdout + locked.stderr
    snakemake("--unlock", target, *args)
    snakemake("--cores", "2", "--rerun-incomplete", target, *args)
    shard = "rbm/ensembles/lr0.1_B16/shard0.npz"
    with np.load(tmp_path / "res" / shard) as ours, np.load(smoke_results / shard) as smoke:
        np.testing.assert_array_equal(ours["weights"], smoke["weights"])
    smoke_fit = smoke_results / "rbm/fits/lr0.1_B16.json"
    fits = [json.loads(Path(path).read_text()) for path in (target, smoke_fit)]
    for fit in fits:
        fit.pop("provenance")
    assert fits[0] == fits[1]


# --------------------------------------------------------------------------- SLURM guard


def test_slurm_profile_without_slurm_stops_at_once(tmp_path):
    """No sbatch on PATH: the run stops before any job with a message, not after time-outs."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("bash", "sh", "git", "uname", "which"):  # what snakemake itself calls
        if shutil.which(tool):
            (bare / tool).symlink_to(shutil.which(tool))
    env = {**os.environ, "PATH": f"{BIN}:{bare}"}
    args = overlay(tmp_path, results=str(tmp_path / "res"), figures=str(tmp_path / "fig"))
    start = time.monotonic()
    result = snakemake("--workflow-profile", "profiles/slurm", *args, env=env, check=False)
    assert result.returncode != 0 and time.monotonic() - start < 60
    out = result.stdout + result.stderr
    assert "this machine has no SLURM: sbatch/sinfo are not on PATH" in out
    assert "submitted" not in out and not (tmp_path / "res").exists()


TRAINING_RULES = {
    "rbm_train",
    "ts_train_a",
    "ts_train_b",
    "pd_train",
    "si_run",
    "dmft_solve",
    "dmft_simulate",
}


def test_every_job_declares_resources_and_gpu_training_asks_for_a_gpu(tmp_path):
    """A dry run at device: cuda: each job states threads, memory and run time for SLURM, and
    training (only training) requests a GPU, which the SLURM plugin passes as --gpus=1."""
    args = overlay(tmp_path, results=str(tmp_path / "res"), device="cuda")
    out = snakemake("-n", "--forceall", *args).stdout
    jobs = re.findall(r"^(?:local)?rule (\w+):$((?:\n    .*)*)", out, re.M)
    assert {rule for rule, _ in jobs} >= {"rbm_train", "rbm_fit", "fig2", "claims_table"}
    for rule, block in jobs:
        if rule == "all":
            continue
        resources = re.search(r"resources: (.*)", block).group(1)
        assert re.search(r"\bmem_mb=\d+", resources) and re.search(r"runtime=\d+", resources)
        assert ("gpu=1" in resources) == (rule in TRAINING_RULES), (rule, resources)
