"""Bad input on every subcommand gets one line and exit 2 (1 where a service or the run failed), never a traceback.

The table runs in-process through `app.cli.main`; what could hang or read without end if it
regressed (a named pipe nobody writes to, /dev/zero) is run through the installed entry point,
with a timeout, in integration_tests/test_cli_process.py.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from app import cli

TEXT = "My router is broken."


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder of bad inputs: binary, empty, blank, malformed JSONL of every shape, a folder."""
    (tmp_path / "binary.dat").write_bytes(b"\xff\xfe\x00\x81 not text \x00" * 50)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "ok.jsonl").write_text(json.dumps({"id": "a", "query": TEXT}) + "\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    lines = {
        "blank.jsonl": "\n   \n\n",
        "array.jsonl": '["a", "b"]\n',
        "scalar.jsonl": "42\n",
        "deep.jsonl": "[" * 100_000 + "]" * 100_000 + "\n",
        "deep-input.jsonl": '{"query": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
        "bigint-id.jsonl": '{"id": ' + "9" * 5000 + ', "query": "My router is broken."}\n',
        "object-id.jsonl": '{"id": {"x": 1}, "query": "My router is broken."}\n',
        "input-array.jsonl": '{"id": 1, "input": [1, 2]}\n',
        "huge-line.jsonl": json.dumps({"query": "word " * 200_000}) + "\n",
    }
    for name, text in lines.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.jsonl").write_bytes(b'{"query": "caf\xe9"}\n')
    return tmp_path


RUNS = ("--runs-db", "{tmp}/runs.sqlite")

CASES: list[tuple[tuple[str, ...], str]] = [
    # Numbers: nan, inf, nothing, negative, too large, not whole.
    (("run", "router", TEXT, "--budget", "0"), "--budget: must be a number of dollars above 0"),
    (("run", "router", TEXT, "--budget", "inf"), "--budget: must be a number of dollars above 0"),
    (("run", "router", TEXT, "--budget", "nan"), "--budget: must be a number of dollars above 0"),
    (("run", "router", TEXT, "--budget", "1e-400"), "--budget: must be a number of dollars above 0"),
    (("run", "router", TEXT, "--latency", "nan"), "offline_latency"),
    (("run", "router", TEXT, "--latency", "1e308"), "offline_latency"),
    (("run", "router", TEXT, "--questions", "-1"), "--questions: must be at least 1"),
    (("run", "router", TEXT, "--questions", "1e12"), "--questions: '1e12' is not a whole number"),
    (("batch", "router", "{tmp}/ok.jsonl", "--workers", "99999999999999999999"), "--workers: must be at most"),
    (("batch", "router", "{tmp}/ok.jsonl", "--concurrency", "10000000"), "--concurrency: must be at most 1000"),
    (("batch", "router", "{tmp}/ok.jsonl", "--budget", "0"), "--budget: must be a number of dollars above 0"),
    (("threads", "--limit", "1e12"), "--limit: '1e12' is not a whole number"),
    (("threads", "--prune", "1e308"), "--prune: must be at most"),
    (("threads", "--prune", "inf"), "--prune: must be at most"),
    (("demo", "--latency", "nan"), "offline_latency"),
    (("demo", "--provider", "bogus"), "unknown provider 'bogus'"),
    # Files: a device, a folder, binary, empty.
    (("run", "router", "--file", "/dev/null"), "query is empty"),
    (("run", "router", "--file", "{tmp}/folder"), "cannot read"),
    (("run", "router", "--file", "{tmp}/binary.dat"), "is not UTF-8 text"),
    (("run", "router", "--file", "{tmp}/empty.txt"), "query is empty"),
    (("run", "router", "--file", "/dev/zero"), "more than 100,000 characters long"),
    (("batch", "router", "/dev/zero"), "it is a device, not a file or a folder"),
    (("batch", "router", "/dev/null"), "it is a device, not a file or a folder"),
    (("batch", "router", "{tmp}/binary.dat"), ":1 is not UTF-8 text"),
    (("batch", "router", "{tmp}/empty.txt"), "holds no items"),
    (("batch", "router", "{tmp}/folder"), "holds no items"),
    (("eval", "routing", "/dev/zero"), "it is a device, not a file"),
    (("eval", "routing", "{tmp}/folder"), "it is a folder, not a file"),
    # JSONL lines of the wrong shape.
    (("batch", "router", "{tmp}/blank.jsonl"), "holds no items"),
    (("batch", "router", "{tmp}/array.jsonl"), ":1 must be a JSON object, not list"),
    (("batch", "router", "{tmp}/scalar.jsonl"), ":1 must be a JSON object, not int"),
    (("batch", "router", "{tmp}/deep.jsonl"), ":1 cannot be read as JSON"),
    (("batch", "router", "{tmp}/deep-input.jsonl"), ":1 cannot be read as JSON"),
    (("batch", "router", "{tmp}/bigint-id.jsonl"), ":1 cannot be read as JSON"),
    (("batch", "router", "{tmp}/object-id.jsonl"), ":1: id must be text or a whole number"),
    (("batch", "router", "{tmp}/input-array.jsonl"), ":1: input must be a JSON object, not list"),
    (("batch", "router", "{tmp}/huge-line.jsonl"), ":1 is longer than"),
    (("batch", "router", "{tmp}/latin1.jsonl"), ":1 is not UTF-8 text"),
    # Where results and runs go.
    (("batch", "router", "{tmp}/ok.jsonl", "--out", "{tmp}/folder"), "cannot write results to"),
    (("batch", "router", "{tmp}/ok.jsonl", "--out", "/dev/null"), "it is a device, not a file"),
    (("batch", "router", "{tmp}/ok.jsonl", "--runs-db", "{tmp}/folder"), "checkpointer"),
    (("batch", "router", "{tmp}/ok.jsonl", "--checkpointer", "mysql://x"), "STAGECRAFT_CHECKPOINTER"),
    (("batch", "router", "{tmp}/ok.jsonl", "--stream"), "unrecognized arguments: --stream"),
    (("run", "router", TEXT, "--runs-db", "{tmp}/folder"), "checkpointer"),
    (("run", "router", TEXT, "--checkpointer", "sqlite:///"), "STAGECRAFT_CHECKPOINTER"),
    (("threads", "--runs-db", "{tmp}/folder"), "checkpointer"),
    (("threads", "--runs-db", "/dev/null"), "checkpointer"),
    (("threads", "--prune", "1", "--checkpointer", "mysql://x"), "STAGECRAFT_CHECKPOINTER"),
    (("show", "abc", "--runs-db", "{tmp}/binary.dat"), "checkpointer"),
    (("resume", "abc", "--checkpointer", "memory://x"), "STAGECRAFT_CHECKPOINTER"),
    # Thread ids and graph names.
    (("show", "", *RUNS), "'' is not a thread id"),
    (("show", "x" * 300, *RUNS), "is not a thread id"),
    (("show", "bad\udcffbytes", *RUNS), "is not a thread id"),
    (("resume", "a\nb", *RUNS), "is not a thread id"),
    (("show", "no-such-thread", *RUNS), "no run with thread id 'no-such-thread'"),
    (("resume", "../../etc/passwd", *RUNS), "no run with thread id"),
    (("resume", "router", "a", "b", *RUNS), "resume takes a thread id"),
    (("run", "", TEXT), "unknown graph ''"),
    (("batch", "nograph", "{tmp}/ok.jsonl"), "unknown graph 'nograph'"),
    (("run", "router", "bad \udcff bytes"), "TEXT is not UTF-8 text"),
    (("graphs", "extra"), "unrecognized arguments: extra"),
    # Empty values, which used to mean the default store, provider or the current folder.
    (("batch", "router", ""), "argument inputs: is empty"),
    (("run", "router", TEXT, "--checkpointer", ""), "argument --checkpointer: is empty"),
    (("threads", "--runs-db", " "), "argument --runs-db: is empty"),
    (("run", "router", TEXT, "--provider", ""), "argument --provider: is empty"),
    (("eval", "routing", ""), "argument dataset: is empty"),
]


@pytest.mark.parametrize(("args", "says"), CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], says: str, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main([arg.format(tmp=files) for arg in args])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert says in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err + out
    assert not list(files.glob("*.results.jsonl"))  # nothing ran, nothing was written


@pytest.mark.parametrize(
    ("graph", "data", "says"),
    [
        ("router", b"\xff\xfe bad \x81 bytes", "standard input is not UTF-8 text"),
        ("router", b"", "query is empty"),
        ("router", b"a" * 500_000, "standard input is more than 100,000 characters long"),
        ("faq", b"[" * 40_000 + b"]" * 40_000, "the sources look like JSON but do not parse"),
        ("faq", b"[1, 2", "the sources look like JSON but do not parse"),
    ],
)
def test_bad_standard_input_is_an_input_error(
    graph: str, data: bytes, says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = cli.main(["run", graph, "--latency", "0"])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert says in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err + out


def test_an_unreachable_store_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["threads", "--checkpointer", "postgresql://nobody@127.0.0.1:1/x"])
    err = capsys.readouterr().err
    assert code == 1 and "unreachable" in err and len(err.strip().splitlines()) == 1, err
