"""`rmtsgd check RESULTS_DIR`: is a reproduction complete, and what does it find?

The pipeline writes `<results>/claims/manifest.json` naming every module the config runs (the
`slice` target: `manifest_slice.json`, its slice studies); each of those modules must have a
well-formed `<results>/claims/<module>.json`. Every claim's outcome is recomputed from its
numbers, its rule and the deviation the config declared for it (a recorded outcome the numbers
do not give counts as `fails`). The check prints per module the counts by outcome and lists
every claim that deviates, is inconclusive or fails; it exits 0 if and only if no claim fails
(with `strict`, also only if none deviates or is inconclusive). `--module NAME` (repeatable)
checks only the named modules, with or without a manifest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rmtsgd.claims import (
    OUTCOMES,
    ClaimsFileError,
    describe_claim,
    effective_outcome,
    outcome_note,
    read_claims_file,
)

MANIFESTS = ("manifest.json", "manifest_slice.json")  # written by the `all` and `slice` targets
LISTED = ("fails", "deviates", "inconclusive")  # outcomes whose claims are listed one by one


@dataclass
class ModuleResult:
    """One module: its claims file's problem, or its claims' effective outcomes."""

    module: str
    title: str
    path: Path
    problem: str | None = None
    claims: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Claims per outcome, every outcome listed."""
        return {o: sum(c["effective"] == o for c in self.claims) for o in OUTCOMES}

    def status(self, strict: bool = False) -> bool:
        """Whether this module passes the check."""
        bad = ("fails",) + (("deviates", "inconclusive") if strict else ())
        return self.problem is None and not any(c["effective"] in bad for c in self.claims)

    def lines(self) -> list[str]:
        """What `rmtsgd check` prints for this module."""
        if self.problem is not None:
            return [f"{self.title} ({self.module}): FAILED, {self.problem}"]
        counts = ", ".join(f"{n} {o}" for o, n in self.counts().items())
        head = f"{self.title} ({self.module}): {len(self.claims)} claims: {counts}"
        if self.skipped:
            head += f" (skipped at this scale: {', '.join(self.skipped)})"
        lines = [head]
        for outcome in LISTED:
            for claim in (c for c in self.claims if c["effective"] == outcome):
                lines.append(f"  {outcome.upper()} {describe_claim(claim)}")
                lines.append(f"      {claim['statement']} [{claim['source']}]")
                lines.append(f"      why: {_why(claim)}")
        return lines

    def as_json(self, strict: bool = False) -> dict:
        """The machine-readable form of this module's result."""
        keys = ("name", "statement", "source", "value", "error", "reference", "tension")
        listed = [
            {**{k: c.get(k) for k in keys}, "outcome": c["effective"], "why": _why(c)}
            for c in self.claims
            if c["effective"] in LISTED
        ]
        return {
            "module": self.module,
            "title": self.title,
            "ok": self.status(strict),
            "problem": self.problem,
            "n_claims": len(self.claims),
            "counts": self.counts() if self.problem is None else None,
            "skipped_kinds": self.skipped,
            "listed": listed,
        }


def _why(claim: Mapping) -> str:
    if claim["effective"] != claim["outcome"]:
        return "the recorded outcome does not follow from the numbers"
    return outcome_note(claim)


def read_manifest(claims_dir: Path) -> dict[str, str]:
    """Modules the pipeline ran for these results, name -> title, from every manifest there."""
    found = [claims_dir / name for name in MANIFESTS if (claims_dir / name).is_file()]
    if not found:
        raise ClaimsFileError(
            f"{claims_dir / MANIFESTS[0]}: missing; the pipeline writes it "
            "(snakemake --cores N [--configfile ...]; the slice target writes "
            f"{MANIFESTS[1]})"
        )
    modules: dict[str, str] = {}
    for path in found:
        try:
            listed = json.loads(path.read_text())["modules"]
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
            raise ClaimsFileError(f"{path}: malformed ({error!r})") from None
        if not isinstance(listed, dict) or not listed:
            raise ClaimsFileError(f"{path}: 'modules' must name at least one module")
        modules.update({str(name): str(title) for name, title in listed.items()})
    return modules


def check_module(claims_dir: Path, module: str, title: str) -> ModuleResult:
    """Read one module's claims file and recompute every claim's outcome."""
    path = claims_dir / f"{module}.json"
    result = ModuleResult(module, title, path)
    try:
        payload = read_claims_file(path, module)
    except ClaimsFileError as error:
        result.problem = str(error)
        return result
    result.claims = [{**c, "effective": effective_outcome(c)} for c in payload["claims"]]
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
    has_manifest = any((claims_dir / name).is_file() for name in MANIFESTS)
    titles = read_manifest(claims_dir) if has_manifest else {}
    return [check_module(claims_dir, m, titles.get(m, m)) for m in dict.fromkeys(modules)]


def run_check(
    results_dir: str | Path,
    modules: Sequence[str] | None = None,
    strict: bool = False,
    as_json: bool = False,
) -> tuple[int, str]:
    """Exit status (0 only if no claim fails; with `strict`, also none deviates or is
    inconclusive) and the text (or JSON) to print."""
    try:
        results = check_results(results_dir, modules)
    except ClaimsFileError as error:
        if as_json:
            return 1, json.dumps({"ok": False, "problem": str(error)}, indent=1)
        return 1, f"FAILED: {error}"
    bad = [r.module for r in results if not r.status(strict)]
    status = 1 if bad else 0
    if as_json:
        payload = {
            "results": str(results_dir),
            "strict": strict,
            "ok": not bad,
            "modules": [r.as_json(strict) for r in results],
        }
        return status, json.dumps(payload, indent=1)
    lines = [line for result in results for line in result.lines()]
    summary = f"{len(results) - len(bad)}/{len(results)} modules pass the check in {results_dir}"
    summary += " (strict: deviations and inconclusive claims count as failures)" if strict else ""
    lines.append(summary + (f"; failing: {', '.join(bad)}" if bad else ""))
    return status, "\n".join(lines)
