"""Each export format loads in the trainer it is named after: LLaMA-Factory (with the
dataset_info.json entry export writes), TRL's SFTTrainer, OpenAI fine-tuning; and the
``datasets`` library reads every file (when it is installed)."""

from __future__ import annotations

import json
import stat

import pytest

from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.export import (
    FORMATS,
    StoredQA,
    dataset_info_entry,
    export_qa,
    format_record,
    record_schema,
)
from graphgen_neo4j.generate.stage import generate

from .schema_check import errors
from .trainer_rules import llama_factory_convert, openai_format_errors, trl_dataset_type

QA = StoredQA(id="qa-1", question="稻瘟病由什么引起？", answer="稻瘟病菌（Magnaporthe oryzae）。", mode="atomic")
SYSTEM = "You are an agronomist. Answer briefly."


def read(path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("system", [None, SYSTEM])
@pytest.mark.parametrize("fmt", ["alpaca", "sharegpt", "messages"])
def test_llama_factory_reads_question_answer_and_system(fmt, system) -> None:
    record = format_record(QA, fmt, system_prompt=system)
    entry = dataset_info_entry("qa.jsonl", fmt, system_prompt=system is not None)
    assert entry is not None and entry["file_name"] == "qa.jsonl"
    got_system, prompt, response = llama_factory_convert(record, entry)
    assert prompt == [{"role": "user", "content": QA.question}]
    assert response == [{"role": "assistant", "content": QA.answer}]
    assert got_system == (system or "")
    assert errors(record, record_schema(fmt, system_prompt=system is not None)) == []


def test_the_rules_catch_what_the_trainers_reject() -> None:
    chatml_without_tags = {"file_name": "qa.jsonl", "formatting": "sharegpt", "columns": {"messages": "messages"}}
    with pytest.raises(KeyError):  # the issue: role/content need the tags mapping
        llama_factory_convert(format_record(QA, "messages"), chatml_without_tags)
    swapped = {"conversations": [{"from": "gpt", "value": "a"}, {"from": "human", "value": "q"}]}
    with pytest.raises(ValueError, match="invalid role tag"):
        llama_factory_convert(swapped, dataset_info_entry("x", "sharegpt"))
    assert openai_format_errors(format_record(QA, "sharegpt")) == ["missing_messages_list"]
    assert openai_format_errors({"messages": [{"role": "human", "content": "q"}]}) == [
        "unrecognized_role", "example_missing_assistant_message"]
    assert "assistant_message_not_last" in openai_format_errors(
        {"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "q"}]})


@pytest.mark.parametrize("system", [None, SYSTEM])
def test_trl_and_openai_read_messages_and_prompt_completion(system) -> None:
    messages = format_record(QA, "messages", system_prompt=system)
    assert trl_dataset_type(messages) == "conversational"
    assert openai_format_errors(messages) == []
    assert [m["role"] for m in messages["messages"]] == (["system"] if system else []) + ["user", "assistant"]
    pc = format_record(QA, "prompt-completion", system_prompt=system)
    assert trl_dataset_type(pc) == "conversational prompt-completion"
    assert pc["completion"] == [{"role": "assistant", "content": QA.answer}]
    assert dataset_info_entry("qa.jsonl", "prompt-completion") is None  # no LLaMA-Factory converter
    # what docs/generate.md says: TRL does not read alpaca or sharegpt records
    assert trl_dataset_type(format_record(QA, "alpaca")) is None
    assert trl_dataset_type(format_record(QA, "sharegpt")) is None


def test_dataset_info_is_merged_not_clobbered(tmp_path) -> None:
    from graphgen_neo4j.generate.dataset_file import merge_dataset_info

    info = tmp_path / "dataset_info.json"
    info.write_text(json.dumps({"identity": {"file_name": "identity.json"}, "qa": {"file_name": "old.jsonl"}}))
    merge_dataset_info(tmp_path, "qa", dataset_info_entry("qa.jsonl", "sharegpt"))
    data = json.loads(info.read_text())
    assert data["identity"] == {"file_name": "identity.json"}
    assert data["qa"]["file_name"] == "qa.jsonl" and data["qa"]["formatting"] == "sharegpt"
    assert stat.S_IMODE(info.stat().st_mode) == 0o644
    info.write_text("{not json")
    with pytest.raises(GraphGenError, match="dataset_info.json is not valid JSON"):
        merge_dataset_info(tmp_path, "qa", dataset_info_entry("qa.jsonl", "alpaca"))
    assert info.read_text() == "{not json"


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
async def test_every_format_of_a_run_loads_in_its_trainers(graph, rice, synthesizer, tmp_path, suffix) -> None:
    await generate(graph=graph, synthesizer=synthesizer, run_id="gen-1",
                   config=GenerateConfig(modes=["atomic", "aggregated", "multi_hop"]))
    (tmp_path / "dataset_info.json").write_text(json.dumps({"identity": {"file_name": "identity.json"}}))
    for fmt in FORMATS:
        path = tmp_path / f"qa_{fmt}{suffix}"
        report = export_qa(graph, path, fmt=fmt, run_id="gen-1", system_prompt=SYSTEM, with_metadata=True)
        records = read(path)
        assert report.records == len(records) == 10
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        info = json.loads((tmp_path / "dataset_info.json").read_text())
        for record in records:
            assert errors(record, record_schema(fmt, system_prompt=True)) == []
            if fmt == "prompt-completion":
                assert trl_dataset_type(record) == "conversational prompt-completion"
                continue
            entry = info[path.stem]
            assert entry["file_name"] == path.name
            system, prompt, response = llama_factory_convert(record, entry)
            assert system == SYSTEM and len(prompt) == 1 and len(response) == 1
            if fmt == "messages":
                assert openai_format_errors(record) == [] and trl_dataset_type(record) == "conversational"
        assert (fmt == "prompt-completion") == (path.stem not in info)
    assert info["identity"] == {"file_name": "identity.json"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_datasets_library_loads_each_format(tmp_path, fmt) -> None:
    datasets = pytest.importorskip("datasets")
    from graphgen_neo4j.generate.dataset_file import write_dataset

    qas = [QA.model_copy(update={"id": f"qa-{i}", "question": f"{QA.question} {i}"}) for i in range(3)]
    for suffix in (".jsonl", ".json"):
        path = tmp_path / f"{fmt}{suffix}"
        write_dataset(path, [format_record(qa, fmt, system_prompt=SYSTEM, with_metadata=True) for qa in qas],
                      json_lines=suffix == ".jsonl")
        loaded = datasets.load_dataset("json", data_files=str(path), split="train")
        assert loaded.num_rows == 3
        row = loaded[1]
        assert errors({k: v for k, v in row.items() if k != "metadata"}, record_schema(fmt, system_prompt=True)) == []
        if fmt != "prompt-completion":
            entry = dataset_info_entry(path.name, fmt, system_prompt=True)
            assert llama_factory_convert(row, entry)[1][0]["content"] == f"{QA.question} 1"
