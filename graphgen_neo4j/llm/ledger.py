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

A role served by a pool of endpoints (``llm/pooled.py``) also gets one row per endpoint
(``endpoint_rows``): ``calls``, ``requests``, ``errors`` (failed requests, retried
elsewhere or not), tokens, ``outages`` (times it was taken out) and ``busy_ms`` (time
with requests of its own in flight, summed over requests); ``busy_share`` is its part of
the role's busy time.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, ConfigDict

_COUNTERS = (
    "calls", "cached", "failures", "retries", "prompt_tokens", "completion_tokens", "requests", "reasks", "deduped",
)

_ENDPOINT_COUNTERS = ("calls", "requests", "errors", "prompt_tokens", "completion_tokens", "busy_ms", "outages")


class EndpointRow(BaseModel):
    """Counts for one endpoint of a role's pool."""

    model_config = ConfigDict(frozen=True)

    role: str
    base_url: str
    model: str
    calls: int = 0
    requests: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    busy_ms: int = 0
    outages: int = 0
    busy_share: float = 0.0


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
        self._endpoints: dict[tuple[str, str, str], dict[str, int]] = {}

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

    def add_endpoint(self, role: str, base_url: str, model: str, **counts: int) -> None:
        """Add to the counters of one endpoint of a pool (``calls=1, busy_ms=120, …``)."""
        unknown = set(counts) - set(_ENDPOINT_COUNTERS)
        if unknown:
            raise ValueError(f"unknown endpoint counters: {sorted(unknown)}")
        with self._lock:
            row = self._endpoints.setdefault((role, base_url, model), dict.fromkeys(_ENDPOINT_COUNTERS, 0))
            for name, value in counts.items():
                row[name] += value

    def endpoint_rows(self) -> list[EndpointRow]:
        """Rows by role and endpoint, in the order the endpoints were first used."""
        with self._lock:
            items = list(self._endpoints.items())
        busy: dict[str, int] = {}
        for (role, _, _), counts in items:
            busy[role] = busy.get(role, 0) + counts["busy_ms"]
        rows = [EndpointRow(role=r, base_url=u, model=m, **c, busy_share=c["busy_ms"] / busy[r] if busy[r] else 0.0)
                for (r, u, m), c in items]
        return sorted(rows, key=lambda row: row.role)

    def rows(self) -> list[LedgerRow]:
        """Rows sorted by stage, role, model."""
        with self._lock:
            items = sorted(self._counts.items())
            reasons = {key: dict(sorted(value.items())) for key, value in self._reasons.items()}
        return [
            LedgerRow(stage=s, role=r, model=m, failure_reasons=reasons.get((s, r, m), {}), **c) for (s, r, m), c in items
        ]

    def stage_counts(self, stage: str) -> dict[str, int]:
        """The counters of ``stage`` summed over roles and models (cheap enough to call per item)."""
        sums = dict.fromkeys(_COUNTERS, 0)
        with self._lock:
            for (row_stage, _, _), counts in self._counts.items():
                if row_stage == stage:
                    for name, value in counts.items():
                        sums[name] += value
        return sums

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
        data: dict[str, Any] = {
            "rows": [row.model_dump() for row in self.rows()],
            "totals": self.totals().model_dump(exclude={"stage", "role", "model"}),
        }
        endpoints = self.endpoint_rows()
        if endpoints:  # only a pool has them
            data["endpoints"] = [row.model_dump() for row in endpoints]
        return data

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
        for row in data.get("endpoints", []):
            counts = {k: int(row.get(k, 0)) for k in _ENDPOINT_COUNTERS}
            ledger.add_endpoint(row["role"], row["base_url"], row["model"], **counts)
        return ledger
