"""Sentence embeddings from WordLlama, loaded once, on first use, from the files its wheel ships.

WordLlama (l2_supercat, 256 dimensions) averages token vectors distilled from a large language
model's embedding table: about 16 MB of weights and a tokenizer file, both inside the wheel, and a
sentence costs a tokenizer call plus a mean, well under a millisecond. It is the engine's (and the
semantic cache's) one embedder; nothing here may reach the network. Its load also reads the
part-of-speech tables of `lexemes`, so that the engine's one warm-up covers every file it reads.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from wordllama import WordLlamaInference

DIMENSIONS = 256
CONFIG = "l2_supercat"


class EmbedderUnavailable(RuntimeError):
    """The embedding model's files are not where its wheel puts them."""


_lock = threading.Lock()
_loaded: list[WordLlamaInference] = []


def model() -> WordLlamaInference:
    """Return the WordLlama model, loading it on first call from the installed package only."""
    if not _loaded:
        with _lock:  # another thread may be loading it: wait for that instead of loading twice
            if not _loaded:
                _loaded.append(_load())
    return _loaded[0]


def loaded() -> bool:
    """Tell whether the model is in memory (so using it costs no file reads)."""
    return bool(_loaded)


def _load() -> WordLlamaInference:
    # The tokenizer library would warn after a fork if it had used its thread pool; the engine
    # embeds a handful of short texts at a time, where threads buy nothing.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama

    # wordllama calls logging.basicConfig(level=INFO) at import: undo that, the app owns logging.
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    package = Path(wordllama.__file__).parent
    # Its loader looks for the tokenizer in "<package>/tokenizer/" while the wheel ships it in
    # "<package>/tokenizers/"; with cache_dir set to the package folder the second lookup
    # ("<cache_dir>/tokenizers/...") finds it. Downloads stay disabled, so a missing file is an
    # error here instead of a request to a model hub.
    try:
        loaded = wordllama.WordLlama.load(config=CONFIG, dim=DIMENSIONS, cache_dir=package, disable_download=True)
    except FileNotFoundError as exc:
        raise EmbedderUnavailable(f"wordllama's bundled model files are missing: {exc}") from None
    # The part-of-speech tables are the engine's other file read: doing it in this one-off load,
    # which the engine runs off its event loop (engine._ready), keeps every skill free of file I/O.
    from models.offline.text import lexemes

    lexemes.load()
    return loaded


def embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Return one unit-length row per text (a zero row for a text with no tokens), shape (n, 256)."""
    import numpy as np  # numpy and the model load on first use, so importing a graph stays fast

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors: npt.NDArray[np.float32] = np.asarray(model().embed(texts, norm=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit


def similarity(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Return the cosine similarities of every row of a with every row of b, shape (len(a), len(b))."""
    out: npt.NDArray[np.float32] = a @ b.T
    return out
