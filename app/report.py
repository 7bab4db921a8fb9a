"""Rendering of results and of the execution report, for the terminal.

Everything that comes from the input or a model goes through `printable`, so no control
character of theirs reaches the terminal. The report is a block of short lines that fits 80
columns (pipes and CI logs), as the seed lesson's "Pipeline Execution Report" is.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from app.terminal import printable as p
from state.ledger import ModelCall
from state.report import execution_report

_NAME = 20


def report_lines(ledger: list[ModelCall], termination: str = "completed") -> list[str]:
    """Return the execution report of a request as lines of at most 80 characters (the seed's layout)."""
    report = execution_report(ledger, termination)
    lines = ["Pipeline execution report", "-" * 25]
    if not report["calls"]:
        return [*lines, "No model calls.", f"Ended: {p(report['termination'])}"]
    cache = report["cache"]
    if report["sequential_s"] > 0.001:
        reduction = 1 - report["wall_s"] / report["sequential_s"]
        if reduction >= 0.005:
            speed = f"{report['speedup']:.2f}x ({reduction:.0%} less time than sequential)"
        else:  # one chain of calls: nothing ran in parallel (a resumed run also counts its pause)
            speed = f"{report['speedup']:.2f}x (no faster than sequential)"
    else:
        speed = "n/a (every call was served from a cache)"
    lines += [
        f"Sequential time estimate: {report['sequential_s']:.2f}s",
        f"Actual parallel time:     {report['wall_s']:.2f}s",
        f"Speedup:                  {speed}",
        f"Critical path:            {report['critical_path_s']:.2f}s",
        *_wrapped("  ", " -> ".join(p(stage) for stage in report["critical_path"])),
        "",
        "Cache stats:",
        f"  Hits: {cache['hits']} ({cache['exact']} exact, {cache['semantic']} semantic), "
        f"Misses: {cache['misses']}, Rate: {cache['rate']:.0%}",
    ]
    if cache["saved_usd"]:
        lines.append(f"  Saved: ${cache['saved_usd']:.6f}")
    lines += ["", "Cost breakdown:"]
    for stage, entry in report["by_stage"].items():
        head = f"  {p(stage) + ':':<{_NAME}} ${entry['cost_usd']:.6f} ({p(entry['model'])}, {entry['tier']})"
        if len(p(stage)) >= _NAME:
            lines.append(f"  {p(stage)}:")
            head = f"  {'':<{_NAME}} ${entry['cost_usd']:.6f} ({p(entry['model'])}, {entry['tier']})"
        lines.append(head)
        cached = f", {entry['cached']} cached" if entry["cached"] else ""
        detail = (
            f"{entry['input_tokens']} in / {entry['output_tokens']} out tokens, "
            f"{entry['calls']} call{'s' if entry['calls'] != 1 else ''}{cached}, {entry['seconds'] * 1000:.0f} ms"
        )
        lines.append(f"  {'':<{_NAME}} {detail}")
    lines += [
        f"  {'-' * (_NAME + 11)}",
        f"  {'Total:':<{_NAME}} ${report['cost_usd']:.6f}  ({report['calls']} calls, "
        f"{report['input_tokens']} in / {report['output_tokens']} out tokens)",
    ]
    if report["unpriced_models"]:
        lines.append(f"  unpriced (counted as $0): {', '.join(p(m) for m in report['unpriced_models'])}")
    lines += ["", "Cost by model:"]
    lines += [f"  {p(model):<{_NAME + 4}} ${cost:.6f}" for model, cost in report["by_model"].items()]
    invalid = [c for c in ledger if c["outcome"] == "invalid"]
    if invalid:
        lines += ["", f"Re-asked after invalid output: {', '.join(sorted({p(c['stage']) for c in invalid}))}"]
    lines += ["", f"Ended: {p(report['termination'])}"]
    return lines


def _wrapped(indent: str, text: str, width: int = 80) -> list[str]:
    lines: list[str] = []
    current = indent
    for word in text.split(" "):
        if len(current) + len(word) + 1 > width and current.strip():
            lines.append(current.rstrip())
            current = indent
        current += word + " "
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _faq(output: dict[str, Any]) -> Group:
    parts: list[Any] = []
    for i, entry in enumerate(output.get("faq") or [], 1):
        fallback = "not named (the budget ran out first)" if entry.get("answerable") else "no source"
        cited = ", ".join(p(s) for s in entry["sources"]) or fallback
        parts.append(
            Text.assemble(
                (f"{i}. {p(entry['question'])}\n", "bold"),
                f"   {p(entry['answer'])}\n",
                (f"   sources: {cited}", "dim"),
            )
        )
    if output.get("shortfall"):
        parts.append(Text(f"Fewer questions: {p(output['shortfall'])}.", style="yellow"))
    return Group(*parts)


def _router(output: dict[str, Any]) -> Group:
    head = Text.assemble(
        ("intent: ", "bold"), f"{p(output.get('intent'))} ", (f"({p(output.get('route_reason'))})", "dim")
    )
    return Group(head, Text(""), Text(p(output.get("response") or "")))


def _summarize_translate(output: dict[str, Any]) -> Group:
    return Group(
        Text("summary", style="bold"),
        Text(p(output.get("summary") or "")),
        Text(""),
        Text(f"translation ({p(output.get('target_language'))})", style="bold"),
        Text(p(output.get("translation") or "")),
    )


def _orchestrator(output: dict[str, Any]) -> Group:
    tasks = Table(title="tasks", title_justify="left")
    for column in ("#", "type", "details", "status", "result"):
        tasks.add_column(column)
    results = {r["index"]: r for r in output.get("results") or []}
    for i, task in enumerate(output.get("tasks") or []):
        details = ", ".join(f"{p(k)}={p(v)}" for k, v in task.items() if k != "query_type")
        result = results.get(i)
        tasks.add_row(
            str(i + 1),
            p(task["query_type"]),
            details,
            result["status"] if result else "-",
            p(result["summary"]) if result else "-",
        )
    parts: list[Any] = [tasks]
    if output.get("overflow"):
        parts.append(
            Text(f"{len(output['overflow'])} more task(s) over the cap were passed to a colleague", style="yellow")
        )
    parts += [Text(""), Text("reply", style="bold"), Text(p(output.get("reply") or ""))]
    return Group(*parts)


def _errors(output: dict[str, Any]) -> list[Text]:
    return [
        Text(f"failed: {p(e['stage'])} ({p(e['error_type'])}: {p(e['message'])})", style="red")
        for e in output.get("errors") or []
    ]


def _analysis(output: dict[str, Any]) -> Group:
    parts: list[Any] = []
    if s := output.get("sentiment"):
        phrases = ", ".join(p(x) for x in s["key_phrases"])
        parts.append(Text.assemble(("sentiment: ", "bold"), f"{p(s['label'])} ({s['confidence']:.2f}); {phrases}"))
    if output.get("entities"):
        named = ", ".join(f"{p(e['name'])} [{p(e['type'])}]" for e in output["entities"])
        parts.append(Text.assemble(("entities: ", "bold"), named))
    if output.get("topics"):
        ranked = ", ".join(f"{p(t['name'])} ({t['relevance']:.2f})" for t in output["topics"])
        parts.append(Text.assemble(("topics: ", "bold"), ranked))
    if output.get("summary"):
        parts.append(Text.assemble(("summary: ", "bold"), p(output["summary"])))
    parts += _errors(output)
    parts += [Text(""), Text("synthesis", style="bold"), Text(p(output.get("synthesis") or ""))]
    return Group(*parts)


def _report(output: dict[str, Any]) -> Group:
    from rich.markdown import Markdown  # only this view needs Markdown (slow to import)

    return Group(*_errors(output), Markdown(p(output.get("report") or "")))


def _document(output: dict[str, Any]) -> Group:
    parts: list[Any] = [Text.assemble(("path: ", "bold"), p(output.get("path")))]
    if output.get("brief"):
        parts += [Text.assemble(("brief: ", "bold"), p(output["brief"]))]
    if output.get("summary"):
        parts += [Text.assemble(("summary: ", "bold"), p(output["summary"]))]
    if output.get("key_points"):
        parts += [Text("key points", style="bold"), *(Text(f"- {p(k)}") for k in output["key_points"])]
    parts += _errors(output)
    if output.get("synthesis"):
        parts += [Text(""), Text("synthesis", style="bold"), Text(p(output["synthesis"]))]
    if output.get("verification"):
        parts += [Text.assemble(("verification: ", "bold"), p(output["verification"]))]
    return Group(*parts)


def _refine(output: dict[str, Any]) -> Group:
    rounds = ", ".join(f"{r['round']}: {r['score']:.3f}" for r in output.get("rounds") or [])
    return Group(
        Text.assemble(("scores by round: ", "bold"), rounds),
        Text.assemble(("best score: ", "bold"), f"{output.get('score') or 0:.3f}"),
        Text(""),
        Text(p(output.get("draft") or "")),
    )


def _generic(output: dict[str, Any]) -> Group:
    shown = {k: v for k, v in output.items() if k != "ledger"}
    return Group(*(Text.assemble((f"{p(k)}: ", "bold"), p(v)) for k, v in shown.items()))


RENDERERS = {
    "faq": _faq,
    "router": _router,
    "summarize_translate": _summarize_translate,
    "orchestrator": _orchestrator,
    "analysis": _analysis,
    "report": _report,
    "document": _document,
    "refine": _refine,
}


def render_report(console: Console, output: dict[str, Any], status: str = "done") -> None:
    """Print the execution report of a run's output (`status`: a saved thread's, when it did not finish)."""
    termination = output.get("termination") or {}
    if status != "done":
        ended = f"{status} (the report covers the stages that finished)"
    else:
        ended = f"{termination['reason']} ({termination['detail']})" if termination else "completed"
    console.print(Text("\n".join(report_lines(list(output.get("ledger") or []), ended))), soft_wrap=True)


def render(console: Console, graph: str, output: dict[str, Any], status: str = "done") -> None:
    """Print a graph's result and its execution report; a run that did not finish is shown as partial."""
    body = RENDERERS.get(graph, _generic)(output)
    title = graph if status == "done" else f"{graph} - partial, {status}"
    console.print(Panel(body, title=title, title_align="left"))
    render_report(console, output, status)
