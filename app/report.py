"""Rendering of results and of the execution report (stages, models, tokens, cost, time)."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from state.ledger import ModelCall, stage_spans, total_cost


def execution_report(ledger: list[ModelCall]) -> Table:
    """Return a table of every model call, with totals and the speed-up from overlap."""
    table = Table(title="Execution report", title_justify="left", show_footer=True)
    table.add_column("stage", footer="total")
    table.add_column("model")
    table.add_column("tier")
    table.add_column("tokens in/out", justify="right")
    cost = total_cost(ledger)
    table.add_column("cost", justify="right", footer=f"${cost:.6f}")
    table.add_column("time", justify="right")
    table.add_column("outcome")
    if not ledger:
        return table
    for call in sorted(ledger, key=lambda c: c["started"]):
        price = "unpriced" if call["cost_usd"] is None else f"${call['cost_usd']:.6f}"
        table.add_row(
            call["stage"],
            call["model"],
            call["tier"],
            f"{call['input_tokens']}/{call['output_tokens']}",
            price,
            f"{(call['ended'] - call['started']) * 1000:.0f} ms",
            call["outcome"] if call["attempt"] == 1 else f"{call['outcome']} (attempt {call['attempt']})",
        )
    sequential = sum(c["ended"] - c["started"] for c in ledger)
    spans = stage_spans(ledger)
    wall = max(end for _, end in spans.values()) - min(start for start, _ in spans.values())
    speedup = f"{sequential / wall:.2f}x" if wall > 0 else "n/a"
    table.caption = (
        f"{len(ledger)} model calls; one after another they would take {sequential:.2f}s, "
        f"the run took {wall:.2f}s (speed-up {speedup})"
    )
    return table


def _faq(output: dict[str, Any]) -> Group:
    parts: list[Any] = []
    for i, entry in enumerate(output.get("faq", []), 1):
        cited = ", ".join(entry["sources"]) or "no source"
        parts.append(
            Text.assemble(
                (f"{i}. {entry['question']}\n", "bold"),
                f"   {entry['answer']}\n",
                (f"   sources: {cited}", "dim"),
            )
        )
    return Group(*parts)


def _router(output: dict[str, Any]) -> Group:
    head = Text.assemble(("intent: ", "bold"), f"{output.get('intent')} ", (f"({output.get('route_reason')})", "dim"))
    return Group(head, Text(""), Text(str(output.get("response", ""))))


def _summarize_translate(output: dict[str, Any]) -> Group:
    return Group(
        Text("summary", style="bold"),
        Text(str(output.get("summary", ""))),
        Text(""),
        Text(f"translation ({output.get('target_language')})", style="bold"),
        Text(str(output.get("translation", ""))),
    )


def _orchestrator(output: dict[str, Any]) -> Group:
    tasks = Table(title="tasks", title_justify="left")
    for column in ("#", "type", "details", "status", "result"):
        tasks.add_column(column)
    results = {r["index"]: r for r in output.get("results", [])}
    for i, task in enumerate(output.get("tasks", [])):
        details = ", ".join(f"{k}={v}" for k, v in task.items() if k != "query_type")
        result = results.get(i)
        tasks.add_row(
            str(i + 1),
            task["query_type"],
            details,
            result["status"] if result else "-",
            result["summary"] if result else "-",
        )
    parts: list[Any] = [tasks]
    if output.get("overflow"):
        parts.append(
            Text(
                f"{len(output['overflow'])} more task(s) over the cap were passed to a colleague",
                style="yellow",
            )
        )
    parts += [Text(""), Text("reply", style="bold"), Text(str(output.get("reply", "")))]
    return Group(*parts)


def _errors(output: dict[str, Any]) -> list[Text]:
    return [
        Text(f"failed: {e['stage']} ({e['error_type']}: {e['message']})", style="red") for e in output.get("errors", [])
    ]


def _analysis(output: dict[str, Any]) -> Group:
    parts: list[Any] = []
    if s := output.get("sentiment"):
        parts.append(
            Text.assemble(
                ("sentiment: ", "bold"),
                f"{s['label']} ({s['confidence']:.2f}); ",
                ", ".join(s["key_phrases"]),
            )
        )
    if output.get("entities"):
        parts.append(
            Text.assemble(("entities: ", "bold"), ", ".join(f"{e['name']} [{e['type']}]" for e in output["entities"]))
        )
    if output.get("topics"):
        parts.append(
            Text.assemble(
                ("topics: ", "bold"),
                ", ".join(f"{t['name']} ({t['relevance']:.2f})" for t in output["topics"]),
            )
        )
    if output.get("summary"):
        parts.append(Text.assemble(("summary: ", "bold"), output["summary"]))
    parts += _errors(output)
    parts += [Text(""), Text("synthesis", style="bold"), Text(str(output.get("synthesis", "")))]
    return Group(*parts)


def _report(output: dict[str, Any]) -> Group:
    return Group(*_errors(output), Markdown(str(output.get("report", ""))))


def _generic(output: dict[str, Any]) -> Group:
    shown = {k: v for k, v in output.items() if k != "ledger"}
    return Group(*(Text.assemble((f"{k}: ", "bold"), str(v)) for k, v in shown.items()))


RENDERERS = {
    "faq": _faq,
    "router": _router,
    "summarize_translate": _summarize_translate,
    "orchestrator": _orchestrator,
    "analysis": _analysis,
    "report": _report,
}


def render(console: Console, graph: str, output: dict[str, Any]) -> None:
    """Print a graph's result and its execution report."""
    body = RENDERERS.get(graph, _generic)(output)
    console.print(Panel(body, title=graph, title_align="left"))
    console.print(execution_report(list(output.get("ledger", []))))
