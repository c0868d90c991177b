"""partition.method / method_params: upstream 2026's partition section loads unchanged where the
concepts match; errors name the key, the value and what is allowed (no database)."""

from __future__ import annotations

import pytest
import yaml

from graphgen_neo4j.config import load_config, parse_config
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.runs.pipeline import stage_configs

# The partition operator's params as upstream's 2026 example configs write them (our own file).
UPSTREAM_SHAPED = """
input_file: notes.txt
partition:
  method: {method}
  method_params:
{params}
"""


def load(tmp_path, method: str, params: dict) -> object:
    lines = "\n".join(f"    {key}: {value}" for key, value in params.items())
    path = tmp_path / "config.yaml"
    path.write_text(UPSTREAM_SHAPED.format(method=method, params=lines), encoding="utf-8")
    return stage_configs(load_config(path)).partition


def test_upstream_ece_section_loads_unchanged(tmp_path):
    config = load(tmp_path, "ece", {"max_units_per_community": 20, "min_units_per_community": 5,
                                    "max_tokens_per_community": 10240, "unit_sampling": "max_loss"})
    assert (config.method, config.max_units_per_community, config.min_units_per_community,
            config.max_tokens_per_community, config.unit_sampling) == ("ece", 20, 5, 10240, "max_loss")


def test_upstream_dfs_and_bfs_sections_load_unchanged(tmp_path):
    assert load(tmp_path, "dfs", {"max_units_per_community": 1}).max_units_per_community == 1
    assert load(tmp_path, "bfs", {"max_units_per_community": 3}).method == "bfs"


def test_upstream_leiden_section_runs_as_community(tmp_path):
    config = load(tmp_path, "leiden", {"max_size": 20, "use_lcc": "false", "random_seed": 42})
    assert (config.method, config.max_size, config.use_lcc, config.seed) == ("community", 20, False, 42)


def test_traverse_stays_the_default_and_its_hash_is_unchanged():
    config = stage_configs(parse_config({})).partition
    assert config.method == "traverse"
    # the hashes traverse runs were stored with before the new settings existed (so they still resume)
    assert config.semantic_hash() == "31b63e5170149358"
    assert config.model_copy(update={"expand_method": "max_tokens", "edge_sampling": "random", "seed": 3,
                                     "max_size": 7}).semantic_hash() == "fd201007b1241402"


def test_a_method_hash_covers_only_its_own_settings():
    config = stage_configs(parse_config({"partition": {"method": "ece"}})).partition
    assert config.model_copy(update={"max_size": 3, "max_depth": 4}).semantic_hash() == config.semantic_hash()
    assert config.model_copy(update={"max_units_per_community": 3}).semantic_hash() != config.semantic_hash()


@pytest.mark.parametrize("section, message", [
    ({"method": "louvain"},
     "partition.method: 'louvain' is not allowed; allowed values: 'traverse', 'ece', 'bfs', 'dfs', 'community', "
     "'anchor_bfs', 'triple' or 'quintuple'"),
    ({"method": "anchor_bfs"}, "partition.method_params: method anchor_bfs needs anchor_type (an entity type, "
                               "e.g. disease) or anchor_ids (entity ids or names)"),
    ({"method": "triple", "method_params": {"max_units_per_community": 3}},
     "unknown key 'max_units_per_community' for method 'triple'; allowed keys: seed"),
    ({"method": "ece", "method_params": {"max_size": 3}},
     "partition.method_params: unknown key 'max_size' for method 'ece'; allowed keys: max_units_per_community"),
    ({"method": "ece", "method_params": {"unit_sampling": "worst"}},
     "unit_sampling: 'worst' is not allowed; allowed values: 'max_loss', 'min_loss' or 'random'"),
    ({"method": "bfs", "method_params": {"max_units_per_community": 0}},
     "max_units_per_community: 0 is invalid"),
])
def test_bad_partition_settings_name_key_value_and_allowed(section, message):
    with pytest.raises(ConfigError) as error:
        parse_config({"partition": section})
    assert message in str(error.value)


def test_method_params_may_be_empty():
    config = stage_configs(parse_config(yaml.safe_load("partition:\n  method: dfs\n  method_params:\n"))).partition
    assert (config.method, config.max_units_per_community) == ("dfs", 10)


@pytest.mark.parametrize("method, params", [
    ("traverse", {}), ("ece", {"max_units_per_community": 20}), ("bfs", {"max_units_per_community": 3}),
    ("dfs", {"max_units_per_community": 30}), ("community", {"max_size": 8}),
    ("anchor_bfs", {"anchor_type": "disease", "max_units_per_community": 9}), ("triple", {}), ("quintuple", {}),
])
def test_estimate_sizes_batches_by_method(tmp_path, method, params):
    from graphgen_neo4j.runs.estimate import estimate, relations_per_batch

    (tmp_path / "notes.txt").write_text("Rice blast is caused by a fungus. " * 40, encoding="utf-8")
    config = parse_config({"input_file": str(tmp_path / "notes.txt"),
                           "partition": {"method": method, "method_params": params}})
    result = estimate(config, judging=False)
    per_batch = relations_per_batch(config)
    assert result.batches == -(-result.relations // per_batch)
    generation = next(stage for stage in result.stages if stage.stage == "generate")
    assert f"({method} partition)" in generation.basis
    assert not any(stage.stage == "partition" for stage in result.stages)  # partitioners call no LLM


def test_estimate_relations_per_batch_follows_the_caps():
    from graphgen_neo4j.runs.estimate import relations_per_batch

    def per(method, **params):
        return relations_per_batch(parse_config({"partition": {"method": method, "method_params": params}}))

    assert per("bfs", max_units_per_community=2) < per("bfs", max_units_per_community=20)
    assert per("ece", max_units_per_community=50, max_tokens_per_community=100) < per("ece",
                                                                                        max_units_per_community=50)
    assert per("community", max_size=4) < per("community", max_size=40)
    assert per("triple") == 1.0 and per("quintuple") == 2.0
    assert per("anchor_bfs", anchor_type="x", max_units_per_community=3) < per("anchor_bfs", anchor_type="x",
                                                                               max_units_per_community=30)
