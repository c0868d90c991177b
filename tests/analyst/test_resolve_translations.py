"""Translations across documents: the ``translation`` signal, cross-script nearest neighbours by
rank, batched adjudication and their scripted replies (no database)."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.analyst.adjudicate import AdjudicationCounts, BatchVerdicts, _fold, batch_messages
from graphgen_neo4j.analyst.embeddings import top_other_script
from graphgen_neo4j.analyst.signals import Candidate, EntityRecord
from graphgen_neo4j.analyst.translations import (
    NameTranslations,
    _answers,
    batches,
    translation_signals,
    wanted,
)
from graphgen_neo4j.analyst.translations import (
    batch_messages as name_messages,
)
from graphgen_neo4j.llm.parsing import parse_model
from graphgen_neo4j.testing.scripts import ScriptedRequest
from graphgen_neo4j.testing.scripts.resolve import decide, known_translation, resolve_batch
from graphgen_neo4j.testing.scripts.translate_names import translate_names


def entity(i: str, name: str, type_: str | None = "person", description: str = "") -> EntityRecord:
    return EntityRecord(id=i, name=name, type=type_, description=description)


PEOPLE = [entity("zh1", "诸葛亮"), entity("zh2", "诸葛瑾"), entity("en1", "Zhuge Liang"), entity("en2", "Zhuge Jin"),
          entity("zh3", "江苏省", "location"), entity("en3", "Jiangsu", "location"), entity("zh4", "青蒿素", "drug"),
          entity("en4", "artemisinin", "drug"), entity("en5", "Artemisinin Institute", "organization")]


def pairs(signals: list) -> set[frozenset[str]]:
    return {frozenset((s.a, s.b)) for s in signals}


# -- the translation signal ------------------------------------------------------------------------


def test_answers_match_the_other_scripts_names_by_loose_key_in_both_languages() -> None:
    answers = [("zh1", "Zhuge Liang"), ("en2", "诸葛瑾"), ("zh4", "Artemisinin"), ("en4", "青蒿素")]
    found = translation_signals(PEOPLE, answers)
    assert pairs(found) == {frozenset(("zh1", "en1")), frozenset(("zh2", "en2")), frozenset(("zh4", "en4"))}
    by_pair = {(s.a, s.b): s for s in found}
    assert by_pair[("zh1", "en1")].score == 0.7 and by_pair[("zh1", "en1")].evidence == "translation: 诸葛亮 → Zhuge Liang"
    assert {s.kind for s in found} == {"translation"}


def test_a_category_word_may_be_missing_but_scores_less() -> None:
    found = translation_signals(PEOPLE, [("zh3", "Jiangsu Province")])
    assert pairs(found) == {frozenset(("zh3", "en3"))} and found[0].score == 0.6 and "category word" in found[0].reason


@pytest.mark.parametrize("answer", [
    ("zh1", "Zhuge Jin"),  # a brother's name: another entity, not this one
    ("zh1", "诸葛亮"),  # the same script: no translation
    ("zh4", "Artemisinin Institute"),  # matches an entity of another type
    ("zh1", ""),  # not known
    ("zh1", "Kongming"),  # matches nothing
    ("missing", "Zhuge Liang"),  # an entity that is not there
])
def test_negatives_no_wrong_pair_from_a_wrong_same_script_or_other_type_answer(answer: tuple[str, str]) -> None:
    found = translation_signals(PEOPLE, [answer])
    assert frozenset(("zh1", "en1")) not in pairs(found) or answer == ("zh1", "Zhuge Jin")
    if answer == ("zh1", "Zhuge Jin"):
        assert pairs(found) == {frozenset(("zh1", "en2"))}  # the adjudicator sees a kinship pair, not an identity
    else:
        assert found == []


def test_only_types_the_other_script_has_are_asked_in_batches_per_script() -> None:
    entities = [*PEOPLE, entity("zh9", "稻瘟病", "disease")]
    asked = wanted(entities)
    assert "zh9" not in {e.id for e in asked} and {"zh1", "en1", "zh3", "en3"} <= {e.id for e in asked}
    groups = batches(asked, size=3)
    assert [language for language, _ in groups] == ["zh", "zh", "en", "en"]
    assert all(len(group) <= 3 for _, group in groups)
    text = name_messages("zh", groups[0][1])[-1]["content"]
    assert "1. 诸葛亮 — person" in text and "英文" in text


def test_replies_are_read_in_each_shape_and_garbled_names_are_dropped() -> None:
    batch = PEOPLE[:2]
    listed = parse_model('{"names": [{"name": "诸葛亮", "other": "Zhuge Liang"}, {"name": "诸葛X", "other": "Zhuge Jin"}]}', NameTranslations)
    assert _answers(batch, listed) == [("zh1", "Zhuge Liang")]
    mapping = parse_model('{"names": {"诸葛亮": "Zhuge Liang", "诸葛瑾": ""}}', NameTranslations)
    assert _answers(batch, mapping) == [("zh1", "Zhuge Liang")]
    placeholder = parse_model('{"names": [{"name": "诸葛亮", "other": "<它的英文名>"}]}', NameTranslations)
    assert _answers(batch, placeholder) == []


def test_the_scripted_server_answers_from_its_table_and_knows_nothing_else() -> None:
    request = ScriptedRequest("translate_names", [{"role": "user", "content": name_messages("en", PEOPLE[2:4])[-1]["content"]}],
                              knobs={"name_translations": {"Zhuge Liang": "诸葛亮"}})
    reply = json.loads(translate_names(request))
    assert reply["names"] == [{"name": "Zhuge Liang", "other": "诸葛亮"}, {"name": "Zhuge Jin", "other": ""}]
    assert reply["note"].startswith("[canned]")


def test_the_scripted_adjudicator_takes_a_known_translation_as_one_thing_unless_a_cue_or_type_says_otherwise() -> None:
    table = {"诸葛亮": "Zhuge Liang", "江苏省": "Jiangsu Province"}
    assert known_translation("Zhuge Liang", "诸葛亮", table) and known_translation("Jiangsu", "江苏省", table)
    assert not known_translation("Zhuge Jin", "诸葛亮", table)
    a, b = {"name": "诸葛亮", "type": "person"}, {"name": "Zhuge Liang", "type": "person"}
    assert decide(a, b, [], table)[:2] == (True, 0.85)
    assert decide(a, b, [], {})[0] is False  # without the knowledge nothing says so
    assert decide(a, {**b, "type": "location"}, [], table)[0] is False
    assert decide(a, b, ["against: kinship (之子): …"], table)[0] is False


# -- cross-script nearest neighbours by rank ---------------------------------------------------------


def test_each_entity_keeps_its_k_nearest_of_the_other_script_and_a_compatible_type() -> None:
    by_id = {e.id: e for e in PEOPLE}
    rows = [{"a": "zh4", "b": "en5", "similarity": 0.93}, {"a": "zh4", "b": "en4", "similarity": 0.86},
            {"a": "zh4", "b": "en1", "similarity": 0.80}, {"a": "zh1", "b": "en2", "similarity": 0.82},
            {"a": "zh1", "b": "en1", "similarity": 0.81}, {"a": "zh1", "b": "en3", "similarity": 0.95}]
    kept = top_other_script(rows, by_id, k=1)
    # 青蒿素: the organization is nearer but of another type; 诸葛亮: the brother ranks first (the LLM decides)
    assert {(a, b, rank) for a, b, _, rank in kept} == {("zh4", "en4", 1), ("zh1", "en2", 1)}
    assert {(a, b) for a, b, _, _ in top_other_script(rows, by_id, k=2)} >= {("zh1", "en1")}


# -- batched adjudication ----------------------------------------------------------------------------


def candidate(absorb: str, keep: str) -> Candidate:
    return Candidate(absorb=absorb, keep=keep, score=0.4, prior=0.4, method="embedding", signals=["embedding"], reason="near")


def test_a_batch_prompt_numbers_its_pairs_in_the_descriptions_language() -> None:
    zh = batch_messages([(entity("a", "刘备", description="刘备字玄德。" * 100), entity("b", "玄德", description="玄德三顾茅庐。"), ["same (字): 刘备字玄德"])])
    text = zh[-1]["content"]
    assert "第1对" in text and "实体A：刘备" in text and "- same (字): 刘备字玄德" in text and "…" in text  # long descriptions cut
    described = [e.model_copy(update={"description": f"{e.name} was a statesman of the Three Kingdoms period."}) for e in PEOPLE[:4]]
    en = batch_messages([(described[2], described[0], []), (described[3], described[1], [])])[-1]["content"]
    assert "Pair 1" in en and "Pair 2" in en and "Entity B: 诸葛瑾" in en


def test_verdicts_fold_by_pair_number_and_a_missing_one_fails_its_pair_alone() -> None:
    by_id = {e.id: e for e in PEOPLE}
    group = [candidate("zh1", "en1"), candidate("zh2", "en1"), candidate("zh4", "en4")]
    reply = parse_model('{"verdicts": [{"pair": 3, "same": true, "confidence": 90, "reason": "x"},'
                        ' {"pair": 1, "same": true, "confidence": 0.9, "reason": "y"}]}', BatchVerdicts)
    answers, counts = list(group), AdjudicationCounts(asked=3)
    _fold(group, reply, answers, 0, counts, by_id)
    assert (counts.same, counts.failed) == (2, 1) and "pair 2" in counts.failures[0]
    assert answers[0].score == answers[2].score == round(0.3 * 0.4 + 0.7 * 0.9, 4)  # 90 read as 0.9
    assert answers[1] is group[1]  # no verdict: the prior stays


def test_the_scripted_server_decides_each_pair_of_a_batch() -> None:
    messages = batch_messages([(PEOPLE[0], PEOPLE[2], []), (PEOPLE[1], PEOPLE[2], []), (PEOPLE[4], PEOPLE[5], [])])
    request = ScriptedRequest("resolve_batch", messages, knobs={"name_translations": {"诸葛亮": "Zhuge Liang", "江苏省": "Jiangsu Province"}})
    verdicts = json.loads(resolve_batch(request))["verdicts"]
    assert [(v["pair"], v["same"]) for v in verdicts] == [(1, True), (2, False), (3, True)]
    assert all(v["reason"].startswith("[canned]") for v in verdicts)
