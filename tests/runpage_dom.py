"""Reading a run's HTML page as a browser's parser does, and checking its figures against the ledger."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser

import pytest

from state.execution import critical_path
from state.ledger import ModelCall

# Every element the page is made of; anything else in it was injected.
PAGE_TAGS = set(
    "html head meta title style body main header h1 h2 p code strong section div span b i svg g rect text line "
    "ol li table thead tbody tfoot tr th td".split()
)


class Page(HTMLParser):
    """The page as a browser's parser sees it: its tags, attributes, and the text of each `data-k` figure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.figures: dict[str, list[str]] = defaultdict(list)
        self._open: list[tuple[str, str | None, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        if tag not in ("meta", "line"):  # void in the page
            self._open.append((tag, dict(attrs).get("data-k"), []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, key, text = self._open.pop()
            if key is not None:
                self.figures[key].append("".join(text).strip())
            if self._open:
                self._open[-1][2].extend(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def one(self, key: str) -> str:
        (value,) = self.figures[key]
        return value


# The page shows dollars to the millionth, as the terminal report does: a figure may differ by half that.
HALF_A_MICRODOLLAR = 0.5e-6 * 1.001


def dollars(text: str) -> float:
    assert text.startswith("$"), text
    return float(text[1:])


def check_against_ledger(page: Page, ledger: list[ModelCall]) -> None:
    """Assert every figure the page shows equals what the ledger says."""
    total = sum(c["cost_usd"] or 0.0 for c in ledger)
    assert dollars(page.one("total_cost")) == pytest.approx(total, abs=HALF_A_MICRODOLLAR)
    assert dollars(page.one("cost_usd")) == pytest.approx(total, abs=HALF_A_MICRODOLLAR)
    assert int(page.one("calls")) == len(ledger)
    by_stage: dict[str, list[ModelCall]] = defaultdict(list)
    for call in ledger:
        by_stage[call["stage"]].append(call)
    shown = {key.removeprefix("stage_cost:") for key in page.figures if key.startswith("stage_cost:")}
    assert shown == set(by_stage)
    for stage, calls in by_stage.items():
        assert dollars(page.one(f"stage_cost:{stage}")) == pytest.approx(
            sum(c["cost_usd"] or 0.0 for c in calls), abs=HALF_A_MICRODOLLAR
        )
        assert int(page.one(f"stage_calls:{stage}")) == len(calls)
    hits = sum(c["cache"] in ("exact", "semantic") for c in ledger)
    assert int(page.one("cache_hit_count")) == hits
    assert page.figures["critical_stage"] == critical_path(ledger)[0]
