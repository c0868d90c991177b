"""Every shipped config is valid, points at shipped input, and maps onto the stages."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphgen_neo4j.config import load_config
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
