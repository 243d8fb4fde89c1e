"""What the Snakemake report shows besides figures: one claims table per module (an HTML page)
and the landing page's per-module summary (reStructuredText), both from the claims files.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from rmtsgd.claims import claim_passes

_STYLE = """
body { font-family: sans-serif; font-size: 14px; margin: 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.statement { min-width: 14em; }
th { background: #f0f0f0; }
td.num { text-align: right; font-family: monospace; white-space: nowrap; }
tr.fail td { background: #fde2e1; }
td.pass { color: #11722a; font-weight: bold; }
tr.fail td.pass { color: #b00020; }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; }
"""


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _claim_row(claim: Mapping) -> str:
    ok = claim_passes(claim)
    tolerance = _num(claim.get("tolerance"))
    if claim.get("max_error") is not None:
        tolerance += f" (error &le; {_num(claim['max_error'])})"
    cells = [
        f"<td><code>{html.escape(claim['name'])}</code></td>",
        f'<td class="statement">{html.escape(str(claim.get("statement", "")))}</td>',
        f'<td class="num">{_num(claim["value"])} &plusmn; {_num(claim["error"])}</td>',
        f'<td class="num">{_num(claim["reference"])}</td>',
        f"<td>{tolerance}</td>",
        f"<td>{html.escape(str(claim.get('rule', 'within')))}</td>",
        f'<td class="pass">{"pass" if ok else "FAIL"}</td>',
    ]
    return f'<tr class="{"pass" if ok else "fail"}">{"".join(cells)}</tr>'


def pass_counts(payload: Mapping) -> tuple[int, int]:
    """(passing, total) claims of a claims file."""
    claims = payload["claims"]
    return sum(claim_passes(c) for c in claims), len(claims)


def claims_table_html(payload: Mapping, title: str, settings: Mapping) -> str:
    """A standalone HTML page: the module's claims with their pass rule, then the provenance
    (package versions, git revision, seeds) and the config settings the results came from."""
    passed, total = pass_counts(payload)
    rules = "".join(
        f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>"
        for name, text in payload.get("rules", {}).items()
    )
    skipped = ", ".join(payload.get("skipped_kinds", [])) or "none"
    header = "".join(
        f"<th>{h}</th>"
        for h in ("claim", "statement", "value &plusmn; error", "reference", "tolerance")
    )
    rows = "\n".join(_claim_row(c) for c in payload["claims"])
    provenance = json.dumps(payload.get("provenance", {}), indent=1, sort_keys=True)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Claims: {html.escape(title)}</title>
<style>{_STYLE}</style></head><body>
<h1>Claims: {html.escape(title)}</h1>
<p id="summary"><b>{passed} of {total}</b> claims pass at this scale.
Claim kinds skipped at this scale: {html.escape(skipped)}.</p>
<p>Pass rules (z and the tolerances come from the config):</p><ul>{rules}</ul>
<table id="claims"><thead><tr>{header}<th>rule</th><th>pass</th></tr></thead>
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
    """reStructuredText for the report's landing page: per module, how many claims pass."""
    lines = [
        f"Claims at the scale of ``{results}``",
        "~" * 60,
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - module",
        "     - claims passing",
        "     - failing claims",
    ]
    for name, title in modules.items():
        payload = payloads[name]
        passed, total = pass_counts(payload)
        failing = [c["name"] for c in payload["claims"] if not claim_passes(c)]
        lines += [
            f"   * - {title} (``{name}``)",
            f"     - {passed} of {total}",
            f"     - {', '.join(f'``{n}``' for n in failing) or 'none'}",
        ]
    versions = {name: payloads[name].get("provenance", {}).get("packages", {}) for name in modules}
    lines += ["", "Package versions the claims were computed with:", ""]
    for name, packages in versions.items():
        listed = ", ".join(f"{pkg} {ver}" for pkg, ver in sorted(packages.items()))
        lines.append(f"- {modules[name]}: {listed or 'not recorded'}")
    return "\n".join(lines) + "\n"
