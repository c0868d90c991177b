"""bulk_collection: fewer collector passes inside the block, the previous setting after it."""

from __future__ import annotations

import gc
import weakref

import pytest

from graphgen_neo4j.gc_policy import BULK_THRESHOLD, FullPasses, bulk_collection


def test_raises_the_young_threshold_and_restores_it_even_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(KeyError):
        with bulk_collection():
            assert gc.get_threshold() == (BULK_THRESHOLD, *before[1:])
            with bulk_collection():  # nested: the same inside, and the outer setting after it
                assert gc.get_threshold()[0] == BULK_THRESHOLD
            assert gc.get_threshold()[0] == BULK_THRESHOLD
            raise KeyError("boom")
    assert gc.get_threshold() == before


def test_works_as_a_decorator_and_still_frees_reference_cycles():
    @bulk_collection()
    def make_cycles() -> int:
        for _ in range(3 * BULK_THRESHOLD):
            node: dict = {}
            node["self"] = node  # a cycle only the collector can free
        return gc.get_threshold()[0]

    gc.collect()
    assert make_cycles() == BULK_THRESHOLD
    assert gc.collect() < BULK_THRESHOLD  # the passes inside freed most of them already


def test_full_passes_come_every_nth_unit_and_free_old_cycles():
    class Node:
        pass

    passes = FullPasses(every=3)
    with bulk_collection():
        node = Node()
        node.self = node  # a cycle
        gc.collect(1)  # it survives the young passes into the oldest generation, as driver cycles do
        alive = weakref.ref(node)
        del node
        assert [passes.due() for _ in range(2)] == [False, False]
        assert alive() is not None  # garbage, but only a full pass frees it
        assert passes.due() is True
        assert alive() is None
        assert [passes.due() for _ in range(3)] == [False, False, True]
