"""Quiz: statements written once per description, stored on the item, re-used."""

from __future__ import annotations

import pytest

from graphgen_neo4j.assess.items import description_hash
from graphgen_neo4j.assess.negation import plausible_negation, read_negation, statement_key, template_negation
from graphgen_neo4j.assess.quiz import QuizConfig, QuizReply, build_statements, quiz
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.llm import EndpointSettings, LLMClient
from graphgen_neo4j.progress import NullProgress

from .conftest import ENTITIES, RELATIONS


def quiz_rows(graph: Graph) -> dict[str, dict]:
    rows = graph.query(
        "MATCH ()-[r:RELATED]->() RETURN r.id AS id, r.description AS description, r.quiz_statements AS statements,"
        " r.quiz_labels AS labels, r.quiz_source_hash AS hash, r.quiz_samples AS samples, r.loss AS loss"
    )
    return {row["id"]: row for row in rows}


# -- pure: what is kept from a reply -------------------------------------------------------


def test_statements_are_description_then_paraphrases_then_negations() -> None:
    reply = QuizReply(paraphrases=["A, in short, controls B.", "B is controlled by A."], negations=["A does not control B.", "B is free of A.", "extra"])
    statements, labels, sources = build_statements("A controls B.", reply, 2)
    assert statements == ["A controls B.", "A, in short, controls B.", "A does not control B.", "B is free of A."]
    assert labels == [True, True, False, False]
    assert sources == ["description", "model", "model", "model"]


def test_repeats_blanks_and_contradictions_are_dropped() -> None:
    reply = QuizReply(
        paraphrases=["  a controls  B. ", "", "Either way.", "Either way."],
        negations=["Either way.", "A does not control B.", "a does NOT control b.", " "],
    )
    statements, labels, _ = build_statements("A controls B.", reply, 3)
    # the paraphrase equal to the description and the text offered as both are gone
    assert statements == ["A controls B.", "A does not control B."]
    assert labels == [True, False]


def test_a_negation_that_only_repeats_the_description_is_not_kept() -> None:
    # what a 0.5B model wrote: the sentence again, without its full stop or with other spacing
    for copy in ("刘备是蜀汉的开国皇帝", "刘备是蜀汉的开国皇帝 。", "刘备 是 蜀汉的开国皇帝！"):
        reply = QuizReply(paraphrases=[], negations=[copy])
        statements, labels, _ = build_statements("刘备是蜀汉的开国皇帝。", reply, 1)
        assert (statements, labels) == (["刘备是蜀汉的开国皇帝。"], [True]), copy


def test_a_negation_about_something_else_is_not_kept() -> None:
    reply = QuizReply(negations=["Rice blast is not caused by a fungus.", "Tricyclazole does not control rice blast."])
    statements, _, _ = build_statements("Tricyclazole controls rice blast.", reply, 2)
    assert statements == ["Tricyclazole controls rice blast.", "Tricyclazole does not control rice blast."]


def test_a_copied_prompt_example_is_not_a_negation() -> None:
    assert not plausible_negation("Rice blast spreads in wet weather.", "Rice blast is not caused by a fungus.", set())
    assert not plausible_negation("稻瘟病在潮湿天气蔓延。", "稻瘟病不是由真菌引起的。", set())
    assert plausible_negation("Rice blast spreads in wet weather.", "Rice blast does not spread in wet weather.", set())


def test_negation_helpers() -> None:
    assert statement_key(" Pi9,  gives\tRESISTANCE. ") == statement_key("pi9 gives resistance")
    assert read_negation("Opposite: “Pi9 gives no resistance.”\nmore") == "Pi9 gives no resistance."
    assert read_negation("\n相反：稻瘟病不是由真菌引起的。") == "稻瘟病不是由真菌引起的。"
    assert template_negation("刘备字玄德。") == "以下说法是错误的：“刘备字玄德。”"
    assert template_negation("A controls B.") == 'The following statement is false: "A controls B."'


# -- against Neo4j and the scripted server --------------------------------------------------


async def test_one_call_per_relation_and_2n_statements(graph, sample_graph, server, synthesizer) -> None:
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=2))
    assert server.count(task="quiz") == len(RELATIONS)  # entities are not quizzed under only_edge
    assert report.quizzed == {"relation": len(RELATIONS)}
    assert report.llm_calls == len(RELATIONS) and report.calls_per_item == 1.0
    assert report.statements == 4 * len(RELATIONS)
    for row in quiz_rows(graph).values():
        assert row["statements"][0] == row["description"]
        assert row["labels"] == [True, True, False, False]
        assert row["samples"] == 2 and len(row["hash"]) == 32
        assert row["statements"][1].startswith("[canned] ")
        assert all(s.startswith(("It is not true that ", "并非")) for s in row["statements"][2:])
    untouched = graph.query("MATCH (e:Entity) WHERE e.quiz_statements IS NOT NULL RETURN count(e) AS n")[0]["n"]
    assert untouched == 0


async def test_second_run_makes_no_calls(graph, sample_graph, server, synthesizer) -> None:
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    before, stored = server.count(task="quiz"), quiz_rows(graph)
    again = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    assert server.count(task="quiz") == before
    assert again.quizzed == {"relation": 0} and again.up_to_date == len(RELATIONS) and again.llm_calls == 0
    assert quiz_rows(graph) == stored


async def test_changed_description_gets_new_statements(graph, sample_graph, server, synthesizer) -> None:
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    rid = sample_graph["刘备->关羽"]
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() SET r.description = '刘备、关羽、张飞三人在桃园结义。', r.loss = 1.5", {"id": rid})
    before, old = server.count(task="quiz"), quiz_rows(graph)
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    assert server.count(task="quiz") == before + 1 and report.quizzed == {"relation": 1}
    new = quiz_rows(graph)
    assert new[rid]["statements"][0] == "刘备、关羽、张飞三人在桃园结义。"
    assert new[rid]["hash"] != old[rid]["hash"]
    assert new[rid]["loss"] is None  # measured on the old statements: no longer this relation's loss
    assert {k: v for k, v in new.items() if k != rid} == {k: v for k, v in old.items() if k != rid}


async def test_more_samples_rewrite_the_statements(graph, sample_graph, server, synthesizer) -> None:
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=1))
    assert all(row["labels"] == [True, False] for row in quiz_rows(graph).values())
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=3))
    assert report.quizzed == {"relation": len(RELATIONS)}
    assert all(row["labels"] == [True] * 3 + [False] * 3 for row in quiz_rows(graph).values())


async def test_both_quizzes_entities_and_excluded_items_are_skipped(graph, sample_graph, server, synthesizer) -> None:
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() SET r.excluded = true", {"id": sample_graph["刘备->张飞"]})
    graph.query("MATCH (e:Entity {id: $id}) SET e.excluded = true", {"id": sample_graph["张飞"]})
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(loss_strategy="both"))
    assert report.quizzed == {"relation": len(RELATIONS) - 1, "entity": len(ENTITIES) - 1}
    assert server.count(task="quiz") == len(RELATIONS) + len(ENTITIES) - 2
    skipped = graph.query(
        "MATCH (e:Entity {id: $e}), ()-[r:RELATED {id: $r}]->() RETURN e.quiz_statements AS e, r.quiz_statements AS r",
        {"e": sample_graph["张飞"], "r": sample_graph["刘备->张飞"]},
    )[0]
    assert skipped == {"e": None, "r": None}
    entity = graph.query("MATCH (e:Entity {id: $id}) RETURN e.quiz_statements AS s, e.quiz_labels AS l", {"id": sample_graph["刘备"]})[0]
    assert entity["s"][0] == "刘备，字玄德，蜀汉开国皇帝。" and entity["l"] == [True, True, False, False]


async def test_unusable_reply_fails_only_its_item_and_is_retried_next_run(graph, sample_graph, server, synthesizer) -> None:
    # Items are quizzed side by side (one window across pages), so which request meets a fault
    # is a matter of timing: every item is quizzed once, then one edited item alone needs a
    # new quiz and meets the faults (its request and its two re-asks, max_reasks).
    first = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(page_size=1, flush_every=1))
    assert first.failed == 0 and first.quizzed == {"relation": len(RELATIONS)}
    rid = sorted(quiz_rows(graph))[2]
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() SET r.description = r.description + ' (edited)'", {"id": rid})
    server.inject("malformed_json", times=3, task="quiz")
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(page_size=1, flush_every=1))
    assert report.failed == 1 and report.failures[0].kind == "relation" and report.failures[0].id == rid
    assert report.quizzed == {"relation": 0} and report.up_to_date == len(RELATIONS) - 1
    stale = [r for r, row in quiz_rows(graph).items() if row["hash"] != description_hash(row["description"])]
    assert stale == [rid]  # left as it was: its statements are from the old description
    again = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    assert again.quizzed == {"relation": 1} and again.llm_calls == 1


async def test_an_endpoint_failure_stops_the_run_keeping_finished_items(graph, build_graph, server, ledger) -> None:
    build_graph([], [(f"S{i}", f"T{i}", f"S{i} activates T{i}.") for i in range(6)])
    # one request at a time, so the fault lands between items
    settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="scripted-synth",
                                max_retries=0, max_concurrency=1)
    synthesizer = LLMClient(settings, ledger=ledger)

    class InjectAfterTwo(NullProgress):
        done = 0

        def advance(self, task, amount=1, **fields):
            if "calls" in fields:  # an item finished (skipped ones advance without fields)
                self.done += 1
                if self.done == 2:
                    server.inject("401", times=None, task="quiz")

    with pytest.raises(StageFailed, match="quiz: stopped .*API key rejected"):
        await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(flush_every=100), progress=InjectAfterTwo())
    stored = [row for row in quiz_rows(graph).values() if row["statements"] is not None]
    assert 2 <= len(stored) < 6  # the finished ones were written on the way out
    server.clear_faults()
    calls = server.count(task="quiz")
    again = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    assert again.quizzed == {"relation": 6 - len(stored)}
    assert server.count(task="quiz") - calls == 6 - len(stored)


async def test_copied_negations_are_asked_for_one_by_one_then_templated(graph, sample_graph, server, synthesizer) -> None:
    server.knobs["quiz_style"] = "copy"  # every negation is the description again (a 0.5B model did this)
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=2))
    assert server.count(task="negate") == 2 * len(RELATIONS) and report.negations_asked == 2 * len(RELATIONS)
    assert report.template_negations == 0
    for row in quiz_rows(graph).values():
        # the copied paraphrase is dropped, and the second negation call wrote the first one again
        assert row["labels"] == [True, False]
        assert row["statements"][1].startswith(("It is not true that ", "并非"))
    sources = graph.query("MATCH ()-[r:RELATED]->() RETURN DISTINCT r.quiz_sources AS s")
    assert sources == [{"s": ["description", "negate"]}]

    server.knobs["negate_style"] = "copy"  # the one-statement call copies too: the marked template
    graph.query("MATCH ()-[r:RELATED]->() REMOVE r.quiz_statements, r.quiz_source_hash")
    report = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=1))
    assert report.template_negations == len(RELATIONS)
    for row in quiz_rows(graph).values():
        assert row["labels"] == [True, False]
        assert row["statements"][1] in (template_negation(row["description"]),)
    assert graph.query("MATCH ()-[r:RELATED]->() RETURN DISTINCT r.quiz_sources AS s") == [{"s": ["description", "template"]}]
