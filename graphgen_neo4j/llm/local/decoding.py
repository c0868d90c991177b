"""Pure pieces of the decode loop: log-probabilities, top-k, OpenAI's logprob entries, stop strings.

No llama.cpp here: the engine (``engine.py``) calls these on the logits and token bytes it reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable log-softmax of one logit vector (float64 result)."""
    values = np.asarray(logits, dtype=np.float64)
    shifted = values - np.max(values)
    return shifted - math.log(float(np.sum(np.exp(shifted))))


def top_k_indices(logprobs: np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` largest values, largest first (ties by lower index)."""
    if k <= 0:
        return []
    k = min(k, logprobs.shape[0])
    part = np.argpartition(-logprobs, k - 1)[:k]
    return sorted(part.tolist(), key=lambda i: (-float(logprobs[i]), i))


def token_text(piece: bytes) -> str:
    """A token's text for OpenAI's ``token`` field; bytes of a split UTF-8 character show as ``\\xNN``."""
    return piece.decode("utf-8", errors="backslashreplace")


def logprob_entry(piece: bytes, logprob: float, top: Sequence[tuple[bytes, float]]) -> dict[str, Any]:
    """One element of ``choices[0].logprobs.content`` in OpenAI's shape."""
    return {
        "token": token_text(piece),
        "logprob": float(logprob),
        "bytes": list(piece),
        "top_logprobs": [{"token": token_text(p), "logprob": float(lp), "bytes": list(p)} for p, lp in top],
    }


def find_stop(text: str, stops: Sequence[str], search_from: int) -> int:
    """Index of the earliest stop string in ``text[search_from - longest stop:]``, or -1."""
    best = -1
    for stop in stops:
        at = text.find(stop, max(0, search_from - len(stop)))
        if at != -1 and (best == -1 or at < best):
            best = at
    return best
