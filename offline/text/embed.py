"""Sentence embeddings from WordLlama, loaded once, on first use, from the files its wheel ships.

WordLlama (l2_supercat, 256 dimensions) averages token vectors distilled from a large language
model's embedding table: about 16 MB of weights and a tokenizer file, both inside the wheel, and a
sentence costs a tokenizer call plus a mean, well under a millisecond. It is the engine's (and the
semantic cache's) one embedder; nothing here may reach the network. The engine's other tables
(`lexemes`' parts of speech, `related`'s words) are read on first use by the stages that need them,
in the engine's worker thread: a run that needs only the embedder (the router) never reads them.

The mean is taken here, text by text, rather than by WordLlama's own `embed`: that one pads each
batch of 64 texts to its longest, so one 100,000-character text among short ones cost 64 times
its length in time and gigabytes in memory. The sums are the same, token after token, so the
vectors are too, bit for bit.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from tokenizers import Tokenizer

DIMENSIONS = 256
CONFIG = "l2_supercat"


class EmbedderUnavailable(RuntimeError):
    """The embedding model's files are not where its wheel puts them."""


@dataclass(frozen=True)
class Model:
    """WordLlama's token vectors and its tokenizer, set never to pad (nothing changes either once loaded)."""

    vectors: npt.NDArray[np.float32]
    tokenizer: Tokenizer


_lock = threading.Lock()
_loaded: list[Model] = []


def model() -> Model:
    """Return the WordLlama model, loading it on first call from the installed package only."""
    if not _loaded:
        with _lock:  # another thread may be loading it: wait for that instead of loading twice
            if not _loaded:
                _loaded.append(_load())
    return _loaded[0]


def _load() -> Model:
    # The tokenizer library would warn after a fork if it had used its thread pool; the engine
    # embeds a handful of short texts at a time, where threads buy nothing.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import numpy as np
    from safetensors import safe_open
    from tokenizers import Tokenizer

    # The two files WordLlama's wheel ships, read as its own loader reads them (the weights'
    # "embedding.weight" tensor as contiguous float32, the tokenizer from its JSON), without
    # importing the package: its import configures logging and costs a third of a second of CPU
    # that every process running the engine paid at start. Nothing here can reach a model hub.
    spec = importlib.util.find_spec("wordllama")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        raise EmbedderUnavailable("the wordllama package is not installed")
    package = Path(folders[0])
    weights = package / "weights" / f"{CONFIG}_{DIMENSIONS}.safetensors"
    tokenizer_file = package / "tokenizers" / f"{CONFIG}_tokenizer_config.json"
    try:
        with safe_open(str(weights), framework="np", device="cpu") as tensors:
            vectors = np.ascontiguousarray(tensors.get_tensor("embedding.weight").astype(np.float32))
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
    except (FileNotFoundError, OSError) as exc:
        raise EmbedderUnavailable(f"wordllama's bundled model files are missing: {exc}") from None
    # Set never to pad or truncate: a text is embedded whole, on its own.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Model(vectors, tokenizer)


def embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Return one unit-length row per text (a zero row for a text with no tokens), shape (n, 256)."""
    import numpy as np  # numpy and the model load on first use, so importing a graph stays fast

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    loaded = model()
    # The fast batch skips the offsets nothing here reads: the same ids for a quarter less CPU.
    ids = [encoding.ids for encoding in loaded.tokenizer.encode_batch_fast(texts, add_special_tokens=False)]
    counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(counts.sum()))
    np.clip(flat, 0, len(loaded.vectors) - 1, out=flat)  # as WordLlama does with an id past its table
    rows = loaded.vectors[flat]
    sums = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    end = 0
    for k, count in enumerate(counts.tolist()):
        # A sum along the first axis adds row after row, as WordLlama's padded sum does.
        sums[k] = rows[end : end + count].sum(axis=0, dtype=np.float32)
        end += count
    vectors: npt.NDArray[np.float32] = sums / np.maximum(counts, 1).astype(np.float32)[:, None]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit


def similarity(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Return the cosine similarities of every row of a with every row of b, shape (len(a), len(b))."""
    out: npt.NDArray[np.float32] = a @ b.T
    return out
