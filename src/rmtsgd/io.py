"""Artifact input/output: atomic writes (a killed job never leaves a file a later rule trusts),
provenance (what made an artifact), and the layout check of a weight-ensemble file from its
header alone (config validation runs it before any job)."""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import rmtsgd


@contextmanager
def _atomic_path(path: str | Path, suffix: str):
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_npz(path: str | Path, **arrays: Any) -> None:
    """Write an .npz atomically (uncompressed: weights are random floats and do not compress)."""
    with _atomic_path(path, ".npz") as tmp:
        np.savez(tmp, **arrays)


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Read an .npz into a plain dict of arrays."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def write_json(path: str | Path, payload: Any) -> None:
    """Write JSON atomically (NaN written as null so that the file stays standard JSON)."""
    with _atomic_path(path, ".json") as tmp, open(tmp, "w") as handle:
        json.dump(_finite(payload), handle, indent=2, allow_nan=False)
        handle.write("\n")


def write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically."""
    with _atomic_path(path, Path(path).suffix) as tmp:
        Path(tmp).write_text(text)


def read_json(path: str | Path) -> Any:
    with open(path) as handle:
        return json.load(handle)


def _finite(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _git_revision() -> str:
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages rmtsgd depends on (its pinned requirements)."""
    try:
        requirements = metadata.requires("rmtsgd") or []
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return {}
    names = [re.split(r"[\s;<>=!~\[]", r, maxsplit=1)[0] for r in requirements if "extra" not in r]
    return {name: metadata.version(name) for name in names}


def provenance(**extra: Any) -> dict:
    """What made an artifact: package version, git revision, platform, dependency versions,
    plus caller's fields."""
    import torch

    return {
        "package_version": rmtsgd.__version__,
        "git": _git_revision(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "packages": package_versions(),
        **extra,
    }


def setup_logging(path: str | Path) -> None:
    """Send this process's log records (the library's progress included) to a rule's log."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=path,
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        force=True,
    )
    sys.excepthook = _log_uncaught


def _log_uncaught(kind, error, traceback) -> None:
    """Put a script's fatal traceback into its rule log too, then report it as usual."""
    logging.getLogger("rmtsgd").critical("uncaught exception", exc_info=(kind, error, traceback))
    sys.__excepthook__(kind, error, traceback)


class EnsembleFileError(ValueError):
    """An external ensemble file is missing or not in the expected layout (message names it)."""


def inspect_ensemble(path: str | Path) -> tuple[int, ...]:
    """Shape of W in an ensemble file, read from the .npy header without loading the weights.

    Raises EnsembleFileError naming the file and the problem: missing, not an npz, no W, or W
    not of rank 4 (network, snapshot, row, column).
    """
    path = Path(path)
    if not path.is_file():
        raise EnsembleFileError(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as archive, archive.open("W.npy") as member:
            version = np.lib.format.read_magic(member)
            reader = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }.get(version)
            if reader is None:
                raise EnsembleFileError(f"{path}: W.npy has unsupported format {version}")
            shape = reader(member)[0]
    except zipfile.BadZipFile:
        raise EnsembleFileError(f"{path}: not an .npz file") from None
    except KeyError:
        raise EnsembleFileError(f"{path}: no array 'W' in the file") from None
    except ValueError as error:
        raise EnsembleFileError(f"{path}: W is not a readable array ({error})") from None
    if len(shape) != 4:
        raise EnsembleFileError(
            f"{path}: W has shape {shape}, expected rank 4 (network, snapshot, row, column)"
        )
    return tuple(shape)
