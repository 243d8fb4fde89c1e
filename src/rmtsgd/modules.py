"""The module registry: one entry per paper module, from which everything else follows.

An entry names the module's config section (validated by the schema's section of that name and
by `check` of its package's `config.py`), its claims file `<results>/claims/<name>.json`, its
rule file `workflow/rules/<name>.smk` (which registers its targets with `register_module`), its
figure captions `workflow/report/<name>/`, its docs page `docs/<name>.md`, and the report
category `title`. `tests/test_modules.py` checks that every entry has all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    """One paper module."""

    name: str  # config section, claims file, rule file, captions folder, docs page
    title: str  # report category and `rmtsgd check` heading
    package: str  # rmtsgd.<package> holds its code; its config.py has the checks
    check: str = "check"  # the function of <package>.config validating the whole config

    def checker(self) -> Callable[[Mapping], None]:
        """The module's config check (imported on demand: some import torch)."""
        config = importlib.import_module(f"rmtsgd.{self.package}.config")
        return getattr(config, self.check)


MODULES = (
    Module("rbm", "Gaussian RBM", "rbm"),
    Module("teacher_student", "Teacher-student", "teacher_student"),
    Module("external", "External ensembles", "teacher_student", check="check_external"),
    Module("phase_diagram", "Phase diagram", "phase_diagram"),
    Module("single_index", "Single-index model", "single_index"),
    Module("dmft", "DMFT, Gaussian mixture", "dmft"),
)


def module(name: str) -> Module:
    """The registry entry of `name`."""
    for entry in MODULES:
        if entry.name == name:
            return entry
    raise KeyError(f"no module named '{name}'; registered: {[m.name for m in MODULES]}")
