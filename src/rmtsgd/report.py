"""What the Snakemake report shows besides figures: one claims table per module (an HTML page)
and the landing page's per-module summary (reStructuredText), both from the claims files.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from rmtsgd.claims import OUTCOMES, effective_outcome, outcome_note

_STYLE = """
body { font-family: sans-serif; font-size: 14px; margin: 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.statement { min-width: 14em; }
th { background: #f0f0f0; }
td.num { text-align: right; font-family: monospace; white-space: nowrap; }
tr.fails td { background: #fde2e1; }
tr.deviates td { background: #fff4d6; }
tr.inconclusive td { background: #eceff4; }
td.outcome { font-weight: bold; }
tr.reproduced td.outcome { color: #11722a; }
tr.deviates td.outcome { color: #8a5a00; }
tr.inconclusive td.outcome { color: #44546a; }
tr.fails td.outcome { color: #b00020; }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; }
"""


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _claim_row(claim: Mapping) -> str:
    outcome = effective_outcome(claim)
    tolerance = f"{_num(claim.get('tolerance'))} (error &le; {_num(claim.get('max_error'))})"
    why = outcome_note(claim)
    cells = [
        f"<td><code>{html.escape(claim['name'])}</code></td>",
        f'<td class="statement">{html.escape(str(claim["statement"]))}<br>'
        f"<small>{html.escape(str(claim['source']))}</small></td>",
        f'<td class="num">{_num(claim["value"])} &plusmn; {_num(claim["error"])}</td>',
        f'<td class="num">{_num(claim["reference"])}</td>',
        f'<td class="num">{_num(claim.get("tension"))}</td>',
        f"<td>{html.escape(str(claim['rule']))}, {tolerance}<br>"
        f"<small>{html.escape(str(claim.get('tolerance_basis', '')))}</small></td>",
        f'<td class="outcome">{outcome}<br><small>{html.escape(why)}</small></td>',
    ]
    return f'<tr class="{outcome}">{"".join(cells)}</tr>'


def outcome_counts(payload: Mapping) -> dict[str, int]:
    """Claims of a claims file per (recomputed) outcome, every outcome listed."""
    outcomes = [effective_outcome(c) for c in payload["claims"]]
    return {o: outcomes.count(o) for o in OUTCOMES}


def counts_text(counts: Mapping[str, int]) -> str:
    """'12 reproduced, 1 deviates, 0 inconclusive, 0 fails'."""
    return ", ".join(f"{n} {o}" for o, n in counts.items())


def claims_table_html(payload: Mapping, title: str, settings: Mapping) -> str:
    """A standalone HTML page: the module's claims with their pass rule, then the provenance
    (package versions, git revision, seeds) and the config settings the results came from."""
    counts = outcome_counts(payload)
    rules = "".join(
        f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>"
        for name, text in payload.get("rules", {}).items()
    )
    skipped = ", ".join(payload.get("skipped_kinds", [])) or "none"
    header = "".join(
        f"<th>{h}</th>"
        for h in (
            "claim",
            "statement and source",
            "value &plusmn; error",
            "reference",
            "tension",
            "rule, tolerance and its basis",
            "outcome",
        )
    )
    rows = "\n".join(_claim_row(c) for c in payload["claims"])
    provenance = json.dumps(payload.get("provenance", {}), indent=1, sort_keys=True)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Claims: {html.escape(title)}</title>
<style>{_STYLE}</style></head><body>
<h1>Claims: {html.escape(title)}</h1>
<p id="summary"><b>{counts_text(counts)}</b> at this scale
({len(payload["claims"])} claims). Claim kinds skipped at this scale: {html.escape(skipped)}.</p>
<p>Rules (z, the tolerances and the declared deviations come from the config):</p><ul>{rules}
<li><b>verdict</b>: {html.escape(str(payload.get("verdict", "")))}</li></ul>
<table id="claims"><thead><tr>{header}</tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Config</h2>
<pre>{html.escape(json.dumps(settings, indent=1, sort_keys=True))}</pre>
<h2>Provenance: package versions, git revision, seeds</h2>
<pre>{html.escape(provenance)}</pre>
</body></html>
"""


def landing_summary_rst(
    modules: Mapping[str, str], payloads: Mapping[str, Mapping], results: str
) -> str:
    """reStructuredText for the report's landing page: per module, the claims by outcome, then
    every claim that is not reproduced with its numbers and reason."""
    lines = [
        f"Claims at the scale of ``{results}``",
        "~" * 60,
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - module",
        *[f"     - {outcome}" for outcome in OUTCOMES],
    ]
    for name, title in modules.items():
        counts = outcome_counts(payloads[name])
        lines.append(f"   * - {title} (``{name}``)")
        lines += [f"     - {counts[outcome]}" for outcome in OUTCOMES]
    lines += _not_reproduced_rst(modules, payloads)
    versions = {name: payloads[name].get("provenance", {}).get("packages", {}) for name in modules}
    lines += ["", "Package versions the claims were computed with:", ""]
    for name, packages in versions.items():
        listed = ", ".join(f"{pkg} {ver}" for pkg, ver in sorted(packages.items()))
        lines.append(f"- {modules[name]}: {listed or 'not recorded'}")
    return "\n".join(lines) + "\n"


def _rst_text(text: str) -> str:
    """Plain text safe inside reStructuredText: |B|, *, `, _ and backslashes stay literal."""
    return re.sub(r"([\\|*`_])", r"\\\1", text)


def _not_reproduced_rst(modules: Mapping[str, str], payloads: Mapping[str, Mapping]) -> list[str]:
    """Bullet list of every claim that deviates, is inconclusive or fails."""
    lines = ["", "Claims not reproduced at this scale:", ""]
    listed = 0
    for name, title in modules.items():
        for claim in payloads[name]["claims"]:
            outcome = effective_outcome(claim)
            if outcome == "reproduced":
                continue
            listed += 1
            why = _rst_text(str(claim.get("outcome_reason", "")))
            statement = _rst_text(f"{claim['statement']} [{claim['source']}]")
            lines.append(
                f"- **{outcome}** ({title}) ``{claim['name']}``: {statement}: "
                f"{_num(claim['value'])} +- {_num(claim['error'])} against "
                f"{_num(claim['reference'])}, tension {_num(claim.get('tension'))}. {why}"
            )
    if not listed:
        lines.append("- none")
    return lines
