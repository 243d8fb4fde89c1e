"""`rmtsgd check RESULTS_DIR`: is a reproduction complete and does every claim pass?

The pipeline writes `<results>/claims/manifest.json` naming every module the config runs;
each of those modules must have a well-formed `<results>/claims/<module>.json` whose claims
all pass (recorded as passing, and passing again when recomputed from their numbers by their
stated rule). A module without a claims file, or with a malformed one, fails the check.
`--module NAME` (repeatable) checks only the named modules, with or without a manifest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rmtsgd.claims import ClaimsFileError, claim_passes, describe_claim, read_claims_file

MANIFEST = "manifest.json"


@dataclass
class ModuleResult:
    """Outcome of one module: its claims file's problem, or its claims that fail."""

    module: str
    title: str
    path: Path
    problem: str | None = None
    n_claims: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.failed

    def lines(self) -> list[str]:
        """What `rmtsgd check` prints for this module."""
        if self.problem is not None:
            return [f"{self.title} ({self.module}): FAILED, {self.problem}"]
        passed = self.n_claims - len(self.failed)
        head = f"{self.title} ({self.module}): {passed}/{self.n_claims} claims pass"
        if self.skipped:
            head += f" (skipped at this scale: {', '.join(self.skipped)})"
        return [head] + [f"  FAIL {text}" for text in self.failed]


def read_manifest(claims_dir: Path) -> dict[str, str]:
    """Modules the pipeline ran for these results, name -> title."""
    path = claims_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        modules = manifest["modules"]
    except FileNotFoundError:
        raise ClaimsFileError(
            f"{path}: missing; the pipeline writes it (snakemake --cores N [--configfile ...])"
        ) from None
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ClaimsFileError(f"{path}: malformed ({error!r})") from None
    if not isinstance(modules, dict) or not modules:
        raise ClaimsFileError(f"{path}: 'modules' must name at least one module")
    return {str(name): str(title) for name, title in modules.items()}


def check_module(claims_dir: Path, module: str, title: str) -> ModuleResult:
    """Read and judge one module's claims file."""
    path = claims_dir / f"{module}.json"
    result = ModuleResult(module, title, path)
    try:
        payload = read_claims_file(path, module)
    except ClaimsFileError as error:
        result.problem = str(error)
        return result
    result.n_claims = len(payload["claims"])
    result.failed = [describe_claim(c) for c in payload["claims"] if not claim_passes(c)]
    result.skipped = [str(kind) for kind in payload.get("skipped_kinds", [])]
    return result


def check_results(
    results_dir: str | Path, modules: Sequence[str] | None = None
) -> list[ModuleResult]:
    """Every module of the manifest, judged; raises ClaimsFileError without a manifest.

    With `modules`, only those, and no manifest is needed (the results of a single module's
    targets have none); titles come from the manifest where there is one.
    """
    claims_dir = Path(results_dir) / "claims"
    if not modules:
        return [check_module(claims_dir, m, t) for m, t in read_manifest(claims_dir).items()]
    titles = read_manifest(claims_dir) if (claims_dir / MANIFEST).is_file() else {}
    return [check_module(claims_dir, m, titles.get(m, m)) for m in dict.fromkeys(modules)]


def run_check(results_dir: str | Path, modules: Sequence[str] | None = None) -> tuple[int, str]:
    """Exit status (0 only if every module's claims all pass) and the text to print."""
    try:
        results = check_results(results_dir, modules)
    except ClaimsFileError as error:
        return 1, f"FAILED: {error}"
    lines = [line for result in results for line in result.lines()]
    bad = [r.module for r in results if not r.ok]
    summary = f"{len(results) - len(bad)}/{len(results)} modules reproduced in {results_dir}"
    lines.append(summary + (f"; failing: {', '.join(bad)}" if bad else ""))
    return (1 if bad else 0), "\n".join(lines)
