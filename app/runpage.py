"""A picture of a run: one self-contained HTML page of its ledger, execution report and termination.

The page is static HTML with its CSS and SVG inline and no script: it opens from a file with no
network (its Content-Security-Policy forbids fetching anything), and every text that comes from
the run (stage and model names, the termination's detail, which may quote customer text) is
escaped, so nothing in a run can inject markup or code into it.

    stage label   |  [bar from the call's start to its end]      one row per lane
    answer x20    |      [==]  [==]                              Send workers of one stage:
      (8 at once) |      [==]    [==]                            grouped, side by side

Elements that carry a figure have a `data-k` attribute naming it, for tests and scrapers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from state.execution import critical_calls, execution_report
from state.ledger import ModelCall

# Timeline geometry (SVG user units; the SVG scales to the page's width).
LABEL_W = 190
PLOT_W = 780
ROW_H = 16
ROW_GAP = 4
GROUP_GAP = 10
AXIS_H = 26


def _e(value: object) -> str:
    """Escape a text from the run for HTML text and attribute values."""
    return escape(str(value), quote=True)


def _usd(cost: float) -> str:
    return f"${cost:.6f}"


def _lanes(calls: list[tuple[int, ModelCall]]) -> list[list[int]]:
    """Pack one stage's calls into lanes: a call goes to the first lane free when it starts."""
    lanes: list[list[int]] = []
    ends: list[float] = []
    for k, call in sorted(calls, key=lambda kc: (kc[1]["started"], kc[1]["ended"])):
        for n, end in enumerate(ends):
            if end <= call["started"]:
                lanes[n].append(k)
                ends[n] = call["ended"]
                break
        else:
            lanes.append([k])
            ends.append(call["ended"])
    return lanes


def _tick_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts `span` into at most about eight parts."""
    raw = span / 8
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _timeline(ledger: list[ModelCall], critical: set[int]) -> str:
    """The SVG timeline: per stage (in order of first call) its lanes of bars, the critical path outlined."""
    if not ledger:
        return '<p class="none">No model calls.</p>'
    t0 = min(c["started"] for c in ledger)
    span = max(max(c["ended"] for c in ledger) - t0, 1e-3)
    stages: dict[str, list[tuple[int, ModelCall]]] = {}
    for k in sorted(range(len(ledger)), key=lambda k: ledger[k]["started"]):
        stages.setdefault(ledger[k]["stage"], []).append((k, ledger[k]))

    def x(t: float) -> float:
        return LABEL_W + (t - t0) / span * PLOT_W

    parts: list[str] = []
    y = AXIS_H
    for number, (stage, calls) in enumerate(stages.items()):
        lanes = _lanes(calls)
        height = len(lanes) * (ROW_H + ROW_GAP) - ROW_GAP
        band = "band" + (" alt" if number % 2 else "")
        parts.append(
            f'<g class="stage" data-stage="{_e(stage)}" data-calls="{len(calls)}" data-lanes="{len(lanes)}">'
            f'<rect class="{band}" x="0" y="{y - ROW_GAP / 2:.1f}" width="{LABEL_W + PLOT_W + 10}" '
            f'height="{height + ROW_GAP:.1f}"/>'
            f'<text class="label" x="6" y="{y + ROW_H - 4}">{_e(stage[:26])}<title>{_e(stage)}</title></text>'
        )
        if len(calls) > 1:
            at_once = f", {len(lanes)} at once" if len(lanes) > 1 else ""
            parts.append(f'<text class="sub" x="6" y="{y + 2 * ROW_H - 2}">x{len(calls)}{at_once}</text>')
        for lane, members in enumerate(lanes):
            top = y + lane * (ROW_H + ROW_GAP)
            for k in members:
                call = ledger[k]
                kind = ["call"]
                if call.get("cache") in ("exact", "semantic"):
                    kind.append("cached")
                if call.get("outcome") == "invalid":
                    kind.append("invalid")
                if k in critical:
                    kind.append("crit")
                seconds = call["ended"] - call["started"]
                left, width = x(call["started"]), max(seconds / span * PLOT_W, 3.0)
                cost = call["cost_usd"]
                tip = (
                    f"{call['stage']} - {call['model']} ({call['tier']}), {seconds:.3f}s "
                    f"from {call['started'] - t0:.3f}s, "
                    + (_usd(cost) if cost is not None else "unpriced")
                    + f", {call['input_tokens']} in / {call['output_tokens']} out tokens, cache {call.get('cache')}"
                    + (f", saved {_usd(call.get('saved_usd', 0.0))}" if "cached" in kind else "")
                    + (f", attempt {call['attempt']}" if call["attempt"] > 1 else "")
                    + (", on the critical path" if k in critical else "")
                )
                parts.append(
                    f'<rect class="{" ".join(kind)}" x="{left:.1f}" y="{top}" width="{width:.1f}" '
                    f'height="{ROW_H}" rx="2"><title>{_e(tip)}</title></rect>'
                )
        parts.append("</g>")
        y += height + GROUP_GAP
    step = _tick_step(span)
    ticks = [
        f'<line class="tick" x1="{x(t0 + n * step):.1f}" y1="{AXIS_H - 6}" x2="{x(t0 + n * step):.1f}" y2="{y}"/>'
        f'<text class="axis" x="{x(t0 + n * step):.1f}" y="{AXIS_H - 10}">{n * step:g}s</text>'
        for n in range(int(span / step + 1e-9) + 1)
    ]
    return (
        f'<svg class="timeline" viewBox="0 0 {LABEL_W + PLOT_W + 20} {y}" role="img" '
        f'aria-label="timeline of the model calls">{"".join(ticks)}{"".join(parts)}</svg>'
    )


def _row(cells: list[str], key: str = "") -> str:
    attr = f' data-row="{_e(key)}"' if key else ""
    return f"<tr{attr}>" + "".join(cells) + "</tr>"


def _td(text: str, key: str = "", *, num: bool = False) -> str:
    attrs = (f' data-k="{_e(key)}"' if key else "") + (' class="num"' if num else "")
    return f"<td{attrs}>{text}</td>"


def run_page(
    graph: str, output: Mapping[str, Any], *, ended: str = "completed", status: str = "done", thread: str = ""
) -> str:
    """Return the HTML page of a run's output (`ended`: its termination, as the execution report says it)."""
    ledger: list[ModelCall] = list(output.get("ledger") or [])
    report = execution_report(ledger, ended)
    chain, _ = critical_calls(ledger)
    unpriced = set(report["unpriced_models"])
    cache = report["cache"]

    def dollars(cost: float, model: str) -> str:
        return "unpriced" if model in unpriced and not cost else _usd(cost)

    cards = [
        ("Cost", _usd(report["cost_usd"]), "cost_usd"),
        ("Model calls", str(report["calls"]), "calls"),
        ("Wall time", f"{report['wall_s']:.2f}s", "wall_s"),
        ("Sequential estimate", f"{report['sequential_s']:.2f}s", "sequential_s"),
        ("Speed-up", f"{report['speedup']:.2f}x", "speedup"),
        ("Critical path", f"{report['critical_path_s']:.2f}s", "critical_path_s"),
        ("Cache hits", f"{cache['hits']} of {cache['hits'] + cache['misses']}", "cache_hits"),
        ("Tokens", f"{report['input_tokens']} in / {report['output_tokens']} out", "tokens"),
    ]
    stage_rows = [
        _row(
            [
                _td(_e(stage)),
                _td(_e(entry["model"])),
                _td(_e(entry["tier"])),
                _td(str(entry["calls"]), f"stage_calls:{stage}", num=True),
                _td(str(entry["cached"]), f"stage_cached:{stage}", num=True),
                _td(f"{entry['input_tokens']} / {entry['output_tokens']}", num=True),
                _td(f"{entry['seconds']:.3f}s", num=True),
                _td(dollars(entry["cost_usd"], entry["model"]), f"stage_cost:{stage}", num=True),
            ],
            stage,
        )
        for stage, entry in report["by_stage"].items()
    ]
    model_rows = [
        _row([_td(_e(model)), _td(dollars(cost, model), f"model_cost:{model}", num=True)], model)
        for model, cost in report["by_model"].items()
    ]
    cards_html = "".join(
        f'<div class="card"><span>{label}</span><b data-k="{key}">{_e(value)}</b></div>' for label, value, key in cards
    )
    path = "".join(f'<li data-k="critical_stage">{_e(ledger[k]["stage"])}</li>' for k in chain)
    title = f"{graph}" + (f" - partial, {status}" if status != "done" else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} - stagecraft run {_e(thread)}</title>
<style>{_CSS}</style></head>
<body><main>
<header><h1 data-k="graph">{_e(title)}</h1>
<p>{f'thread <code data-k="thread">{_e(thread)}</code> &middot; ' if thread else ""}ended:
<strong data-k="termination">{_e(report["termination"])}</strong></p></header>
<section class="cards">{cards_html}</section>
<section><h2>Timeline</h2>
<p class="legend"><i class="sw call"></i> model call <i class="sw crit"></i> on the critical path
<i class="sw cached"></i> served from a cache <i class="sw invalid"></i> invalid output, re-asked</p>
{_timeline(ledger, set(chain))}
<p>Critical path ({report["critical_path_s"]:.2f}s): the longest chain of calls that could have waited on
each other.</p>
<ol class="path">{path}</ol></section>
<section class="two"><div><h2>Cost by stage</h2>
<table><thead><tr><th>Stage</th><th>Model</th><th>Tier</th><th>Calls</th><th>Cached</th><th>Tokens in / out</th>
<th>Time</th><th>Cost</th></tr></thead><tbody>{"".join(stage_rows)}</tbody>
<tfoot><tr><td colspan="3">Total</td><td class="num">{report["calls"]}</td><td class="num">{cache["hits"]}</td>
<td class="num">{report["input_tokens"]} / {report["output_tokens"]}</td>
<td class="num">{report["sequential_s"]:.3f}s</td>
<td class="num" data-k="total_cost">{_usd(report["cost_usd"])}</td></tr></tfoot></table></div>
<div><h2>Cost by model</h2><table><tbody>{"".join(model_rows)}</tbody></table>
<h2>Cache</h2><table><tbody>
<tr><td>Hits (exact / semantic)</td><td class="num"><span data-k="cache_hit_count">{cache["hits"]}</span>
({cache["exact"]} / {cache["semantic"]})</td></tr>
<tr><td>Misses</td><td class="num" data-k="cache_misses">{cache["misses"]}</td></tr>
<tr><td>Hit rate</td><td class="num">{cache["rate"]:.0%}</td></tr>
<tr><td>Saved</td><td class="num" data-k="cache_saved">{_usd(cache["saved_usd"])}</td></tr>
</tbody></table>{
        f'<p class="warn">No known price (counted as $0): {_e(", ".join(report["unpriced_models"]))}</p>'
        if report["unpriced_models"]
        else ""
    }</div></section>
</main></body></html>
"""


def write_page(path: Path, graph: str, output: Mapping[str, Any], **details: str) -> None:
    """Write the run's page to `path` (see `run_page` for `details`)."""
    path.write_text(run_page(graph, output, **details), encoding="utf-8")


_CSS = """
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:18px 24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 8px}
header p{margin:0;color:#4a5568}code{font-size:13px}
.cards{display:grid;grid-template-columns:repeat(8,1fr);gap:8px;margin:14px 0}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 10px}
.card span{display:block;font-size:11px;color:#5b6573;text-transform:uppercase;letter-spacing:.03em}
.card b{font-size:15px}
svg.timeline{width:100%;height:auto;background:#fff;border:1px solid #dde1e7;border-radius:6px}
.band{fill:#fff}.band.alt{fill:#f1f4f8}
.label{font-size:12px;font-weight:600;fill:#1d2430}.sub{font-size:10px;fill:#5b6573}
.axis{font-size:10px;fill:#5b6573;text-anchor:middle}.tick{stroke:#e2e6ec}
rect.call{fill:#6b8fd6}rect.call.crit{fill:#d9480f;stroke:#7a2500;stroke-width:1}
rect.call.cached{fill:#2f9e44}rect.call.invalid{fill:#f0b429}
.legend{font-size:12px;color:#4a5568}.sw{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px;
background:#6b8fd6;vertical-align:middle}.sw.crit{background:#d9480f}.sw.cached{background:#2f9e44}
.sw.invalid{background:#f0b429}
ol.path{display:flex;flex-wrap:wrap;gap:4px 22px;padding-left:18px;margin:4px 0}
.two{display:grid;grid-template-columns:3fr 2fr;gap:22px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e7}
th,td{padding:4px 8px;border-bottom:1px solid #edf0f3;text-align:left;font-size:13px}
th{background:#f1f4f8;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-weight:600}.warn{color:#9c4221}.none{color:#5b6573}
"""
