"""Export stored QA as training data: Alpaca, ShareGPT or ChatML, as JSONL or JSON.

    report = export_qa(graph, "train.jsonl", fmt="sharegpt", run_id="generate-…", with_metadata=True)

The QA are read from Neo4j (those a run produced, or every QA), stale ones left out.
The file is written next to its final name and renamed into place once complete, so
an interrupted export never leaves half a file (an older file of that name survives).

Record shapes (``RECORD_SCHEMAS`` holds them as JSON Schema):

* ``alpaca``:   ``{"instruction": Q, "input": "", "output": A}``
* ``sharegpt``: ``{"conversations": [{"from": "human", "value": Q}, {"from": "gpt", "value": A}]}``
* ``chatml``:   ``{"messages": [{"role": "user", "content": Q}, {"role": "assistant", "content": A}]}``

``with_metadata`` adds ``"metadata": {id, mode, language, loss, item_loss, run_id,
batch_id, relation_ids, entity_ids, chunk_ids}``: where each QA came from.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import ConfigError, GraphGenError

ExportFormat = Literal["alpaca", "sharegpt", "chatml"]
FORMATS: tuple[ExportFormat, ...] = ("alpaca", "sharegpt", "chatml")
# Upstream's spellings (``output_data_format: Alpaca | Sharegpt | ChatML``).
_FORMAT_ALIASES = {"alpaca": "alpaca", "sharegpt": "sharegpt", "chatml": "chatml"}


def parse_format(value: str) -> ExportFormat:
    name = _FORMAT_ALIASES.get(value.strip().lower().replace("-", "").replace("_", ""))
    if name is None:
        raise ConfigError(f"unknown export format {value!r}: use one of {', '.join(FORMATS)}")
    return name  # type: ignore[return-value]


class StoredQA(BaseModel):
    """A QA as stored in Neo4j (``cypher/generate/export_qa.cypher``)."""

    id: str
    question: str
    answer: str
    mode: str | None = None
    language: str | None = None
    loss: float | None = None
    item_loss: float | None = None
    run_id: str | None = None
    batch_id: str | None = None
    relation_ids: list[str] = []
    entity_ids: list[str] = []
    chunk_ids: list[str] = []

    def metadata(self) -> dict[str, Any]:
        return self.model_dump(exclude={"question", "answer"})


def format_record(qa: StoredQA, fmt: ExportFormat, *, with_metadata: bool = False) -> dict[str, Any]:
    """One training record in ``fmt``."""
    record: dict[str, Any]
    if fmt == "alpaca":
        record = {"instruction": qa.question, "input": "", "output": qa.answer}
    elif fmt == "sharegpt":
        record = {"conversations": [{"from": "human", "value": qa.question}, {"from": "gpt", "value": qa.answer}]}
    elif fmt == "chatml":
        record = {"messages": [{"role": "user", "content": qa.question}, {"role": "assistant", "content": qa.answer}]}
    else:
        raise ConfigError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if with_metadata:
        record["metadata"] = qa.metadata()
    return record


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


_METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "mode", "loss", "run_id", "batch_id", "relation_ids", "entity_ids", "chunk_ids"],
    "properties": {
        "id": {"type": "string"},
        "mode": {"enum": ["atomic", "aggregated", "multi_hop"]},
        "language": {"type": ["string", "null"]},
        "loss": {"type": ["number", "null"]},
        "item_loss": {"type": ["number", "null"]},
        "run_id": {"type": "string"},
        "batch_id": {"type": "string"},
        "relation_ids": {"type": "array", "items": {"type": "string"}},
        "entity_ids": {"type": "array", "items": {"type": "string"}},
        "chunk_ids": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}


def _turn(role_key: str, role: str, text_key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [role_key, text_key],
        "properties": {role_key: {"const": role}, text_key: _text(f"the {role} turn")},
        "additionalProperties": False,
    }


RECORD_SCHEMAS: dict[ExportFormat, dict[str, Any]] = {
    "alpaca": {
        "type": "object",
        "required": ["instruction", "input", "output"],
        "properties": {
            "instruction": _text("the question"),
            "input": {"type": "string", "const": ""},
            "output": _text("the answer"),
            "metadata": _METADATA_SCHEMA,
        },
        "additionalProperties": False,
    },
    "sharegpt": {
        "type": "object",
        "required": ["conversations"],
        "properties": {
            "conversations": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "prefixItems": [_turn("from", "human", "value"), _turn("from", "gpt", "value")],
            },
            "metadata": _METADATA_SCHEMA,
        },
        "additionalProperties": False,
    },
    "chatml": {
        "type": "object",
        "required": ["messages"],
        "properties": {
            "messages": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "prefixItems": [_turn("role", "user", "content"), _turn("role", "assistant", "content")],
            },
            "metadata": _METADATA_SCHEMA,
        },
        "additionalProperties": False,
    },
}


def json_lines_for(path: str | Path, json_lines: bool | None = None) -> bool:
    """JSONL for ``.jsonl``, a JSON array for ``.json``; an explicit choice wins."""
    if json_lines is not None:
        return json_lines
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        return True
    if suffix == ".json":
        return False
    raise ConfigError(f"cannot tell the file type of {str(path)!r}: name it .jsonl (one record a line) or .json (an array)")


def write_records(path: str | Path, records: Iterable[dict[str, Any]], *, json_lines: bool) -> int:
    """Write records atomically: to a temporary file in the same folder, then renamed into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    count = 0
    try:
        with handle:
            if not json_lines:
                handle.write("[")
            for record in records:
                line = json.dumps(record, ensure_ascii=False)
                if json_lines:
                    handle.write(line + "\n")
                else:
                    handle.write(("\n  " if count == 0 else ",\n  ") + line)
                count += 1
            if not json_lines:
                handle.write("\n]\n" if count else "]\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def read_qa(graph: Graph, run_id: str | None = None) -> list[StoredQA]:
    """QA to export: those run ``run_id`` produced or reused, or all; stale ones left out."""
    return [StoredQA(**row) for row in graph.read("generate/export_qa", run_id=run_id)]


class ExportReport(BaseModel):
    path: str
    format: str
    json_lines: bool
    records: int
    with_metadata: bool
    run_id: str | None
    by_mode: dict[str, int]


def export_qa(
    graph: Graph,
    output: str | Path,
    *,
    fmt: ExportFormat | str,
    run_id: str | None = None,
    with_metadata: bool = False,
    json_lines: bool | None = None,
) -> ExportReport:
    """Write the stored QA (of a run, or all) to ``output`` in ``fmt``."""
    fmt = parse_format(fmt)
    lines = json_lines_for(output, json_lines)
    if run_id is not None and not graph.read("generate/run_exists", run_id=run_id):
        raise GraphGenError(f"no run {run_id!r} in the graph: see `MATCH (r:Run) RETURN r.id` for the ids")
    qas = read_qa(graph, run_id)
    count = write_records(output, (format_record(qa, fmt, with_metadata=with_metadata) for qa in qas), json_lines=lines)
    return ExportReport(
        path=str(output),
        format=fmt,
        json_lines=lines,
        records=count,
        with_metadata=with_metadata,
        run_id=run_id,
        by_mode=dict(Counter(qa.mode or "?" for qa in qas)),
    )
