"""The ece, bfs, dfs and community partitioners on a real Neo4j: upstream's toy graph worked by
hand (docs/partition.md), each unit used once, resume after an interruption, the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.analyst.curation import bind_params, load_query, run_query
from graphgen_neo4j.cli import app
from graphgen_neo4j.errors import ConfigError, StageError
from graphgen_neo4j.partition import writer as writer_module
from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .conftest import named, stored_batches
from .test_semantics import TOY

ECE = PartitionConfig(method="ece", max_units_per_community=4, unit_sampling="max_loss")


def by_id(toy, *names):
    """Entity names as ece takes them when they have no loss: by id."""
    return sorted(names, key=lambda n: toy.ids[n])


def entity_names(toy, batch):
    return [toy.names[e] for e in batch["entity_ids"]]


def test_ece_worked_example(graph, make_graph):
    toy = make_graph(TOY, ["G"])  # relations 20 tokens, entities 10, entities without a loss (taken by id)
    partition(graph=graph, config=ECE, run_id="ece")
    batches = stored_batches(graph, "ece")
    # E→F (loss 4) seeds; its entities join, then the free relation of E: D→E — 4 units.
    # A→B (3) with A and B, then A's free relation with the highest loss: A→C — 4 units.
    # A→D (1) with D (A is used). Then the entities left, each alone, by id: C and G.
    assert [([toy.names[r] for r in b["relation_ids"]], entity_names(toy, b)) for b in batches] == [
        (["E->F", "D->E"], by_id(toy, "E", "F")), (["A->B", "A->C"], by_id(toy, "A", "B")), (["A->D"], ["D"]),
        *(([], [name]) for name in by_id(toy, "C", "G")),
    ]
    assert batches[0]["tokens"] == 60 and batches[0]["mean_loss"] == pytest.approx(2.25)
    assert batches[3]["linked"] == [toy.ids[by_id(toy, "C", "G")[0]]]  # a batch without relations: HAS_ENTITY


def test_ece_token_cap_keeps_a_community_within_it(graph, make_graph):
    toy = make_graph(TOY, ["G"])
    config = ECE.model_copy(update={"max_units_per_community": 10, "max_tokens_per_community": 50})
    partition(graph=graph, config=config, run_id="ece")
    first = stored_batches(graph, "ece")[0]
    # E→F 20 + E 10 + F 10 = 40; D→E would make 60 > 50: the growth ends
    assert named(toy, [first]) == [["E->F"]] and sorted(entity_names(toy, first)) == ["E", "F"]
    assert first["tokens"] == 40


def test_ece_min_units_drops_small_communities_and_their_units(graph, make_graph):
    make_graph(TOY, ["G"])
    report = partition(graph=graph, config=ECE.model_copy(update={"min_units_per_community": 2}), run_id="ece")
    assert report.units_dropped == 2  # C and G, each alone: a community of one unit
    assert report.batches == len(stored_batches(graph, "ece")) == 3


@pytest.mark.parametrize("method", ["ece", "bfs", "dfs"])
@pytest.mark.parametrize("size", [1, 3])
def test_every_unit_is_used_once_and_caps_hold(graph, make_graph, method, size):
    toy = make_graph(TOY, ["G"])
    config = PartitionConfig(method=method, max_units_per_community=size, seed=1)
    partition(graph=graph, config=config, run_id="run")
    batches = stored_batches(graph, "run")
    units = [u for b in batches for u in b["relation_ids"] + b["entity_ids"]]
    assert sorted(units) == sorted(toy.ids.values())
    assert all(1 <= len(b["relation_ids"]) + len(b["entity_ids"]) <= size for b in batches)
    assert all(b["marked"] == sorted(b["relation_ids"]) for b in batches)
    assert all(b["linked"] == ([] if b["relation_ids"] else sorted(b["entity_ids"])) for b in batches)


@pytest.mark.parametrize("method", ["bfs", "dfs"])
def test_walks_stay_connected(graph, make_graph, method):
    toy = make_graph([("A", "B", 1), ("B", "C", 1), ("C", "D", 1), ("D", "E", 1), ("C", "F", 1)])
    for seed in range(4):
        partition(graph=graph, config=PartitionConfig(method=method, max_units_per_community=6, seed=seed),
                  run_id=f"{method}-{seed}")
        for batch in stored_batches(graph, f"{method}-{seed}"):
            # the units taken form one connected piece of the graph
            nodes = {toy.names[e] for e in batch["entity_ids"]}
            pairs = [toy.names[r].split("->") for r in batch["relation_ids"]]
            nodes |= {n for pair in pairs for n in pair}
            reached, frontier = set(), [min(nodes)]
            while frontier:
                node = frontier.pop()
                reached.add(node)
                frontier += [m for pair in pairs if node in pair for m in pair if m not in reached]
            assert reached == nodes and len(nodes) + len(pairs) >= 1
            assert len(pairs) + len(batch["entity_ids"]) <= 6


TRIANGLES = [("A", "B", 1.0), ("B", "C", 2.0), ("C", "A", 3.0), ("D", "E", 1.0), ("E", "F", 1.0), ("F", "D", 1.0)]


def test_community_finds_the_triangles_and_writes_their_ids(graph, make_graph):
    toy = make_graph(TRIANGLES, ["G"])
    report = partition(graph=graph, config=PartitionConfig(method="community"), run_id="com")
    batches = stored_batches(graph, "com")
    assert sorted(sorted(entity_names(toy, b)) for b in batches) == [["A", "B", "C"], ["D", "E", "F"]]
    assert sorted(len(b["relation_ids"]) for b in batches) == [3, 3]
    assert report.communities == 2 and report.relations_in_batches == 6
    ids = {r["name"]: r["c"] for r in graph.query("MATCH (e:Entity) RETURN e.name AS name, e.community_id AS c")}
    assert ids["G"] is None  # no relation: in no community (as upstream)
    assert ids["A"] == ids["B"] == ids["C"] != ids["D"] == ids["E"] == ids["F"]


def test_community_split_by_max_size_and_lcc(graph, make_graph):
    toy = make_graph(TRIANGLES + [("F", "H", 1.0)])
    partition(graph=graph, config=PartitionConfig(method="community", max_size=2), run_id="split")
    sizes = sorted((len(b["entity_ids"]), len(b["relation_ids"])) for b in stored_batches(graph, "split"))
    assert all(entities <= 2 for entities, _ in sizes) and sum(entities for entities, _ in sizes) == 7
    partition(graph=graph, config=PartitionConfig(method="community", use_lcc=True), run_id="lcc")
    names = sorted(n for b in stored_batches(graph, "lcc") for n in entity_names(toy, b))
    assert names == ["D", "E", "F", "H"]  # the larger of the two components


def test_interrupted_write_resumes_to_the_same_batches(graph, make_graph, monkeypatch):
    toy = make_graph(TRIANGLES + TOY, ["G"])
    config = PartitionConfig(method="bfs", max_units_per_community=2, seed=2)
    partition(graph=graph, config=config, run_id="whole")
    whole = stored_batches(graph, "whole")
    monkeypatch.setattr(writer_module, "_WRITE_CHUNK", 3)
    calls = {"n": 0}
    write = writer_module.BatchWriter._write

    def failing(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return write(self, chunk)

    monkeypatch.setattr(writer_module.BatchWriter, "_write", failing)
    with pytest.raises(KeyboardInterrupt):
        partition(graph=graph, config=config, run_id="resumed")
    monkeypatch.undo()
    partial = stored_batches(graph, "resumed")
    assert 0 < len(partial) < len(whole)
    report = partition(graph=graph, config=config, run_id="resumed")
    resumed = stored_batches(graph, "resumed")
    assert named(toy, resumed) == named(toy, whole)
    assert [b["index"] for b in resumed] == list(range(len(whole)))
    assert report.batches_new == len(whole) - len(partial)


def test_resume_refuses_other_settings_and_a_changed_graph(graph, make_graph):
    make_graph(TOY, ["G"])
    config = PartitionConfig(method="dfs", max_units_per_community=2)
    partition(graph=graph, config=config, run_id="run")
    with pytest.raises(ConfigError, match="other settings"):
        partition(graph=graph, config=config.model_copy(update={"max_units_per_community": 3}), run_id="run")
    first = stored_batches(graph, "run")[0]
    graph.query("MATCH (b:Batch {run_id: 'run'}) WHERE b.index > 0 DETACH DELETE b")
    graph.query("UNWIND $ids AS id MATCH (e:Entity {id: id}) SET e.excluded = true",
                {"ids": first["entity_ids"] or ["none"]})
    graph.query("UNWIND $ids AS id MATCH ()-[r:RELATED {id: id}]->() SET r.excluded = true",
                {"ids": first["relation_ids"]})
    with pytest.raises(StageError, match="the graph changed"):
        partition(graph=graph, config=config, run_id="run")


def test_cli_method_flags_and_upstream_config(graph, make_graph, cli_env, tmp_path):
    make_graph(TRIANGLES)
    runner = CliRunner()
    result = runner.invoke(app, ["partition", "--method", "community", "--max-size", "2", "--dry-run", "--json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["method"] == "community" and report["batches"] == 4
    (tmp_path / "config.yaml").write_text("partition:\n  method: leiden\n  method_params:\n    max_size: 20\n"
                                          "    use_lcc: false\n    random_seed: 42\n", encoding="utf-8")
    result = runner.invoke(app, ["partition", "--config", "config.yaml", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["batches"] == 2
    bad = runner.invoke(app, ["partition", "--max-size", "3"])
    assert bad.exit_code != 0
    assert "unknown key 'max_size' for method 'traverse'" in bad.output


def test_communities_drawn_coloured_by_community_id(graph, make_graph):
    make_graph(TRIANGLES)
    partition(graph=graph, config=PartitionConfig(method="community"), run_id="com")
    source = load_query("partition/communities")
    result = run_query(graph, source, bind_params(source, {"limit": 100, "community": None}).values)[0]
    rows = [dict(zip(result.columns, row)) for row in result.rows]
    assert len(rows) == 6
    colours = {}
    for row in rows:
        for node in (row["source"], row["target"]):
            [label] = node.labels
            assert label == "Colour" + "0123456789ABCDEF"[row["community"] % 16]
            colours[node["name"]] = label
    assert colours["A"] == colours["B"] == colours["C"] != colours["D"] == colours["E"]


def test_batches_name_their_method(graph, make_graph):
    make_graph(TOY)
    partition(graph=graph, config=PartitionConfig(), run_id="t")
    partition(graph=graph, config=PartitionConfig(method="dfs"), run_id="d")
    rows = graph.query("MATCH (b:Batch) RETURN b.run_id AS run, collect(DISTINCT b.method) AS methods, "
                       "count(b.seed_id) AS seeded, count(b) AS batches ORDER BY run")
    assert [(r["run"], r["methods"]) for r in rows] == [("d", ["dfs"]), ("t", ["traverse"])]
    assert rows[0]["seeded"] == rows[0]["batches"] and rows[1]["seeded"] == 0
