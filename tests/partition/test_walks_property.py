"""Property: on random graphs, the anchor_bfs, triple and quintuple partitioners on Neo4j cut
exactly what the plain references (reference_units.py) cut, batch for batch; and the shapes
hold: a triple is one relation with its entities, a quintuple two relations sharing an entity,
every relation in at most one batch (triple: exactly one)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graphgen_neo4j.partition.stage import PartitionConfig

from .reference_units import reference_anchor_bfs, reference_quintuple, reference_triple
from .test_methods_property import SETTINGS, check_run
from .test_property import graphs

TYPES = ["Disease", "disease_stage", "DRUG", "THING"]


@st.composite
def typed_graphs(draw):
    entities, relations = draw(graphs())
    typed = [(name, {**extra, "type": draw(st.sampled_from(TYPES))}) for name, extra in entities]
    if not any("disease" in extra["type"].lower() and not extra.get("excluded") for _, extra in typed):
        name, extra = typed[0]
        typed[0] = (name, {**extra, "type": "DISEASE", "excluded": False})  # at least one anchor
    return typed, relations


anchor_configs = st.builds(PartitionConfig, method=st.just("anchor_bfs"), anchor_type=st.just(["disease"]),
                           max_units_per_community=st.integers(1, 8), seed=st.integers(0, 3))
tuple_configs = st.builds(PartitionConfig, method=st.sampled_from(["triple", "quintuple"]), seed=st.integers(0, 3))


@SETTINGS
@given(spec=typed_graphs(), config=anchor_configs)
def test_anchor_bfs_equals_the_reference(graph, make_graph, spec, config):
    expected = lambda toy: reference_anchor_bfs(toy.entities, toy.relations, config)  # noqa: E731
    toy, stored = check_run(graph, make_graph, spec, config, expected)
    types = {e.id: e.type for e in toy.entities}
    assert all("disease" in types[b["entity_ids"][0]].lower() for b in stored)  # every batch starts at an anchor


@SETTINGS
@given(spec=graphs(), config=tuple_configs)
def test_triple_and_quintuple_equal_the_reference(graph, make_graph, spec, config):
    reference = reference_triple if config.method == "triple" else reference_quintuple
    toy, stored = check_run(graph, make_graph, spec, config,
                            lambda toy: reference(toy.entities, toy.relations, config))
    relations = {r.id: r for r in toy.relations}
    seen = [r for b in stored for r in b["relation_ids"]]
    assert len(seen) == len(set(seen))
    for batch in stored:
        ends = [(relations[r].source, relations[r].target) for r in batch["relation_ids"]]
        assert len(ends) == (1 if config.method == "triple" else 2)
        assert set(batch["entity_ids"]) == {e for pair in ends for e in pair}
        if config.method == "quintuple":
            assert set(ends[0]) & set(ends[1]) and all(s != t for s, t in ends)
    if config.method == "triple":
        excluded = {e.id for e in toy.entities if e.excluded}
        usable = {r.id for r in toy.relations
                  if not r.excluded and r.source not in excluded and r.target not in excluded}
        assert set(seen) == usable
