"""How the resolver finds and scores candidate pairs: names, text evidence, cues against, verdicts (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from graphgen_neo4j.analyst.adjudicate import SameEntityVerdict, judged, pair_messages, verdict_score
from graphgen_neo4j.analyst.candidates import (
    ChunkRecord,
    NameIndex,
    chunk_evidence,
    cross_script_mentions,
    stated_aliases,
    text_signals,
)
from graphgen_neo4j.analyst.names import (
    containment_is_alias,
    containment_pairs,
    edit_distance_pairs,
    levenshtein,
    loose_key,
    same_key_pairs,
    shared_alias_pairs,
)
from graphgen_neo4j.analyst.resolve import score_pairs
from graphgen_neo4j.analyst.signals import EntityRecord, PairSignals, prior_score, signal, survivor_order
from graphgen_neo4j.testing.embeddings import scripted_embedding
from graphgen_neo4j.testing.scripts.resolve import decide


def entity(name: str, type_: str | None = "DISEASE", **extra: Any) -> EntityRecord:
    return EntityRecord(id=f"ent-{name}", name=name, type=type_, **extra)


def pairs(found) -> set[tuple[str, str]]:
    return {tuple(sorted((s.a.removeprefix("ent-"), s.b.removeprefix("ent-")))) for s in found}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("flaw", "lawn", 2), ("same", "same", 0), ("ab", "ba", 2)],
)
def test_levenshtein(a: str, b: str, expected: int) -> None:
    assert levenshtein(a, b, 10) == expected
    assert levenshtein(a, b, 1) == min(expected, 2)  # stops early past the limit


def test_loose_key_drops_punctuation_symbols_and_spaces() -> None:
    assert loose_key("Rice-Blast  Disease") == loose_key("rice blast disease") == "riceblastdisease"
    assert loose_key("《稻瘟病》") == "稻瘟病" and loose_key("Ｐｉ－９") == "pi9"


def test_same_key_and_shared_alias() -> None:
    records = [entity("rice-blast disease"), entity("Rice Blast Disease"), entity("blast", aliases=["Pyricularia-oryzae"]),
               entity("Magnaporthe oryzae", "PATHOGEN", aliases=["Pyricularia oryzae"]), entity("rice")]
    assert pairs(same_key_pairs(records)) == {("Rice Blast Disease", "rice-blast disease")}
    assert pairs(shared_alias_pairs(records)) == {("Magnaporthe oryzae", "blast")}


@pytest.mark.parametrize(
    ("inner", "outer", "alias"),
    [("稻瘟", "稻瘟病", True), ("陕西", "陕西省", True), ("Shaanxi", "Shaanxi Province", True), ("rice blast", "rice blast disease", True),
     ("疟原虫", "恶性疟原虫", False), ("青蒿素", "双氢青蒿素", False), ("稻瘟病", "稻瘟病菌", False),
     ("Plasmodium", "Plasmodium falciparum", False), ("Bombay", "Bombay High Court", False), ("malaria", "falciparum malaria", False)],
)
def test_containment_is_an_alias_only_without_a_category_word(inner: str, outer: str, alias: bool) -> None:
    assert containment_is_alias(inner, outer) is alias


def test_containment_pairs_skip_species_genus_and_derivative_parent() -> None:
    records = [entity("稻瘟"), entity("稻瘟病"), entity("稻瘟病菌", "PATHOGEN"), entity("疟原虫"), entity("恶性疟原虫"),
               entity("青蒿素", "DRUG"), entity("双氢青蒿素", "DRUG"), entity("rice blast"), entity("rice blast disease"),
               entity("ice blast")]
    assert pairs(containment_pairs(records)) == {("稻瘟", "稻瘟病"), ("rice blast", "rice blast disease")}
    many = [entity("gene")] + [entity(f"gene {i}") for i in range(12)]  # inside too many names to mean anything
    assert not containment_pairs(many)


def test_edit_distance_finds_typos_but_not_numbered_or_suffixed_names() -> None:
    records = [entity("Magnaporthe oryzae", "PATHOGEN"), entity("Magnaporthe oryza", "PATHOGEN"),
               entity("Pi9", "GENE"), entity("Pi2", "GENE"), entity("OsWRKY45", "GENE"), entity("OsWRKY13", "GENE"),
               entity("AVR-Pita", "GENE"), entity("AVR-Pitb", "GENE"), entity("tricyclazole", "DRUG"),
               entity("tricylazole", "DRUG"), entity("稻瘟病"), entity("稻温病")]
    found = edit_distance_pairs(records)
    assert pairs(found) == {("Magnaporthe oryza", "Magnaporthe oryzae"), ("tricyclazole", "tricylazole")}
    assert all(0.6 < s.score < 0.9 for s in found)


def test_the_display_name_rule() -> None:
    zh, en = entity("青蒿素", mentions=1), entity("artemisinin", mentions=3)
    assert survivor_order(en, zh, "zh") == (en, zh)  # the material's language first
    assert survivor_order(zh, en, "en") == (zh, en)
    assert survivor_order(zh, en, None) == (zh, en)  # then more mentions
    early = entity("玄德", mentions=2, first_seen="2026-01-01T00:00:00")
    late = entity("刘备", mentions=2, first_seen="2026-01-02T00:00:00", degree=9)
    assert survivor_order(late, early, "zh") == (late, early)  # ties: the one seen first stays
    a, b = entity("a", mentions=1, degree=2), entity("b", mentions=1, degree=1)
    assert survivor_order(b, a) == (b, a)  # then more relations


def test_a_description_stating_a_courtesy_name_is_evidence_and_the_arrow_points_to_the_kept_name() -> None:
    records = [entity("刘备", "PERSON", description="刘备字玄德，涿郡人。", mentions=3),
               entity("玄德", "PERSON", description="玄德三顾茅庐。", mentions=1),
               entity("刘禅", "PERSON", description="刘禅是刘备之子。", mentions=1)]
    chunks = [ChunkRecord(id="c1", text="刘备字玄德。其子刘禅继位。", entities=["ent-刘备", "ent-刘禅"]), ChunkRecord(id="c2", text="玄德三顾茅庐。", entities=["ent-玄德"])]
    found = text_signals(records, chunks, ["evidence"])
    assert pairs(found) == {("刘备", "玄德")}
    [candidate] = score_pairs(records, chunks, found, "zh")
    assert (candidate.absorb_name, candidate.keep_name) == ("玄德", "刘备")
    assert candidate.signals == ["evidence"] and candidate.score >= 0.9
    assert any(e.startswith("same (字): ") and "刘备字玄德" in e for e in candidate.evidence)
    assert candidate.chunk_ids == ["c1"]  # the chunk that said so


def test_chunk_evidence_keeps_the_chunk_and_finds_a_courtesy_name_written_with_the_surname() -> None:
    records = [entity("苏辙", "PERSON"), entity("苏子由", "PERSON"), entity("Zhao Yun", "PERSON"), entity("赵云", "PERSON")]
    chunks = [ChunkRecord(id="c9", text="苏辙字子由，是苏洵的次子。Zhao Yun (赵云) served Liu Bei.", entities=["ent-苏辙", "ent-Zhao Yun"])]
    found = chunk_evidence(chunks, NameIndex(records))
    assert pairs(found) == {("苏子由", "苏辙"), ("Zhao Yun", "赵云")}
    assert {s.chunk for s in found} == {"c9"}


def test_hard_negative_cues_and_types_count_against_a_pair() -> None:
    parent, child = entity("青蒿素", "DRUG", description="青蒿素是抗疟药。"), entity("双氢青蒿素", "DRUG", description="双氢青蒿素是青蒿素的衍生物。")
    s = signal(parent, child, "embedding", 0.9, "near")
    chunk = ChunkRecord(id="c1", text="", entities=[])
    [candidate] = score_pairs([parent, child], [chunk], [s], "zh")
    assert candidate.score == pytest.approx(0.9 * 0.3) and any(e.startswith("against: derivative") for e in candidate.evidence)
    same = PairSignals(entity("WHO", "ORGANIZATION"), entity("World Health Organization", "ORGANIZATION"), [signal(parent, child, "evidence", 0.9, "x")])
    differ = PairSignals(entity("WHO", "ORGANIZATION"), entity("World Health Organization", "CONCEPT"), same.signals)
    assert prior_score(differ) == pytest.approx(prior_score(same) * 0.7)


def test_signals_combine_as_independent_evidence() -> None:
    a, b = entity("x"), entity("y")
    both = PairSignals(a, b, [signal(a, b, "evidence", 0.9, "r"), signal(a, b, "embedding", 0.5, "r")])
    assert prior_score(both) == pytest.approx(1 - 0.1 * 0.5)


def test_names_across_scripts_in_descriptions() -> None:
    records = [entity("稻瘟病", description="稻瘟病（rice blast）是水稻的病害。"), entity("rice blast", description="A disease of rice."),
               entity("水稻", "CROP", description="粮食作物。"), entity("rice", "CROP", description="A cereal."), entity("Pi-ta", "GENE")]
    found = cross_script_mentions(records, co_mentions=[["ent-水稻", "ent-rice", "ent-Pi-ta"]])
    assert {(pair, s.score) for s in found for pair in pairs([s])} == {(("rice blast", "稻瘟病"), 0.4), (("rice", "水稻"), 0.3)}


def test_the_verdict_rescales_the_score() -> None:
    assert verdict_score(0.5, SameEntityVerdict(same=True, confidence=0.9)) == pytest.approx(0.3 * 0.5 + 0.7 * 0.9)
    assert verdict_score(0.8, SameEntityVerdict(same=False, confidence=0.75)) == pytest.approx(0.2)
    records = [entity("刘备", "PERSON", description="刘备字玄德。"), entity("玄德", "PERSON")]
    chunks = [ChunkRecord(id="c1", text="", entities=[])]
    [candidate] = score_pairs(records, chunks, text_signals(records, chunks, ["evidence"]), "zh")
    after = judged(candidate, SameEntityVerdict(same=False, confidence=0.9, reason="[canned] no"))
    assert after.prior == candidate.score and after.score < 0.1 and after.verdict.startswith("different 0.90")


def test_the_prompt_carries_both_entities_and_the_evidence() -> None:
    a, b = entity("刘备", "PERSON", description="刘备字玄德。"), entity("玄德", "PERSON", description="玄德三顾茅庐。")
    text = pair_messages(a, b, ["same (字): 刘备字玄德。", "against: kinship (之子): 刘禅是刘备之子。"])[-1]["content"]
    assert "实体A：刘备" in text and "描述B：玄德三顾茅庐。" in text and "- same (字): 刘备字玄德。" in text and "- against: kinship" in text


@pytest.mark.parametrize(
    ("a", "b", "evidence", "same"),
    [
        ({"name": "刘备", "type": "PERSON", "description": "刘备字玄德。"}, {"name": "玄德", "type": "PERSON"}, [], True),
        ({"name": "A", "type": "X"}, {"name": "B", "type": "X"}, ["same (字): A字B。"], True),
        ({"name": "A", "type": "X"}, {"name": "B", "type": "X"}, ["same (字): A字B。", "against: kinship (之子): B是A之子。"], False),
        ({"name": "A-b", "type": "X"}, {"name": "A b", "type": "X"}, ["name (same_key): A-b / A b"], True),
        ({"name": "A-b", "type": "X"}, {"name": "A b", "type": "Y"}, ["name (same_key): A-b / A b"], False),
        ({"name": "A", "type": "X"}, {"name": "B", "type": "X"}, ["embedding: near"], False),
        ({"name": "苏轼", "type": "PERSON", "description": "苏轼是苏洵之子。"}, {"name": "苏洵", "type": "PERSON"}, [], False),
        ({"name": "黄山", "type": "LOCATION", "description": "黄山在安徽。"}, {"name": "黄山市", "type": "LOCATION", "description": "黄山市因黄山得名。"}, [], False),
        ({"name": "aspirin", "type": "DRUG"}, {"name": "Bayer", "type": "ORGANIZATION", "description": "Bayer sells aspirin."}, [], False),
    ],
)
def test_the_scripted_adjudicator_reads_evidence_and_cues_against(a: dict, b: dict, evidence: list[str], same: bool) -> None:
    assert decide(a, b, evidence)[0] is same


def test_scripted_embeddings_are_deterministic_unit_vectors_near_for_similar_strings() -> None:
    v = scripted_embedding("rice blast disease")
    assert v == scripted_embedding("rice blast disease") and len(v) == 64
    assert sum(x * x for x in v) == pytest.approx(1, abs=1e-4)

    def cos(x: str, y: str) -> float:
        return sum(p * q for p, q in zip(scripted_embedding(x), scripted_embedding(y)))

    assert cos("rice blast disease", "rice blast") > 0.5 > 0.3 > cos("rice blast disease", "稻瘟病")


def test_a_name_stated_for_an_entity_that_no_entity_goes_by_is_an_alias_proposal() -> None:
    records = [entity("刘备", "PERSON", description="刘备字玄德，涿郡人。"), entity("张飞", "PERSON", aliases=["益德"])]
    chunks = [ChunkRecord(id="c1", text="张飞字益德，又称翼德。", entities=["ent-张飞"])]
    found = {(a.entity_name, a.alias, a.chunk) for a in stated_aliases(records, chunks)}
    assert found == {("刘备", "玄德", None), ("张飞", "翼德", "c1")}  # 益德 routes to 张飞 already
    with_entity = [*records, entity("玄德", "PERSON")]
    assert ("刘备", "玄德") not in {(a.entity_name, a.alias) for a in stated_aliases(with_entity, chunks)}  # a pair, not an alias
