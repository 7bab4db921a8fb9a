"""The `stagecraft` command: list graphs, run one, resume a run, list and show threads, evaluate, demo.

Exit codes: 0 done; 1 the run failed (resumable or not, as printed); 2 the command, the input
or the settings are unusable (one line on stderr, nothing was run); 130 interrupted.

This module only parses: listing the graphs and `--help` import nothing heavy (start-up stays
well under a second); every other command lives in `app.commands`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from app.registry import GRAPHS, RunOptions


class UsageError(Exception):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line instead of argparse's usage dump, and the same exit code (2).
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stagecraft", description="LLM workflow patterns on LangGraph.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("graphs", help="list the graphs")

    run_p = sub.add_parser("run", help="run a graph on a text or a file")
    run_p.add_argument("graph", help="graph name (see `stagecraft graphs`)")
    run_p.add_argument("text", nargs="?", help="the input text (or --file, or standard input)")
    run_p.add_argument("--file", type=Path, help="read the input from this file")
    _add_run_options(run_p)

    resume_p = sub.add_parser("resume", help="continue a failed or killed run from its last checkpoint")
    resume_p.add_argument("ids", nargs="+", metavar="[GRAPH] THREAD", help="the thread id printed when the run started")
    _add_run_options(resume_p)

    threads_p = sub.add_parser("threads", help="list recent runs: thread, graph, started, status, cost")
    threads_p.add_argument("--limit", type=_at_least(1, int), default=20, help="most runs to list (default 20)")
    threads_p.add_argument(
        "--prune",
        type=_at_least(0.01, float),
        metavar="DAYS",
        help="delete runs whose last checkpoint is more than DAYS old (at least 0.01, about 15 minutes)",
    )
    _add_store_options(threads_p)

    show_p = sub.add_parser("show", help="print a run's last state and execution report")
    show_p.add_argument("thread")
    show_p.add_argument("--json", action="store_true", help="print the state as JSON")
    _add_store_options(show_p)

    batch_p = sub.add_parser("batch", help="run a graph over a JSONL file or a folder of texts")
    batch_p.add_argument("graph", help="graph name (see `stagecraft graphs`)")
    batch_p.add_argument("inputs", type=Path, help="a JSONL file (one input object a line) or a folder of text files")
    batch_p.add_argument("--out", type=Path, default=None, help="results JSONL (default: INPUTS.results.jsonl)")
    batch_p.add_argument("--workers", type=_at_least(1, int), default=1, help="worker processes (default 1)")
    batch_p.add_argument(
        "--concurrency", type=_at_least(1, int), default=16, help="items in flight per worker (default 16)"
    )
    _add_run_options(batch_p)

    eval_p = sub.add_parser("eval", help="score the active provider on a labelled set (see evals/README.md)")
    eval_p.add_argument("kind", choices=["routing", "decomposition", "faq", "analysis"])
    eval_p.add_argument("dataset", type=Path, help="a JSONL file of labelled examples")
    eval_p.add_argument("--json", action="store_true", help="print the scores as JSON")
    eval_p.add_argument("--provider", default="auto", help="offline, openai or auto (default)")
    eval_p.add_argument(
        "--langsmith", action="store_true", help="also record the runs as a LangSmith experiment (LANGSMITH_API_KEY)"
    )

    demo_p = sub.add_parser("demo", help="run every graph on the seeds' examples")
    demo_p.add_argument("--provider", default="offline", help="provider (default: offline)")
    demo_p.add_argument("--latency", type=float, default=None, help="simulated seconds per offline call (0-60)")
    return parser


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; `run`'s TEXT may also come after options (`run router --json "..."`).

    argparse gives an optional positional its empty value as soon as it passes it, so a TEXT
    after an option would be "unrecognized": it is taken as the TEXT when nothing else claims it.
    """
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "run" and args.text is None and len(extra) == 1 and not extra[0].startswith("-"):
        args.text, extra = extra[0], []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _at_least(minimum: float, kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value >= minimum:  # also refuses NaN
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}, not {text}")
        return value

    return parse


def _add_store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--checkpointer", default=None, help="sqlite:///path, memory:// or postgresql://... (STAGECRAFT_CHECKPOINTER)"
    )
    p.add_argument("--runs-db", type=Path, default=None, help="shorthand for --checkpointer sqlite:///PATH")


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--provider", default=None, help="offline, openai or auto (default; resume: the run's own)")
    p.add_argument("--language", default="Spanish", help="summarize_translate: target language")
    p.add_argument("--questions", type=int, default=10, help="faq: number of questions (1-50)")
    p.add_argument("--task", default=RunOptions.task, help="refine: what to write from the text")
    p.add_argument(
        "--budget", type=float, default=None, help="stop starting model calls once this many dollars are spent"
    )
    p.add_argument("--no-cache", action="store_true", help="call the model for every stage, even a repeated one")
    p.add_argument("--latency", type=float, default=None, help="simulated seconds per offline call (0-60)")
    p.add_argument("--stream", action="store_true", help="print each stage as it finishes and the tokens as they come")
    p.add_argument("--quiet", action="store_true", help="print only the result (no progress on stderr)")
    _add_store_options(p)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    try:
        args = _parse(argv)
        if args.command == "graphs":
            for entry in GRAPHS.values():
                print(f"{entry.name:<20} {entry.description}")
            return 0
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from rich.console import Console

    from app import commands

    console, err = Console(), Console(stderr=True)
    try:
        return commands.run_command(args, console, err)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:
        status = commands.exit_status_for(exc)
        if status is None:
            raise
        commands.error(err, str(exc))
        return status


if __name__ == "__main__":
    sys.exit(main())
