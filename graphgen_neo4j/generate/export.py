"""Export stored QA as training data, in the format the trainer loads, as JSONL or JSON.

    report = export_qa(graph, "train.jsonl", fmt="messages", run_id="generate-…", system_prompt="…")

The QA are read from Neo4j (those a run produced, or every QA), stale ones and those
``filter`` excluded left out (the report counts the latter), and
written through ``dataset_file.write_dataset``: whole or not at all, never replacing a
dataset with an empty or smaller one unless ``overwrite``, the replaced file kept as
``<name>.prev``. A LLaMA-Factory ``dataset_info.json`` entry is written beside the file.

Record shapes (``RECORD_SCHEMAS`` holds them as JSON Schema; S is the optional system prompt):

* ``alpaca`` (LLaMA-Factory alpaca): ``{"instruction": Q, "input": "", "output": A[, "system": S]}``
* ``sharegpt`` (LLaMA-Factory sharegpt): ``{"conversations": [[{"from": "system", "value": S},]
  {"from": "human", "value": Q}, {"from": "gpt", "value": A}]}``
* ``messages`` (OpenAI fine-tuning, TRL conversational, LLaMA-Factory "openai" style; alias
  ``chatml``): ``{"messages": [[{"role": "system", "content": S},] {"role": "user", "content": Q},
  {"role": "assistant", "content": A}]}``
* ``prompt-completion`` (TRL conversational prompt-completion: loss on the answer only):
  ``{"prompt": [[system,] {"role": "user", "content": Q}], "completion": [{"role": "assistant", "content": A}]}``

``with_metadata`` adds ``"metadata": {id, mode, language, loss, item_loss, run_id,
batch_id, relation_ids, entity_ids, chunk_ids}``: where each QA came from; and for the new
styles ``options``, ``answer_key`` and ``reasoning`` (the question and answer texts hold them
already: options as lettered lines after the stem, the cot chain as numbered lines).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.choices import EXPORT_FORMATS, ExportFormat, parse_format
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import ConfigError, GraphGenError
from graphgen_neo4j.generate.dataset_file import merge_dataset_info, write_dataset

FORMATS = EXPORT_FORMATS


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
    options: list[str] | None = None  # multi_choice, multi_answer (already part of the question text)
    answer_key: list[str] | None = None  # correct letters, the hidden term, "true"/"false"
    reasoning: list[str] | None = None  # cot: the chain (already part of the answer text)

    def metadata(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"question", "answer"})
        return {k: v for k, v in data.items() if v is not None or k not in _STYLE_FIELDS}


_STYLE_FIELDS = ("options", "answer_key", "reasoning")


def _chat(system_prompt: str | None, question: str, answer: str, role: str, text: str,
          user: str, assistant: str) -> list[dict[str, str]]:
    turns = [{role: "system", text: system_prompt}] if system_prompt else []
    return turns + [{role: user, text: question}, {role: assistant, text: answer}]


def format_record(qa: StoredQA, fmt: ExportFormat, *, with_metadata: bool = False,
                  system_prompt: str | None = None) -> dict[str, Any]:
    """One training record in ``fmt`` (an alias such as ``chatml`` is accepted)."""
    fmt = parse_format(fmt)
    record: dict[str, Any]
    if fmt == "alpaca":
        record = {"instruction": qa.question, "input": "", "output": qa.answer}
        if system_prompt:
            record["system"] = system_prompt
    elif fmt == "sharegpt":
        record = {"conversations": _chat(system_prompt, qa.question, qa.answer, "from", "value", "human", "gpt")}
    else:
        turns = _chat(system_prompt, qa.question, qa.answer, "role", "content", "user", "assistant")
        record = {"messages": turns} if fmt == "messages" else {"prompt": turns[:-1], "completion": turns[-1:]}
    if with_metadata:
        record["metadata"] = qa.metadata()
    return record


def dataset_info_entry(file_name: str, fmt: ExportFormat, *, system_prompt: bool = False) -> dict[str, Any] | None:
    """The LLaMA-Factory ``dataset_info.json`` entry that loads a file of ``fmt`` (None: it cannot)."""
    if fmt == "alpaca":
        columns = {"prompt": "instruction", "query": "input", "response": "output"}
        if system_prompt:
            columns["system"] = "system"
        return {"file_name": file_name, "columns": columns}
    if fmt == "sharegpt":  # a leading {"from": "system"} turn is read as the system prompt by default
        return {"file_name": file_name, "formatting": "sharegpt", "columns": {"messages": "conversations"}}
    if fmt == "messages":
        return {"file_name": file_name, "formatting": "sharegpt", "columns": {"messages": "messages"},
                "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                         "assistant_tag": "assistant", "system_tag": "system"}}
    return None  # prompt-completion is TRL's; LLaMA-Factory has no converter for it


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
        **{key: {"type": "array", "items": {"type": "string"}} for key in _STYLE_FIELDS},
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


def _turns(role_key: str, text_key: str, roles: list[str]) -> dict[str, Any]:
    return {"type": "array", "minItems": len(roles), "maxItems": len(roles),
            "prefixItems": [_turn(role_key, role, text_key) for role in roles]}


def record_schema(fmt: ExportFormat, *, system_prompt: bool = False) -> dict[str, Any]:
    """JSON Schema of a record of ``fmt``, with or without the system prompt."""
    system = ["system"] if system_prompt else []
    properties: dict[str, Any]
    if fmt == "alpaca":
        properties = {"instruction": _text("the question"), "input": {"type": "string", "const": ""},
                      "output": _text("the answer")}
        if system_prompt:
            properties["system"] = _text("the system prompt")
    elif fmt == "sharegpt":
        properties = {"conversations": _turns("from", "value", system + ["human", "gpt"])}
    elif fmt == "messages":
        properties = {"messages": _turns("role", "content", system + ["user", "assistant"])}
    else:
        properties = {"prompt": _turns("role", "content", system + ["user"]),
                      "completion": _turns("role", "content", ["assistant"])}
    return {"type": "object", "required": list(properties),
            "properties": {**properties, "metadata": _METADATA_SCHEMA}, "additionalProperties": False}


RECORD_SCHEMAS: dict[ExportFormat, dict[str, Any]] = {fmt: record_schema(fmt) for fmt in FORMATS}


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


def write_records(path: str | Path, records: Iterable[dict[str, Any]], *, json_lines: bool,
                  overwrite: bool = False) -> int:
    """Write records atomically, never over a larger dataset unless ``overwrite`` (``dataset_file``)."""
    return write_dataset(path, records, json_lines=json_lines, overwrite=overwrite)


def read_qa(graph: Graph, run_id: str | None = None) -> list[StoredQA]:
    """QA to export: those run ``run_id`` produced or reused, or all; stale ones left out."""
    return [StoredQA(**row) for row in graph.read("generate/export_qa", {"run_id": run_id})]


class ExportReport(BaseModel):
    path: str
    format: str
    json_lines: bool
    records: int
    with_metadata: bool
    run_id: str | None
    by_mode: dict[str, int]
    system_prompt: str | None = None
    previous: str | None = None  # where the replaced file was kept
    dataset_info: str | None = None  # the LLaMA-Factory dataset_info.json written beside the file
    filtered: int = 0  # QA left out because `filter` excluded them


def export_qa(
    graph: Graph,
    output: str | Path,
    *,
    fmt: ExportFormat | str,
    run_id: str | None = None,
    with_metadata: bool = False,
    json_lines: bool | None = None,
    system_prompt: str | None = None,
    overwrite: bool = False,
) -> ExportReport:
    """Write the stored QA (of a run, or all) to ``output`` in ``fmt``, and its dataset_info.json entry."""
    fmt = parse_format(fmt)
    system_prompt = (system_prompt or "").strip() or None
    lines = json_lines_for(output, json_lines)
    if run_id is not None and not graph.read("generate/run_exists", {"run_id": run_id}):
        raise GraphGenError(f"no run {run_id!r} in the graph: see `MATCH (r:Run) RETURN r.id` for the ids")
    qas = read_qa(graph, run_id)
    filtered = graph.read("filter/count_filtered", {"run_id": run_id})[0]["filtered"]
    target = Path(output)
    existed = target.exists()
    records = (format_record(qa, fmt, with_metadata=with_metadata, system_prompt=system_prompt) for qa in qas)
    count = write_records(target, records, json_lines=lines, overwrite=overwrite)
    entry = dataset_info_entry(target.name, fmt, system_prompt=system_prompt is not None)
    info = merge_dataset_info(target.parent, target.stem, entry) if entry else None
    return ExportReport(
        path=str(output),
        format=fmt,
        json_lines=lines,
        records=count,
        with_metadata=with_metadata,
        run_id=run_id,
        by_mode=dict(Counter(qa.mode or "?" for qa in qas)),
        system_prompt=system_prompt,
        previous=str(target.with_name(target.name + ".prev")) if existed else None,
        dataset_info=str(info) if info else None,
        filtered=filtered,
    )
