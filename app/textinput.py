"""Read the text a user hands the CLI: bounded, strictly UTF-8, and never waiting on a pipe nobody writes to.

A file, a device or standard input is read up to a little more than any run may take, so
`/dev/zero` or a huge file costs at most that much; bytes that are not UTF-8 are refused, not
replaced (a surrogate-escaped byte would only fail later, deep inside a run).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from state.inputs import InputError

# Characters read beyond the input limit, so trailing blank lines never make a file too long.
SLACK = 4096


def read_text(stream: BinaryIO, limit: int, source: str) -> str:
    """Return at most `limit` (+ slack) characters of UTF-8 text from `stream`, or raise InputError."""
    # A character is at most four bytes: reading that many can never cut a text within the limit.
    most = (limit + SLACK) * 4
    data = stream.read(most)
    if len(data) >= most:
        raise too_long(source, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} is not UTF-8 text (byte {exc.start + 1} is not)") from None
    if len(text) >= limit + SLACK:
        raise too_long(source, limit)
    return text


def too_long(source: str, limit: int) -> InputError:
    """The error for an input longer than any run may take."""
    return InputError(
        f"{source} is more than {limit:,} characters long; the limit is {limit:,} (STAGECRAFT_MAX_INPUT_CHARS)"
    )


def read_file(path: Path, limit: int) -> str:
    """Return the text of the file at `path` (see read_text); a named pipe is refused, not waited on."""
    try:
        if stat.S_ISFIFO(os.lstat(path).st_mode):
            # Opening one blocks until some program writes to it, which may be never.
            raise InputError(f"{path} is a named pipe; send it on standard input instead (< {path})")
        with path.open("rb") as file:
            return read_text(file, limit, str(path))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def check_regular(path: Path, *, folder: bool = False, use: str = "read") -> bool:
    """Return whether `path` is a folder (if `folder` may be one), else check it is a regular file.

    Raise InputError for anything else: a named pipe would block the reader until some program
    writes to it, a device such as /dev/zero never ends, and a socket cannot be opened.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(f"cannot {use} {path}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode) or (folder and stat.S_ISDIR(mode)):
        return stat.S_ISDIR(mode)
    wanted = "a file or a folder" if folder else "a file"
    raise InputError(f"cannot {use} {path}: it is {_kind(mode)}, not {wanted}")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return name
    return "a special file"
