"""The terminal report of a result: headline figures, tables and failures, laid out in 80 columns.

Pure functions, data in and lines out: `confusion_table`, `failure_table` and `prf_table` turn a
result into tables, `render_table` lays one out, `render_lines` puts a whole report together.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from app.evals.analysis import AnalysisResult
from app.evals.datasets import SENTIMENTS
from app.evals.decomposition import DecompositionResult, short
from app.evals.faq import FaqResult
from app.evals.routing import RoutingResult
from app.evals.scoring import PRF
from state.router import INTENTS

Result = RoutingResult | DecompositionResult | FaqResult | AnalysisResult


def summary_lines(result: Result) -> Iterable[str]:
    """Yield the headline figures of a result, one per line, for a terminal."""
    if isinstance(result, RoutingResult):
        yield f"routing accuracy {result.accuracy:.3f} on {result.n} messages"
    elif isinstance(result, DecompositionResult):
        for total, rule in ((result.overall, result.rule), (result.lenient.overall, result.lenient.rule)):
            yield f"decomposition F1 {total.f1:.3f} (P {total.precision:.3f}, R {total.recall:.3f}) {rule}"
        for kind, prf in result.by_type.items():
            yield f"  {kind}: F1 {prf.f1:.3f} (P {prf.precision:.3f}, R {prf.recall:.3f}, n={prf.tp + prf.fn})"
        for name, prf in result.by_field.items():
            yield f"  field {name}: P {prf.precision:.3f}, R {prf.recall:.3f}"
    elif isinstance(result, FaqResult):
        yield (
            f"faq: {result.questions}/{result.requested} questions, grammatical {result.grammatical:.3f}, "
            f"citation validity {result.citation_validity:.3f}, groundedness {result.groundedness:.3f}, "
            f"labelled {result.labelled_accuracy:.3f}, unanswerable {result.unanswerable_accuracy:.3f}"
        )
    else:
        yield (
            f"entities typed P {result.entities_typed.precision:.3f} R {result.entities_typed.recall:.3f}; "
            f"untyped P {result.entities_untyped.precision:.3f} R {result.entities_untyped.recall:.3f}; "
            f"sentiment {result.sentiment_accuracy:.3f}"
        )
        yield (
            f"findings recall {result.findings_recall}, mislabelled {result.findings_mislabelled}, "
            f"empty reports {result.empty_reports}, topic recall {result.topic_recall:.3f}"
        )


WIDTH = 80  # the terminal the report is laid out for
Table = list[list[str]]  # a header row, then data rows, every cell already a string


def confusion_table(confusion: dict[str, dict[str, int]], labels: Sequence[str]) -> Table:
    """Return a confusion matrix as a table: one row per expected label, one column per label predicted.

    A predicted value outside `labels` (a provider's stray label, "(none)" for a missing answer) gets
    a column of its own, so every prediction is counted somewhere.
    """
    extra = sorted({got for row in confusion.values() for got in row} - set(labels))
    columns = [*labels, *extra]
    table: Table = [["expected \\ got", *(_short_label(c) for c in columns), "n"]]
    for gold in labels:
        row = confusion.get(gold, {})
        table.append([_short_label(gold), *(str(row.get(c, 0)) for c in columns), str(sum(row.values()))])
    return table


def failure_table(result: Result) -> Table:
    """Return the failures of a result as a table: id, what was expected, what came out, and why."""
    table: Table = [["id", "expected", "got", "note"]]
    for failure in result.failures:
        gold, got, note = failure.expected, failure.got, failure.note
        expected, produced = _brief(gold), _brief(got)
        if isinstance(gold, dict) and "titles" in gold and isinstance(got, dict):
            # A labelled FAQ question: the question is the note, the cells say what differed.
            expected = _wanted(gold)
            produced = str(got.get("answer", "")) if got.get("answerable") else "not answered"
            note = str(gold["question"])
        table.append([failure.id, expected, produced, note])
    return table


def prf_table(rows: dict[str, PRF], name: str) -> Table:
    """Return precision, recall and F1 per row name, with the counts behind them."""
    table: Table = [[name, "P", "R", "F1", "tp", "fp", "fn"]]
    for key, prf in rows.items():
        table.append(
            [key, f"{prf.precision:.2f}", f"{prf.recall:.2f}", f"{prf.f1:.2f}", str(prf.tp), str(prf.fp), str(prf.fn)]
        )
    return table


def render_table(table: Table, width: int = WIDTH) -> list[str]:
    """Lay a table out in columns no wider than `width`, cutting the widest cells with an ellipsis."""
    if not table:
        return []
    columns = max(len(row) for row in table)
    rows = [[_one_line(cell) for cell in row] + [""] * (columns - len(row)) for row in table]
    sizes = [max(len(row[c]) for row in rows) for c in range(columns)]
    budget = width - 2 * (columns - 1)
    while sum(sizes) > budget and max(sizes) > 4:
        sizes[sizes.index(max(sizes))] -= 1  # shave the widest column until the row fits
    lines = []
    for n, row in enumerate(rows):
        cells = [_cut(cell, sizes[c]).ljust(sizes[c]) for c, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * size for size in sizes))
    return lines


def render_lines(result: Result, width: int = WIDTH, max_failures: int = 40) -> list[str]:
    """Return a terminal report of a result: headline figures, the kind's tables, then the failures."""
    headline = list(summary_lines(result))
    if isinstance(result, DecompositionResult):
        headline = headline[:2]  # the tables below carry the per-type and per-field figures
    lines = [
        wrapped
        for line in headline
        for wrapped in textwrap.wrap(line, width, subsequent_indent="    ", break_long_words=False) or [""]
    ]
    if isinstance(result, RoutingResult):
        lines += ["", "confusion matrix (rows: expected, columns: routed to)"]
        lines += render_table(confusion_table(result.confusion, INTENTS), width)
        lines += ["", "accuracy per language"]
        lines += render_table([["lang", "accuracy"], *([k, f"{v:.2f}"] for k, v in result.by_lang.items())], width)
        lines += ["", "accuracy per kind of message"]
        lines += render_table([["kind", "accuracy"], *([k, f"{v:.2f}"] for k, v in result.by_kind.items())], width)
    elif isinstance(result, DecompositionResult):
        lines += ["", *render_table(prf_table(result.by_type, "task type"), width)]
        lines += ["", *render_table(prf_table(result.by_field, "field"), width)]
        lines.append(
            f"messages with every task and field right: {result.exact_messages:.2f} "
            f"(lenient: {result.lenient.exact_messages:.2f})"
        )
    elif isinstance(result, AnalysisResult):
        lines += ["", *render_table(prf_table(result.by_type, "entity type"), width)]
        lines += ["", "sentiment (rows: expected, columns: found)"]
        lines += render_table(confusion_table(result.sentiment_confusion, SENTIMENTS), width)
    failures = failure_table(result)
    shown = failures[: max_failures + 1]
    lines += [
        "",
        f"failures: {len(failures) - 1}" + (f" (first {max_failures} shown)" if len(shown) < len(failures) else ""),
    ]
    if len(failures) > 1:
        lines += render_table(shown, width)
    return lines


_LABEL_SHORT = {"Technical Support": "technical", "Billing Inquiry": "billing", "General Question": "general"}


def _short_label(label: str) -> str:
    return _LABEL_SHORT.get(label, label)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: max(size - 1, 0)] + "…"


def _brief(value: Any) -> str:
    """Say a failure's expected or produced value in a few words: a task, a question, a label."""
    if isinstance(value, str):
        return _short_label(value)
    if isinstance(value, dict):
        if "query_type" in value:
            return short(value)
        if "question" in value:
            verdict = "answered" if value.get("answerable", True) else "not answered"
            if "titles" in value:
                return f"{value['question']} -> {_wanted(value)}"
            return f"{value['question']} -> {verdict}: {value.get('answer', '')}"
    if isinstance(value, list):
        return "; ".join(_brief(v) for v in value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False, default=str)


def _wanted(question: dict[str, Any]) -> str:
    """Say what a labelled FAQ question expects: the fragments of its answer, any answer, or none."""
    if not question["titles"]:
        return "not answered"
    return ", ".join(question.get("answer_contains", [])) or f"an answer citing {', '.join(question['titles'])}"
