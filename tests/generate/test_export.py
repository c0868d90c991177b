"""Export: the record formats against their schemas, JSONL and JSON, metadata, atomic writes."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.errors import ConfigError, GraphGenError
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.export import (
    FORMATS,
    RECORD_SCHEMAS,
    StoredQA,
    export_qa,
    format_record,
    json_lines_for,
    parse_format,
    write_records,
)
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.runs.report import load_dataset

from .schema_check import errors

QA = StoredQA(id="qa-1", question="What causes rice blast?", answer="Magnaporthe oryzae.", mode="atomic",
              language="en", loss=1.5, item_loss=2.0, run_id="gen-1", batch_id="b0",
              relation_ids=["rel-1"], entity_ids=["ent-1", "ent-2"], chunk_ids=["chunk-1"])


def read(path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("with_metadata", [False, True])
def test_records_fit_their_schema(fmt, with_metadata) -> None:
    record = format_record(QA, fmt, with_metadata=with_metadata)
    assert errors(record, RECORD_SCHEMAS[fmt]) == []
    assert ("metadata" in record) == with_metadata
    for other in FORMATS:
        if other != fmt:  # the schemas tell the formats apart
            assert errors(record, RECORD_SCHEMAS[other])


def test_the_record_shapes() -> None:
    assert format_record(QA, "alpaca") == {"instruction": QA.question, "input": "", "output": QA.answer}
    assert format_record(QA, "sharegpt") == {"conversations": [
        {"from": "human", "value": QA.question}, {"from": "gpt", "value": QA.answer}]}
    assert format_record(QA, "messages") == format_record(QA, "chatml") == {"messages": [
        {"role": "user", "content": QA.question}, {"role": "assistant", "content": QA.answer}]}
    assert format_record(QA, "prompt-completion") == {"prompt": [{"role": "user", "content": QA.question}],
                                                      "completion": [{"role": "assistant", "content": QA.answer}]}
    meta = format_record(QA, "messages", with_metadata=True)["metadata"]
    assert meta == {"id": "qa-1", "mode": "atomic", "language": "en", "loss": 1.5, "item_loss": 2.0, "run_id": "gen-1",
                    "batch_id": "b0", "relation_ids": ["rel-1"], "entity_ids": ["ent-1", "ent-2"], "chunk_ids": ["chunk-1"]}


def test_schema_checker_catches_broken_records() -> None:
    schema = RECORD_SCHEMAS["sharegpt"]
    assert errors({"conversations": [{"from": "gpt", "value": "a"}, {"from": "human", "value": "q"}]}, schema)
    assert errors({"conversations": [{"from": "human", "value": ""}, {"from": "gpt", "value": "a"}]}, schema)
    assert errors({"instruction": "q", "input": "", "output": "a", "extra": 1}, RECORD_SCHEMAS["alpaca"])
    assert errors({"messages": [{"role": "user", "content": "q"}]}, RECORD_SCHEMAS["messages"])


def test_format_and_file_type_names() -> None:
    assert parse_format("ShareGPT") == "sharegpt" and parse_format("ChatML") == "messages"
    assert parse_format("prompt_completion") == parse_format("Prompt-Completion") == "prompt-completion"
    with pytest.raises(ConfigError, match="unknown export format 'csv'"):
        parse_format("csv")
    assert json_lines_for("a.jsonl") and not json_lines_for("a.JSON")
    with pytest.raises(ConfigError, match="name it .jsonl"):
        json_lines_for("a.txt")


def test_an_interrupted_write_leaves_the_old_file_and_no_part(tmp_path) -> None:
    target = tmp_path / "train.jsonl"
    write_records(target, [{"n": 1}], json_lines=True)

    def records():
        yield {"n": 2}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_records(target, records(), json_lines=True)
    assert read(target) == [{"n": 1}]
    assert [p.name for p in tmp_path.iterdir()] == ["train.jsonl"]
    assert write_records(tmp_path / "new" / "empty.json", [], json_lines=False) == 0
    assert json.loads((tmp_path / "new" / "empty.json").read_text()) == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
async def test_export_of_a_generated_run(graph, rice, synthesizer, tmp_path, fmt, suffix) -> None:
    await generate(graph=graph, synthesizer=synthesizer, run_id="gen-1",
                   config=GenerateConfig(modes=["atomic", "aggregated", "multi_hop"]))
    path = tmp_path / f"train{suffix}"
    report = export_qa(graph, path, fmt=fmt, run_id="gen-1", with_metadata=True)
    records = read(path)
    assert report.records == len(records) == 10 and report.json_lines == (suffix == ".jsonl")
    assert report.by_mode == {"atomic": 6, "aggregated": 2, "multi_hop": 2}
    for record in records:
        assert errors(record, RECORD_SCHEMAS[fmt]) == []
        assert record["metadata"]["run_id"] == "gen-1"
    # The quality report reads what export writes.
    loaded = load_dataset(path)
    assert {r.mode for r in loaded} == {"atomic", "aggregated", "multi_hop"}
    assert all(r.question.startswith("[canned] ") for r in loaded)


async def test_export_by_run_or_all_without_stale(graph, rice, synthesizer, tmp_path) -> None:
    await generate(graph=graph, synthesizer=synthesizer, run_id="gen-1", config=GenerateConfig(modes=["aggregated"]))
    await generate(graph=graph, synthesizer=synthesizer, run_id="gen-2", config=GenerateConfig(modes=["multi_hop"]))
    assert export_qa(graph, tmp_path / "a.jsonl", fmt="alpaca", run_id="gen-1").by_mode == {"aggregated": 2}
    assert export_qa(graph, tmp_path / "b.jsonl", fmt="alpaca").by_mode == {"aggregated": 2, "multi_hop": 2}
    graph.query("MATCH (q:QA {mode: 'multi_hop'}) WITH q LIMIT 1 SET q.stale = true")
    assert export_qa(graph, tmp_path / "c.jsonl", fmt="alpaca").records == 3
    with pytest.raises(GraphGenError, match="no run 'gen-9'"):
        export_qa(graph, tmp_path / "d.jsonl", fmt="alpaca", run_id="gen-9")
    assert not (tmp_path / "d.jsonl").exists()
