"""The CLI's commands: run and resume a graph, list and show threads, evaluate, run the demo.

Imported by `app.cli` only for a command that needs it, so `stagecraft graphs` and `--help` load
neither LangGraph nor pydantic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from app.cli import UsageError
from app.preflight import check_services
from app.progress import Progress
from app.registry import RunOptions, entry_for
from app.terminal import printable, safe_json
from state.deployment import DeploymentError, deployment
from state.inputs import InputError
from state.secrets import redact
from state.serde import TamperedStateError
from state.settings import Settings, SettingsError, make_settings


def _store_url(args: argparse.Namespace) -> str | None:
    if args.runs_db is not None:
        return f"sqlite:///{args.runs_db}"
    url: str | None = args.checkpointer
    return url


def _settings(args: argparse.Namespace, provider: str | None = None) -> Settings:
    from models.providers import check_provider

    settings = make_settings(
        provider=provider or args.provider or "auto",
        offline_latency=args.latency,
        max_cost_usd=args.budget,
        cache=not args.no_cache,
    )
    check_provider(settings)
    return settings


def _read_input(args: argparse.Namespace) -> str:
    if args.file is not None and args.text is not None:
        raise InputError("give the input as TEXT or with --file, not both")
    # Read a little more than any run may take (room for trailing blank lines), never a whole
    # huge file (or /dev/zero); the graph's intake checks the exact length.
    limit = deployment().max_input_chars
    if args.file is not None:
        path: Path = args.file
        try:
            with path.open(encoding="utf-8") as file:
                return _at_most(file.read(limit + _SLACK), limit, str(path))
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text") from None
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if args.text is None and not sys.stdin.isatty():
        return _at_most(sys.stdin.read(limit + _SLACK), limit, "standard input")
    if args.text is None:
        raise InputError("give the input as TEXT, with --file PATH, or on standard input")
    return str(args.text)


# Characters read beyond the input limit, so trailing blank lines never make a file too long.
_SLACK = 4096


def _at_most(text: str, limit: int, source: str) -> str:
    if len(text) >= limit + _SLACK:
        raise InputError(
            f"{source} is more than {limit:,} characters long; the limit is {limit:,} (STAGECRAFT_MAX_INPUT_CHARS)"
        )
    return text


class _StreamPrinter:
    """Show a run as it happens: each stage's tokens on lines of their own, each stage's parsed result."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.streaming: str | None = None
        self.streamed: set[str] = set()

    def __call__(self, mode: str, chunk: Any) -> None:
        if mode == "messages":
            message, meta = chunk
            text = message.text if hasattr(message, "text") else ""
            if not text or getattr(message, "tool_call_chunks", None):
                return
            node = str(meta.get("langgraph_node", "?"))
            if node != self.streaming:
                self._end_tokens()
                self.console.print(Text(f"[{node}] ", style="cyan"), end="")
                self.streaming = node
                self.streamed.add(node)
            self.console.print(printable(text), end="", markup=False, highlight=False, soft_wrap=True)
        elif mode == "updates":
            self._end_tokens()
            for node, update in chunk.items():
                if node.startswith("__"):
                    continue
                # Text already streamed, and the input the user gave, are not printed again.
                shown = "" if node in self.streamed or node == "intake" else _brief(update)
                self.console.print(Text.assemble(("✓ ", "green"), (node, "bold"), shown), soft_wrap=True)

    def _end_tokens(self) -> None:
        if self.streaming is not None:
            self.console.print()
            self.streaming = None


def _brief(update: Any) -> str:
    """One line of what a node wrote, leaving out bookkeeping."""
    if not isinstance(update, dict):
        return ""
    shown = []
    for key, value in update.items():
        if key in ("ledger", "request_id") or value is None or type(value).__name__ == "Overwrite":
            continue
        text = printable(value if isinstance(value, str) else safe_json(value).replace("\n", " "))
        text = " ".join(text.split())
        shown.append(f"{key}={text[:117] + '...' if len(text) > 120 else text}")
    return (": " + "; ".join(shown)) if shown else ""


async def _run(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.persistence import open_checkpointer
    from app.report import render, render_report
    from app.runner import run, run_metadata
    from app.threads import branch_retry_point, check_resumable, describe, latest_metadata, resuming
    from models.providers import ProviderError, prepare
    from models.retry import worth_resuming
    from supportdesk import DeskUnavailable

    async with open_checkpointer(_store_url(args)) as saver, contextlib.AsyncExitStack() as held:
        payload = None
        fork_from = None
        if args.command == "run":
            entry = entry_for(args.graph)
            settings = _settings(args)
            options = RunOptions(
                language=args.language,
                questions=args.questions,
                source_title=args.file.stem if args.file is not None else "Input",
                task=args.task,
            )
            # Checked here as the graph's intake would check it, so rejected input is never run or saved.
            payload = entry.check_input(entry.make_input(_read_input(args), options), settings)
            thread = uuid.uuid4().hex[:12]
            metadata = run_metadata(entry, settings)
        else:
            if len(args.ids) > 2:
                raise UsageError("resume takes a thread id, optionally after its graph's name")
            graph, thread = (args.ids[0], args.ids[1]) if len(args.ids) == 2 else (None, args.ids[0])
            # One resume of a thread at a time: two would both run (and bill) the same stages.
            await held.enter_async_context(resuming(saver, thread, _store_url(args) or deployment().checkpointer_url))
            recorded = await latest_metadata(saver, thread)
            if recorded is None:
                raise InputError(f"no run with thread id {thread!r} in {_store_url(args) or 'the default store'}")
            began_on = str(recorded.get("stagecraft_provider", "auto"))
            try:
                settings = _settings(args, provider=args.provider or began_on)
            except ProviderError as exc:
                # A run continues on the provider it began with: offering another would be refused.
                reason = str(exc).split("; or use --provider")[0]
                raise ProviderError(
                    f"thread {thread!r} began on provider {began_on!r} and can only be resumed on it: {reason}"
                ) from None
            entry = await check_resumable(saver, thread, graph, settings.resolved_provider())
            metadata = {**recorded, "stagecraft_resumed": True}
            info = await describe(saver, thread)
            if (retry := await branch_retry_point(saver, info)) is not None:
                # A finished run with failed branches: run those branches again from their step.
                fork_from = retry
            elif info.status == "done":
                raise InputError(
                    f"thread {thread!r} finished; there is nothing to resume (see: stagecraft show {thread})"
                )
        await asyncio.to_thread(check_services, entry, settings)
        if not args.json:
            err.print(f"[dim]provider: {settings.resolved_provider()}, thread: {thread}[/dim]", highlight=False)
        streamer = _StreamPrinter(console) if args.stream and not args.json else None
        # --json is for machines: the JSON on stdout and nothing else, unless the run fails.
        progress = Progress(err, live=err.is_terminal) if not (args.quiet or args.json or streamer) else None

        billed: list[dict[str, Any]] = []  # every finished call, so a failed run can say what it cost

        def on_event(mode: str, chunk: Any) -> None:
            if mode == "custom" and isinstance(chunk, dict) and chunk.get("event") == "stage_finished":
                if isinstance(chunk.get("call"), dict):
                    billed.append(chunk["call"])
            for follower in (streamer, progress):
                if follower is not None:
                    follower(mode, chunk)

        await asyncio.to_thread(prepare, settings)
        resumed_at = time.time()
        try:
            with progress or contextlib.nullcontext():
                result = await run(
                    entry,
                    payload,
                    settings,
                    thread_id=thread,
                    checkpointer=saver,
                    on_event=on_event,
                    metadata=metadata,
                    checkpoint=fork_from,
                    stream=("messages", "updates", "custom") if streamer else ("updates", "custom"),
                )
        except InputError:
            raise
        except Exception as exc:
            if isinstance(exc, TamperedStateError):
                raise
            error(err, f"{type(exc).__name__}: {exc}")
            if billed:
                spent = sum(c.get("cost_usd") or 0.0 for c in billed)
                err.print(f"spent before failing: ${spent:.6f} in {len(billed)} model call(s)", highlight=False)
            if worth_resuming(exc) or isinstance(exc, DeskUnavailable):
                err.print(
                    f"completed stages are saved; once the cause is fixed, continue with: stagecraft resume {thread}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
            else:
                err.print(
                    "retrying will not help: change the input or the settings named above and run again",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
            return 1
    resumed = _resumed_stages(result.output, resumed_at) if args.command == "resume" else None
    if args.json:
        extra = {"resumed": resumed} if resumed is not None else {}
        sys.stdout.write(safe_json({"thread_id": result.thread_id, **result.output, **extra}) + "\n")
        return 0
    if streamer is not None:
        # Streamed: every stage and token was shown as it came; only the report is left to print.
        render_report(console, result.output)
    else:
        render(console, entry.name, result.output)
    if resumed is not None:
        console.print(
            f"Resumed: kept from the checkpoint: {', '.join(resumed['from_checkpoint']) or 'none'}; "
            f"served from the stage cache ($0): {', '.join(resumed['from_cache']) or 'none'}; "
            f"run now: {', '.join(resumed['run_now']) or 'none'}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return 0


def _resumed_stages(output: dict[str, Any], resumed_at: float) -> dict[str, list[str]]:
    """Which stages of a resumed run came from its checkpoint and which ran in this process."""
    found: dict[str, list[str]] = {"from_checkpoint": [], "from_cache": [], "run_now": []}
    for call in output.get("ledger") or []:
        if (call.get("ended") or call.get("started") or 0.0) < resumed_at:
            bucket = found["from_checkpoint"]
        else:
            bucket = found["from_cache" if call.get("cache") in ("exact", "semantic") else "run_now"]
        if call["stage"] not in bucket:
            bucket.append(call["stage"])
    return found


def _batch(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.batch import BatchReport, load_items, run_batch

    if args.workers < 1 or args.concurrency < 1:
        raise UsageError("--workers and --concurrency must be at least 1")
    settings = _settings(args)
    options = RunOptions(language=args.language, questions=args.questions, task=args.task)
    items = load_items(args.inputs, args.graph, options)
    out: Path = args.out or args.inputs.with_name(args.inputs.name + ".results.jsonl")
    if out.resolve() == args.inputs.resolve() or (
        args.inputs.is_dir() and out.resolve().is_relative_to(args.inputs.resolve())
    ):
        raise UsageError(f"--out {out} would write the results into the inputs; choose another file")
    check_services(entry_for(args.graph), settings)
    last = [0.0]

    def progress(report: BatchReport, total: int) -> None:
        finished = report.done + report.failed
        now = time.monotonic()
        if args.quiet or (now - last[0] < 1.0 and finished < total):
            return
        last[0] = now
        rate = report.throughput
        eta = (total - finished) / rate if rate else 0.0
        err.print(
            f"{finished}/{total} done, {report.failed} failed, {rate:.1f} items/s, ETA {eta:.0f}s, "
            f"cost so far ${report.cost_usd:.6f}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    try:
        report = run_batch(
            args.graph,
            items,
            out=out,
            settings=settings,
            workers=args.workers,
            concurrency=args.concurrency,
            on_progress=progress,
        )
    except KeyboardInterrupt:
        err.print(
            f"stopped: every item that finished is in {out}; run the same command again to continue",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise
    data = report.as_dict()
    if args.json:
        sys.stdout.write(safe_json(data) + "\n")
    else:
        lines = [
            f"Batch of {args.graph}: {data['items']} items, {data['skipped']} already done, "
            f"{data['done']} done, {data['failed']} failed",
            f"Throughput: {data['throughput_per_s']} items/s over {data['seconds']}s "
            f"({args.workers} worker(s) x {args.concurrency})",
            f"Latency: p50 {data['p50_s']}s, p95 {data['p95_s']}s; peak memory {data['peak_rss_mb']} MB",
            f"Cost: ${data['cost_usd']:.6f}; cache hit rate {data['cache_hit_rate']:.0%}",
            *(f"  {stage:<22} ${cost:.6f}" for stage, cost in data["cost_by_stage"].items()),
            f"Results: {out}",
            *(f"failed {f['id']}: {f['error']}" for f in data["failures"][:10]),
        ]
        for line in lines:
            console.print(printable(line), highlight=False, markup=False, soft_wrap=True)
    return 1 if report.failed else 0


async def _eval(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.evaluate import as_json, render_lines, run_evaluation
    from models.providers import check_provider, prepare

    if not args.dataset.is_file():
        raise InputError(f"cannot read {args.dataset}: no such file")
    if args.langsmith:
        from app.experiment import check_configured

        check_configured()
    # Measured without caches or simulated latency: an eval scores the model, not the cache.
    settings = make_settings(provider=args.provider, offline_latency=0, cache=False)
    check_provider(settings)
    await asyncio.to_thread(prepare, settings)
    evaluation = await run_evaluation(args.kind, args.dataset, settings)
    data = as_json(evaluation.result)
    if args.json:
        sys.stdout.write(safe_json(data) + "\n")
    else:
        for line in render_lines(evaluation.result):
            console.print(printable(line), highlight=False, markup=False, soft_wrap=True)
    if args.langsmith:
        from app.experiment import record

        summary = {key: value for key, value in data.items() if key != "failures"}
        where = await asyncio.to_thread(record, evaluation, args.dataset, settings.resolved_provider(), summary)
        err.print(
            f"recorded as LangSmith experiment {where.experiment} on dataset {where.dataset}"
            + (f": {where.url}" if where.url else ""),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return 0


async def _threads(args: argparse.Namespace, console: Console) -> int:
    from app.persistence import open_checkpointer
    from app.threads import prune, recent

    async with open_checkpointer(_store_url(args)) as saver:
        if args.prune is not None:
            gone = await prune(saver, args.prune)
            console.print(f"deleted {len(gone)} run(s) started more than {args.prune:g} day(s) ago", highlight=False)
            return 0
        runs = await recent(saver, args.limit)
    if not runs:
        console.print("no runs yet")
        return 0
    for info in runs:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.started)) if info.started else "?"
        console.print(
            f"{info.thread_id}  {info.graph:<20} {started}  ${info.cost_usd:.6f}  {printable(info.status)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return 0


async def _show(args: argparse.Namespace, console: Console) -> int:
    from app.persistence import open_checkpointer
    from app.report import render
    from app.threads import describe

    async with open_checkpointer(_store_url(args)) as saver:
        info = await describe(saver, args.thread)
    if args.json:
        sys.stdout.write(safe_json({"thread_id": info.thread_id, "status": info.status, **info.values}) + "\n")
        return 0
    console.print(f"{info.thread_id}: {info.graph}, {printable(info.status)}", highlight=False, markup=False)
    render(console, info.graph, info.values, info.status)
    return 0


def run_command(args: argparse.Namespace, console: Console, err: Console) -> int:
    """Run one parsed command (all but `graphs`) and return its exit status."""
    if args.command == "demo":
        from app.demo import demo

        settings = make_settings(provider=args.provider, offline_latency=args.latency)
        return asyncio.run(demo(console, settings))
    if args.command == "eval":
        return asyncio.run(_eval(args, console, err))
    if args.command == "batch":
        return _batch(args, console, err)
    if args.command == "threads":
        return asyncio.run(_threads(args, console))
    if args.command == "show":
        return asyncio.run(_show(args, console))
    return asyncio.run(_run(args, console, err))


def exit_status_for(exc: BaseException) -> int | None:
    """Return the exit status of an error the user can act on (2: usage or input, 1: the run), else None."""
    from app.batch import BatchIncomplete
    from app.experiment import ExperimentError
    from app.persistence import PersistenceUnavailable
    from models.cache import CacheUnavailable
    from models.providers import ProviderError
    from supportdesk import DeskUnavailable

    if isinstance(exc, (UsageError, InputError, SettingsError, DeploymentError, ProviderError)):
        return 2
    ours = (
        TamperedStateError,
        PersistenceUnavailable,
        CacheUnavailable,
        DeskUnavailable,
        BatchIncomplete,
        ExperimentError,
    )
    if isinstance(exc, ours):
        return 1
    return None


def error(err: Console, message: str) -> None:
    """Print one error line, its control characters escaped and any secret it echoes hidden."""
    err.print(Text.assemble(("error: ", "red"), printable(redact(message))), soft_wrap=True, highlight=False)
