"""The seed order: sorted in Python (``seed_sort_keys``) from a scan split by relation id."""

from __future__ import annotations

from graphgen_neo4j.partition.stage import PartitionConfig, partition, random_key, seed_sort_keys

from .conftest import stored_batches


def order(edge_sampling: str, seeds: list[tuple[str, float | None, float | None]], seed: int = 0) -> list[str]:
    ids = [i for i, _, _ in seeds]
    scores = [-1.0 if score is None else score for _, score, _ in seeds]  # as seed_order.cypher returns them
    strengths = [-1.0 if strength is None else strength for _, _, strength in seeds]
    keys = seed_sort_keys(PartitionConfig(edge_sampling=edge_sampling, seed=seed), ids, scores, strengths)
    return [ids[p] for p in sorted(range(len(ids)), key=keys.__getitem__)]


SEEDS = [("r-a", 1.0, 5.0), ("r-b", None, 9.0), ("r-c", 3.0, None), ("r-d", 1.0, 7.0), ("r-e", None, None),
         ("r-f", 1.0, 7.0), ("r-g", 0.0, 1.0)]


def test_max_loss_highest_score_first_then_strength_then_id_and_missing_last():
    assert order("max_loss", SEEDS) == ["r-c", "r-d", "r-f", "r-a", "r-g", "r-b", "r-e"]


def test_min_loss_lowest_score_first_with_the_same_tie_breaks():
    assert order("min_loss", SEEDS) == ["r-g", "r-d", "r-f", "r-a", "r-c", "r-b", "r-e"]


def test_random_is_by_seeded_hash_of_the_id():
    expected = sorted((i for i, _, _ in SEEDS), key=lambda i: random_key(i, 3))
    assert order("random", SEEDS, seed=3) == expected
    assert order("random", SEEDS, seed=4) != expected


def test_every_relation_is_a_seed_once_whatever_its_id(graph, make_graph):
    # The scan runs in parts split at "rel-8": ids on either side of it, at its edges and of
    # other shapes (an analyst's own) are each seeded once; a relation without an id is not used.
    toy = make_graph([("A", "B", 5.0), ("C", "D", 4.0), ("E", "F", 3.0), ("G", "H", 2.0), ("I", "J", 1.0),
                      ("K", "L", 0.5)])
    new_ids = {"A->B": "", "C->D": "rel-8", "E->F": "rel-7fff", "G->H": "zz-analyst", "I->J": "R-upper"}
    for name, new_id in new_ids.items():
        graph.query("MATCH ()-[r:RELATED {id: $old}]->() SET r.id = $new", {"old": toy.ids[name], "new": new_id})
    graph.query("MATCH ()-[r:RELATED {id: $old}]->() REMOVE r.id", {"old": toy.ids["K->L"]})

    report = partition(graph=graph, config=PartitionConfig(max_extra_edges=0), run_id="odd-ids")

    assert [b["relation_ids"] for b in stored_batches(graph, "odd-ids")] == [[new_ids[name]] for name in new_ids]
    assert report.relations == 5
