"""The CLI's commands: run and resume a graph, list and show threads, evaluate, run the demo.

Imported by `app.cli` only for a command that needs it, so `stagecraft graphs` and `--help` load
neither LangGraph nor pydantic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Interrupt
from rich.console import Console
from rich.text import Text

from app.errors import UsageError
from app.preflight import check_services
from app.progress import Progress, served_line
from app.runner import RunResult
from app.terminal import printable, safe_json
from graphs.registry import spec_for
from graphs.spec import GraphSpec
from state.deployment import deployment
from state.inputs import InputError, TextOptions
from state.secrets import redact
from state.serde import TamperedStateError
from state.settings import Settings, local_settings, make_settings


def _store_url(args: argparse.Namespace) -> str | None:
    if args.runs_db is not None:
        return f"sqlite:///{args.runs_db}"
    url: str | None = args.checkpointer
    return url


def _settings(args: argparse.Namespace, provider: str | None = None) -> Settings:
    """The run's settings: the options given, then STAGECRAFT_<NAME> in the environment and `.env`."""
    from models.providers import check_provider

    given = {name: getattr(args, name, None) for name in Settings.model_fields}
    if provider is not None:
        given["provider"] = provider
    settings = local_settings(given)
    check_provider(settings)
    return settings


_TEXT_OPTIONS = ("language", "questions", "task")


def _text_options(args: argparse.Namespace, spec: GraphSpec, text: str, **fixed: Any) -> TextOptions:
    """The input options given, refusing one this graph's input does not use (it would do nothing)."""
    given = {name: getattr(args, name) for name in _TEXT_OPTIONS if getattr(args, name, None) is not None}
    options = TextOptions(**fixed, **given)
    for name in given:
        # Does nothing when the graph's input is the same without it: found by building both.
        if spec.from_text(text, options) == spec.from_text(
            text, replace(options, **{name: getattr(TextOptions, name)})
        ):
            if getattr(options, name) != getattr(TextOptions, name):
                raise UsageError(f"--{name} does nothing for graph {spec.name!r}")
    return options


def _read_input(args: argparse.Namespace) -> str:
    from app.textinput import read_file, read_text

    if args.file is not None and args.text is not None:
        raise InputError("give the input as TEXT or with --file, not both")
    # Read a little more than any run may take, never a whole huge file (or /dev/zero); the
    # graph's intake checks the exact length.
    limit = deployment().max_input_chars
    if args.file is not None:
        return read_file(args.file, limit)
    if args.text is None and not sys.stdin.isatty():
        return read_text(sys.stdin.buffer, limit, "standard input")
    if args.text is None:
        raise InputError("give the input as TEXT, with --file PATH, or on standard input")
    text = str(args.text)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 reach argv as lone surrogates
            raise InputError("TEXT is not UTF-8 text") from None
    return text


class _StreamPrinter:
    """Show a run as it happens: each stage's tokens on lines of their own, each stage's parsed result."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.streaming: str | None = None
        self.streamed: set[str] = set()

    def __call__(self, mode: str, chunk: Any) -> None:
        if mode == "custom" and isinstance(chunk, dict) and chunk.get("event") == "stage_cached":
            # A stage a cache served streams no tokens: say so, as the progress lines do.
            self._end_tokens()
            self.console.print(served_line(chunk), highlight=False, markup=False, soft_wrap=True)
        elif mode == "messages":
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


@dataclass(frozen=True)
class _Plan:
    """A run to make: a new request, or the resume of a thread."""

    spec: GraphSpec
    settings: Settings
    thread: str
    metadata: dict[str, Any]
    payload: dict[str, Any] | Command[Any] | None = None
    """The checked input of a new request; None continues the thread; a Command answers its approvals."""
    fork_from: RunnableConfig | None = None
    """For a finished run with failed branches: the checkpoint that runs them again."""


def _plan_run(args: argparse.Namespace) -> _Plan:
    """A new request on a new thread, its input checked as the graph's intake would check it."""
    from app.runner import run_metadata
    from models.stage import check_stage_tiers

    spec = spec_for(args.graph)
    settings = _settings(args)
    check_stage_tiers(settings, spec.stages)
    text = _read_input(args)
    options = _text_options(args, spec, text, source_title=args.file.stem if args.file is not None else "Input")
    # Checked here, so rejected input is never run or saved.
    payload = spec.check(spec.from_text(text, options), settings)
    return _Plan(spec, settings, uuid.uuid4().hex[:12], run_metadata(spec, settings), payload)


async def _plan_resume(args: argparse.Namespace, saver: BaseCheckpointSaver[Any], held: AsyncExitStack) -> _Plan:
    """The continuation of a thread that failed or was stopped, if it can be continued faithfully."""
    from app.threads import branch_retry_point, check_resumable, describe, latest_metadata, resuming
    from models.providers import ProviderError

    if len(args.ids) > 2:
        raise UsageError("resume takes a thread id, optionally after its graph's name")
    for name in _TEXT_OPTIONS:
        if getattr(args, name, None) is not None:
            raise UsageError(f"--{name} shapes a new run's input; a resumed run continues with its own")
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
    spec = await check_resumable(saver, thread, graph, settings.resolved_provider())
    info = await describe(saver, thread)
    answer = _approval_answer(args, thread, info.approvals, info.status)
    fork_from = await branch_retry_point(saver, info)
    if fork_from is None and info.status == "done":
        raise InputError(f"thread {thread!r} finished; there is nothing to resume (see: stagecraft show {thread})")
    return _Plan(spec, settings, thread, {**recorded, "stagecraft_resumed": True}, answer, fork_from=fork_from)


def _approval_answer(
    args: argparse.Namespace, thread: str, approvals: tuple[Interrupt, ...], status: str
) -> Command[Any] | None:
    """The resume that answers a thread's pending approvals with --approve or --reject, or None.

    One decision answers every approval the thread waits for (each by its interrupt id), checked
    as the graph checks any client's answer, so a bad one is refused here, before anything runs.
    """
    from pydantic import ValidationError

    from state.orchestrator import Decision

    approve, reject = bool(getattr(args, "approve", False)), getattr(args, "reject", None)
    if not approvals:
        if approve or reject is not None:
            given = "--approve" if approve else "--reject"
            raise UsageError(f"{given} answers an approval; thread {thread!r} is not waiting for one ({status})")
        return None
    if not approve and reject is None:
        raise UsageError(
            f"thread {thread!r} is waiting for approval: pass --approve or --reject REASON "
            f"(see: stagecraft show {thread})"
        )
    try:
        decision = Decision(approved=approve, reason=reject or "")
    except ValidationError as exc:
        raise UsageError(f"--reject: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    return Command(resume={approval.id: decision.model_dump() for approval in approvals})


async def _execute(
    plan: _Plan, args: argparse.Namespace, saver: BaseCheckpointSaver[Any], console: Console, err: Console
) -> RunResult | None:
    """Run the plan, showing progress; on failure say what it cost and what to do, and return None."""
    from app.runner import run, worth_resuming
    from models.providers import prepare

    await asyncio.to_thread(check_services, plan.spec, plan.settings)
    if not (args.json or args.quiet):
        err.print(f"[dim]provider: {plan.settings.resolved_provider()}, thread: {plan.thread}[/dim]", highlight=False)
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

    await asyncio.to_thread(prepare, plan.settings)
    try:
        with progress or contextlib.nullcontext():
            return await run(
                plan.spec,
                plan.payload,
                plan.settings,
                thread_id=plan.thread,
                checkpointer=saver,
                on_event=on_event,
                metadata=plan.metadata,
                checkpoint=plan.fork_from,
                stream=("messages", "updates", "custom") if streamer else ("updates", "custom"),
            )
    except (InputError, TamperedStateError):
        raise
    except Exception as exc:
        error(err, f"{type(exc).__name__}: {exc}")
        if billed:
            spent = sum(c.get("cost_usd") or 0.0 for c in billed)
            err.print(f"spent before failing: ${spent:.6f} in {len(billed)} model call(s)", highlight=False)
        from supportdesk import DeskUnavailable

        if worth_resuming(exc) or isinstance(exc, DeskUnavailable):
            advice = (
                f"completed stages are saved; once the cause is fixed, continue with: stagecraft resume {plan.thread}"
            )
        else:
            advice = "retrying will not help: change the input or the settings named above and run again"
        err.print(advice, highlight=False, markup=False, soft_wrap=True)
        return None


def _page_path(args: argparse.Namespace) -> Path | None:
    """The --html file, refused before anything runs when it cannot be written there."""
    path: Path | None = getattr(args, "html", None)  # resume has no --html
    if path is not None and (path.is_dir() or not path.parent.is_dir()):
        raise UsageError(f"--html {path}: {'is a folder' if path.is_dir() else 'its folder does not exist'}")
    return path


def _write_page(path: Path, graph: str, output: dict[str, Any], err: Console, status: str, thread: str) -> None:
    from app.report import ended
    from app.runpage import write_page

    try:
        write_page(path, graph, output, ended=ended(output, status), status=status, thread=thread)
    except OSError as exc:
        raise UsageError(f"--html {path}: {exc.strerror or exc}") from None
    err.print(f"page: {printable(str(path))}", highlight=False, markup=False, soft_wrap=True)


async def _run(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.persistence import open_checkpointer

    page = _page_path(args)
    async with open_checkpointer(_store_url(args)) as saver, AsyncExitStack() as held:
        plan = _plan_run(args) if args.command == "run" else await _plan_resume(args, saver, held)
        started = time.time()
        try:
            result = await _execute(plan, args, saver, console, err)
        except (KeyboardInterrupt, asyncio.CancelledError):
            # Ctrl-C: what finished is checkpointed; say how to go on before the CLI exits with 130.
            err.print(f"continue with: stagecraft resume {plan.thread}", highlight=False, markup=False)
            raise
    if result is None:
        if page is not None:
            err.print(
                f"no page was written; draw what finished with: stagecraft show {plan.thread} "
                f"--html {printable(str(page))}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        return 1
    _show_result(
        plan, result, _resumed_stages(result.output, started) if args.command == "resume" else None, args, console
    )
    if page is not None:
        _write_page(page, plan.spec.name, result.output, err, "done", result.thread_id)
    return 0


def _show_result(
    plan: _Plan, result: RunResult, resumed: dict[str, list[str]] | None, args: argparse.Namespace, console: Console
) -> None:
    from app.report import render, render_report

    waiting = [approval.value for approval in result.approvals]
    if args.json:
        extra: dict[str, Any] = {"resumed": resumed} if resumed is not None else {}
        if waiting:
            extra["waiting_for_approval"] = waiting
        sys.stdout.write(safe_json({"thread_id": result.thread_id, **result.output, **extra}) + "\n")
        return
    if waiting:
        _show_approvals(console, plan.thread, waiting)
        return
    if args.stream and not args.json:
        # Streamed: every stage and token was shown as it came; only the report is left to print.
        render_report(console, result.output)
    else:
        render(console, plan.spec.name, result.output)
    if resumed is not None:
        console.print(
            f"Resumed: kept from the checkpoint: {', '.join(resumed['from_checkpoint']) or 'none'}; "
            f"served from the stage cache ($0): {', '.join(resumed['from_cache']) or 'none'}; "
            f"run now: {', '.join(resumed['run_now']) or 'none'}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def _show_approvals(console: Console, thread: str, waiting: list[Any]) -> None:
    """Say what a paused run waits for and how to answer it."""
    for value in waiting:
        summary = value.get("summary") if isinstance(value, dict) else value
        console.print(f"waiting for approval: {printable(str(summary))}", highlight=False, markup=False, soft_wrap=True)
    console.print(
        f"continue with: stagecraft resume {thread} --approve  (or --reject REASON)",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


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

    settings = _settings(args)
    options = _text_options(args, spec_for(args.graph), "A sample text.")
    items = load_items(args.inputs, args.graph, options)
    out: Path = args.out or args.inputs.with_name(args.inputs.name + ".results.jsonl")
    if out.resolve() == args.inputs.resolve() or (
        args.inputs.is_dir() and out.resolve().is_relative_to(args.inputs.resolve())
    ):
        raise UsageError(f"--out {out} would write the results into the inputs; choose another file")
    check_services(spec_for(args.graph), settings)
    last = [0.0]

    def progress(report: BatchReport, total: int) -> None:
        finished = report.done + report.failed
        now = time.monotonic()
        if args.quiet or (now - last[0] < 1.0 and 0 < finished < total):
            return
        last[0] = now
        rate = report.throughput
        eta = (total - finished) / rate if rate else 0.0
        line = (
            f"{total} item(s) to run, {report.skipped} already done; results in {out}"
            if not finished
            else f"{finished}/{total} done, {report.failed} failed, {rate:.1f} items/s, ETA {eta:.0f}s, "
            f"cost so far ${report.cost_usd:.6f}"
        )
        err.print(printable(line), highlight=False, markup=False, soft_wrap=True)

    try:
        report = run_batch(
            args.graph,
            items,
            out=out,
            settings=settings,
            workers=args.workers,
            concurrency=args.concurrency,
            on_progress=progress,
            checkpointer=_store_url(args),
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


async def _eval_pipeline(args: argparse.Namespace, console: Console) -> int:
    """Score a pipeline on its cases (app.evals.pipeline)."""
    from app.evals.pipeline import load_cases, render, run_cases, score_cases
    from app.evals.scoring import Failure
    from graphs.registry import PIPELINES, is_file
    from models.providers import check_provider, prepare

    if not (is_file(args.kind) or args.kind in PIPELINES):
        raise UsageError(
            f"eval takes routing, decomposition, faq or analysis, or a pipeline (a name or a .yaml file), "
            f"not {args.kind!r}"
        )
    if args.langsmith:
        raise UsageError("--langsmith records the four labelled kinds; a pipeline's cases are scored here only")
    spec = spec_for(args.kind)
    cases = load_cases(args.dataset, spec)
    settings = make_settings(provider=args.provider, offline_latency=0, cache=False)
    check_provider(settings)
    await asyncio.to_thread(prepare, settings)
    errors: dict[str, str] = {}
    result = score_cases(spec.name, cases, await run_cases(spec, cases, settings, errors))
    result.failures += [Failure(case_id, "a completed run", error, "run failed") for case_id, error in errors.items()]
    if args.json:
        sys.stdout.write(safe_json(dataclasses.asdict(result)) + "\n")
    else:
        for line in render(result):
            console.print(printable(line), highlight=False, markup=False, soft_wrap=True)
    return 0


async def _eval(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.evals import KINDS, as_json, load_dataset, render_lines, run_evaluation
    from app.textinput import check_regular
    from models.providers import check_provider, prepare

    check_regular(args.dataset)  # never a pipe nobody writes to, nor /dev/zero
    if args.kind not in KINDS:
        return await _eval_pipeline(args, console)
    examples = load_dataset(args.dataset, args.kind)  # a bad file is refused before the provider loads
    if args.langsmith:
        from app.experiment import check_configured

        check_configured()
    # Measured without caches or simulated latency: an eval scores the model, not the cache.
    settings = make_settings(provider=args.provider, offline_latency=0, cache=False)
    check_provider(settings)
    await asyncio.to_thread(prepare, settings)
    recorded = None
    if args.langsmith:
        from app.experiment import evaluate_on_langsmith

        evaluation, recorded = await evaluate_on_langsmith(args.kind, examples, args.dataset, settings)
    else:
        evaluation = await run_evaluation(args.kind, examples, settings)
    data = as_json(evaluation.result)
    if args.json:
        sys.stdout.write(safe_json(data) + "\n")
    else:
        for line in render_lines(evaluation.result):
            console.print(printable(line), highlight=False, markup=False, soft_wrap=True)
    if recorded is not None:
        from app.experiment import ExperimentError

        if recorded.lost:
            raise ExperimentError(recorded.lost)
        err.print(
            f"recorded as LangSmith experiment {recorded.experiment} on dataset {recorded.dataset}"
            + (f": {recorded.url}" if recorded.url else ""),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return 0


async def _threads(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.persistence import open_checkpointer
    from app.threads import Unreadable, prune, recent

    async with open_checkpointer(_store_url(args)) as saver:
        if args.prune is not None:
            pruned = await prune(saver, args.prune)
            console.print(
                f"deleted {len(pruned.deleted)} run(s) started more than {args.prune:g} day(s) ago", highlight=False
            )
            for bad in pruned.unreadable:
                error(err, f"thread {bad.thread_id} was kept: {bad.reason}")
            return 1 if pruned.unreadable else 0
        runs = await recent(saver, args.limit)
    if not runs:
        console.print("no runs yet")
        return 0
    console.print(f"{'THREAD':<12}  {'GRAPH':<20} {'STARTED':<16}  {'COST':<9}  STATUS", highlight=False, markup=False)
    for info in runs:
        if isinstance(info, Unreadable):
            # Named where it would have been listed; the other runs are listed all the same.
            error(err, f"thread {info.thread_id}: {info.reason}")
            continue
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.started)) if info.started else "?"
        console.print(
            f"{info.thread_id}  {info.graph:<20} {started}  ${info.cost_usd:.6f}  {printable(info.status)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return 1 if any(isinstance(info, Unreadable) for info in runs) else 0


async def _show(args: argparse.Namespace, console: Console, err: Console) -> int:
    from app.persistence import open_checkpointer
    from app.report import render
    from app.threads import describe

    page = _page_path(args)
    async with open_checkpointer(_store_url(args)) as saver:
        info = await describe(saver, args.thread)
    if page is not None:
        _write_page(page, info.graph, info.values, err, info.status, info.thread_id)
    if args.json:
        waiting = {"waiting_for_approval": [a.value for a in info.approvals]} if info.approvals else {}
        sys.stdout.write(
            safe_json({"thread_id": info.thread_id, "status": info.status, **info.values, **waiting}) + "\n"
        )
        return 0
    console.print(f"{info.thread_id}: {info.graph}, {printable(info.status)}", highlight=False, markup=False)
    render(console, info.graph, info.values, info.status)
    if info.approvals:
        _show_approvals(console, info.thread_id, [approval.value for approval in info.approvals])
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
        return asyncio.run(_threads(args, console, err))
    if args.command == "show":
        return asyncio.run(_show(args, console, err))
    return asyncio.run(_run(args, console, err))


def error(err: Console, message: str) -> None:
    """Print one error line, its control characters escaped and any secret it echoes hidden."""
    err.print(Text.assemble(("error: ", "red"), printable(redact(message))), soft_wrap=True, highlight=False)
