"""An interrupted partition resumes where it stopped and ends with the same batches."""

from __future__ import annotations

import random
import threading

import pytest

from graphgen_neo4j.errors import StageError
from graphgen_neo4j.partition import cutter as cutter_module
from graphgen_neo4j.partition import writer as writer_module
from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .conftest import named, stored_batches

CONFIG = PartitionConfig(max_depth=2, max_extra_edges=2, isolated_node_strategy="add", wave_size=2)


@pytest.fixture
def toy(make_graph):
    rng = random.Random(5)
    names = [f"N{i}" for i in range(14)]
    pairs = rng.sample([(a, b) for a in names for b in names if a != b], 28)
    losses = rng.sample(range(1000), len(pairs))
    return make_graph([(a, b, loss / 100) for (a, b), loss in zip(pairs, losses)], names + ["Alone1", "Alone2"])


def test_interrupted_between_waves_resumes_to_the_same_partition(graph, toy, monkeypatch):
    partition(graph=graph, config=CONFIG, run_id="whole")
    whole = named(toy, stored_batches(graph, "whole"))
    assert len(whole) > 6

    cut_wave = cutter_module.Cutter.cut_wave
    calls = {"n": 0}

    def interrupted(self, wave, seeds):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return cut_wave(self, wave, seeds)

    monkeypatch.setattr(cutter_module.Cutter, "cut_wave", interrupted)
    with pytest.raises(KeyboardInterrupt):
        partition(graph=graph, config=CONFIG, run_id="resumed")
    monkeypatch.undo()
    partial = stored_batches(graph, "resumed")
    assert 0 < len(partial) < len(whole)
    assert named(toy, partial) == whole[:len(partial)]  # what was stored is a prefix

    report = partition(graph=graph, config=CONFIG, run_id="resumed")
    resumed = stored_batches(graph, "resumed")
    assert named(toy, resumed) == whole
    assert [b["index"] for b in resumed] == list(range(len(whole)))
    assert report.batches == len(whole) and report.batches_new == len(whole) - len(partial)


def test_a_failed_write_loses_nothing_already_stored(graph, toy, monkeypatch):
    partition(graph=graph, config=CONFIG, run_id="whole")
    whole = named(toy, stored_batches(graph, "whole"))

    run = graph.run
    writes = {"n": 0}

    def failing(name, params=None, **options):
        if name == "partition/write_batches":
            writes["n"] += 1
            if writes["n"] == 4:
                raise RuntimeError("connection dropped")
        return run(name, params, **options)

    monkeypatch.setattr(graph, "run", failing)
    with pytest.raises(RuntimeError, match="connection dropped"):
        partition(graph=graph, config=CONFIG, run_id="failed")
    monkeypatch.undo()
    stored = stored_batches(graph, "failed")
    assert stored and all(named(toy, [b])[0] == whole[b["index"]] for b in stored)

    partition(graph=graph, config=CONFIG, run_id="failed")
    assert named(toy, stored_batches(graph, "failed")) == whole


def test_batches_written_ahead_of_a_failed_write_are_cut_again(graph, toy, monkeypatch):
    # The two writers: batch 3's write fails only once batch 4's has committed, which leaves
    # a gap; resuming drops what lies past it and ends with the same batches.
    partition(graph=graph, config=CONFIG, run_id="whole")
    whole = named(toy, stored_batches(graph, "whole"))
    monkeypatch.setattr(writer_module, "_WRITE_CHUNK", 1)
    run = graph.run
    later_committed = threading.Event()

    def failing_after_the_next(name, params=None, **options):
        index = params["batches"][0]["index"] if name == "partition/write_batches" else None
        if index == 3:
            assert later_committed.wait(timeout=30)
            raise RuntimeError("connection dropped")
        result = run(name, params, **options)
        if index == 4:
            later_committed.set()
        return result

    monkeypatch.setattr(graph, "run", failing_after_the_next)
    with pytest.raises(RuntimeError, match="connection dropped"):
        partition(graph=graph, config=CONFIG, run_id="ahead")
    monkeypatch.undo()
    indexes = [b["index"] for b in stored_batches(graph, "ahead")]
    assert 3 not in indexes and 4 in indexes

    with pytest.raises(StageError, match="resume it without --dry-run"):
        partition(graph=graph, config=CONFIG, run_id="ahead", dry_run=True)
    report = partition(graph=graph, config=CONFIG, run_id="ahead")
    resumed = stored_batches(graph, "ahead")
    assert named(toy, resumed) == whole
    assert [b["index"] for b in resumed] == list(range(len(whole)))
    assert report.batches == len(whole)
    marked = graph.query("MATCH ()-[r:RELATED {batch_run_id: 'ahead'}]->() RETURN count(r) AS n")[0]["n"]
    assert marked == sum(len(b["relation_ids"]) for b in resumed)


def test_interrupted_while_adding_isolated_entities(graph, toy, monkeypatch):
    partition(graph=graph, config=CONFIG, run_id="whole")
    whole = named(toy, stored_batches(graph, "whole"))
    # store every relation batch but only the first isolated batch, as if stopped right there
    monkeypatch.setattr(writer_module, "_WRITE_CHUNK", 1)
    run = graph.run
    isolated_writes = {"n": 0}

    def stop_after_one_isolated(name, params=None, **options):
        if name == "partition/write_batches" and not params["batches"][0]["relation_ids"]:
            isolated_writes["n"] += 1
            if isolated_writes["n"] == 2:
                raise KeyboardInterrupt
        return run(name, params, **options)

    monkeypatch.setattr(graph, "run", stop_after_one_isolated)
    with pytest.raises(KeyboardInterrupt):
        partition(graph=graph, config=CONFIG, run_id="isolated")
    monkeypatch.undo()
    assert sum(1 for b in stored_batches(graph, "isolated") if not b["relation_ids"]) == 1
    report = partition(graph=graph, config=CONFIG, run_id="isolated")
    assert named(toy, stored_batches(graph, "isolated")) == whole
    assert report.batches_new == 1


def test_running_a_finished_run_again_changes_nothing(graph, toy):
    first = partition(graph=graph, config=CONFIG, run_id="twice")
    again = partition(graph=graph, config=CONFIG, run_id="twice")
    assert again.batches_new == 0
    assert again.batches == first.batches and again.size_histogram == first.size_histogram
    assert len(stored_batches(graph, "twice")) == first.batches


def test_a_run_with_a_gap_is_completed_from_its_unbroken_prefix(graph, toy):
    partition(graph=graph, config=CONFIG, run_id="gap")
    whole = named(toy, stored_batches(graph, "gap"))
    graph.query("MATCH (b:Batch {run_id: 'gap', index: 2}) DETACH DELETE b")
    report = partition(graph=graph, config=CONFIG, run_id="gap")
    assert named(toy, stored_batches(graph, "gap")) == whole
    assert report.batches_new == len(whole) - 2
    assert f"resumed from batch 2: {len(whole) - 3} batches stored past a gap" in report.notes[0]


def test_a_gap_before_batches_already_used_by_generation_is_not_resumed(graph, toy):
    partition(graph=graph, config=CONFIG, run_id="used")
    graph.query("MATCH (b:Batch {run_id: 'used', index: 2}) DETACH DELETE b")
    graph.query("MATCH (b:Batch {run_id: 'used', index: 5}) SET b.status = 'generated'")
    with pytest.raises(StageError, match="cannot be resumed exactly"):
        partition(graph=graph, config=CONFIG, run_id="used")
