"""A learned routing layer stacked on the rules: it decides the router's intent (`classify`).

The weights ship beside this file (`routing_layer.npz`, 146 kB), made by ``python -m
offline.text.routing_layer train offline/text/routing_layer.npz``; ``loso``, ``lolo``, ``loso-text``,
``lolo-text``, ``bench`` and ``holdout`` rerun the measurements below. Issue 18 asked whether a small
learned layer beats the hand-written router on messages nobody tuned it on:

- Features of a message (`features`): the rules' evidence from `intents.evidence` (per-label
  totals relative to the best, cue totals, nearest-meaning leads, the routed label, its
  confidence, the pre-sales / negation / how-to / question flags), the WordLlama embedding of the
  cleaned message (256 numbers), and hashed word and character 3-5-grams of the accent-folded
  words (2**14 buckets, crc32, so the same on every run and platform; typo- and inflection-robust
  in every language).
- Model: multinomial logistic regression with an L2 penalty, fitted by a fixed number of steps of
  Nesterov-accelerated gradient descent from zero, in the dual (the weights are a combination of
  the training rows, so each step costs n*n, not n*features); float64, one BLAS thread: the same
  data gives the same weights bit for bit. Blocks are weighted (rules 0.3, embedding 1, n-grams 1,
  bias 1) and lambda is 3e-4: chosen among ten settings by the leave-one-set-out figures below,
  so those figures are slightly optimistic.
- Decision: the label of highest probability, that probability as the confidence (so the router
  sends anything under 0.5 to General, as it does with the rules' confidence).

Trained ONLY on routing.{dev,dev3,dev4,fresh1,blind3,...,blind9}.jsonl (each blind set joins once scored). The
``holdout`` command trains on all of them and scores routing.fresh2 and routing.holdout once,
printing figures only, never an item.

Results (2026-12-07). Rules: the router's intent today (confidence under 0.5 -> General), the same
figures `stagecraft eval routing` prints. Layer: the stack above. Text only: the same model without
the rules' evidence (lambda 1e-4).

    left out   n    rules  layer  text only      (leave-one-set-out)
    dev        99   1.000  0.980  0.929
    dev3       60   1.000  1.000  0.950
    dev4       60   1.000  1.000  0.950
    fresh1     100  0.980  0.960  0.820
    blind3     100  0.990  0.990  0.930
    blind4     100  0.980  0.990  0.890
    blind5     100  0.990  0.990  0.930
    blind6     100  0.850  0.920  0.900
    blind7     100  0.800  0.830  0.890
    overall    819  0.950  0.958  0.906

The rules' figures are inflated (they were tuned on these very items, blind7 least); the layer
gains where they are not (blind6 +0.07, blind7 +0.03) and gives back 0.02 on dev and fresh1.
Leave-one-language-out: rules 0.950, layer 0.933 (German -0.067), text only 0.628 (a language
must be in the training data). Scored once at the end, trained on all nine sets: fresh2 (100)
rules 0.910, layer 0.920, text only 0.850; holdout (62) 0.984, 0.984, 0.919. CPU per message
(warm, the 819 messages): rules 2.40 ms, rules + layer 2.95 ms (1.23x); the weights are 16,658 x 3
float32, 146 kB compressed. The bar for wiring it in (+0.03 overall leave-one-set-out, no set
worse by more than 0.03) was not met.

That bar was the wrong test: the rules' leave-one-set-out figures are near 1.0 because the rules
were tuned on those very sets, so no layer can show much against them there. The test that counts
came next: blind set 8, written from the label policy alone after the layer and its settings were
fixed, scored once for each candidate: rules 0.770, layer 0.850, text only 0.890 (fresh2 0.910 /
0.920 / 0.850, holdout 0.984 / 0.984 / 0.919). The layer was the candidate named before blind set 8
was scored and it loses nowhere, so it is what `classify_intent` uses; text only, better on blind 8
and worse on fresh2 and the holdout, would be a choice made on blind 8 itself.

Blind set 9, written the same way and scored once: rules 0.730, the layer trained on ten sets
(blind 8 joined, and its text features read with what the customer set aside cut out) 0.820, the
nine-set layer 0.790. Now trained on eleven (blind 9 joined), leave-one-set-out:

    left out   n    rules  layer
    dev        99   1.000  0.990
    dev3       60   1.000  1.000
    dev4       60   1.000  0.983
    fresh1     100  0.980  0.950
    blind3-5   300  0.987  0.987
    blind6     100  0.850  0.920
    blind7     100  0.800  0.860
    blind8     100  0.770  0.890
    blind9     100  0.730  0.820
    overall    1019 0.911  0.939
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from offline.text.embed import DIMENSIONS, embed
from offline.text.intents import GENERAL, LABELS, Evidence, evidence

EVALS = Path(__file__).resolve().parents[2] / "evals"
TRAIN_SETS = ("dev", "dev3", "dev4", "fresh1", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9")
HELD_OUT = ("fresh2", "holdout")  # scored once, at the very end, figures only
BITS = 14
ENGINE_FEATURES = 17
BLOCKS = {"engine": 0.3, "embedding": 1.0, "ngrams": 1.0, "bias": 1.0}
LAMBDA = 3e-4
# The text alone, without the rules' evidence: the comparison that is not flattered by their tuning.
TEXT_ONLY = {"engine": 0.0, "embedding": 1.0, "ngrams": 1.0, "bias": 1.0}
TEXT_ONLY_LAMBDA = 1e-4
STEPS = 800
THRESHOLD = 0.5  # the router's default confidence threshold
MAX_CHARS = 2000
_WORD = re.compile(r"\w+", re.UNICODE)
_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ngram_buckets(text: str, bits: int = BITS) -> list[int]:
    """Return the sorted hash buckets of the text's folded words and their character 3-, 4- and 5-grams."""
    mask, found = (1 << bits) - 1, set()
    for word in _WORD.findall(_fold(text)):
        found.add(zlib.crc32(b"w:" + word.encode()) & mask)
        padded = f"<{word}>"
        for size in (3, 4, 5):
            for at in range(len(padded) - size + 1):
                found.add(zlib.crc32(padded[at : at + size].encode()) & mask)
    return sorted(found)


@dataclass(frozen=True)
class Features:
    """One message's three feature blocks, each scaled to about unit length, and the rules' routed label."""

    engine: npt.NDArray[np.float64]
    embedding: npt.NDArray[np.float64]
    ngrams: list[int]
    routed: str


def features(query: str) -> Features:
    """Compute a message's features: the rules' evidence, its embedding and its hashed n-grams."""
    return features_of(evidence(query))


def features_of(ev: Evidence) -> Features:
    """The features of a message the rules have weighed."""
    top, low = max(ev.total.values()), min(ev.meaning.values())
    routed = ev.label if ev.confidence >= THRESHOLD else GENERAL
    engine = np.array(
        [(ev.total[k] - top) / 10 for k in LABELS]
        + [ev.cues[k] / 10 for k in LABELS]
        + [(ev.meaning[k] - low) * 10 for k in LABELS]
        + [float(routed == k) for k in LABELS]
        + [ev.confidence, ev.presales, ev.unbroken, ev.how_to, ev.question],
        dtype=np.float64,
    ) / np.sqrt(ENGINE_FEATURES)
    # What the customer set aside ("the modem is fine, but...") is no evidence for the text's features
    # either; past its first MAX_CHARS a message adds nothing a router needs (the longest labelled one
    # is 724), and the cost of its features stays bounded whatever its length.
    text = (ev.kept or ev.text)[:MAX_CHARS]
    vector = embed([text])[0].astype(np.float64)
    return Features(engine, vector, ngram_buckets(text), routed)


def load(name: str) -> list[dict[str, object]]:
    """Read one routing set's examples."""
    with (EVALS / f"routing.{name}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def design(feats: list[Features], blocks: dict[str, float] = BLOCKS) -> npt.NDArray[np.float64]:
    """Stack the weighted blocks into one dense matrix (rows: messages)."""
    rows = np.zeros((len(feats), ENGINE_FEATURES + DIMENSIONS + (1 << BITS) + 1))
    for i, f in enumerate(feats):
        rows[i, :ENGINE_FEATURES] = np.sqrt(blocks["engine"]) * f.engine
        rows[i, ENGINE_FEATURES : ENGINE_FEATURES + DIMENSIONS] = np.sqrt(blocks["embedding"]) * f.embedding
        if f.ngrams:
            cols = ENGINE_FEATURES + DIMENSIONS + np.array(f.ngrams)
            rows[i, cols] = np.sqrt(blocks["ngrams"]) / np.sqrt(len(f.ngrams))
        rows[i, -1] = np.sqrt(blocks["bias"])
    return rows


def fit_dual(
    kernel: npt.NDArray[np.float64], labels: npt.NDArray[np.int64], lam: float = LAMBDA
) -> npt.NDArray[np.float64]:
    """Fit L2 multinomial logistic regression in the dual: return a with weights = rows.T @ a."""
    m = len(labels)
    target = np.eye(len(LABELS))[labels]
    step = 1.0 / (0.5 * float(np.linalg.eigvalsh(kernel)[-1]) / m + lam)
    a = np.zeros((m, len(LABELS)))
    ahead, t = a.copy(), 1.0
    for _ in range(STEPS):
        probs = _softmax(kernel @ ahead)
        nxt = ahead - step * ((probs - target) / m + lam * ahead)
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        ahead = nxt + (t - 1) / t_next * (nxt - a)
        a, t = nxt, t_next
    return a


def _softmax(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    out: npt.NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return out


def train(
    feats: list[Features], labels: list[str], blocks: dict[str, float] = BLOCKS, lam: float = LAMBDA
) -> npt.NDArray[np.float64]:
    """Return the weights (features x labels) fitted on these messages."""
    x = design(feats, blocks)
    y = np.array([LABELS.index(label) for label in labels])
    out: npt.NDArray[np.float64] = x.T @ fit_dual(x @ x.T, y, lam)
    return out


def decide(
    weights: npt.NDArray[np.float64], feats: list[Features], blocks: dict[str, float] = BLOCKS
) -> list[tuple[str, float]]:
    """Return each message's label and confidence (its probability) under these weights."""
    probs = _softmax(design(feats, blocks) @ weights)
    return [(LABELS[int(p.argmax())], float(p.max())) for p in probs]


def decide_one(weights: npt.NDArray[np.float64], f: Features) -> tuple[str, float]:
    """The same decision for one message, reading only the n-gram rows it has (as a router call would)."""
    e, d = ENGINE_FEATURES, ENGINE_FEATURES + DIMENSIONS
    scores = np.sqrt(BLOCKS["engine"]) * (f.engine @ weights[:e])
    scores += np.sqrt(BLOCKS["embedding"]) * (f.embedding @ weights[e:d])
    if f.ngrams:
        scores += np.sqrt(BLOCKS["ngrams"]) / np.sqrt(len(f.ngrams)) * weights[d + np.array(f.ngrams)].sum(axis=0)
    scores += np.sqrt(BLOCKS["bias"]) * weights[-1]
    probs = _softmax(scores[None, :])[0]
    return LABELS[int(probs.argmax())], float(probs.max())


WEIGHTS = Path(__file__).with_name("routing_layer.npz")
_lock = threading.Lock()
_loaded: list[npt.NDArray[np.float64]] = []


def weights() -> npt.NDArray[np.float64]:
    """The shipped weights (`python -m offline.text.routing_layer train`), read once under a lock."""
    if not _loaded:
        with _lock:
            if not _loaded:
                with np.load(WEIGHTS) as stored:
                    _loaded.append(stored["weights"].astype(np.float64))
    return _loaded[0]


def classify(ev: Evidence) -> tuple[str, float]:
    """The layer's label for a message the rules have weighed, and its probability as the confidence."""
    return decide_one(weights(), features_of(ev))


def routed(decision: tuple[str, float]) -> str:
    """The router's intent for a (label, confidence): under the threshold it is General."""
    return decision[0] if decision[1] >= THRESHOLD else GENERAL


def _corpus() -> tuple[list[dict[str, object]], list[str], list[Features]]:
    examples, groups = [], []
    for name in TRAIN_SETS:
        for example in load(name):
            examples.append(example)
            groups.append(name)
    return examples, groups, [features(str(e["text"])) for e in examples]


def leave_one_out(by: str, blocks: dict[str, float] = BLOCKS, lam: float = LAMBDA) -> None:
    """Print, per left-out set (or language), the rules' routed accuracy and the layer's."""
    examples, sets, feats = _corpus()
    groups = sets if by == "set" else [str(e.get("lang", "?")) for e in examples]
    gold = [str(e["label"]) for e in examples]
    x = design(feats, blocks)
    kernel = x @ x.T
    y = np.array([LABELS.index(g) for g in gold])
    layer = [""] * len(examples)
    for group in dict.fromkeys(groups):
        test = np.array([g == group for g in groups])
        a = fit_dual(kernel[np.ix_(~test, ~test)], y[~test], lam)
        probs = _softmax(kernel[np.ix_(test, ~test)] @ a)
        for i, p in zip(np.flatnonzero(test), probs, strict=True):
            layer[i] = routed((LABELS[int(p.argmax())], float(p.max())))
    print(f"{'left out':10} {'n':>4} {'rules':>6} {'layer':>6} {'delta':>6}")
    for group in [*dict.fromkeys(groups), "overall"]:
        idx = [i for i, g in enumerate(groups) if group in (g, "overall")]
        rules = sum(feats[i].routed == gold[i] for i in idx) / len(idx)
        learned = sum(layer[i] == gold[i] for i in idx) / len(idx)
        print(f"{group:10} {len(idx):4} {rules:6.3f} {learned:6.3f} {learned - rules:+6.3f}")


def held_out() -> None:
    """Train on every training set and score the two held-out sets once: figures only."""
    examples, _, feats = _corpus()
    labels = [str(e["label"]) for e in examples]
    models = {
        "layer": (BLOCKS, train(feats, labels)),
        "text only": (TEXT_ONLY, train(feats, labels, TEXT_ONLY, TEXT_ONLY_LAMBDA)),
    }
    for name in HELD_OUT:
        test = load(name)
        test_feats = [features(str(e["text"])) for e in test]
        gold = [str(e["label"]) for e in test]
        figures = [f"rules {sum(f.routed == g for f, g in zip(test_feats, gold, strict=True)) / len(gold):.3f}"]
        for model, (blocks, weights) in models.items():
            right = sum(routed(d) == g for d, g in zip(decide(weights, test_feats, blocks), gold, strict=True))
            figures.append(f"{model} {right / len(gold):.3f}")
        print(f"{name:10} {len(gold):4} " + ", ".join(figures))


def bench() -> None:
    """Print the warm CPU per message of the rules alone and of the rules with the layer."""
    examples, _, feats = _corpus()
    texts = [str(e["text"]) for e in examples]
    weights = train(feats, [str(e["label"]) for e in examples])
    for text in texts:
        decide_one(weights, features(text))
    start = time.process_time()
    for text in texts:
        evidence(text)
    rules = (time.process_time() - start) / len(texts)
    start = time.process_time()
    for text in texts:
        decide_one(weights, features(text))
    layer = (time.process_time() - start) / len(texts)
    print(f"rules {rules * 1e6:.0f} us/message, rules + layer {layer * 1e6:.0f} us/message ({layer / rules:.2f}x)")


def main(argv: list[str]) -> int:
    """Run the command the arguments name, in an interpreter whose BLAS uses one thread."""
    if any(os.environ.get(var) != "1" for var in _ONE_THREAD):
        # One BLAS thread sums in one order: the same weights on every run. It is read when numpy
        # loads, so the interpreter starts again with it set.
        env = {**os.environ, **dict.fromkeys(_ONE_THREAD, "1")}
        os.execve(sys.executable, [sys.executable, "-m", "offline.text.routing_layer", *argv], env)
    command = argv[0] if argv else "loso"
    if command in ("loso", "lolo"):
        leave_one_out("set" if command == "loso" else "lang")
    elif command in ("loso-text", "lolo-text"):
        leave_one_out("set" if command == "loso-text" else "lang", TEXT_ONLY, TEXT_ONLY_LAMBDA)
    elif command == "train" and len(argv) == 2:
        examples, _, feats = _corpus()
        weights = train(feats, [str(e["label"]) for e in examples])
        np.savez_compressed(argv[1], weights=weights.astype(np.float32))
    elif command == "holdout":
        held_out()
    elif command == "bench":
        bench()
    else:
        commands = "loso | lolo | loso-text | lolo-text | bench | train OUT.npz | holdout"
        print(f"usage: python -m offline.text.routing_layer [{commands}]")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
