"""Every shipped config is valid, points at shipped input, and maps onto the stages."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphgen_neo4j.config import Chunking, Generation, Traversal, load_config
from graphgen_neo4j.errors import ConfigError, InputError
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.ingest.stage import IngestConfig
from graphgen_neo4j.partition.stage import PartitionConfig
from graphgen_neo4j.runs.pipeline import stage_configs

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


def test_there_are_configs_for_each_mode() -> None:
    modes = {mode for path in CONFIGS for mode in load_config(path).modes()}
    assert {"atomic", "aggregated", "multi_hop"} <= modes


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_config_is_valid_and_its_input_exists(path: Path) -> None:
    config = load_config(path)
    assert all(p.exists() for p in config.input_paths()), config.input_file
    stages = stage_configs(config, run_id="run-test")
    assert stages.partition.max_depth == config.traverse_strategy.max_depth
    assert stages.generate.modes == config.modes()


def test_qa_form_open_is_aggregated(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("input_file: x.jsonl\ntraverse_strategy:\n  qa_form: open\n", encoding="utf-8")
    assert load_config(path).modes() == ["aggregated"]


def test_relative_input_is_found_next_to_the_config(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_text('{"content": "x"}\n', encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text("input_file: data/a.jsonl\n", encoding="utf-8")
    monkeypatch.chdir("/")
    assert load_config(path).input_paths() == [tmp_path / "data" / "a.jsonl"]


# -- validation at load time, before any LLM call or Neo4j write ----------------------------------


def _load(tmp_path: Path, text: str):
    path = tmp_path / "c.yaml"
    path.write_text("input_file: x.jsonl\n" + text, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(("text", "message"), [
    ("chunking:\n  chunk_size: 20\n", "chunking.chunk_size: 20 is invalid: Input should be greater than or equal to 32"),
    ("chunking:\n  chunk_size: 64\n  chunk_overlap: 64\n", "chunk_overlap (64) must be smaller than chunk_size (64)"),
    ("generation:\n  mix: {atomic: -0.5, aggregated: 1}\n", "mix share for atomic must be a positive number"),
    ("generation:\n  mix: {atomic: .nan}\n", "mix share for atomic must be a positive number, got nan"),
    ("generation:\n  mix: {riddle: 1}\n", "unknown generation mode 'riddle'"),
    ("output:\n  path: out/qa.csv\n", "output.path: 'out/qa.csv' is invalid: name the dataset .jsonl"),
    ("output:\n  path: blocker/qa.jsonl\n", "cannot write the dataset there: blocker is a file, not a folder"),
    ("llm:\n  cache_path: blocker/llm.sqlite\n", "llm.cache_path: 'blocker/llm.sqlite' is invalid: cannot write the response cache"),
    ("traverse_strategy:\n  qa_form: atomic\ngeneration:\n  mix: {aggregated: 1}\n", "mix gives shares for aggregated"),
    ("data_type: csv\n", "data_type: 'csv' is not allowed; allowed values: 'auto', 'raw', 'chunked' or 'text'"),
])
def test_bad_values_fail_at_load_with_one_line(tmp_path: Path, monkeypatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocker").write_text("a file where a folder would go", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "c.yaml"))


def test_good_values_load(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _load(tmp_path, "data_type: auto\nllm:\n  cache: false\n  cache_path: /proc/none/x.sqlite\n"
                   "output:\n  path: new/dir/qa.json\ngeneration:\n  mix: {atomic: 1, multi_hop: 3}\n")
    stages = stage_configs(config)
    assert stages.ingest.data_type == "auto" and stages.generate.modes == ["atomic", "multi_hop"]
    assert not (tmp_path / "new").exists()  # checked, not created


def test_the_shared_settings_have_one_definition(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _load(tmp_path, "chunking:\n  chunk_size: 48\n")  # no overlap: a tenth of the size, as for ingest
    stages = stage_configs(config)
    assert (stages.ingest.chunk_size, stages.ingest.chunk_overlap) == (48, 4)
    assert IngestConfig(chunk_size=48).chunk_overlap == 4
    for model, section in ((IngestConfig, Chunking), (PartitionConfig, Traversal), (GenerateConfig, Generation)):
        assert issubclass(model, section)
        for name, field in section.model_fields.items():
            assert model.model_fields[name].metadata == field.metadata, name


def test_estimate_with_a_bad_chunk_size_is_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from graphgen_neo4j.cli import app

    path = tmp_path / "c.yaml"
    path.write_text("input_file: x.jsonl\nchunking:\n  chunk_size: 20\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["estimate", "--config", str(path), "--no-graph"])
    assert result.exit_code == 1
    assert "chunking.chunk_size: 20 is invalid" in result.output and "Traceback" not in result.output


def test_an_empty_input_folder_is_an_error_naming_it_and_the_extensions(tmp_path: Path) -> None:
    from graphgen_neo4j.ingest.readers import expand_paths

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.rtf").write_text("{\\rtf1 a}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        expand_paths([tmp_path / "docs"])
    assert str(tmp_path / "docs") in str(caught.value)
    assert all(ext in str(caught.value) for ext in (".jsonl", ".json", ".txt", ".md", ".pdf", ".csv", ".parquet"))


def test_ingest_of_an_empty_folder_exits_1(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from graphgen_neo4j.cli import app

    monkeypatch.delenv("GRAPHGEN_RAISE_ERRORS", raising=False)
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "holds no file to read" in result.output and ".jsonl" in result.output


def test_the_run_summary_names_skipped_bad_records(capsys) -> None:
    from graphgen_neo4j.cli.run_cmd import _print_summary
    from graphgen_neo4j.ingest.readers import InputIssue
    from graphgen_neo4j.ingest.stage import IngestReport
    from graphgen_neo4j.runs.pipeline import PipelineReport

    issues = [InputIssue(path="a.jsonl", line=2, message="invalid JSON")]
    _print_summary(PipelineReport(run_id="r", resumed=False, ingest=IngestReport(bad_records=1, issues=issues)))
    out = capsys.readouterr().out
    assert "1 bad input records (a.jsonl:2)" in out
