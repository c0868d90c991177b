"""Deterministic embeddings for the scripted server's ``POST /v1/embeddings``.

Not a model: a text's vector is its character 1-, 2- and 3-grams (case-folded, spaces
dropped), each hashed (SHA-256) onto one of ``DIMENSIONS`` coordinates with a sign, then
scaled to unit length. Texts sharing many n-grams are near ("rice blast disease" / "rice
blast"); a Chinese name and its English translation share none and are not. Same text, same
vector, on every machine.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

DIMENSIONS = 64


def scripted_embedding(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    chars = "".join(text.casefold().split())
    vector = [0.0] * dimensions
    for n in (1, 2, 3):
        for i in range(len(chars) - n + 1):
            digest = hashlib.sha256(chars[i:i + n].encode("utf-8")).digest()
            slot = int.from_bytes(digest[:4], "big") % dimensions
            vector[slot] += (1.0 if digest[4] % 2 else -1.0) * n
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 6) for v in vector]


def embeddings_reply(body: Any, model: str) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) answering an embeddings request (``input``: a string or a list of strings)."""
    texts = body.get("input") if isinstance(body, dict) else None
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        return 400, {"error": {"message": "'input' must be a string or a non-empty list of strings", "type": "invalid_request_error", "param": "input"}}
    data = [{"object": "embedding", "index": i, "embedding": scripted_embedding(t)} for i, t in enumerate(texts)]
    tokens = sum(len(t) for t in texts)
    return 200, {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
