"""Partition semantics on small hand-built graphs, one parameter at a time.

The toy graph is upstream's worked example (docs/partition.md), with each relation
directed the way it is written: A→B 3, A→C 2, A→D 1, D→E 0.5, E→F 4, and G alone;
relations have 20-token descriptions, entities 10-token ones.
"""

from __future__ import annotations

import pytest

from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.partition.stage import PartitionConfig, batch_id, partition

from .conftest import named, stored_batches, text_of
from .reference import reference_partition

TOY = [("A", "B", 3.0), ("A", "C", 2.0), ("A", "D", 1.0), ("D", "E", 0.5), ("E", "F", 4.0)]


def cut(graph, toy, run_id="partition-test", **settings):
    config = PartitionConfig(**settings)
    report = partition(graph=graph, config=config, run_id=run_id)
    batches = stored_batches(graph, run_id)
    # Whatever the case, the stored cut is the reference algorithm's, batch for batch.
    expected = reference_partition(toy.entities, toy.relations, config)
    assert named(toy, batches) == named(toy, expected)
    return report, named(toy, batches)


@pytest.mark.parametrize(("settings", "expected"), [
    # seed E→F has one candidate (D→E, 1 < 2: taken); seed A→B has two (A→C, A→D: 2 ≥ 2, the best 2, stop)
    ({"max_depth": 1, "max_extra_edges": 2}, [["E->F", "D->E"], ["A->B", "A->C", "A->D"]]),
    # levels from E→F: D→E (1 < 3, all), then A→D (1 < 2, all), then {A→B, A→C} ≥ 1: the best one, A→B
    ({"max_depth": 3, "max_extra_edges": 3}, [["E->F", "D->E", "A->D", "A->B"], ["A->C"]]),
    # budget 100 − (20 + 10 + 10) = 60: D→E costs 20 + 10 (D) → 30 left, A→D 20 + 10 (A) → 0: stop
    ({"expand_method": "max_tokens", "max_tokens": 100, "max_depth": 3}, [["E->F", "D->E", "A->D"], ["A->B", "A->C"]]),
    # following direction from each seed's target: only D has an outgoing relation (D→E)
    ({"max_depth": 2, "max_extra_edges": 5, "bidirectional": False, "isolated_node_strategy": "add"},
     [["E->F"], ["A->B"], ["A->C"], ["A->D", "D->E"], ["G"]]),
])
def test_upstream_toy_graph(graph, make_graph, settings, expected):
    toy = make_graph(TOY, ["G"])
    report, batches = cut(graph, toy, **settings)
    assert batches == expected
    assert report.batches == len(expected)
    assert report.relations_in_batches == 5


def test_max_depth_one_stops_at_the_seeds_neighbours(graph, make_graph):
    # a chain X→Y→Z→W: from seed X→Y, depth 1 reaches Y→Z only; depth 2 also Z→W
    chain = [("X", "Y", 3.0), ("Y", "Z", 2.0), ("Z", "W", 1.0)]
    toy = make_graph(chain)
    assert cut(graph, toy, "depth-1", max_depth=1)[1] == [["X->Y", "Y->Z"], ["Z->W"]]
    assert cut(graph, toy, "depth-2", max_depth=2)[1] == [["X->Y", "Y->Z", "Z->W"]]


def test_bidirectional_false_follows_direction_from_the_target(graph, make_graph):
    # seed S→T (highest loss); T→U goes on from the target, P→S and Q→T do not
    relations = [("S", "T", 5.0), ("T", "U", 1.0), ("P", "S", 2.0), ("Q", "T", 3.0)]
    toy = make_graph(relations)
    assert cut(graph, toy, "forward", bidirectional=False)[1] == [["S->T", "T->U"], ["Q->T"], ["P->S"]]
    # both ways from both entities: everything around S and T, best first
    assert cut(graph, toy, "both-ways", bidirectional=True)[1] == [["S->T", "Q->T", "P->S", "T->U"]]


def test_min_loss_seeds_the_best_understood_first(graph, make_graph):
    toy = make_graph(TOY)
    _, batches = cut(graph, toy, edge_sampling="min_loss", max_depth=1, max_extra_edges=2)
    # seed D→E (0.5): candidates A→D 1 and E→F 4 (2 ≥ 2: both); seed A→C: only A→B left
    assert batches == [["D->E", "A->D", "E->F"], ["A->C", "A->B"]]


def test_random_order_is_seeded(graph, make_graph):
    toy = make_graph([(f"N{i}", f"N{i + 1}", float(i)) for i in range(8)])
    first, batches_a = cut(graph, toy, "random-a", edge_sampling="random", seed=1, max_depth=1, max_extra_edges=1)
    _, batches_b = cut(graph, toy, "random-b", edge_sampling="random", seed=1, max_depth=1, max_extra_edges=1)
    _, batches_c = cut(graph, toy, "random-c", edge_sampling="random", seed=2, max_depth=1, max_extra_edges=1)
    assert batches_a == batches_b
    assert batches_a != batches_c
    assert "random" in first.order and "'1:" in first.order


def test_loss_strategy_both_orders_and_averages_with_entity_losses(graph, make_graph):
    relations = [("X", "Y", 1.0), ("P", "Q", 3.0)]
    entities = [("X", {"loss": 5.0}), ("Y", {"loss": 4.0}), ("P", {"loss": 0.5}), ("Q", {"loss": 0.25})]
    toy = make_graph(relations, entities)
    _, edge_only = cut(graph, toy, "only-edge", loss_strategy="only_edge")
    _, both = cut(graph, toy, "both", loss_strategy="both")
    assert edge_only == [["P->Q"], ["X->Y"]]
    assert both == [["X->Y"], ["P->Q"]]  # 1 + 5 + 4 = 10 beats 3 + 0.5 + 0.25
    means = {toy.names[b["seed"]]: b["mean_loss"] for b in stored_batches(graph, "both")}
    # every item counts once: (1 + 5 + 4) / 3 — upstream's precedence bug gave 1 + 9 / 3 = 4
    assert means["X->Y"] == pytest.approx(10 / 3)
    assert means["P->Q"] == pytest.approx(3.75 / 3)
    means = {toy.names[b["seed"]]: b["mean_loss"] for b in stored_batches(graph, "only-edge")}
    assert means == {"X->Y": 1.0, "P->Q": 3.0}


def test_both_without_entity_losses_says_so(graph, make_graph):
    toy = make_graph([("X", "Y", 1.0, {"strength": 2}), ("P", "Q", 3.0, {"strength": 9})], [("X", {"loss": 1.0})])
    report, batches = cut(graph, toy, loss_strategy="both")
    assert report.relations_without_loss == 2
    assert "fell back" in report.order and "strength" in report.order
    assert batches == [["P->Q"], ["X->Y"]]  # by strength: 9, then 2


def test_without_any_loss_max_loss_falls_back_to_strength_and_says_so(graph, make_graph):
    toy = make_graph([("A", "B", None, {"strength": 2}), ("C", "D", None, {"strength": 9}),
                      ("E", "F", None, {"strength": 5})])
    report, batches = cut(graph, toy)
    assert batches == [["C->D"], ["E->F"], ["A->B"]]
    assert report.relations_without_loss == 3
    assert "fell back" in report.order and "strength (highest first)" in report.order
    assert any("judge" in note for note in report.notes)
    assert all(b["mean_loss"] is None for b in stored_batches(graph, "partition-test"))


def test_relations_without_loss_come_after_judged_ones(graph, make_graph):
    toy = make_graph([("A", "B", None, {"strength": 10}), ("C", "D", 0.1), ("E", "F", 2.0)])
    report, batches = cut(graph, toy)
    assert batches == [["E->F"], ["C->D"], ["A->B"]]
    assert report.relations_without_loss == 1
    assert "the 1 relations without one come last" in report.order


def test_isolated_entities_get_batches_only_with_add(graph, make_graph):
    toy = make_graph([("A", "B", 1.0)], ["G", ("H", {"loss": 2.0})])
    _, ignored = cut(graph, toy, "ignore", isolated_node_strategy="ignore")
    assert ignored == [["A->B"]]
    # add with only_edge: upstream divides by zero here
    report, added = cut(graph, toy, "add", isolated_node_strategy="add")
    assert sorted(added[1:]) == [["G"], ["H"]] and added[0] == ["A->B"]
    assert report.isolated_batches == 2 and report.size_histogram == {0: 2, 1: 1}
    isolated = [b for b in stored_batches(graph, "add") if not b["relation_ids"]]
    assert all(b["mean_loss"] is None and b["tokens"] == 10 and b["seed"] is None for b in isolated)
    assert all(b["linked"] == b["entity_ids"] and b["endpoints"] == [] for b in isolated)  # linked by HAS_ENTITY
    _, with_both = cut(graph, toy, "add-both", isolated_node_strategy="add", loss_strategy="both")
    losses = {toy.names[b["entity_ids"][0]]: b["mean_loss"] for b in stored_batches(graph, "add-both")
              if not b["relation_ids"]}
    assert losses == {"G": None, "H": 2.0}


def test_excluded_items_are_never_used(graph, make_graph):
    relations = [("A", "B", 3.0), ("B", "C", 2.0, {"excluded": True}), ("C", "D", 1.0), ("X", "A", 0.5)]
    toy = make_graph(relations, [("X", {"excluded": True}), ("Lone", {"excluded": True}), "Kept"])
    report, batches = cut(graph, toy, isolated_node_strategy="add", max_depth=3)
    assert batches == [["A->B"], ["C->D"], ["Kept"]]
    assert report.relations == 2 and report.relations_excluded == 2
    unmarked = graph.query("MATCH ()-[r:RELATED]->() WHERE r.batch_id IS NULL RETURN r.id AS id ORDER BY id")
    assert sorted(toy.names[r["id"]] for r in unmarked) == ["B->C", "X->A"]


def test_empty_graph_gives_no_batches(graph):
    for strategy in ("ignore", "add"):
        report = partition(graph=graph, config=PartitionConfig(isolated_node_strategy=strategy), run_id=f"e-{strategy}")
        assert report.batches == 0 and report.relations == 0 and report.size_histogram == {}
        assert report.tokens_mean is None


def test_batch_nodes_and_relation_marks(graph, make_graph):
    toy = make_graph(TOY, ["G"])
    graph.query("CREATE (:Run {id: 'partition-marks', command: 'partition'})")
    report = partition(graph=graph, config=PartitionConfig(max_depth=1, max_extra_edges=2), run_id="partition-marks")
    batches = stored_batches(graph, "partition-marks")
    assert [b["index"] for b in batches] == [0, 1]
    for batch in batches:
        assert batch["status"] == "planned"
        assert batch["id"] == batch_id("partition-marks", batch["seed"])
        assert batch["seed"] == batch["relation_ids"][0]
        assert batch["marked"] == sorted(batch["relation_ids"])
        assert batch["endpoints"] == sorted(batch["entity_ids"]) and batch["linked"] == []
        endpoints = {toy.ids[n] for r in batch["relation_ids"] for n in toy.names[r].split("->")}
        assert set(batch["entity_ids"]) == endpoints
        assert batch["tokens"] == 20 * len(batch["relation_ids"]) + 10 * len(endpoints)
    assert report.tokens_total == 170 and report.tokens_max == 100  # [A→B, A→C, A→D]: 60 + 40
    assert report.size_histogram == {2: 1, 3: 1}
    in_run = graph.query("MATCH (b:Batch {run_id: 'partition-marks'}) RETURN count(b) AS n")
    assert in_run[0]["n"] == 2
    assert batches[1]["mean_loss"] == pytest.approx(2.0)  # (3 + 2 + 1) / 3


def test_every_batch_lies_within_the_candidates_query_of_its_seed(graph, make_graph):
    relations = [("A", "B", 3.0), ("B", "C", 2.5), ("C", "D", 2.0), ("D", "E", 1.5), ("B", "E", 1.0),
                 ("F", "B", 0.7), ("E", "G", 0.2)]
    toy = make_graph(relations)
    for bidirectional in (True, False):
        run_id = f"within-{bidirectional}"
        cut(graph, toy, run_id, bidirectional=bidirectional, max_depth=2, max_extra_edges=3)
        for batch in stored_batches(graph, run_id):
            reachable = graph.run("partition/candidates", {"seed_relation_id": batch["seed"], "max_depth": 2,
                                                           "bidirectional": bidirectional, "run_id": None})
            assert set(batch["relation_ids"][1:]) <= {row["relation_id"] for row in reachable}


def test_token_counts_are_cached_and_recounted_when_a_description_changes(graph, make_graph):
    toy = make_graph([("A", "B", 1.0)])
    first = partition(graph=graph, config=PartitionConfig(), run_id="tokens-1")
    assert first.token_counts_refreshed == 3 and first.tokens_total == 40
    cached = graph.query("MATCH ()-[r:RELATED]->() RETURN r.description_tokens AS n")[0]["n"]
    assert cached == 20
    again = partition(graph=graph, config=PartitionConfig(), run_id="tokens-2")
    assert again.token_counts_refreshed == 0 and again.tokens_total == 40
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() SET r.description = $text", {"id": toy.ids["A->B"],
                                                                                 "text": text_of(7)})
    changed = partition(graph=graph, config=PartitionConfig(), run_id="tokens-3")
    assert changed.token_counts_refreshed == 1 and changed.tokens_total == 27


def test_dry_run_writes_nothing_and_reports_the_same_cut(graph, make_graph):
    make_graph(TOY, ["G"])
    config = PartitionConfig(isolated_node_strategy="add", max_depth=1, max_extra_edges=2)
    dry = partition(graph=graph, config=config, run_id="dry", dry_run=True)
    assert graph.query("MATCH (b:Batch) RETURN count(b) AS n")[0]["n"] == 0
    assert graph.query("MATCH (n) WHERE n.description_tokens IS NOT NULL RETURN count(n) AS n")[0]["n"] == 0
    assert graph.query("MATCH ()-[r]->() WHERE r.batch_id IS NOT NULL OR r.description_tokens IS NOT NULL "
                       "RETURN count(r) AS n")[0]["n"] == 0
    real = partition(graph=graph, config=config, run_id="real")
    assert dry.dry_run and not real.dry_run
    for field in ("batches", "size_histogram", "tokens_total", "tokens_max", "isolated_batches", "order"):
        assert getattr(dry, field) == getattr(real, field)


def test_a_run_cannot_be_resumed_with_other_settings(graph, make_graph):
    make_graph(TOY)
    partition(graph=graph, config=PartitionConfig(max_depth=1), run_id="settings")
    with pytest.raises(ConfigError, match="other settings"):
        partition(graph=graph, config=PartitionConfig(max_depth=2), run_id="settings")
    # wave_size does not change the batches, so it may differ
    again = partition(graph=graph, config=PartitionConfig(max_depth=1, wave_size=1), run_id="settings")
    assert again.batches_new == 0 and again.batches == 2


def test_writes_mark_a_relation_only_when_its_element_id_still_holds_it(graph, make_graph):
    """The cut knows relations by elementId, which Neo4j may reuse after a deletion: the
    write checks the relation's own id too, so a reused elementId is never marked."""
    toy = make_graph([("A", "B", 1.0), ("B", "C", 2.0)])
    keys = {row["id"]: row["key"] for row in graph.query("MATCH ()-[r:RELATED]->() RETURN r.id AS id, elementId(r) AS key")}
    ab, bc = toy.ids["A->B"], toy.ids["B->C"]
    row = {"id": "batch-guard", "index": 0, "seed_relation_id": ab, "relation_ids": [ab, bc],
           "relation_keys": [keys[ab], keys[ab]],  # as if B->C's elementId now held A->B
           "entity_ids": [], "mean_loss": None, "tokens": 0}
    graph.run("partition/write_batches", {"batches": [row], "run_id": "guard", "config_hash": "h"})
    row.update(id="batch-guard-2", index=1, relation_ids=[bc], relation_keys=[keys[ab]])  # A->B's key, B->C's id
    graph.run("partition/write_batches", {"batches": [row], "run_id": "guard", "config_hash": "h"})
    marks = graph.query("MATCH ()-[r:RELATED]->() RETURN r.id AS id, r.batch_id AS batch ORDER BY id")
    assert {m["id"]: m["batch"] for m in marks} == {ab: "batch-guard", bc: None}
