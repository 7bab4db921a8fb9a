"""Run one graph over many inputs: bounded concurrency, several worker processes, results as they finish.

    report = run_batch("analysis", load_items(Path("docs.jsonl")), out=Path("docs.results.jsonl"),
                       settings=Settings(provider="offline"), workers=2, concurrency=32)

Each worker process runs up to `concurrency` items at once on its own event loop (the model calls
of one process overlap; a second process uses the second core for the CPU between them). Every
result is written to the results file as soon as it arrives, one JSON line per item: the output,
or the error that item failed with; a failed item does not stop the batch. Run again, a batch
skips the items its results file already holds as done, so an interrupted batch picks up where it
stopped. The report gives items, failures, throughput, p50 / p95 latency, peak memory, total and
per-stage cost, and the cache hit rate.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import queue
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.registry import RunOptions, entry_for
from state.inputs import InputError
from state.secrets import redact
from state.settings import Settings

# CPython's default (700, 10, 10) runs the cyclic collector every few hundred allocations: a burst
# of concurrent runs allocates millions of short-lived objects and spent about 45% of its time in
# it. The runs make few cycles; a higher first threshold lets generation 0 collect rarely.
GC_THRESHOLDS = (50_000, 20, 20)


@dataclass(frozen=True)
class Item:
    """One input of a batch."""

    id: str
    input: dict[str, Any]


@dataclass
class BatchReport:
    """What a batch did."""

    graph: str
    items: int = 0
    skipped: int = 0
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    """From the moment every worker was ready (models and embedder loaded) to the last result."""
    startup_s: float = 0.0
    """Starting the workers: processes, imports, the offline embedder."""
    latencies: list[float] = field(default_factory=list)
    cost_usd: float = 0.0
    by_stage: dict[str, float] = field(default_factory=dict)
    cache_hits: int = 0
    cache_misses: int = 0
    peak_rss_mb: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Items run per second (items refused before running, as invalid input, are not counted)."""
        return len(self.latencies) / self.seconds if self.seconds and self.latencies else 0.0

    def percentile(self, q: float) -> float:
        """Latency at quantile q (0-1) of the items run, in seconds."""
        if not self.latencies:
            return 0.0
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[max(0, min(98, round(q * 100) - 1))]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        hits, misses = self.cache_hits, self.cache_misses
        return {
            "graph": self.graph,
            "items": self.items,
            "skipped": self.skipped,
            "done": self.done,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "startup_s": round(self.startup_s, 3),
            "throughput_per_s": round(self.throughput, 2),
            "p50_s": round(self.percentile(0.5), 4),
            "p95_s": round(self.percentile(0.95), 4),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "cost_usd": round(self.cost_usd, 8),
            "cost_by_stage": {k: round(v, 8) for k, v in sorted(self.by_stage.items())},
            "cache_hit_rate": round(hits / (hits + misses), 4) if hits + misses else 0.0,
            "failures": self.failures[:50],
        }


def load_items(source: Path, graph: str, options: RunOptions | None = None) -> list[Item]:
    """Read a batch's items: a JSONL file (one input object a line, or {"id", "input"}) or a folder of texts."""
    entry = entry_for(graph)
    options = options or RunOptions()
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
        return [Item(p.name, entry.make_input(_read(p), options)) for p in files]
    items: list[Item] = []
    for number, line in enumerate(_read(source).splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}:{number} is not JSON: {exc.msg}") from None
        if not isinstance(value, dict):
            raise InputError(f"{source}:{number} must be a JSON object")
        if isinstance(value.get("input"), dict):
            items.append(Item(str(value.get("id", number)), value["input"]))
        else:
            items.append(Item(str(value.pop("id", number)), value))
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise InputError(f"{source}: item ids must be unique")
    return items


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


class BatchIncomplete(RuntimeError):
    """Workers stopped before every item was run; what finished is in the results file."""


def done_ids(results: Path, graph: str | None = None) -> set[str]:
    """Return the ids a results file already holds as done by `graph` (failed ones are run again)."""
    try:
        text = results.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise InputError(f"cannot read {results}: {exc.strerror}") from None
    done: set[str] = set()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by an interruption: the item runs again
        if not isinstance(record, dict) or "output" not in record:
            continue
        if graph is None or record.get("graph", graph) == graph:
            done.add(str(record.get("id")))
    return done


Progress = Callable[[BatchReport, int], None]


def run_batch(
    graph: str,
    items: list[Item],
    *,
    out: Path,
    settings: Settings,
    workers: int = 1,
    concurrency: int = 16,
    on_progress: Progress | None = None,
) -> BatchReport:
    """Run `graph` on every item not yet done in `out`, appending each result there as it finishes."""
    entry_for(graph)
    report = BatchReport(graph=graph, items=len(items))
    already = done_ids(out, graph)
    todo = [item for item in items if item.id not in already]
    report.skipped = len(items) - len(todo)
    # Checked before any run, as each graph's intake would check it: a bad item fails alone, now.
    entry = entry_for(graph)
    runnable: list[Item] = []
    try:
        sink_file = out.open("a", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write results to {out}: {exc.strerror}") from None
    with sink_file as sink:
        for item in todo:
            try:
                runnable.append(Item(item.id, entry.check_input(item.input, settings)))
            except InputError as exc:
                _take(report, {"graph": graph, "id": item.id, "error": f"InputError: {exc}"}, sink)
        launched = started = time.perf_counter()
        for result in _results(graph, runnable, settings, max(1, workers), max(1, concurrency)):
            if "ready" in result:  # every worker is up: the clock starts now
                started = time.perf_counter()
                report.startup_s = started - launched
                continue
            _take(report, {"graph": graph, **result}, sink)
            report.seconds = time.perf_counter() - started
            if on_progress is not None:
                on_progress(report, len(todo))
    report.seconds = time.perf_counter() - started
    report.peak_rss_mb = max(report.peak_rss_mb, _rss_mb())
    return report


def _take(report: BatchReport, result: dict[str, Any], sink: Any) -> None:
    sink.write(json.dumps({k: v for k, v in result.items() if k not in ("stats",)}, default=str) + "\n")
    sink.flush()
    stats = result.get("stats") or {}
    if "error" in result:
        report.failed += 1
        report.failures.append({"id": str(result["id"]), "error": str(result["error"])[:300]})
    else:
        report.done += 1
    if "latency" in stats:
        report.latencies.append(stats["latency"])
    report.cost_usd += stats.get("cost_usd", 0.0)
    for stage, cost in (stats.get("by_stage") or {}).items():
        report.by_stage[stage] = report.by_stage.get(stage, 0.0) + cost
    report.cache_hits += stats.get("hits", 0)
    report.cache_misses += stats.get("misses", 0)
    report.peak_rss_mb = max(report.peak_rss_mb, stats.get("rss_mb", 0.0))


def _results(
    graph: str, items: list[Item], settings: Settings, workers: int, concurrency: int
) -> Iterator[dict[str, Any]]:
    if not items:
        return
    if workers == 1:
        yield from _in_process(graph, items, settings, concurrency)
        return
    context = multiprocessing.get_context("spawn")
    results: Any = context.Queue()
    shares = [items[i::workers] for i in range(workers)]
    procs = [
        context.Process(target=_worker, args=(graph, share, settings.model_dump(), concurrency, results), daemon=True)
        for share in shares
        if share
    ]
    for proc in procs:
        proc.start()
    remaining, waiting = len(items), len(procs)
    try:
        while remaining:
            try:
                result = results.get(timeout=1.0)
            except queue.Empty:
                if not all(proc.is_alive() or proc.exitcode == 0 for proc in procs):
                    codes = ", ".join(str(proc.exitcode) for proc in procs if proc.exitcode not in (None, 0))
                    raise BatchIncomplete(
                        f"a batch worker stopped (exit status {codes}) with {remaining} item(s) not run; "
                        "the results so far are saved and a rerun continues from them"
                    ) from None
                continue
            if "ready" in result:
                waiting -= 1
                if waiting == 0:
                    yield result
                continue
            remaining -= 1
            yield result
    except KeyboardInterrupt:
        for proc in procs:  # they ignore Ctrl-C: stop them now, not after their items
            proc.terminate()
        yield from _drained(results)
        raise
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()


def _in_process(graph: str, items: list[Item], settings: Settings, concurrency: int) -> Iterator[dict[str, Any]]:
    # Results travel through a thread-safe queue from the batch's event loop, run in a thread of
    # its own, so this generator can hand each one over as it finishes.
    import threading

    out: queue.Queue[dict[str, Any] | None] = queue.Queue()
    running: dict[str, Any] = {}
    failure: list[BaseException] = []

    async def main() -> None:
        running["loop"], running["task"] = asyncio.get_running_loop(), asyncio.current_task()
        await _run_all(graph, items, settings, concurrency, out.put)

    def work() -> None:
        try:
            asyncio.run(main())
        except asyncio.CancelledError:
            pass  # interrupted: the items in flight stop; their finished stages are in the stage cache
        except BaseException as exc:  # handed to the caller's thread, never lost in this one
            failure.append(exc)
        finally:
            out.put(None)

    thread = threading.Thread(target=work, name="stagecraft-batch", daemon=True)
    thread.start()
    try:
        while (result := out.get()) is not None:
            yield result
    except KeyboardInterrupt:
        loop, task = running.get("loop"), running.get("task")
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        thread.join(timeout=10)
        yield from _drained(out)  # finished while we were told to stop: keep them
        raise
    thread.join()
    if failure:
        raise failure[0]


def _drained(results: Any) -> Iterator[dict[str, Any]]:
    """Yield the results already waiting in a queue, without waiting for more."""
    while True:
        try:
            result = results.get_nowait()
        except queue.Empty:
            return
        if result is not None and "ready" not in result:
            yield result


def _worker(graph: str, items: list[Item], settings: dict[str, Any], concurrency: int, results: Any) -> None:
    """A batch worker process: run its share of the items, putting each result on the queue.

    Ctrl-C reaches every process of the terminal's group: the parent alone handles it (it keeps
    what finished and stops the workers), so a worker never dies printing a traceback.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(_run_all(graph, items, Settings(**settings), concurrency, results.put))


async def _run_all(
    graph: str, items: list[Item], settings: Settings, concurrency: int, put: Callable[[dict[str, Any]], None]
) -> None:
    from models.cache import STAGE_CACHE
    from models.providers import prepare

    gc.set_threshold(*GC_THRESHOLDS)
    await asyncio.to_thread(prepare, settings)
    compiled = entry_for(graph).builder().compile(cache=STAGE_CACHE)
    gc.freeze()  # the graph, the models and the embedder live as long as the batch: never scan them
    put({"ready": True})
    gate = asyncio.Semaphore(concurrency)

    async def one(item: Item) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                output = await compiled.ainvoke(item.input, context=settings)
            except Exception as exc:
                put({"id": item.id, "error": redact(f"{type(exc).__name__}: {exc}"), "stats": _stats(None, started)})
                return
            put({"id": item.id, "output": _jsonable(output), "stats": _stats(output, started)})

    await asyncio.gather(*(one(item) for item in items))


def _stats(output: dict[str, Any] | None, started: float) -> dict[str, Any]:
    ledger = (output or {}).get("ledger") or []
    by_stage: dict[str, float] = {}
    for call in ledger:
        by_stage[call["stage"]] = by_stage.get(call["stage"], 0.0) + (call["cost_usd"] or 0.0)
    return {
        "latency": time.perf_counter() - started,
        "cost_usd": sum(by_stage.values()),
        "by_stage": by_stage,
        "hits": sum(call.get("cache") in ("exact", "semantic") for call in ledger),
        "misses": sum(call.get("cache") == "miss" for call in ledger),
        "rss_mb": _rss_mb(),
    }


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
