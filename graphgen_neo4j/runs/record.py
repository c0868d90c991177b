"""Run records: every command that changes the graph leaves a ``:Run`` node.

A run stores its configuration (secrets masked), the versions involved, when each
stage started and how long it took, LLM calls and tokens per stage and model,
counts, and how it ended — so ``MATCH (r:Run) RETURN r`` in Browser is the history.

A run that did not complete (killed, failed) is resumed by the next ``run`` with
the same configuration: same run id, so finished batches are not redone.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

from graphgen_neo4j.db.graph import Graph

SECRET_NAME = re.compile(r"(api_?key|password|secret|token)$", re.IGNORECASE)
MASK = "***"


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of secret-looking environment variables (to scrub from anything stored or shown)."""
    env = os.environ if environ is None else environ
    return [v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= 4]


def mask_secrets(value: Any, secrets: list[str] | None = None) -> Any:
    """A copy of ``value`` with secret-named keys masked and known secret values scrubbed."""
    secrets = secret_values() if secrets is None else secrets
    if isinstance(value, dict):
        return {
            k: (MASK if SECRET_NAME.search(str(k)) and v not in (None, "") else mask_secrets(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [mask_secrets(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
    return value


def config_hash(config: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def new_run_id(command: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{command}-{stamp}-{os.urandom(2).hex()}"


def versions(graph: Graph | None = None) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("graphgen-neo4j", "neo4j", "openai", "tiktoken"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    if graph is not None:
        info = graph.server_info()
        found["neo4j-server"] = f"{info.get('version')} {info.get('edition')}"
    return found


class RunRecorder:
    """Writes one ``:Run`` node and its stage timings as a command goes."""

    def __init__(self, graph: Graph, command: str, config: Mapping[str, Any], *, resume: bool = True):
        self.graph = graph
        self.command = command
        self.config = mask_secrets(dict(config))
        self.config_hash = config_hash(self.config)
        self.stage_timings: dict[str, dict[str, Any]] = {}
        self.counts: dict[str, Any] = {}
        self.resumed = False
        unfinished = graph.read("runs/unfinished", {"command": command,
                                                    "config_hash": self.config_hash}) if resume else []
        if unfinished:
            self.run_id, self.resumed = unfinished[0]["id"], True
        else:
            self.run_id = new_run_id(command)
        graph.run(
            "runs/start",
            {"id": self.run_id, "command": command, "config_hash": self.config_hash,
             "config_json": json.dumps(self.config, ensure_ascii=False, default=str),
             "versions_json": json.dumps(versions(graph))},
        )

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage; its entry records the seconds it took and whether it finished."""
        started = time.monotonic()
        entry = {"started_at": datetime.now(timezone.utc).isoformat(), "finished": False}
        self.stage_timings[name] = entry
        try:
            yield
            entry["finished"] = True
        finally:
            entry["seconds"] = round(time.monotonic() - started, 3)

    def finish(self, status: str, ledger: Any = None, error: str | None = None) -> None:
        """Store the outcome (``completed``, ``failed`` or ``interrupted``) and the token ledger."""
        totals = ledger.totals() if ledger is not None else None
        self.graph.run(
            "runs/finish",
            {"id": self.run_id, "status": status, "error": mask_secrets(error) if error else None,
             "stage_timings_json": json.dumps(self.stage_timings),
             "ledger_json": json.dumps(ledger.to_dict() if ledger is not None else {}),
             "counts_json": json.dumps(mask_secrets(self.counts), ensure_ascii=False, default=str),
             "llm_calls": totals.calls if totals else 0, "tokens": totals.total_tokens if totals else 0},
        )
