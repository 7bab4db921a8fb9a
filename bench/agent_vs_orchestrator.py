"""The support agent against the orchestrator-worker on the same labelled messages: quality, calls, cost, time.

    uv run python -m bench.agent_vs_orchestrator evals/decomposition.dev.jsonl [--provider offline] [--latency S]

Both graphs run whole on every message (the agent's tasks are the requests its tool calls acted on,
so it has to act), against a scratch support desk in a temporary folder: no desk of yours is
touched. Quality is `stagecraft eval decomposition`'s scoring (app/evals/decomposition.py): the
tasks found against the gold tasks, strictly and leniently. Calls, tokens and cost come from each
run's ledger; wall time is each run's own, the offline engine waiting each tier's typical latency
unless --latency says otherwise. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

GRAPH_NAMES = ("orchestrator", "support_agent")
CONCURRENCY = 8


async def measure(path: Path, provider: str, latency: float | None) -> list[dict[str, Any]]:
    """Run both graphs on every message of a decomposition set; return one row of figures per graph."""
    from app.evals.datasets import load_dataset
    from app.evals.decomposition import score_decomposition
    from graphs.registry import GRAPHS
    from models.providers import prepare
    from state.settings import Settings

    examples = load_dataset(path, "decomposition")
    settings = Settings(provider=provider, offline_latency=latency, cache=False)
    await asyncio.to_thread(prepare, settings)
    rows = []
    for name in GRAPH_NAMES:
        graph = GRAPHS[name].compile()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(
            example: Any, graph: Any = graph, gate: asyncio.Semaphore = gate
        ) -> tuple[str, dict[str, Any], float]:
            async with gate:
                started = time.perf_counter()
                out = await graph.ainvoke({"query": example["text"]}, context=settings)
                return example["id"], out, time.perf_counter() - started

        runs = await asyncio.gather(*(one(e) for e in examples))
        predicted = {i: [*(out.get("tasks") or []), *(out.get("overflow") or [])] for i, out, _ in runs}
        score = score_decomposition(examples, predicted)
        ledgers = [out["ledger"] for _, out, _ in runs]
        n = len(runs)
        rows.append(
            {
                "graph": name,
                "messages": n,
                "f1": score.overall.f1,
                "exact": score.exact_messages,
                "lenient_f1": score.lenient.overall.f1,
                "calls": sum(len(ledger) for ledger in ledgers) / n,
                "tokens_in": sum(c["input_tokens"] for ledger in ledgers for c in ledger) / n,
                "tokens_out": sum(c["output_tokens"] for ledger in ledgers for c in ledger) / n,
                "cost": sum(c["cost_usd"] or 0.0 for ledger in ledgers for c in ledger) / n,
                "wall_p50": statistics.median(seconds for _, _, seconds in runs),
                "wall_mean": statistics.fmean(seconds for _, _, seconds in runs),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table (per message: calls, tokens, cost, wall time)."""
    lines = [
        "| graph | F1 (strict) | exact messages | F1 (lenient) | calls | tokens in / out | cost | wall p50 / mean |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['graph']}` | {r['f1']:.3f} | {r['exact']:.0%} | {r['lenient_f1']:.3f} | {r['calls']:.2f} "
            f"| {r['tokens_in']:.0f} / {r['tokens_out']:.0f} | ${r['cost']:.5f} "
            f"| {r['wall_p50']:.2f} s / {r['wall_mean']:.2f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, run both graphs against a scratch desk, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dataset", type=Path, help="a decomposition set (evals/decomposition.*.jsonl)")
    parser.add_argument("--provider", default="offline")
    parser.add_argument("--latency", type=float, default=None, help="offline seconds per call (default: per tier)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["STAGECRAFT_SUPPORT_DB"] = str(Path(scratch) / "support.sqlite")
        rows = asyncio.run(measure(args.dataset, args.provider, args.latency))
    print(f"{args.dataset} ({rows[0]['messages']} messages, provider {args.provider}); per message:\n")
    print(table(rows))


if __name__ == "__main__":
    main()
