"""What every scorer shares: a failure record, precision / recall counts, rates and word overlap."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass
class Failure:
    """One example the graph got wrong, with what was expected and what came out."""

    id: str
    expected: Any
    got: Any
    note: str = ""


@dataclass
class PRF:
    """Counts of true positives, false positives and false negatives, with the derived rates."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        """Add counts and recompute the rates."""
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
        # An empty side counts as perfect: no prediction is never a wrong prediction.
        self.precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        self.recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        total = self.precision + self.recall
        self.f1 = 2 * self.precision * self.recall / total if total else 0.0


def rate(hits: int, total: int) -> float:
    """Return hits / total to four places; nothing to score counts as perfect."""
    return round(hits / total, 4) if total else 1.0


# Words that carry no meaning for comparing reasons or answers.
STOP = frozenset(
    """
    a an the and or but of to in on at for with from by as is are was were be been it its this that
    these those i me my we our you your they them their he she his her not no so very too just than
    then there here has have had do does did can could will would should may might must
    """.split()
)


def words(text: str) -> list[str]:
    """Return a text's words, case folded: letters and digits, with an apostrophe's tail kept."""
    return re.findall(r"[0-9a-z]+(?:'[a-z]+)?", str(text).casefold())


def token_f1(a: str, b: str, drop_stopwords: bool = False) -> float:
    """Return the F1 overlap of two texts' word multisets."""
    wa, wb = Counter(words(a)), Counter(words(b))
    if drop_stopwords:
        wa = Counter({w: c for w, c in wa.items() if w not in STOP}) or wa
        wb = Counter({w: c for w, c in wb.items() if w not in STOP}) or wb
    common = sum((wa & wb).values())
    if not common:
        return 0.0
    precision, recall = common / sum(wb.values()), common / sum(wa.values())
    return 2 * precision * recall / (precision + recall)
