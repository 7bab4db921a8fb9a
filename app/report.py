"""Rendering of results and of the execution report, for the terminal.

Everything that comes from the input or a model goes through `printable`, so no control
character of theirs reaches the terminal. The report is a block of short lines that fits 80
columns (pipes and CI logs), as the seed lesson's "Pipeline Execution Report" is.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from app.terminal import printable as p
from graphs.registry import spec_for
from graphs.spec import Section
from state.execution import execution_report
from state.ledger import ModelCall

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
        else:  # one chain of calls: nothing ran in parallel
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
    unpriced = set(report["unpriced_models"])

    def dollars(cost: float, model: str) -> str:
        # A model with no known price is "unpriced", never passed off as $0.
        return "unpriced" if model in unpriced and not cost else f"${cost:.6f}"

    for stage, entry in report["by_stage"].items():
        cost = dollars(entry["cost_usd"], entry["model"])
        head = f"  {p(stage) + ':':<{_NAME}} {cost} ({p(entry['model'])}, {entry['tier']})"
        if len(p(stage)) >= _NAME:
            lines.append(f"  {p(stage)}:")
            head = f"  {'':<{_NAME}} {cost} ({p(entry['model'])}, {entry['tier']})"
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
        names = ", ".join(p(m) for m in report["unpriced_models"])
        lines.append(f"  unpriced (no known price, not in the total): {names}")
    lines += ["", "Cost by model:"]
    lines += [f"  {p(model):<{_NAME + 4}} {dollars(cost, model)}" for model, cost in report["by_model"].items()]
    turns = [c for c in ledger if "tool_calls" in c]
    if turns:
        lines += ["", "Tool calls (an agent's turns):"]
        for n, call in enumerate(turns, 1):
            head = f"  {p(call['stage'])} turn {n}: "
            wrapped = _wrapped(" " * len(head), ", ".join(p(c) for c in call["tool_calls"]) or "answered in text")
            lines += [head + wrapped[0].lstrip(), *wrapped[1:]]
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


_STYLES = {"text": "", "dim": "dim", "warn": "yellow", "error": "red"}


def _section(section: Section) -> Any:
    if section.tone == "markdown":
        from rich.markdown import Markdown  # only the report graph needs Markdown (slow to import)

        return Markdown(p(section.body))
    body = Text(p(section.body), style=_STYLES[section.tone])
    if not section.title:
        return body
    if "\n" in section.body:
        return Group(Text(p(section.title), style="bold"), body)
    return Text.assemble((f"{p(section.title)}: ", "bold"), body)


def ended(output: dict[str, Any], status: str = "done") -> str:
    """Say how a run ended: completed, why it stopped early, or the status of one that did not finish."""
    termination = output.get("termination") or {}
    if status != "done":
        return f"{status} (the report covers the stages that finished)"
    return f"{termination['reason']} ({termination['detail']})" if termination else "completed"


def render_report(console: Console, output: dict[str, Any], status: str = "done") -> None:
    """Print the execution report of a run's output (`status`: a saved thread's, when it did not finish)."""
    lines = report_lines(list(output.get("ledger") or []), ended(output, status))
    console.print(Text("\n".join(lines)), soft_wrap=True)


def render(console: Console, graph: str, output: dict[str, Any], status: str = "done") -> None:
    """Print a graph's result and its execution report; a run that did not finish is shown as partial."""
    body = Group(*(_section(section) for section in spec_for(graph).show(output)))
    title = graph if status == "done" else f"{graph} - partial, {status}"
    console.print(Panel(body, title=title, title_align="left"))
    render_report(console, output, status)
