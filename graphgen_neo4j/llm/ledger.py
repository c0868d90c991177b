"""Token ledger: what every stage asked of which model, and what it cost.

One row per (stage, role, model):

* ``calls``: replies an endpoint sent back (cache hits are ``cached`` instead and cost
  no tokens; identical requests that waited for one in flight are ``deduped``);
* ``requests``: every HTTP request that went out, answered or not;
* ``retries``: the extra HTTP attempts among them (the openai client's retries on 429,
  5xx, timeouts; re-sends without an unsupported ``response_format``), counted whether
  the call succeeded or not;
* ``reasks``: requests asked again because the reply was rejected (truncated, no JSON,
  JSON that does not fit);
* ``failures``: calls that ended in an error, also counted by reason
  (``failure_reasons``: ``truncated``, ``invalid``, ``HTTP 500``, …).

Tokens come from the server's ``usage``, or from tiktoken ``cl100k_base`` when the
server reports none.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, ConfigDict

_COUNTERS = (
    "calls", "cached", "failures", "retries", "prompt_tokens", "completion_tokens", "requests", "reasks", "deduped",
)


class LedgerRow(BaseModel):
    """Counts for one (stage, role, model)."""

    model_config = ConfigDict(frozen=True)

    stage: str
    role: str
    model: str
    calls: int = 0
    cached: int = 0
    failures: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    reasks: int = 0
    deduped: int = 0
    failure_reasons: dict[str, int] = {}

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class TokenLedger:
    """Thread- and task-safe counters; one ledger is shared by all clients of a run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, str], dict[str, int]] = {}
        self._reasons: dict[tuple[str, str, str], dict[str, int]] = {}

    def add(self, stage: str, role: str, model: str, **counts: int) -> None:
        """Add to the counters of a row (``calls=1, prompt_tokens=120, …``)."""
        unknown = set(counts) - set(_COUNTERS)
        if unknown:
            raise ValueError(f"unknown ledger counters: {sorted(unknown)}")
        with self._lock:
            row = self._counts.setdefault((stage, role, model), dict.fromkeys(_COUNTERS, 0))
            for name, value in counts.items():
                row[name] += value

    def add_failure(self, stage: str, role: str, model: str, reason: str, count: int = 1) -> None:
        """Count ``count`` failed calls of a row, for ``reason`` (a short label: ``truncated``, ``HTTP 500``)."""
        self.add(stage, role, model, failures=count)
        with self._lock:
            reasons = self._reasons.setdefault((stage, role, model), {})
            reasons[reason] = reasons.get(reason, 0) + count

    def rows(self) -> list[LedgerRow]:
        """Rows sorted by stage, role, model."""
        with self._lock:
            items = sorted(self._counts.items())
            reasons = {key: dict(sorted(value.items())) for key, value in self._reasons.items()}
        return [
            LedgerRow(stage=s, role=r, model=m, failure_reasons=reasons.get((s, r, m), {}), **c) for (s, r, m), c in items
        ]

    def totals(self) -> LedgerRow:
        """All rows summed (stage, role and model read ``*``)."""
        sums = dict.fromkeys(_COUNTERS, 0)
        reasons: dict[str, int] = {}
        for row in self.rows():
            for name in _COUNTERS:
                sums[name] += getattr(row, name)
            for reason, count in row.failure_reasons.items():
                reasons[reason] = reasons.get(reason, 0) + count
        return LedgerRow(stage="*", role="*", model="*", failure_reasons=dict(sorted(reasons.items())), **sums)

    def total_calls(self, *, include_cached: bool = False) -> int:
        """Calls answered by an endpoint (plus cache hits with ``include_cached``)."""
        totals = self.totals()
        return totals.calls + (totals.cached if include_cached else 0)

    def to_dict(self) -> dict[str, Any]:
        """``{"rows": [...], "totals": {...}}``, for storing with a run."""
        return {
            "rows": [row.model_dump() for row in self.rows()],
            "totals": self.totals().model_dump(exclude={"stage", "role", "model"}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenLedger:
        ledger = cls()
        for row in data.get("rows", []):
            reasons = {str(k): int(v) for k, v in (row.get("failure_reasons") or {}).items()}
            counts = {k: int(row.get(k, 0)) for k in _COUNTERS}
            counts["failures"] -= sum(reasons.values())
            ledger.add(row["stage"], row["role"], row["model"], **counts)
            for reason, count in reasons.items():
                ledger.add_failure(row["stage"], row["role"], row["model"], reason, count)
        return ledger
