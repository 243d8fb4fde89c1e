"""Library code hashes: which package modules a script runs, read from the import graph."""

from pathlib import Path

import pytest
from conftest import ROOT

from rmtsgd.codehash import code_hash, library_modules, package_root

SCRIPTS = ROOT / "workflow/scripts"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def package(tmp_path) -> Path:
    """A small package `rmtsgd` with absolute, relative, from-package and in-function imports."""
    root = tmp_path / "rmtsgd"
    write(root / "__init__.py", "")
    write(root / "io.py", "import json\n")
    write(root / "fits.py", "from .numerics import solve\n")
    write(root / "numerics.py", "def solve(): pass\n")
    write(root / "unused.py", "")
    write(root / "plotting/__init__.py", "")
    write(root / "plotting/style.py", "")
    write(root / "plotting/fig.py", "from . import style\ndef f():\n    import rmtsgd.fits\n")
    return root


def names(paths, root) -> list[str]:
    return [str(p.relative_to(root)) for p in paths]


def test_transitive_imports_with_their_packages(package, tmp_path):
    script = write(tmp_path / "plot.py", "from rmtsgd.plotting.fig import f\nimport numpy\n")
    assert names(library_modules(script, package), package) == [
        "__init__.py",
        "fits.py",
        "numerics.py",
        "plotting/__init__.py",
        "plotting/fig.py",
        "plotting/style.py",
    ]


def test_from_package_import_of_a_module(package, tmp_path):
    script = write(tmp_path / "s.py", "from rmtsgd import io\n")
    assert names(library_modules(script, package), package) == ["__init__.py", "io.py"]


def test_hash_follows_only_imported_code(package, tmp_path):
    fit = write(tmp_path / "fit.py", "from rmtsgd.fits import solve\n")
    plot = write(tmp_path / "plot.py", "import rmtsgd.plotting.style\n")
    before = code_hash(fit, package), code_hash(plot, package)
    (package / "plotting/style.py").write_text("COLOUR = 1\n")
    assert code_hash(fit, package) == before[0]
    assert code_hash(plot, package) != before[1]
    (package / "numerics.py").write_text("def solve(): return 1\n")
    changed = code_hash(fit, package)
    assert changed != before[0]
    (package / "unused.py").write_text("x = 1\n")
    assert code_hash(fit, package) == changed


def test_pipeline_scripts_import_what_their_stage_needs():
    root = package_root()
    modules = {
        s.relative_to(SCRIPTS).with_suffix("").as_posix(): names(library_modules(s), root)
        for s in SCRIPTS.glob("**/*.py")
    }
    assert "rbm/model.py" in modules["rbm/train"]
    assert "fits.py" not in modules["rbm/train"] and "fits.py" not in modules["rbm/spectra"]
    assert "fits.py" in modules["rbm/fit"] and "fits.py" in modules["rbm/claims"]
    for stage in ("rbm/train", "rbm/spectra", "rbm/fit", "rbm/claims"):
        assert not any(m.startswith("plotting/") or m.endswith("plots.py") for m in modules[stage])
    for figure in ("rbm/plot_fig2", "rbm/plot_fig3", "rbm/plot_spacings"):
        assert "plotting/style.py" in modules[figure] and "spectra.py" in modules[figure]
        assert "rbm/model.py" not in modules[figure]
    # a module's training never depends on another module's code
    for stage, imported in modules.items():
        package = stage.split("/")[0]
        if stage.endswith("train") and "/" in stage:
            others = [
                m for m in imported if "/" in m and m.split("/")[0] not in (package, "plotting")
            ]
            assert not others, (stage, others)
