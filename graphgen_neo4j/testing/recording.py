"""What the scripted server saw: every request as a ``RecordedRequest``, kept in a thread-safe
``RequestLog`` that tests read while the server runs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    task: str
    headers: Mapping[str, str]
    body: Mapping[str, Any] | None
    arrived: float  # time.monotonic()
    fault: str | None = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages") or [])

    @property
    def params(self) -> dict[str, Any]:
        return {k: v for k, v in (self.body or {}).items() if k != "messages"}


class RequestLog:
    """The requests received so far, appended by the server's loop and read by tests (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
