"""How long-running stages report progress without knowing about terminals.

Stages take a ``Progress`` and call ``start``/``advance``/``finish``; the CLI passes
one that draws rich progress bars, the library default does nothing.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, task: str, total: int | None = None, **fields: object) -> None:
        """Begin a task (e.g. "extract chunks") with a known or unknown total."""

    def advance(self, task: str, amount: int = 1, **fields: object) -> None:
        """Mark ``amount`` units done; ``fields`` update shown counters (entities=…, calls=…)."""

    def finish(self, task: str) -> None:
        """The task is complete."""


class NullProgress:
    """Reports nothing (library default, tests)."""

    def start(self, task: str, total: int | None = None, **fields: object) -> None:
        pass

    def advance(self, task: str, amount: int = 1, **fields: object) -> None:
        pass

    def finish(self, task: str) -> None:
        pass
