"""The on-disk response cache: re-running a stage on the same input makes no LLM calls.

One SQLite file (default ``.graphgen/llm_cache.sqlite`` in the working directory) in
WAL mode, so several processes may read and write it at once. The key is the SHA-256
of everything that decides a reply: endpoint URL, model, messages and the sampling
parameters (temperature, max_tokens, logprobs, response format, sample index).
Replies are stored only once they have been parsed successfully.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

DEFAULT_CACHE_PATH = Path(".graphgen") / "llm_cache.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key        TEXT PRIMARY KEY,
    base_url   TEXT NOT NULL,
    model      TEXT NOT NULL,
    task       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""


def cache_key(base_url: str, model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> str:
    """SHA-256 over endpoint, model, messages and sampling parameters (order-independent)."""
    material = {"base_url": base_url, "model": model, "messages": messages, "params": params}
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """A key → JSON payload store in SQLite, safe across threads and processes."""

    def __init__(self, path: str | Path = DEFAULT_CACHE_PATH):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.execute(_SCHEMA)

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT payload FROM responses WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, payload: dict[str, Any], *, base_url: str = "", model: str = "", task: str = "") -> None:
        blob = json.dumps(payload, ensure_ascii=False)
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses (key, base_url, model, task, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, base_url, model, task, blob, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM responses").fetchone()[0]

    def clear(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM responses")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
