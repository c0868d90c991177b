"""Upstream GraphGen's 2026 config format (global_params + nodes): translated where the
concepts match, refused key by key where they do not, and run end to end (scripted server).
The configs are written here in the shape of upstream's examples, not copied from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.config import parse_config
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.runs.pipeline import stage_configs
from graphgen_neo4j.upstream_config import translate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rice_zh.jsonl"

# A loss-driven pipeline: read, chunk, build, quiz, judge, ece, aggregated QA in ChatML;
# our own output section sits beside the nodes.
ECE_AGGREGATED = {
    "global_params": {"working_dir": "scratch", "graph_backend": "networkx", "kv_backend": "json_kv"},
    "nodes": [
        {"id": "load", "op_name": "read", "type": "source", "dependencies": [],
         "params": {"input_path": [str(EXAMPLE)]}},
        {"id": "split", "op_name": "chunk", "type": "map_batch", "dependencies": ["load"],
         "execution_params": {"replicas": 2}, "params": {"chunk_size": 512, "chunk_overlap": 40}},
        {"id": "kg", "op_name": "build_kg", "dependencies": ["split"], "execution_params": {"batch_size": 64}},
        {"id": "ask", "op_name": "quiz", "dependencies": ["kg"], "params": {"quiz_samples": 3,
                                                                             "concurrency_limit": 50}},
        {"id": "score", "op_name": "judge", "dependencies": ["ask"]},
        {"id": "cut", "op_name": "partition", "type": "aggregate", "dependencies": ["score"],
         "params": {"method": "ece", "method_params": {"max_units_per_community": 12, "min_units_per_community": 2,
                                                       "max_tokens_per_community": 4096,
                                                       "unit_sampling": "min_loss"}}},
        {"id": "write", "op_name": "generate", "dependencies": ["cut"], "save_output": True,
         "params": {"method": "aggregated", "data_format": "ChatML"}},
    ],
    "output": {"path": "out/data.jsonl"},
}

# No quiz or judge: triples cut at random feed atomic QA written as Alpaca.
TRIPLE_ATOMIC_YAML = f"""\
global_params:
  working_dir: cache
  kv_backend: rocksdb
nodes:
  - id: docs
    op_name: read
    params:
      input_path: {EXAMPLE}
  - id: pieces
    op_name: chunk
    dependencies: [docs]
    params: {{chunk_size: 400, chunk_overlap: 20}}
  - id: graph
    op_name: build_kg
    dependencies: [pieces]
  - id: triples
    op_name: partition
    dependencies: [graph]
    params:
      method: triple
  - id: qa
    op_name: generate
    dependencies: [triples]
    params: {{method: atomic, data_format: Alpaca}}
"""


def test_loss_driven_pipeline_translates_to_our_settings():
    config = parse_config(ECE_AGGREGATED, source="ece.yaml")
    assert config.input_paths() == [EXAMPLE]
    assert (config.chunking.chunk_size, config.chunking.chunk_overlap, config.quiz_samples) == (512, 40, 3)
    assert config.judge.skip is False and config.modes() == ["aggregated"]
    assert config.output.format == "messages" and config.output.path == "out/data.jsonl"
    partition = stage_configs(config).partition
    assert (partition.method, partition.max_units_per_community, partition.min_units_per_community,
            partition.max_tokens_per_community, partition.unit_sampling) == ("ece", 12, 2, 4096, "min_loss")


def test_pipeline_without_judge_skips_it_and_reads_the_partition_method():
    import yaml

    config = parse_config(yaml.safe_load(TRIPLE_ATOMIC_YAML), source="triple.yaml")
    assert config.judge.skip is True and config.modes() == ["atomic"] and config.output.format == "alpaca"
    assert stage_configs(config).partition.method == "triple"
    assert config.chunking.chunk_size == 400


def test_leiden_cot_and_anchor_multi_hop_steps():
    nodes = [{"id": "r", "op_name": "read", "params": {"input_path": "docs/"}},
             {"id": "p", "op_name": "partition", "dependencies": ["r"],
              "params": {"method": "leiden", "method_params": {"max_size": 8, "use_lcc": True, "random_seed": 7}}},
             {"id": "g1", "op_name": "generate", "dependencies": ["p"], "params": {"method": "cot",
                                                                                  "data_format": "Sharegpt"}},
             {"id": "g2", "op_name": "generate", "dependencies": ["p"], "params": {"method": "multi_hop",
                                                                                  "data_format": "Sharegpt"}}]
    config = parse_config({"nodes": nodes})
    assert config.modes() == ["cot", "multi_hop"] and config.output.format == "sharegpt"
    partition = stage_configs(config).partition
    assert (partition.method, partition.max_size, partition.use_lcc, partition.seed) == ("community", 8, True, 7)
    nodes[1]["params"] = {"method": "anchor_bfs", "method_params": {"anchor_type": "disease",
                                                                     "max_units_per_community": 6}}
    partition = stage_configs(parse_config({"nodes": nodes})).partition
    assert partition.anchor_type == ["disease"] and partition.max_units_per_community == 6


def test_hugging_face_paths_become_ours():
    data = {"nodes": [{"id": "r", "op_name": "read",
                       "params": {"input_path": ["huggingface://someone/notes::validation", "huggingface://plain"],
                                  "text_column": "body"}}]}
    translated = translate(data)
    assert translated["input_file"] == ["hf:someone/notes:validation", "hf:plain"]
    assert translated["text_column"] == "body"


def test_unsupported_steps_and_keys_are_refused_one_line_each():
    data = {
        "global_params": {"working_dir": "cache", "ray_address": "auto"},
        "nodes": [
            {"id": "r", "op_name": "read", "params": {"input_path": ["a.json"], "modalities": ["text", "image"],
                                                       "read_nums": 10}},
            {"id": "s", "op_name": "search", "dependencies": ["r"], "params": {"data_source": "wikipedia"}},
            {"id": "kg", "op_name": "build_kg", "dependencies": ["missing"], "params": {"max_loop": 2}},
            {"id": "g", "op_name": "generate", "dependencies": ["kg"],
             "params": {"method": "vqa", "data_format": "QA_pairs", "num_of_questions": 3}},
            {"id": "e", "op_name": "evaluate", "dependencies": ["g"], "params": {"target": "qa"}},
            {"id": "x", "op_name": "teleport"},
        ],
    }
    with pytest.raises(ConfigError) as error:
        parse_config(data, source="dag.yaml")
    lines = str(error.value).splitlines()
    assert lines[0] == "dag.yaml: upstream-format config: 11 setting(s) not supported here:"
    body = "\n".join(lines[1:])
    for expected in ("global_params.ray_address: not used here", "nodes[r].params.modalities: only text is read",
                     "nodes[r].params.read_nums", "nodes[s]: op 'search'", "nodes[kg].dependencies: 'missing'",
                     "nodes[kg].params.max_loop: remove it: gleaning is", "nodes[g].params.method: 'vqa'",
                     "nodes[g].params.data_format: 'QA_pairs'", "nodes[g].params.num_of_questions: remove it",
                     "nodes[e]: op 'evaluate': remove the node and run `graphgen-neo4j report",
                     "nodes[x]: unknown op 'teleport'; ops read here: read, chunk"):
        assert expected in body
    assert len(lines) == 12


def test_a_key_set_by_the_nodes_and_beside_them_is_an_error():
    data = {"nodes": [{"id": "c", "op_name": "chunk", "params": {"chunk_size": 300}}],
            "chunking": {"chunk_size": 600}}
    with pytest.raises(ConfigError, match="chunking.chunk_size is set both by the nodes and by the keys beside"):
        parse_config(data)
    data["chunking"] = {"chunk_overlap": 10}  # a different key of the same section is fine
    assert parse_config(data).chunking.chunk_size == 300


def test_bad_values_inside_nodes_name_our_key():
    data = {"nodes": [{"id": "p", "op_name": "partition", "params": {"method": "ece",
                                                                    "method_params": {"max_size": 3}}}]}
    with pytest.raises(ConfigError, match="unknown key 'max_size' for method 'ece'"):
        parse_config(data)


def test_run_reads_an_upstream_format_file(graph, cli_env, tmp_path):
    path = tmp_path / "triple.yaml"
    path.write_text(TRIPLE_ATOMIC_YAML, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    rows = graph.query("MATCH (b:Batch) RETURN b.method AS method, size(b.relation_ids) AS relations")
    assert rows and all(r["method"] == "triple" and r["relations"] == 1 for r in rows)
    records = [json.loads(line) for line in (tmp_path / "output" / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records and all(set(r) == {"instruction", "input", "output"} for r in records)
    modes = graph.query("MATCH (q:QA) RETURN collect(DISTINCT q.mode) AS modes")[0]["modes"]
    assert modes == ["atomic"]
    losses = graph.query("MATCH ()-[r:RELATED]->() WHERE r.loss IS NOT NULL RETURN count(r) AS n")[0]["n"]
    assert losses == 0  # no judge node: quiz and judge are skipped
