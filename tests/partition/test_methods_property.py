"""Property: on random graphs, the ece, bfs, dfs and community partitioners on Neo4j cut exactly
what the plain references (reference_units.py) cut, batch for batch, whatever the settings;
a dry run cuts the same and writes nothing; community ids land on the entities."""

from __future__ import annotations

import pytest
from conftest import clear_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .conftest import stored_batches
from .reference_units import reference_community, reference_ece, reference_walk
from .test_property import graphs

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

ece_configs = st.builds(
    PartitionConfig, method=st.just("ece"), max_units_per_community=st.integers(1, 8),
    min_units_per_community=st.integers(1, 3), max_tokens_per_community=st.integers(5, 120),
    unit_sampling=st.sampled_from(["max_loss", "min_loss", "random"]), seed=st.integers(0, 3),
)
walk_configs = st.builds(PartitionConfig, method=st.sampled_from(["bfs", "dfs"]),
                         max_units_per_community=st.integers(1, 8), seed=st.integers(0, 3))
community_configs = st.builds(PartitionConfig, method=st.just("community"), max_size=st.integers(1, 6),
                              use_lcc=st.booleans(), seed=st.integers(0, 3), max_iterations=st.integers(1, 8))


def expected_batches(toy, config):
    if config.method == "ece":
        return reference_ece(toy.entities, toy.relations, config)
    if config.method == "community":
        return reference_community(toy.entities, toy.relations, config)
    return reference_walk(toy.entities, toy.relations, config, depth_first=config.method == "dfs")


def check_run(graph, make_graph, spec, config, reference=None):
    clear_database(graph)
    entities, relations = spec
    toy = make_graph(relations, entities)
    expected = reference(toy) if reference else expected_batches(toy, config)
    dry = partition(graph=graph, config=config, run_id="dry", dry_run=True)
    assert stored_batches(graph, "dry") == []
    report = partition(graph=graph, config=config, run_id="property")
    stored = stored_batches(graph, "property")
    assert [(b["relation_ids"], b["entity_ids"]) for b in stored] == \
           [(b.relation_ids, b.entity_ids) for b in expected]
    for got, want in zip(stored, expected):
        assert got["tokens"] == want.tokens
        assert got["mean_loss"] == (None if want.mean_loss is None else pytest.approx(want.mean_loss))
        assert got["marked"] == sorted(want.relation_ids)
        assert got["linked"] == ([] if want.relation_ids else sorted(want.entity_ids))
    assert report.batches == dry.batches == len(expected)
    assert report.relations_in_batches == dry.relations_in_batches
    return toy, stored


@SETTINGS
@given(spec=graphs(), config=ece_configs)
def test_ece_equals_the_reference(graph, make_graph, spec, config):
    check_run(graph, make_graph, spec, config)


@SETTINGS
@given(spec=graphs(), config=walk_configs)
def test_bfs_and_dfs_equal_the_reference(graph, make_graph, spec, config):
    check_run(graph, make_graph, spec, config)


@SETTINGS
@given(spec=graphs(), config=community_configs)
def test_community_equals_the_reference(graph, make_graph, spec, config):
    toy, stored = check_run(graph, make_graph, spec, config)
    ids = dict((r["id"], r["community"]) for r in graph.query(
        "MATCH (e:Entity) RETURN e.id AS id, e.community_id AS community"))
    expected = {e: index for index, batch in enumerate(stored) for e in batch["entity_ids"]}
    assert {e: c for e, c in ids.items() if c is not None} == expected
    leftovers = graph.query("MATCH (e:Entity) WHERE e.community_label IS NOT NULL OR e.community_next IS NOT NULL "
                            "RETURN count(*) AS n")
    assert leftovers[0]["n"] == 0
