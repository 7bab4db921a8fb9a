"""A run's HTML page in a real headless Chromium, offline: it renders, and its figures are the ledger's.

Chromium reads the page from a file with every host name unresolvable, so anything the page
tried to fetch would be missing; the rendered DOM (after layout) is read back with --dump-dom.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app import cli
from app.examples import BUSINESS_DOCUMENT, ENERGY_SOURCES
from tests.runpage_dom import PAGE_TAGS, Page, check_against_ledger

pytestmark = pytest.mark.integration

CALL_BLUE, CRITICAL_ORANGE = (0x6B, 0x8F, 0xD6), (0xD9, 0x48, 0x0F)


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with no network and its own profile; return what it printed on stdout."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("headless Chromium is needed: apt-get install -y chromium (see .ci/run)")
    done = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,900",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("graph", ["faq", "document"])
def test_the_page_renders_offline_and_shows_the_ledgers_figures(
    graph: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if graph == "faq":
        source = tmp_path / "sources.json"
        source.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
        extra = ["--questions", "12"]
    else:
        source = tmp_path / "document.txt"
        source.write_text(BUSINESS_DOCUMENT, encoding="utf-8")
        extra = []
    page, runs = tmp_path / f"{graph}.html", tmp_path / "runs.db"
    options = ["--json", "--latency", "0.02", "--runs-db", str(runs), "--html", str(page)]
    code = cli.main(["run", graph, "--file", str(source), *extra, *options])
    out = json.loads(capsys.readouterr().out)
    assert code == 0

    rendered = Page(chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert rendered.tags <= PAGE_TAGS | {"html", "head", "body"}
    check_against_ledger(rendered, out["ledger"])
    assert rendered.one("termination") == "completed"

    shot = tmp_path / f"{graph}.png"
    chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    with Image.open(shot) as image:
        assert image.size == (1200, 900)
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    # The timeline was drawn: bars of model calls and of the critical path (runpage's CSS colours).
    assert {CALL_BLUE, CRITICAL_ORANGE} <= colours
