"""Generation end to end: hand-built graph and batches, the scripted LLM server over HTTP, real Neo4j."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageError, StageFailed
from graphgen_neo4j.generate.config import TASK_ATOMIC, TASK_MULTI_HOP, TASK_QUESTION, TASK_REWRITE, GenerateConfig
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.generate.units import qa_id
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.budgets import max_tokens_for
from graphgen_neo4j.testing.scripts import message_text

from .conftest import ENTITIES, PARTITION_RUN, RELATIONS, make_batches, synthesizer_settings

ALL_MODES = ["atomic", "aggregated", "multi_hop"]
CALLS = {"atomic": 1, "aggregated": 2, "multi_hop": 1}


def qa_rows(graph, run_id=None):
    return graph.query(
        "MATCH (q:QA) WHERE $run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) } "
        "RETURN q.id AS id, q.mode AS mode, q.question AS question, q.answer AS answer, q.run_id AS run_id, "
        "q.batch_id AS batch_id, q.relation_ids AS relation_ids, q.entity_ids AS entity_ids, "
        "q.chunk_ids AS chunk_ids, q.loss AS loss, q.item_loss AS item_loss, q.language AS language, "
        "[(q)-[:ABOUT]->(e) | e.id] AS about ORDER BY q.id",
        {"run_id": run_id},
    )


def prompts_of(request) -> str:
    return "\n".join(message_text(m) for m in request.messages)


def prompts(server) -> list[str]:
    return [prompts_of(r) for r in server.requests if r.path.endswith("/completions")]


async def generate_with(graph, client, run_id="gen-1", **config):
    return await generate(graph=graph, synthesizer=client, config=GenerateConfig(**config), run_id=run_id)


async def test_every_mode_end_to_end(graph, rice, synthesizer, server) -> None:
    ids = rice["ids"]
    report = await generate_with(graph, synthesizer, modes=ALL_MODES)

    # 5 relations + 1 isolated entity (atomic), 2 batches with relations (aggregated), 2 with two or more (multi-hop)
    assert {m: r.generated for m, r in report.modes.items()} == {"atomic": 6, "aggregated": 2, "multi_hop": 2}
    assert report.qa == report.new_qa == 10 and report.no_qa == 0
    assert server.count() == 6 * 1 + 2 * 2 + 2 * 1
    assert (report.batches, report.batches_used, report.batches_skipped) == (3, 3, 0)

    rows = {(r["mode"], r["question"]): r for r in qa_rows(graph, "gen-1")}
    pi9 = rows[("atomic", "[canned] What is the relation between Pi9 and Magnaporthe oryzae?")]
    assert pi9["answer"] == "[canned] Pi9 recognises Magnaporthe oryzae effectors."
    assert pi9["relation_ids"] == [ids["Pi9->Magnaporthe oryzae"]] and pi9["chunk_ids"] == ["chunk-c"]
    assert sorted(pi9["about"]) == sorted(pi9["entity_ids"]) == sorted([ids["Pi9"], ids["Magnaporthe oryzae"]])
    assert pi9["item_loss"] == 3.0 and pi9["loss"] == pytest.approx((3.0 + 2.0 + 0.5) / 3)
    assert pi9["run_id"] == "gen-1" and pi9["batch_id"] == rice["batches"][0] and pi9["language"] == "en"
    assert pi9["id"] == qa_id("atomic", pi9["question"], pi9["answer"])

    hop = rows[("multi_hop", "[canned] How is Pi9 connected to Rice?")]
    assert hop["answer"] == ("[canned] Pi9 recognises Magnaporthe oryzae effectors. Then Magnaporthe oryzae causes "
                             "rice blast. Then Rice blast destroys rice harvests.")
    assert hop["chunk_ids"] == ["chunk-c", "chunk-a", "chunk-b"] and len(hop["about"]) == 4

    aggregated = [r for r in rows.values() if r["mode"] == "aggregated" and r["batch_id"] == rice["batches"][1]]
    assert aggregated[0]["answer"] == "[canned] Tricyclazole blocks melanin synthesis. Melanin lets Magnaporthe oryzae enter leaves."
    assert aggregated[0]["question"].startswith("[canned] Which question does this answer: Tricyclazole blocks")

    seed_bank = rows[("atomic", "[canned] What is Seed bank?")]
    assert seed_bank["relation_ids"] == [] and seed_bank["about"] == [ids["Seed bank"]]

    batches = graph.query("MATCH (b:Batch) RETURN b.id AS id, b.status AS status, b.qa_count AS qa ORDER BY b.index")
    assert [(b["status"], b["qa"]) for b in batches] == [("generated", 5), ("generated", 4), ("generated", 1)]
    links = graph.query("MATCH (b:Batch)-[y:YIELDED]->(q:QA) RETURN count(y) AS n, collect(DISTINCT y.unit) AS units")[0]
    assert links["n"] == 10 and {"aggregated", "multi_hop", f"atomic:{ids['Pi9->Magnaporthe oryzae']}"} <= set(links["units"])
    record = graph.query("MATCH (r:Run {id: 'gen-1'}) RETURN r.status AS status, r.command AS command, r.generate_qa AS qa")[0]
    assert record == {"status": "completed", "command": "generate", "qa": 10}


async def test_each_request_may_write_about_as_much_as_its_material(graph, rice, synthesizer, server) -> None:
    """max_tokens follows the unit's facts (a rambling small model is cut early), never above the table."""
    await generate_with(graph, synthesizer, modes=ALL_MODES)
    budgets = {}
    for request in server.requests:
        if request.path.endswith("/completions"):
            budgets.setdefault(request.task, []).append(request.body["max_tokens"])
    assert max(budgets[TASK_ATOMIC]) < max_tokens_for(TASK_ATOMIC)  # one relation: a short reply
    assert max(budgets[TASK_REWRITE]) < max_tokens_for(TASK_REWRITE)
    for task, sizes in budgets.items():
        assert all(256 < size <= max_tokens_for(task) for size in sizes), (task, sizes)
    assert len(set(budgets[TASK_ATOMIC])) > 1  # more material, more room


async def test_the_prompt_language_follows_the_material(graph, build_graph, synthesizer, server) -> None:
    ids = build_graph(
        [("稻瘟病", "DISEASE", "由稻瘟病菌引起的水稻真菌病害。"), ("稻瘟病菌", "FUNGUS", "一种子囊菌。"), ("水稻", "CROP", "禾本科作物。")],
        [("稻瘟病菌", "稻瘟病", "稻瘟病菌侵染水稻引起稻瘟病。", {"loss": 1.0}),
         ("稻瘟病", "水稻", "稻瘟病使水稻减产。", {"loss": 2.0})],
    )
    make_batches(graph, ids, [["稻瘟病菌->稻瘟病", "稻瘟病->水稻"]])
    report = await generate_with(graph, synthesizer, modes=ALL_MODES)
    assert report.qa == 4
    sent = prompts(server)
    assert len(sent) == 5 and all("请" in p and "English" not in p for p in sent)  # the Chinese prompt files
    questions = {r["mode"]: r["question"] for r in qa_rows(graph)}
    assert questions["multi_hop"] == "[canned] 稻瘟病菌如何与水稻联系起来？"
    assert questions["aggregated"].startswith("[canned] 哪个问题的答案是：稻瘟病菌侵染水稻")
    assert {r["language"] for r in qa_rows(graph)} == {"zh"}


async def test_cap_and_mix_are_honoured_highest_loss_first(graph, build_graph, synthesizer, server) -> None:
    # 12 chains A{i} -> B{i} -> C{i}: batch i has mean loss i, so the top batches are the last ones.
    entities = [(f"{x}{i}", "THING", f"{x}{i} is a thing.") for i in range(12) for x in "ABC"]
    relations = [r for i in range(12) for r in (
        (f"A{i}", f"B{i}", f"A{i} feeds B{i}.", {"loss": i + 0.5}),
        (f"B{i}", f"C{i}", f"B{i} feeds C{i}.", {"loss": i - 0.5}),
    )]
    ids = build_graph(entities, relations)
    make_batches(graph, ids, [[f"A{i}->B{i}", f"B{i}->C{i}"] for i in range(12)])
    report = await generate_with(graph, synthesizer, max_qa=10, mix="aggregated=0.5,multi_hop=0.3,atomic=0.2")

    by_mode = {m: r.generated for m, r in report.modes.items()}
    assert by_mode == {"aggregated": 5, "multi_hop": 3, "atomic": 2} and report.qa == 10
    rows = qa_rows(graph, "gen-1")
    used = {m: sorted(int(r["batch_id"].rsplit("b", 1)[1]) for r in rows if r["mode"] == m) for m in by_mode}
    assert used["aggregated"] == [7, 8, 9, 10, 11] and used["multi_hop"] == [9, 10, 11]
    atomic_relations = sorted(r["relation_ids"][0] for r in rows if r["mode"] == "atomic")
    assert atomic_relations == sorted([ids["A11->B11"], ids["A10->B10"]])  # the two highest relation losses
    assert server.count() == 5 * 2 + 3 + 2
    statuses = graph.query("MATCH (b:Batch) RETURN b.status AS s, count(*) AS n ORDER BY s")
    assert {r["s"]: r["n"] for r in statuses} == {"generated": 5, "planned": 7}
    assert (report.batches_used, report.batches_skipped) == (5, 7)


async def test_min_loss_skips_batches_below_it(graph, rice, synthesizer, server) -> None:
    report = await generate_with(graph, synthesizer, modes=["aggregated", "atomic"], min_loss=1.5)
    # batch 0 mean 1.83 is kept, batch 1 mean 0.6 is not; relations with loss >= 1.5: Pi9 (3.0), fungus (2.0)
    assert report.modes["aggregated"].generated == 1 and report.modes["aggregated"].below_min_loss == 1
    assert report.modes["atomic"].generated == 2
    assert report.modes["atomic"].below_min_loss == 3 and report.modes["atomic"].unjudged == 1  # Seed bank has no loss
    assert {r["batch_id"] for r in qa_rows(graph)} == {rice["batches"][0]}
    assert report.losses_available and not report.notes


async def test_without_losses_the_threshold_says_it_cannot_apply(graph, build_graph, synthesizer) -> None:
    ids = build_graph([], [("A", "B", "A binds B."), ("B", "C", "B binds C.")])
    make_batches(graph, ids, [["A->B"], ["B->C"]])
    report = await generate_with(graph, synthesizer, min_loss=1.0)
    assert report.qa == 2 and not report.losses_available
    assert any("not applied" in n for n in report.notes)


async def test_excluded_items_never_reach_a_prompt(graph, rice, synthesizer, server) -> None:
    ids = rice["ids"]
    graph.query("MATCH (e:Entity {id: $id}) SET e.excluded = true", {"id": ids["Rice"]})
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() SET r.excluded = true", {"id": ids["Tricyclazole->Melanin"]})
    report = await generate_with(graph, synthesizer, modes=ALL_MODES)

    sent = "\n".join(prompts(server))
    for excluded in ("Rice blast destroys rice harvests", "A cereal crop", "Tricyclazole", "-> Rice:"):
        assert excluded not in sent
    rows = qa_rows(graph)
    assert all(ids["Rice blast->Rice"] not in r["relation_ids"] and ids["Rice"] not in r["entity_ids"] for r in rows)
    assert all(ids["Tricyclazole->Melanin"] not in r["relation_ids"] for r in rows)
    # batch 1 is left with one relation: no multi-hop there; batch 0 keeps two relations.
    assert report.modes["multi_hop"].generated == 1 and report.modes["atomic"].generated == 4
    assert not any("Rice" in r["question"].replace("Rice blast", "") for r in rows)


async def test_replies_without_a_qa_are_counted_and_retried_on_the_next_run(graph, rice, cached_synthesizer, server) -> None:
    server.knobs["generate_unusable_terms"] = ["Tricyclazole"]
    report = await generate_with(graph, cached_synthesizer, modes=ALL_MODES)
    # batch 1 (Tricyclazole, Melanin): its atomic unit for Tricyclazole->Melanin, aggregated and multi-hop fail.
    assert report.no_qa == 3 and report.qa == 7
    assert report.no_qa_reasons == {
        f"{TASK_ATOMIC}: no question and answer in the reply": 1,
        f"{TASK_REWRITE}: no rewritten text in the reply": 1,
        f"{TASK_MULTI_HOP}: no question and answer in the reply": 1,
    }
    assert {m: r.no_qa for m, r in report.modes.items()} == {"atomic": 1, "aggregated": 1, "multi_hop": 1}
    failed = graph.query("MATCH (b:Batch {status: 'failed'}) RETURN b.id AS id, b.generate_errors AS errors")
    assert [f["id"] for f in failed] == [rice["batches"][1]] and len(failed[0]["errors"]) == 3
    assert report.batches_failed == 1

    # The model behaves now: a second run asks only for the three failed units.
    server.knobs["generate_unusable_terms"] = []
    server.clear_requests()
    again = await generate_with(graph, cached_synthesizer, run_id="gen-2", modes=ALL_MODES)
    assert again.no_qa == 0 and again.qa == 10 and sum(m.reused for m in again.modes.values()) == 7
    assert sorted(r.task for r in server.requests) == sorted([TASK_ATOMIC, TASK_REWRITE, TASK_QUESTION, TASK_MULTI_HOP])
    assert graph.query("MATCH (b:Batch) RETURN collect(DISTINCT b.status) AS s")[0]["s"] == ["generated"]


async def test_tagged_and_fenced_replies_still_give_qa(graph, rice, synthesizer, server) -> None:
    server.knobs["generate_style"] = "tags"  # "Question: …\nAnswer: …" instead of JSON
    server.inject("text_mode", times=None, task=TASK_REWRITE)  # JSON in a fence with chatter around it
    report = await generate_with(graph, synthesizer, modes=ALL_MODES)
    assert report.no_qa == 0 and report.qa == 10
    questions = {r["question"] for r in qa_rows(graph)}
    assert "[canned] What is the relation between Pi9 and Magnaporthe oryzae?" in questions


async def test_empty_replies_count_as_no_qa(graph, rice, synthesizer, server) -> None:
    server.inject("empty_content", times=None, task=TASK_MULTI_HOP)
    report = await generate_with(graph, synthesizer, modes=["multi_hop", "aggregated"])
    assert report.modes["multi_hop"].no_qa == 2 and report.modes["multi_hop"].generated == 0
    assert report.modes["aggregated"].generated == 2


class InterruptAfter:
    """A Progress that cancels the generate task after ``n`` units, like Ctrl-C."""

    def __init__(self, n: int):
        self.n = n
        self.done = 0
        self.task: asyncio.Task | None = None

    def start(self, task, total=None, **fields):
        pass

    def advance(self, task, amount=1, **fields):
        self.done += amount
        if self.done == self.n and self.task is not None:
            self.task.cancel()

    def finish(self, task):
        pass


async def test_an_interrupted_run_resumes_without_redoing_finished_batches(graph, build_graph, server) -> None:
    entities = [(f"{x}{i}", "THING", f"{x}{i} is a thing.") for i in range(8) for x in "AB"]
    ids = build_graph(entities, [(f"A{i}", f"B{i}", f"A{i} feeds B{i}.", {"loss": float(i)}) for i in range(8)])
    make_batches(graph, ids, [[f"A{i}->B{i}"] for i in range(8)])
    client = LLMClient(synthesizer_settings(server, max_concurrency=1))  # no cache: every repeat would show
    stopper = InterruptAfter(3)
    stopper.task = asyncio.ensure_future(
        generate(graph=graph, synthesizer=client, run_id="gen-1", progress=stopper,
                 config=GenerateConfig(modes=["aggregated", "atomic"], max_concurrency=1, write_every=1)))
    with pytest.raises(asyncio.CancelledError):
        await stopper.task
    stored = graph.query("MATCH (b:Batch)-[y:YIELDED]->(q:QA) RETURN b.id AS batch, y.unit AS unit")
    assert stored  # work done before the interruption is kept
    assert graph.query("MATCH (r:Run {id: 'gen-1'}) RETURN r.status AS s")[0]["s"] == "interrupted"
    stored_units = {(s["batch"], s["unit"]) for s in stored}
    assert 3 <= len(stored_units) < 16

    server.clear_requests()
    report = await generate(graph=graph, synthesizer=client, run_id="gen-2",
                            config=GenerateConfig(modes=["aggregated", "atomic"]))
    assert report.qa == 16 and report.no_qa == 0
    assert sum(m.reused for m in report.modes.values()) == len(stored_units)
    expected_calls = sum(CALLS[m] for m in ("aggregated", "atomic") for _ in range(8)) - sum(
        CALLS[u.split(":")[0]] for _, u in stored_units)
    assert server.count() == expected_calls
    # The units stored before the interruption were not asked again.
    relation_line = re.compile(r"^1\. (A\d+) -> ", re.M)
    asked_again = {(r.task, m.group(1)) for r in server.requests for m in [relation_line.search(prompts_of(r))] if m}
    done_before = {(TASK_ATOMIC if unit.startswith("atomic") else TASK_REWRITE, f"A{batch.rsplit('b', 1)[1]}")
                   for batch, unit in stored_units}
    assert asked_again and not asked_again & done_before
    # The second run's dataset is complete: it also holds the QA the first run stored.
    assert len(qa_rows(graph, "gen-2")) == 16
    assert graph.query("MATCH (b:Batch) RETURN collect(DISTINCT b.status) AS s")[0]["s"] == ["generated"]

    # Same QA as an uninterrupted run would give (ids are content hashes).
    interrupted_ids = {r["id"] for r in qa_rows(graph)}
    graph.query("MATCH (n) DETACH DELETE n")
    ids = build_graph(entities, [(f"A{i}", f"B{i}", f"A{i} feeds B{i}.", {"loss": float(i)}) for i in range(8)])
    make_batches(graph, ids, [[f"A{i}->B{i}"] for i in range(8)])
    await generate(graph=graph, synthesizer=client, run_id="gen-3", config=GenerateConfig(modes=["aggregated", "atomic"]))
    assert {r["id"] for r in qa_rows(graph)} == interrupted_ids


async def test_a_fatal_llm_error_stops_the_run_keeping_what_was_stored(graph, rice, server) -> None:
    client = LLMClient(synthesizer_settings(server, max_concurrency=1))
    server.inject("401", times=None, task=TASK_MULTI_HOP)
    with pytest.raises(StageFailed, match="generate: stopped .*API key rejected"):
        await generate(graph=graph, synthesizer=client, run_id="gen-1",
                       config=GenerateConfig(modes=["multi_hop"], max_concurrency=1))
    assert graph.query("MATCH (r:Run {id: 'gen-1'}) RETURN r.status AS s")[0]["s"] == "failed"


async def test_nothing_usable_gives_zero_qa_not_a_crash(graph, rice, synthesizer, server) -> None:
    graph.query("MATCH ()-[r:RELATED]->() SET r.excluded = true")
    graph.query("MATCH (e:Entity {name: 'Seed bank'}) SET e.excluded = true")
    report = await generate_with(graph, synthesizer, modes=ALL_MODES)
    assert report.qa == 0 and report.no_qa == 0 and server.count() == 0
    assert report.batches_skipped == 3
    assert any("multi_hop: no batch offers two relations" in n for n in report.notes)


async def test_no_batches_is_a_clear_error(graph, build_graph, synthesizer) -> None:
    build_graph(ENTITIES, RELATIONS)
    with pytest.raises(StageError, match="no batches: run `graphgen-neo4j partition` first"):
        await generate_with(graph, synthesizer)
    with pytest.raises(StageError, match="has no batches"):
        await generate_with(graph, synthesizer, partition_run_id="no-such-run")


async def test_the_latest_partition_run_is_used(graph, rice, synthesizer) -> None:
    ids = rice["ids"]
    newer = make_batches(graph, ids, [["Pi9->Magnaporthe oryzae"]], run_id="partition-test-2",
                         started_at="2026-02-01T00:00:00Z")
    report = await generate_with(graph, synthesizer)
    assert report.partition_run_id == "partition-test-2" and report.qa == 1
    assert {r["batch_id"] for r in qa_rows(graph)} == set(newer)
    report = await generate_with(graph, synthesizer, run_id="gen-old", partition_run_id=PARTITION_RUN)
    assert report.qa == 2 and report.partition_run_id == PARTITION_RUN


async def test_coverage_queries(graph, rice, synthesizer) -> None:
    await generate_with(graph, synthesizer, modes=["atomic"], max_qa=2)
    coverage = graph.read("generate/coverage_by_mode", {"run_id": "gen-1"})
    assert coverage == [{"mode": "atomic", "qa": 2, "mean_loss": pytest.approx((3.0 + 2.0 + 0.5) / 3),
                         "relations_covered": 2, "entities_covered": 3}]
    uncovered = graph.read("explore/uncovered_relations", {"limit": 10})  # the analysts' query
    assert [(r["source"], r["target"], r["loss"]) for r in uncovered] == [
        ("Tricyclazole", "Melanin", 1.0), ("Rice blast", "Rice", 0.5), ("Melanin", "Magnaporthe oryzae", 0.2)]
    assert uncovered[0]["batch_id"] == rice["batches"][1]


async def test_identical_qa_are_stored_once_and_both_units_count_as_done(graph, build_graph, synthesizer, server) -> None:
    # Two batches offering the same relation (partition never does this; a hand-made case of identical QA).
    ids = build_graph([], [("A", "B", "A binds B.", {"loss": 1.0, "chunk_ids": ["c1"]})])
    make_batches(graph, ids, [["A->B"], ["A->B"]])
    report = await generate_with(graph, synthesizer, modes=["atomic"])
    assert report.modes["atomic"].generated == 2 and report.qa == report.new_qa == 1 and report.duplicate_qa == 1
    links = graph.query("MATCH (b:Batch)-[y:YIELDED]->(q:QA) RETURN b.id AS batch, y.unit AS unit ORDER BY batch")
    assert len(links) == 2 and {link["unit"] for link in links} == {f"atomic:{ids['A->B']}"}
    server.clear_requests()
    again = await generate_with(graph, synthesizer, run_id="gen-2", modes=["atomic"])
    assert again.modes["atomic"].reused == 2 and server.count() == 0 and again.qa == 1


async def test_qa_made_stale_by_curation_are_written_again_from_the_curated_graph(graph, rice, synthesizer, server) -> None:
    ids = rice["ids"]
    await generate_with(graph, synthesizer, modes=["aggregated", "multi_hop"])
    graph.query("MATCH (e:Entity {id: $id}) SET e.excluded = true", {"id": ids["Rice"]})
    marked = graph.run("curate/mark_stale")[0]  # the analysts' query
    assert marked["newly_stale"] == 2  # batch 0's aggregated and multi-hop QA mention Rice
    server.clear_requests()
    again = await generate_with(graph, synthesizer, run_id="gen-2", modes=["aggregated", "multi_hop"])
    assert {m: (r.reused, r.generated) for m, r in again.modes.items()} == {"aggregated": (1, 1), "multi_hop": (1, 1)}
    assert server.count() == 3  # rewrite + question + multi-hop for batch 0 only
    fresh = qa_rows(graph, "gen-2")
    assert len(fresh) == 4 and all(ids["Rice"] not in r["entity_ids"] for r in fresh)
    assert graph.query("MATCH (q:QA) WHERE q.stale RETURN count(q) AS n")[0]["n"] == 2


class StoreWaitsForRequests(Graph):
    """The real database; its first QA store lasts until ``n`` requests reached the server (or 3 s)."""

    def __init__(self, graph: Graph, server, n: int):
        super().__init__(graph.driver, graph.database)
        self.server, self.n = server, n
        self.first_store_saw_all: list[bool] = []

    def run(self, name, params=None, **kwargs):
        if name == "generate/store_qa" and not self.first_store_saw_all:
            deadline = time.monotonic() + 3.0
            while self.server.count() < self.n and time.monotonic() < deadline:
                time.sleep(0.01)
            self.first_store_saw_all.append(self.server.count() >= self.n)
        return super().run(name, params, **kwargs)


async def test_storing_qa_does_not_hold_up_the_next_units(graph, build_graph, server) -> None:
    entities = [(f"{x}{i}", "THING", f"{x}{i} is a thing.") for i in range(8) for x in "AB"]
    ids = build_graph(entities, [(f"A{i}", f"B{i}", f"A{i} feeds B{i}.", {"loss": float(i)}) for i in range(8)])
    make_batches(graph, ids, [[f"A{i}->B{i}"] for i in range(8)])
    slow = StoreWaitsForRequests(graph, server, n=8)
    client = LLMClient(synthesizer_settings(server, max_concurrency=1))  # a window of 2 units
    server.clear_requests()
    report = await generate(graph=slow, synthesizer=client, run_id="gen-1",
                            config=GenerateConfig(modes=["atomic"], max_concurrency=1, write_every=1))
    # The first store was still in flight when the last unit's request went out.
    assert slow.first_store_saw_all == [True]
    assert report.qa == 8 and len(qa_rows(graph, "gen-1")) == 8
    assert graph.query("MATCH (b:Batch) RETURN collect(DISTINCT b.status) AS s")[0]["s"] == ["generated"]
