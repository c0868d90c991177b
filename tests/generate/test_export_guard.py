"""An export never destroys a dataset: temp file then rename, no smaller or empty replacement
without --overwrite, the replaced file kept as <name>.prev, a refusal is exit 1 with one line."""

from __future__ import annotations

import json
import stat

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.dataset_file import ReplaceRefused, count_records, write_dataset
from graphgen_neo4j.generate.export import export_qa
from graphgen_neo4j.generate.stage import generate


def rows(n: int) -> list[dict]:
    return [{"n": i} for i in range(n)]


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_smaller_or_empty_dataset_is_refused_and_nothing_changes(tmp_path, suffix) -> None:
    target = tmp_path / f"qa{suffix}"
    write_dataset(target, rows(5), json_lines=suffix == ".jsonl")
    before = target.read_bytes()
    assert count_records(target) == 5
    for smaller in (4, 0):
        with pytest.raises(ReplaceRefused) as refused:
            write_dataset(target, rows(smaller), json_lines=suffix == ".jsonl")
        message = str(refused.value)
        assert "\n" not in message and str(target) in message and "--overwrite" in message
        assert f"holds 5 records and this export has {smaller}" in message
    assert target.read_bytes() == before
    assert names(tmp_path) == [target.name]  # no .part, no .prev


def test_an_equal_or_larger_dataset_replaces_it_keeping_prev(tmp_path) -> None:
    target = tmp_path / "qa.jsonl"
    write_dataset(target, rows(2), json_lines=True)
    first = target.read_bytes()
    write_dataset(target, rows(3), json_lines=True)
    assert count_records(target) == 3 and (tmp_path / "qa.jsonl.prev").read_bytes() == first
    second = target.read_bytes()
    write_dataset(target, [{"n": "other"}] * 3, json_lines=True)  # same size, new content
    assert (tmp_path / "qa.jsonl.prev").read_bytes() == second
    assert names(tmp_path) == ["qa.jsonl", "qa.jsonl.prev"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_overwrite_replaces_with_a_smaller_one_and_keeps_prev(tmp_path) -> None:
    target = tmp_path / "qa.jsonl"
    write_dataset(target, rows(4), json_lines=True)
    old = target.read_bytes()
    assert write_dataset(target, [], json_lines=True, overwrite=True) == 0
    assert target.read_text() == "" and (tmp_path / "qa.jsonl.prev").read_bytes() == old


def test_an_interrupted_write_keeps_the_old_file(tmp_path) -> None:
    target = tmp_path / "qa.json"
    write_dataset(target, rows(1), json_lines=False)

    def broken():
        yield {"n": 2}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dataset(target, broken(), json_lines=False, overwrite=True)
    assert json.loads(target.read_text()) == [{"n": 0}] and names(tmp_path) == ["qa.json"]


async def test_export_of_fewer_qa_is_refused_then_allowed(graph, rice, synthesizer, tmp_path) -> None:
    await generate(graph=graph, synthesizer=synthesizer, run_id="gen-1", config=GenerateConfig(modes=["atomic"]))
    await generate(graph=graph, synthesizer=synthesizer, run_id="gen-2", config=GenerateConfig(modes=["multi_hop"]))
    path = tmp_path / "qa.jsonl"
    everything = export_qa(graph, path, fmt="messages").records
    with pytest.raises(ReplaceRefused):
        export_qa(graph, path, fmt="messages", run_id="gen-2")
    assert count_records(path) == everything
    report = export_qa(graph, path, fmt="messages", run_id="gen-2", overwrite=True)
    assert report.records < everything and report.previous == str(tmp_path / "qa.jsonl.prev")
    assert count_records(tmp_path / "qa.jsonl.prev") == everything


def test_the_cli_refuses_with_one_line_and_exit_1(graph, rice, cli_env, tmp_path) -> None:
    path = tmp_path / "qa.jsonl"
    write_dataset(path, rows(3), json_lines=True)  # the graph holds no QA: this export would be empty
    result = CliRunner().invoke(app, ["export", "--format", "messages", "--output", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: export refused") and "--overwrite" in lines[0]
    assert count_records(path) == 3
    again = CliRunner().invoke(app, ["export", "--format", "messages", "--output", str(path), "--overwrite"])
    assert again.exit_code == 0, again.output
    assert count_records(path) == 0 and count_records(tmp_path / "qa.jsonl.prev") == 3
