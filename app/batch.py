"""Run one graph over many inputs: bounded concurrency, several worker processes, results as they finish.

    report = run_batch("analysis", load_items(Path("docs.jsonl")), out=Path("docs.results.jsonl"),
                       settings=Settings(provider="offline"), workers=2, concurrency=32)

Each worker process runs up to `concurrency` items at once on its own event loop (the model calls
of one process overlap; a second process uses the second core for the CPU between them), taking
items one at a time from the parent, which reads each input only when its turn comes. Every
result is written to the results file as soon as it arrives, one JSON line per item: the output,
or the error that item failed with; a failed item does not stop the batch. Each item runs on a
thread of its own in the run store, named from the item and its input: run again, a batch skips
the items its results file already holds as done, continues a failed item's request from its
last checkpoint, and takes the saved output of one that finished without its result line. Only
a graph that acts beyond its models saves every step; the others save each item once, when it ends. The
report gives items, failures, throughput, p50 / p95 latency, peak memory, total and per-stage
cost, and the cache hit rate.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import queue
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TextIO

from app.textinput import check_regular, read_file
from graphs.registry import spec_for
from graphs.spec import GraphSpec
from state.deployment import check_url, deployment
from state.inputs import InputError, TextOptions
from state.secrets import redact
from state.settings import Settings

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.types import Durability

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


@dataclass(frozen=True)
class Items:
    """A batch's items: every id known up front, each input read only when its turn comes.

    A folder of 10,000 texts or a JSONL file of any length costs the memory of its ids; `read(id)`
    returns one input (or raises InputError, which fails that item alone).
    """

    ids: list[str]
    read: Callable[[str], dict[str, Any]]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, items: Sequence[Item]) -> Items:
        """Return items already in memory as a batch's items."""
        by_id = {item.id: item.input for item in items}
        if len(by_id) != len(items):
            raise InputError("item ids must be unique")
        return cls([item.id for item in items], lambda item_id: dict(by_id[item_id]))


def load_items(source: Path, graph: str, options: TextOptions | None = None) -> Items:
    """Return a batch's items: a JSONL file (one input object a line, or {"id", "input"}) or a folder of texts.

    A JSONL file is checked whole first (every line an object, ids unique), so a malformed one
    runs nothing; a folder's files are read one by one as they run.
    """
    entry = spec_for(graph)
    if check_regular(source, folder=True):
        return _folder(source, entry, options or TextOptions())
    lines: dict[str, tuple[int, int]] = {}  # item id: (line number, offset)
    try:
        with source.open("rb") as file:
            for number, offset, raw in _lines(file, source):
                item_id, _ = _parse(raw, source, number)
                if lines.setdefault(item_id, (number, offset)) != (number, offset):
                    raise InputError(f"{source}:{number}: item ids must be unique (id {item_id!r} again)")
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    if not lines:
        raise InputError(f"{source} holds no items (one JSON object a line)")

    def read(item_id: str) -> dict[str, Any]:
        number, offset = lines[item_id]
        try:
            with source.open("rb") as file:
                file.seek(offset)
                raw = file.readline(_line_bytes() + 1)
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
        return _parse(raw, source, number)[1]

    return Items(list(lines), read)


def _line_bytes() -> int:
    """Return the longest JSONL line read: the largest input allowed, every character escaped, and room."""
    return 6 * deployment().max_input_chars + 65536


def _lines(file: BinaryIO, source: Path) -> Iterator[tuple[int, int, bytes]]:
    """Yield each non-blank line of a JSONL file with its number and offset, never reading a line unbounded."""
    number, most = 0, _line_bytes()
    while True:
        offset = file.tell()
        raw = file.readline(most + 1)
        if not raw:
            return
        number += 1
        if len(raw) > most:
            raise InputError(f"{source}:{number} is longer than {most:,} bytes; no input can be that long")
        if raw.strip():
            yield number, offset, raw


def _parse(raw: bytes, source: Path, number: int) -> tuple[str, dict[str, Any]]:
    """Return one JSONL line's item id and graph input, or raise InputError naming the line."""
    where = f"{source}:{number}"
    try:
        value = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        raise InputError(f"{where} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # a number of 5,000 digits, arrays nested 100,000 deep
        raise InputError(f"{where} cannot be read as JSON: {str(exc)[:80] or type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a JSON object, not {type(value).__name__}")
    if "input" in value:
        payload, item_id = value["input"], value.get("id", number)
        if not isinstance(payload, dict):
            raise InputError(f"{where}: input must be a JSON object, not {type(payload).__name__}")
    else:
        payload, item_id = value, value.pop("id", number)
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)):
        raise InputError(f"{where}: id must be text or a whole number, not {json.dumps(item_id)[:40]}")
    return str(item_id), payload


def _folder(source: Path, entry: GraphSpec, options: TextOptions) -> Items:
    limit = deployment().max_input_chars
    try:
        # Only regular files (a link to one too): a pipe or a device in the folder is no input.
        names = sorted(e.name for e in os.scandir(source) if not e.name.startswith(".") and e.is_file())
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    if not names:
        raise InputError(f"{source} holds no items (no text files)")
    return Items(names, lambda name: entry.from_text(read_file(source / name, limit), options))


class BatchIncomplete(RuntimeError):
    """Workers stopped before every item was run; what finished is in the results file."""


def done_ids(results: Path, graph: str | None = None) -> set[str]:
    """Return the ids a results file already holds as done by `graph` (failed ones are run again)."""
    done: set[str] = set()
    try:
        with results.open(encoding="utf-8", errors="replace") as file:
            for line in file:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by an interruption: the item runs again
                if not isinstance(record, dict) or "output" not in record:
                    continue
                if graph is None or record.get("graph", graph) == graph:
                    done.add(str(record.get("id")))
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise InputError(f"cannot read {results}: {exc.strerror}") from None
    return done


def item_thread(graph: str, results: Path, item_id: str, payload: dict[str, Any]) -> str:
    """Return the thread an item runs on: the same for every run of the batch, another once its input changes."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    key = json.dumps([graph, str(results.resolve()), item_id, digest])
    return "batch-" + hashlib.sha256(key.encode()).hexdigest()[:20]


Progress = Callable[[BatchReport, int], None]


def run_batch(
    graph: str,
    items: Items | Sequence[Item],
    *,
    out: Path,
    settings: Settings,
    workers: int = 1,
    concurrency: int = 16,
    on_progress: Progress | None = None,
    checkpointer: str | None = None,
) -> BatchReport:
    """Run `graph` on every item not yet done in `out`, appending each result there as it finishes.

    Each item runs on a thread of its own in the checkpointer (`checkpointer`, a URL, or
    STAGECRAFT_CHECKPOINTER): run again, an item that failed continues its request from its last
    checkpoint, and one that finished without its result being written takes its saved output.
    `on_progress(report, items to run)` is called once the workers are ready, then after each result.
    """
    entry = spec_for(graph)
    items = items if isinstance(items, Items) else Items.of(items)
    report = BatchReport(graph=graph, items=len(items))
    # Resolved here, so every worker process opens the very store this one names.
    store = check_url("STAGECRAFT_CHECKPOINTER", checkpointer) if checkpointer else deployment().checkpointer_url
    with _results_file(out) as sink:
        already = done_ids(out, graph)
        todo = [item_id for item_id in items.ids if item_id not in already]
        report.skipped = len(items) - len(todo)
        feed = _Feed(entry, items, todo, settings, out)
        launched = started = time.perf_counter()
        for result in _results(feed, settings, store, max(1, workers), max(1, concurrency)):
            if "ready" in result:  # every worker is up: the clock starts now
                started = time.perf_counter()
                report.startup_s = started - launched
            else:
                _take(report, {"graph": graph, **result}, sink)
                report.seconds = time.perf_counter() - started
            if on_progress is not None:
                on_progress(report, len(todo))
    report.seconds = time.perf_counter() - started
    report.peak_rss_mb = max(report.peak_rss_mb, _rss_mb())
    return report


@contextmanager
def _results_file(out: Path) -> Iterator[TextIO]:
    """Open the results file for appending, held by this batch alone; one it made and left empty goes."""
    import fcntl

    made = not out.exists()
    if not made:
        check_regular(out, use="write results to")  # a pipe would wait for a reader, a device keep nothing
    try:
        sink = out.open("a", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write results to {out}: {exc.strerror}") from None
    try:
        with sink:
            try:
                fcntl.flock(sink, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                made = False
                raise InputError(f"another batch is writing {out}; wait for it to end") from None
            yield sink
    finally:
        if made and out.exists() and out.stat().st_size == 0:  # nothing ran (a store that could not be opened, say)
            out.unlink()


def _take(report: BatchReport, result: dict[str, Any], sink: TextIO) -> None:
    sink.write(json.dumps({k: v for k, v in result.items() if k != "stats"}, default=str) + "\n")
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


class _Task(NamedTuple):
    id: str
    input: dict[str, Any]
    thread: str


@dataclass
class _Feed:
    """What the parent hands the workers: each item read, checked and given its thread, one at a time."""

    entry: GraphSpec
    items: Items
    todo: list[str]
    settings: Settings
    out: Path
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, tasks: Any, results: Any, workers: int) -> None:
        """Put every item on `tasks` (an invalid one's failure on `results`), then one None per worker."""
        try:
            for item_id in self.todo:
                try:
                    payload = self.entry.check(self.items.read(item_id), self.settings)
                except InputError as exc:  # checked as the graph's intake would: it fails alone, unrun
                    results.put({"id": item_id, "error": f"InputError: {exc}"})
                    continue
                if not self._put(
                    tasks, _Task(item_id, payload, item_thread(self.entry.ref, self.out, item_id, payload))
                ):
                    return
            for _ in range(workers):
                if not self._put(tasks, None):
                    return
        except BaseException as exc:  # handed to the parent's loop, never lost in this thread
            results.put({"fatal": _portable(exc)})

    def _put(self, tasks: Any, task: _Task | None) -> bool:
        # A bounded queue: the items read ahead are only those the workers will take next.
        while not self.stop.is_set():
            try:
                tasks.put(task, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it can cross to another process, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _results(feed: _Feed, settings: Settings, store: str, workers: int, concurrency: int) -> Iterator[dict[str, Any]]:
    """Run the fed items in this process or in `workers` processes; yield each result (and "ready") as it comes."""
    if not feed.todo:
        return
    workers = min(workers, len(feed.todo))
    args = (feed.entry.ref, settings, concurrency, store)
    pool = _InProcess(*args, feed.stop) if workers == 1 else _Processes(*args, workers)
    feeder = threading.Thread(target=feed.run, args=(pool.tasks, pool.results, workers), daemon=True)
    feeder.start()
    remaining, waiting = len(feed.todo), workers
    try:
        while remaining:
            try:
                result = pool.results.get(timeout=1.0)
            except queue.Empty:
                if (stopped := pool.stopped()) is not None:
                    raise BatchIncomplete(
                        f"a batch worker stopped ({stopped}) with {remaining} item(s) not run; "
                        "the results so far are saved and a rerun continues from them"
                    ) from None
                continue
            if "fatal" in result:
                raise result["fatal"]
            if "ready" in result:
                waiting -= 1
                if waiting == 0:
                    yield result
                continue
            remaining -= 1
            yield result
    except KeyboardInterrupt:
        feed.stop.set()
        pool.interrupt()
        yield from _drained(pool.results)  # finished while we were told to stop: keep them
        raise
    finally:
        feed.stop.set()
        pool.close()


class _InProcess:
    """The batch's one worker in this process: an event loop in a thread of its own.

    Results travel through a thread-safe queue, so the caller's thread hands each one over as
    it finishes and Ctrl-C reaches the caller, who stops the loop.
    """

    def __init__(self, graph: str, settings: Settings, concurrency: int, store: str, stop: threading.Event) -> None:
        self.tasks: queue.Queue[_Task | None] = queue.Queue(maxsize=concurrency)
        self.results: queue.Queue[dict[str, Any]] = queue.Queue()
        self.running: dict[str, Any] = {}

        def next_task() -> _Task | None:
            while not stop.is_set():
                try:
                    return self.tasks.get(timeout=0.2)
                except queue.Empty:
                    continue
            return None

        async def main() -> None:
            self.running["loop"], self.running["task"] = asyncio.get_running_loop(), asyncio.current_task()
            await _run_all(graph, next_task, self.tasks.get_nowait, settings, concurrency, store, self.results.put)

        def work() -> None:
            try:
                asyncio.run(main())
            except asyncio.CancelledError:
                pass  # interrupted: the items in flight stop; their finished steps are checkpointed
            except BaseException as exc:  # handed to the caller's thread, never lost in this one
                self.results.put({"fatal": exc})

        self.thread = threading.Thread(target=work, name="stagecraft-batch", daemon=True)
        self.thread.start()

    def stopped(self) -> str | None:
        return None if self.thread.is_alive() else "its thread ended"

    def interrupt(self) -> None:
        loop, task = self.running.get("loop"), self.running.get("task")
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        self.thread.join(timeout=10)

    def close(self) -> None:
        self.thread.join(timeout=10)


class _Processes:
    """The batch's worker processes, each taking the next item from one shared queue as it frees up."""

    def __init__(self, graph: str, settings: Settings, concurrency: int, store: str, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.tasks: Any = context.Queue(maxsize=workers * concurrency)
        self.results: Any = context.Queue()
        args = (graph, settings.model_dump(), concurrency, store, self.tasks, self.results)
        self.procs = [context.Process(target=_worker, args=args, daemon=True) for _ in range(workers)]
        for proc in self.procs:
            proc.start()

    def stopped(self) -> str | None:
        codes = [str(proc.exitcode) for proc in self.procs if proc.exitcode not in (None, 0)]
        return f"exit status {', '.join(codes)}" if codes else None

    def interrupt(self) -> None:
        for proc in self.procs:  # they ignore Ctrl-C: stop them now, not after their items
            proc.terminate()

    def close(self) -> None:
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
        for channel in (self.tasks, self.results):
            channel.cancel_join_thread()  # what no worker will take must not hold this process open
            channel.close()


def _drained(results: Any) -> Iterator[dict[str, Any]]:
    """Yield the results already waiting in a queue, without waiting for more."""
    while True:
        try:
            result = results.get_nowait()
        except queue.Empty:
            return
        if "ready" not in result and "fatal" not in result:
            yield result


def _worker(graph: str, settings: dict[str, Any], concurrency: int, store: str, tasks: Any, results: Any) -> None:
    """A batch worker process: run the items it takes from `tasks`, putting each result on `results`.

    Ctrl-C reaches every process of the terminal's group: the parent alone handles it (it keeps
    what finished and stops the workers), so a worker never dies printing a traceback.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(_run_all(graph, tasks.get, tasks.get_nowait, Settings(**settings), concurrency, store, results.put))
    except BaseException as exc:  # a store that cannot be opened, say: the parent reports it
        results.put({"fatal": _portable(exc)})


async def _run_all(
    graph: str,
    next_task: Callable[[], _Task | None],
    waiting_task: Callable[[], _Task | None],
    settings: Settings,
    concurrency: int,
    store: str,
    put: Callable[[dict[str, Any]], None],
) -> None:
    from app.persistence import open_checkpointer
    from app.runner import compile_spec
    from models.caches import flush as semantic_flush
    from models.providers import prepare

    entry = spec_for(graph)
    gc.set_threshold(*GC_THRESHOLDS)
    await asyncio.to_thread(prepare, settings)
    async with open_checkpointer(store) as saver:
        compile_spec(entry, saver)  # compiled once, before the clock starts
        gc.freeze()  # the graph, the models and the embedder live as long as the batch: never scan them
        put({"ready": True})
        # `concurrency` runs take the items as they free up, one fetcher handing them over.
        handed: asyncio.Queue[_Task | None] = asyncio.Queue(maxsize=1)

        async def fetch() -> None:
            while True:
                try:  # an item already waiting is taken at once; a thread waits only for one to come
                    task = waiting_task()
                except queue.Empty:
                    task = await asyncio.to_thread(next_task)
                if task is None:
                    break
                await handed.put(task)
            for _ in range(concurrency):
                await handed.put(None)

        async def work() -> None:
            while (task := await handed.get()) is not None:
                put(await _one(entry, task, settings, saver))

        await asyncio.gather(fetch(), *(work() for _ in range(concurrency)))
    await asyncio.to_thread(semantic_flush)  # what the runs stored reaches the semantic store before the worker ends


async def _one(entry: GraphSpec, task: _Task, settings: Settings, saver: BaseCheckpointSaver[Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        output = await _continue_or_start(entry, task, settings, saver)
    except Exception as exc:
        error = redact(f"{type(exc).__name__}: {exc}")
        return {"id": task.id, "thread": task.thread, "error": error, "stats": _stats(None, started)}
    return {"id": task.id, "thread": task.thread, "output": _jsonable(output), "stats": _stats(output, started)}


async def _continue_or_start(
    entry: GraphSpec, task: _Task, settings: Settings, saver: BaseCheckpointSaver[Any]
) -> dict[str, Any]:
    """Run an item on its thread: a new request, or the one it began, continued from its last checkpoint."""
    from app.runner import compile_spec, run, run_metadata
    from app.threads import check_resumable, config_of

    saved = await saver.aget_tuple(config_of(task.thread))
    if saved is None:
        payload, metadata = task.input, run_metadata(entry, settings)
    else:
        # Its request was started before (its identity saved before any worker acted on it):
        # continuing it never acts twice. A thread that finished gives back its saved output.
        payload, metadata = None, {**saved.metadata, "stagecraft_resumed": True}
        snapshot = await compile_spec(entry, saver).aget_state(config_of(task.thread))
        if snapshot.next:
            await check_resumable(saver, task.thread, entry.ref, settings.resolved_provider())
    # A graph that acts on more than its models (the support desk) saves each step before the next
    # starts, so a rerun never acts twice. One whose only effects are model calls is saved when the
    # item ends, with its finished steps if it failed: a worker killed mid-item runs that item again
    # from its start (its calls paid twice), and every item is spared a write per step.
    durability: Durability = "sync" if entry.services else "exit"
    result = await run(
        entry, payload, settings, thread_id=task.thread, checkpointer=saver, metadata=metadata, durability=durability
    )
    if result.approvals:  # paused: answered with `stagecraft resume THREAD --approve/--reject`
        return {**result.output, "waiting_for_approval": [approval.value for approval in result.approvals]}
    return result.output


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
