"""Artifact I/O: atomic writes and rule logs that keep a script's fatal traceback."""

import subprocess
import sys

import numpy as np
import pytest

from rmtsgd.io import load_npz, read_json, save_npz, write_json


def test_uncaught_exception_lands_in_the_rule_log(tmp_path):
    log = tmp_path / "rule.log"
    code = (
        f"from rmtsgd.io import setup_logging; setup_logging({str(log)!r}); raise ValueError('x1')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert "ValueError: x1" in result.stderr
    assert "ValueError: x1" in log.read_text()


def test_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(TypeError):
        write_json(target, {"bad": object()})
    assert list(tmp_path.iterdir()) == []


def test_round_trips(tmp_path):
    write_json(tmp_path / "a.json", {"v": float("nan"), "w": np.float64(2.0)})
    assert read_json(tmp_path / "a.json") == {"v": None, "w": 2.0}
    save_npz(tmp_path / "b.npz", x=np.arange(3))
    np.testing.assert_array_equal(load_npz(tmp_path / "b.npz")["x"], np.arange(3))
