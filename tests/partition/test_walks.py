"""anchor_bfs, triple and quintuple on a real Neo4j: small graphs worked by hand, the
anchor errors, the CLI, and generate reading their batches (scripted server)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.llm import EndpointSettings, LLMClient
from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .conftest import stored_batches
from .test_semantics import TOY  # A-B, A-C, A-D, D-E, E-F

STAR = [("A", "B", 1.0), ("A", "C", 2.0), ("A", "D", 3.0), ("A", "E", 4.0), ("A", "F", 5.0)]


def names(toy, batch):
    return sorted(toy.names[r] for r in batch["relation_ids"]), sorted(toy.names[e] for e in batch["entity_ids"])


def test_anchor_bfs_seeds_only_anchors_and_leaves_the_rest(graph, make_graph):
    toy = make_graph(TOY, [("A", {"type": "Rare Disease"}), "G"])
    config = PartitionConfig(method="anchor_bfs", anchor_type="DISEASE", max_units_per_community=10)
    report = partition(graph=graph, config=config, run_id="anchor")
    [batch] = stored_batches(graph, "anchor")
    assert toy.names[batch["entity_ids"][0]] == "A"  # the anchor is the batch's first unit
    # from A breadth-first: A, its three relations, B C D, then D-E, E, E-F: 10 units; F and G stay out
    assert names(toy, batch) == (["A->B", "A->C", "A->D", "D->E", "E->F"], ["A", "B", "C", "D", "E"])
    assert report.units_dropped == 2 and report.batches == 1
    assert any("units no anchor reached" in note for note in report.notes)


def test_anchor_bfs_an_anchor_taken_by_another_does_not_seed(graph, make_graph):
    toy = make_graph(TOY, [("A", {"type": "disease"}), ("B", {"type": "disease"}), ("F", {"type": "disease"})])
    config = PartitionConfig(method="anchor_bfs", anchor_type=["disease"], max_units_per_community=50)
    partition(graph=graph, config=config, run_id="anchor")
    batches = stored_batches(graph, "anchor")
    assert len(batches) == 1 and len(batches[0]["relation_ids"]) == 5  # the whole component from one anchor
    assert toy.names[batches[0]["entity_ids"][0]] in ("A", "B", "F")


def test_anchor_ids_name_the_seeds(graph, make_graph):
    toy = make_graph(STAR)
    partition(graph=graph, config=PartitionConfig(method="anchor_bfs", anchor_ids=["c"], max_units_per_community=3),
              run_id="ids")
    [batch] = stored_batches(graph, "ids")
    assert names(toy, batch) == (["A->C"], ["A", "C"])


def test_an_anchor_type_that_matches_nothing_names_the_types_present(graph, make_graph):
    make_graph(TOY, [("A", {"type": "GENE"}), ("B", {"type": "GENE"})])
    config = PartitionConfig(method="anchor_bfs", anchor_type="image")
    with pytest.raises(ConfigError) as error:
        partition(graph=graph, config=config, run_id="none")
    message = str(error.value)
    assert "anchor_type image matches no entity type" in message and "THING (4), GENE (2)" in message
    assert "\n" not in message and stored_batches(graph, "none") == []


def test_anchor_bfs_without_anchors_is_a_config_error():
    with pytest.raises(ValueError, match="anchor_bfs needs anchor_type"):
        PartitionConfig(method="anchor_bfs")


def test_triple_each_relation_once_with_its_entities(graph, make_graph):
    toy = make_graph(TOY, ["G"])
    report = partition(graph=graph, config=PartitionConfig(method="triple"), run_id="tri")
    batches = stored_batches(graph, "tri")
    assert sorted(names(toy, b) for b in batches) == [
        (["A->B"], ["A", "B"]), (["A->C"], ["A", "C"]), (["A->D"], ["A", "D"]), (["D->E"], ["D", "E"]),
        (["E->F"], ["E", "F"])]
    assert all(b["seed"] == b["relation_ids"][0] for b in batches)
    assert report.units_dropped == 1  # G, isolated
    # breadth-first: a triple after the first shares an entity with one before it
    seen: set[str] = set(batches[0]["entity_ids"])
    for batch in batches[1:]:
        assert seen & set(batch["entity_ids"])
        seen |= set(batch["entity_ids"])


def test_quintuple_pairs_relations_around_an_entity(graph, make_graph):
    toy = make_graph(STAR)
    report = partition(graph=graph, config=PartitionConfig(method="quintuple"), run_id="quin")
    batches = stored_batches(graph, "quin")
    assert len(batches) == 2  # five relations around A: two pairs, one left over (its leaf has no other)
    for batch in batches:
        relations, entities = names(toy, batch)
        assert len(relations) == 2 and len(entities) == 3 and toy.names[batch["entity_ids"][1]] == "A"
    assert report.units_dropped == 2  # the unpaired relation and its leaf
    assert any("in no batch" in note for note in report.notes)


def test_quintuple_pairs_an_odd_one_out_at_its_other_end(graph, make_graph):
    toy = make_graph([("A", "B", 1.0), ("A", "C", 1.0), ("A", "D", 1.0), ("D", "E", 1.0)])
    partition(graph=graph, config=PartitionConfig(method="quintuple"), run_id="quin")
    batches = stored_batches(graph, "quin")
    used = sorted(toy.names[r] for b in batches for r in b["relation_ids"])
    # whatever the order, four relations on a path-shaped tree pair up completely
    assert used == ["A->B", "A->C", "A->D", "D->E"]


@pytest.mark.parametrize("config, mode", [
    (PartitionConfig(method="triple"), "atomic"),
    (PartitionConfig(method="quintuple"), "multi_hop"),
    (PartitionConfig(method="anchor_bfs", anchor_type="thing", max_units_per_community=6), "aggregated"),
], ids=["triple-atomic", "quintuple-multi_hop", "anchor_bfs-aggregated"])
async def test_generate_reads_their_batches(graph, make_graph, scripted_llm, config, mode):
    make_graph(TOY + STAR[:2] + [("B", "C", 1.5)])
    cut = partition(graph=graph, config=config, run_id="cut")
    assert cut.relation_batches > 0
    synthesizer = LLMClient(EndpointSettings(role="synthesizer", base_url=scripted_llm.base_url,
                                             model="graphgen-scripted", timeout=5.0, max_retries=1))
    report = await generate(graph=graph, synthesizer=synthesizer, run_id="gen",
                            config=GenerateConfig(mix=f"{mode}=1", partition_run_id="cut"))
    assert report.partition_run_id == "cut" and report.no_qa == 0
    expected = cut.relations_in_batches if mode == "atomic" else cut.relation_batches
    assert report.qa + report.duplicate_qa == expected
    rows = graph.query("MATCH (:Run {id: 'gen'})-[:PRODUCED]->(q:QA) RETURN q.relation_ids AS ids, q.mode AS mode")
    batches = {tuple(sorted(b["relation_ids"])) for b in stored_batches(graph, "cut")}
    assert rows and all(row["mode"] == mode for row in rows)
    assert all(any(set(row["ids"]) <= set(b) for b in batches) for row in rows)


def test_cli_anchor_type_flag_and_its_error(graph, make_graph, cli_env):
    make_graph(TOY, [("A", {"type": "disease"})])
    runner = CliRunner()
    result = runner.invoke(app, ["partition", "--method", "anchor_bfs", "--anchor-type", "disease",
                                 "--max-units-per-community", "3", "--dry-run", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["batches"] == 1
    bad = runner.invoke(app, ["partition", "--method", "anchor_bfs", "--anchor-type", "image", "--dry-run"])
    assert bad.exit_code != 0
    assert "anchor_type image matches no entity type; types present: THING (5), disease (1)" in bad.output
    triple = runner.invoke(app, ["partition", "--method", "triple", "--json"], catch_exceptions=False)
    assert triple.exit_code == 0 and json.loads(triple.output)["batches"] == 5
