"""The `stagecraft` command: list graphs, run one, resume a failed run, run the demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessageChunk
from rich.console import Console
from rich.text import Text

from app.persistence import DEFAULT_RUNS_DB, sqlite_checkpointer
from app.registry import GRAPHS, RunOptions, entry_for
from app.report import render
from app.runner import RunResult, run
from models.providers import ProviderError, check_provider, registered_providers
from state.inputs import InputError
from state.settings import Settings

# Errors that mean "the input or set-up is wrong": reported in one line, never as a traceback.
_USER_ERRORS: tuple[type[BaseException], ...] = (InputError, ProviderError)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stagecraft", description="LLM workflow patterns on LangGraph.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("graphs", help="list the graphs")

    run_p = sub.add_parser("run", help="run a graph on a text or a file")
    run_p.add_argument("graph", help="graph name (see `stagecraft graphs`)")
    run_p.add_argument("text", nargs="?", help="the input text")
    run_p.add_argument("--file", type=Path, help="read the input from this file")
    _add_run_options(run_p)

    resume_p = sub.add_parser("resume", help="resume a failed run from its last checkpoint")
    resume_p.add_argument("graph")
    resume_p.add_argument("thread", help="the thread id printed when the run failed")
    _add_run_options(resume_p)

    demo_p = sub.add_parser("demo", help="run every graph on the seeds' examples")
    demo_p.add_argument("--provider", default="offline", help="provider (default: offline)")
    demo_p.add_argument("--latency", type=float, default=None, help="simulated seconds per offline call")
    return parser


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--provider", default="auto", help="offline, openai or auto (default)")
    p.add_argument("--language", default="Spanish", help="summarize_translate: target language")
    p.add_argument("--questions", type=int, default=10, help="faq: number of questions")
    p.add_argument("--latency", type=float, default=None, help="simulated seconds per offline call")
    p.add_argument("--stream", action="store_true", help="print stages and tokens as they happen")
    p.add_argument("--runs-db", type=Path, default=DEFAULT_RUNS_DB, help="checkpoint database")


def _settings(args: argparse.Namespace) -> Settings:
    if args.provider not in ("auto", *registered_providers()):
        raise ProviderError(f"unknown provider {args.provider!r}; choose auto, {', '.join(registered_providers())}")
    settings = Settings(provider=args.provider, offline_latency=args.latency)
    check_provider(settings)
    return settings


def _read_input(args: argparse.Namespace) -> str:
    if args.file is not None and args.text is not None:
        raise InputError("give the input as TEXT or with --file, not both")
    if args.file is not None:
        try:
            path: Path = args.file
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{args.file} is not UTF-8 text") from None
        except OSError as exc:
            raise InputError(f"cannot read {args.file}: {exc.strerror}") from None
    if args.text is None and not sys.stdin.isatty():
        return sys.stdin.read()
    if args.text is None:
        raise InputError("give the input as TEXT, with --file PATH, or on standard input")
    return str(args.text)


def _stream_printer(console: Console) -> Any:
    def on_event(mode: str, chunk: Any) -> None:
        if mode == "updates":
            for node in chunk:
                console.print(f"[dim]- {node} done[/dim]")
        elif mode == "messages":
            message, _meta = chunk
            if isinstance(message, AIMessageChunk) and message.text:
                console.print(message.text, end="", markup=False, highlight=False)

    return on_event


async def _run(args: argparse.Namespace, console: Console, err: Console) -> int:
    entry = entry_for(args.graph)
    settings = _settings(args)
    payload = None
    if args.command == "run":
        options = RunOptions(
            language=args.language,
            questions=args.questions,
            source_title=args.file.stem if args.file is not None else "Input",
        )
        payload = entry.make_input(_read_input(args), options)
    if not args.json:
        err.print(f"[dim]provider: {settings.resolved_provider()}[/dim]")
    on_event = _stream_printer(console) if args.stream and not args.json else None
    async with sqlite_checkpointer(args.runs_db) as saver:
        if args.command == "resume":
            thread = args.thread
            saved = await saver.aget_tuple({"configurable": {"thread_id": thread}})
            if saved is None:
                raise InputError(f"no run with thread id {thread!r} in {args.runs_db}")
        else:
            thread = uuid.uuid4().hex[:12]
        try:
            result: RunResult = await run(
                entry, payload, settings, thread_id=thread, checkpointer=saver, on_event=on_event
            )
        except InputError:
            raise
        # The run boundary: whatever failed inside the graph is reported with the way back in.
        except Exception as exc:
            raise _FailedRun(exc, entry.name, thread) from exc
    if args.json:
        console.print_json(json.dumps({"thread_id": result.thread_id, **result.output}, default=str))
    else:
        render(console, entry.name, result.output)
        err.print(f"[dim]thread: {result.thread_id}[/dim]")
    return 0


class _FailedRun(Exception):
    def __init__(self, cause: BaseException, graph: str, thread: str) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.graph = graph
        self.thread = thread


def _error(err: Console, message: str) -> None:
    err.print(Text.assemble(("error: ", "red"), message), soft_wrap=True, highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    args = _parser().parse_args(argv)
    console, err = Console(), Console(stderr=True)
    try:
        if args.command == "graphs":
            for entry in GRAPHS.values():
                console.print(f"[bold]{entry.name:<20}[/bold] {entry.description}")
            return 0
        if args.command == "demo":
            from app.demo import demo

            return asyncio.run(demo(console, args.provider, args.latency))
        return asyncio.run(_run(args, console, err))
    except _FailedRun as failed:
        _error(err, f"{type(failed.cause).__name__}: {failed.cause}")
        err.print(
            "completed stages are saved; after fixing the cause, continue with: "
            f"stagecraft resume {failed.graph} {failed.thread}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return 1
    except _USER_ERRORS as exc:
        _error(err, str(exc))
        return 2
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
