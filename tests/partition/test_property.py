"""Property: on random graphs with distinct losses, the Neo4j-driven partition equals the
in-memory reference batch for batch, whatever the settings — and with tiny waves, so the
wave machinery (speculative cuts, fetching missing frontiers) is exercised hard."""

from __future__ import annotations

import pytest
from conftest import clear_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .conftest import named, stored_batches

NAMES = [f"E{i}" for i in range(12)]


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 10))
    names = NAMES[:n]
    all_pairs = [(a, b) for a in names for b in names]  # self-relations too: extraction can produce them
    count = draw(st.integers(0, min(len(all_pairs), 30)))  # uniform, so dense graphs come up often
    pairs = draw(st.permutations(all_pairs))[:count]
    losses = draw(st.lists(st.integers(0, 10_000), min_size=len(pairs), max_size=len(pairs), unique=True))
    relations = []
    for (source, target), loss in zip(pairs, losses):
        extra = {"tokens": draw(st.integers(0, 30)), "strength": draw(st.integers(1, 10))}
        if draw(st.integers(0, 9)) == 0:
            extra["excluded"] = True
        # some relations unjudged: they come after the judged ones, by strength then id
        relations.append((source, target, None if loss % 7 == 0 else loss / 1000, extra))
    entities = []
    for name in names:
        extra = {"tokens": draw(st.integers(0, 15))}
        if draw(st.booleans()):
            extra["loss"] = draw(st.integers(0, 5000)) / 1000
        if draw(st.integers(0, 11)) == 0:
            extra["excluded"] = True
        entities.append((name, extra))
    return entities, relations


configs = st.builds(
    PartitionConfig,
    bidirectional=st.booleans(),
    edge_sampling=st.sampled_from(["max_loss", "min_loss", "random"]),
    expand_method=st.sampled_from(["max_width", "max_tokens"]),
    isolated_node_strategy=st.sampled_from(["ignore", "add"]),
    max_depth=st.integers(1, 3),
    max_extra_edges=st.integers(0, 6),
    max_tokens=st.integers(20, 160),
    loss_strategy=st.sampled_from(["only_edge", "both"]),
    seed=st.integers(0, 3),
    wave_size=st.integers(1, 4),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=graphs(), config=configs)
def test_neo4j_partition_equals_the_reference(graph, make_graph, spec, config):
    from .reference import reference_partition

    clear_database(graph)
    entities, relations = spec
    toy = make_graph(relations, entities)
    report = partition(graph=graph, config=config, run_id="property")
    stored = stored_batches(graph, "property")
    expected = reference_partition(toy.entities, toy.relations, config)

    assert named(toy, stored) == named(toy, expected)
    for got, want in zip(stored, expected):
        assert got["entity_ids"] == want.entity_ids
        assert got["tokens"] == want.tokens
        assert got["mean_loss"] == (None if want.mean_loss is None else pytest.approx(want.mean_loss))
        assert got["marked"] == sorted(want.relation_ids)
        # the batch's entities: its relations' endpoints, or (isolated) its HAS_ENTITY link
        assert (got["endpoints"] if want.relation_ids else got["linked"]) == sorted(want.entity_ids)
        assert got["linked"] == ([] if want.relation_ids else want.entity_ids)
    # the batches partition the usable relations: each exactly once
    usable = [r.id for r in toy.relations if not r.excluded
              and not any(e.excluded for e in toy.entities if e.id in (r.source, r.target))]
    placed = [rid for b in stored for rid in b["relation_ids"]]
    assert sorted(placed) == sorted(usable)
    assert report.batches == len(expected) and report.relations == len(usable)
