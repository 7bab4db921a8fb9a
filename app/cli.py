"""The `stagecraft` command: list graphs, run one, resume a run, list and show threads, evaluate, demo.

Exit codes: 0 done; 1 the run failed (resumable or not, as printed); 2 the command, the input
or the settings are unusable (one line on stderr, nothing was run); 130 interrupted.

This module only parses: listing the graphs and `--help` import nothing heavy (start-up stays
well under a second); every other command lives in `app.commands`.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from app.errors import UsageError, exit_status_for
from state.inputs import TextOptions


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line instead of argparse's usage dump, and the same exit code (2).
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s parser gets the settings' options (reading them imports pydantic)."""
    parser = _Parser(prog="stagecraft", description="LLM workflow patterns on LangGraph.")
    parser.add_argument("--version", action=_ShowVersion, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("graphs", help="list the graphs")

    run_p = sub.add_parser("run", help="run a graph on a text or a file")
    run_p.add_argument("graph", help="graph name (see `stagecraft graphs`)")
    run_p.add_argument("text", nargs="?", help="the input text (or --file, or standard input)")
    run_p.add_argument("--file", type=_path, help="read the input from this file")
    run_p.add_argument("--html", type=_path, metavar="FILE", help="also write a picture of the run to this HTML file")
    _add_run_options(run_p, settings=command == "run")

    resume_p = sub.add_parser("resume", help="continue a failed or killed run from its last checkpoint")
    resume_p.add_argument(
        "ids", nargs="+", type=_thread_id, metavar="[GRAPH] THREAD", help="the thread id printed when the run started"
    )
    decision = resume_p.add_mutually_exclusive_group()
    decision.add_argument(
        "--approve", action="store_true", help="approve what a run waiting for approval would do (see: threads)"
    )
    decision.add_argument(
        "--reject", type=_text, metavar="REASON", help="decline it; the customer's reply says why (300 chars at most)"
    )
    _add_run_options(resume_p, settings=command == "resume")

    threads_p = sub.add_parser("threads", help="list recent runs: thread, graph, started, status, cost")
    threads_p.add_argument("--limit", type=_at_least(1, int), default=20, help="most runs to list (default 20)")
    threads_p.add_argument(
        "--prune",
        type=_at_least(0.01, float, 1e6),
        metavar="DAYS",
        help="delete runs whose last checkpoint is more than DAYS old (at least 0.01, about 15 minutes)",
    )
    _add_store_options(threads_p)

    show_p = sub.add_parser("show", help="print a run's last state and execution report")
    show_p.add_argument("thread", type=_thread_id)
    show_p.add_argument("--json", action="store_true", help="print the state as JSON")
    show_p.add_argument("--html", type=_path, metavar="FILE", help="also write a picture of the run to this HTML file")
    _add_store_options(show_p)

    batch_p = sub.add_parser("batch", help="run a graph over a JSONL file or a folder of texts")
    batch_p.add_argument("graph", help="graph name (see `stagecraft graphs`)")
    batch_p.add_argument("inputs", type=_path, help="a JSONL file (one input object a line) or a folder of text files")
    batch_p.add_argument("--out", type=_path, default=None, help="results JSONL (default: INPUTS.results.jsonl)")
    batch_p.add_argument(
        "--workers",
        type=_at_least(1, int, _WORKERS_PER_CORE * (os.cpu_count() or 1)),
        default=1,
        help=f"worker processes (default 1; at most {_WORKERS_PER_CORE} per core)",
    )
    batch_p.add_argument(
        "--concurrency",
        type=_at_least(1, int, _MOST_CONCURRENCY),
        default=16,
        help=f"items in flight per worker (default 16, at most {_MOST_CONCURRENCY})",
    )
    _add_run_options(batch_p, stream=False, settings=command == "batch")

    eval_p = sub.add_parser("eval", help="score the active provider on a labelled set (see evals/README.md)")
    eval_p.add_argument(
        "kind", help="routing, decomposition, faq or analysis; or a pipeline (its name, or its .yaml file)"
    )
    eval_p.add_argument("dataset", type=_path, help="a JSONL file of labelled examples (a pipeline's: its cases)")
    eval_p.add_argument("--json", action="store_true", help="print the scores as JSON")
    eval_p.add_argument("--provider", type=_text, default="auto", help="offline, openai or auto (default)")
    eval_p.add_argument(
        "--langsmith", action="store_true", help="also record the runs as a LangSmith experiment (LANGSMITH_API_KEY)"
    )

    demo_p = sub.add_parser("demo", help="run every graph on the seeds' examples")
    demo_p.add_argument("--provider", type=_text, default="offline", help="provider (default: offline)")
    demo_p.add_argument("--latency", type=float, default=None, help="simulated seconds per offline call (0-60)")
    return parser


class _ShowVersion(argparse.Action):
    """argparse's version action, looking the version up only when asked (a metadata scan costs 40 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        print(f"stagecraft {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stagecraft")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; `run`'s TEXT may also come after options (`run router --json "..."`).

    argparse gives an optional positional its empty value as soon as it passes it, so a TEXT
    after an option would be "unrecognized": it is taken as the TEXT when nothing else claims it.
    """
    command = next((arg for arg in argv or sys.argv[1:] if not arg.startswith("-")), None)
    parser = _parser(command)
    args, extra = parser.parse_known_args(argv)
    if args.command == "run" and args.text is None and len(extra) == 1 and not extra[0].startswith("-"):
        args.text, extra = extra[0], []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _at_least(minimum: float, kind: type[int] | type[float], most: float = math.inf) -> Callable[[str], float]:
    """An argparse type: a finite number of `kind` from `minimum` to `most`."""
    what = "whole number" if kind is int else "number"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from None
        if not minimum <= value <= most:  # also refuses NaN
            raise argparse.ArgumentTypeError(
                f"must be at least {minimum:g}, not {text}"
                if not value >= minimum
                else f"must be at most {most:g}, not {text}"
            )
        return value

    return parse


def _budget(text: str) -> float:
    """An argparse type: dollars to spend at most, more than nothing and finite."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < math.inf:  # also refuses NaN
        raise argparse.ArgumentTypeError(
            f"must be a number of dollars above 0, not {text} (leave --budget out for no budget)"
        )
    return value


def _text(text: str) -> str:
    """An argparse type: a value that says something (an empty one used to mean the default, silently)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty")
    return text


def _path(text: str) -> Path:
    """An argparse type: a path that names something (an empty one became ".", the current folder)."""
    return Path(_text(text))


def _thread_id(text: str) -> str:
    """An argparse type: a thread id as `stagecraft threads` prints them (or a graph name)."""
    # Undecodable bytes in argv arrive as lone surrogates, which no store can look up.
    if not text or len(text) > 256 or not text.isprintable():
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a thread id (see: stagecraft threads)")
    return text


# More processes than this many per core only cost memory (each loads the models); more items
# in flight per worker than this only wait on each other.
_WORKERS_PER_CORE = 4
_MOST_CONCURRENCY = 1000


def _add_store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--checkpointer",
        type=_text,
        default=None,
        help="sqlite:///path, memory:// or postgresql://... (STAGECRAFT_CHECKPOINTER)",
    )
    p.add_argument("--runs-db", type=_path, default=None, help="shorthand for --checkpointer sqlite:///PATH")


def _add_run_options(p: argparse.ArgumentParser, *, stream: bool = True, settings: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    # Unset unless given, so an option the graph does not read is refused rather than ignored.
    p.add_argument(
        "--language",
        type=_text,
        default=None,
        help=f"summarize_translate: target language (default: {TextOptions.language})",
    )
    p.add_argument(
        "--questions",
        type=_at_least(1, int),
        default=None,
        help=f"faq: number of questions (1-50; default: {TextOptions.questions})",
    )
    p.add_argument(
        "--task", type=_text, default=None, help=f"refine: what to write from the text (default: {TextOptions.task})"
    )
    # Shorthands of settings below, kept for the commands people already type.
    p.add_argument(
        "--budget",
        dest="max_cost_usd",
        type=_budget,
        default=None,
        help="stop starting model calls once this many dollars are spent (max_cost_usd)",
    )
    p.add_argument(
        "--latency", dest="offline_latency", type=float, default=None, help="simulated seconds per offline call (0-60)"
    )
    if stream:  # a batch's items finish interleaved: its progress line is the stream it has
        p.add_argument(
            "--stream", action="store_true", help="print each stage as it finishes and the tokens as they come"
        )
    p.add_argument("--quiet", action="store_true", help="print only the result (no progress on stderr)")
    _add_store_options(p)
    if settings:
        _add_settings_options(p)


def _add_settings_options(p: argparse.ArgumentParser) -> None:
    """Add one option per run setting (`model_fast` -> `--model-fast`), read from the settings model.

    A setting not given stays unset here, so the environment, then `.env`, then the default decide
    (see `state.settings.local_settings`). A new setting needs no code in this module.
    """
    from state.settings import Settings, cli_shape

    for name, field in Settings.model_fields.items():
        shape = cli_shape(field)
        # A pairs option names one pair: --stage-tier summarize=FAST, given once per stage.
        flag = "--" + name.replace("_", "-").removesuffix("s" if shape.kind == "pairs" else "")
        default = "the deployment's ceiling" if field.default_factory is not None else shape.shown
        help_text = f"{field.description} (default: {default})".replace("%", "%%")
        if shape.kind == "bool":
            p.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif shape.kind == "pairs":
            p.add_argument(flag, dest=name, action="append", type=_pair, metavar="STAGE=TIER", help=help_text)
        else:
            p.add_argument(
                flag, dest=name, type=_text, default=None, choices=shape.choices, metavar=name.upper(), help=help_text
            )


def _pair(text: str) -> tuple[str, str]:
    """An argparse type: NAME=VALUE (`--stage-tier summarize=FAST`)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return key.strip(), value.strip()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    try:
        args = _parse(argv)
        if args.command == "graphs":
            from graphs.registry import GRAPHS, description

            # One write, once every description is read: `stagecraft graphs | head` ended in a traceback.
            print("\n".join(f"{name:<20} {description(name)}" for name in GRAPHS))
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
        status = exit_status_for(exc)
        if status is None:
            raise
        commands.error(err, str(exc))
        return status


if __name__ == "__main__":
    sys.exit(main())
