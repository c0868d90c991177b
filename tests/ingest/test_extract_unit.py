"""Extraction output models, tolerant parsing and the scripted responders (no database)."""

from __future__ import annotations

import json

from graphgen_neo4j.ingest.extract import Extraction, clean_name, combine, parse_strength
from graphgen_neo4j.llm import extract_json
from graphgen_neo4j.testing.scripts import ScriptedRequest
from graphgen_neo4j.testing.scripts import extract as script
from graphgen_neo4j.testing.scripts.summarize import summarize

TEXT_EN = (
    "The pharmacologist Tu Youyou worked at the Academy of Traditional Chinese Medicine. "
    "Artemisinin (also known as qinghaosu) comes from the plant Artemisia annua. "
    "The WHO recommends Artemisinin against Plasmodium falciparum."
)
TEXT_ZH = "稻瘟病（又称稻热病）是由稻瘟病菌引起的。品种“南粳9108”由江苏省农业科学院育成。三环唑可以防治稻热病。"


def test_other_key_names_strings_for_lists_and_quoted_names_are_accepted():
    reply = {
        "nodes": [
            {"entity_name": "《稻瘟病》", "entity_type": "disease", "别名": "稻热病、 “稻瘟”", "描述": "  水稻\n病害。 "},
            {"type": "no name"}, "not an object",
        ],
        "relationships": [
            {"source_entity": "「稻瘟病菌」", "target_entity": "稻瘟病", "keywords": "引起，病原; cause", "strength": "8/10"},
            {"source": "only a source"},
        ],
    }
    extraction = Extraction.model_validate(reply)
    entity, = extraction.entities
    assert (entity.name, entity.type, entity.aliases, entity.description) == ("稻瘟病", "DISEASE", ["稻热病", "稻瘟"], "水稻 病害。")
    relation, = extraction.relations
    assert (relation.source, relation.keywords, relation.strength) == ("稻瘟病菌", ["引起", "病原", "cause"], 8.0)
    assert extraction.dropped == 3


def test_strength_and_names_are_normalized():
    assert [parse_strength(v) for v in (7, "9", "8/10", "strength: 12", "高", None, 0)] == [7, 9, 8, 10, 5, 5, 1]
    assert clean_name(' "“Tu  Youyou”" ') == "Tu Youyou"
    entity = Extraction.model_validate({"entities": [{"name": "IR8", "aliases": ["ir8", "Miracle Rice", "miracle rice"]}]}).entities[0]
    assert entity.aliases == ["Miracle Rice"]  # the name itself and repeats dropped


def test_combine_merges_repeats_and_drops_self_relations():
    first = Extraction.model_validate({
        "entities": [{"name": "IR8", "type": "UNKNOWN", "description": "A variety."}],
        "relations": [{"source": "IR8", "target": "IRRI", "keywords": ["bred"], "strength": 8},
                      {"source": "IR8", "target": "ir8"}],
    })
    second = Extraction.model_validate({
        "entities": [{"name": "ir8", "type": "variety", "description": "Semi-dwarf.", "aliases": ["Miracle Rice"]}],
        "relations": [{"source": "ir8", "target": "irri", "keywords": ["released"], "strength": 6}],
    })
    entities, relations = combine([first, second])
    assert [(e.name, e.type, e.description, e.aliases) for e in entities] == [("IR8", "VARIETY", "A variety. Semi-dwarf.", ["Miracle Rice"])]
    assert [(r.source, r.target, r.keywords, r.strength) for r in relations] == [("IR8", "IRRI", ["bred", "released"], 7.0)]


def request(task: str, text: str, *, replies: list[str] = (), knobs: dict | None = None) -> ScriptedRequest:
    messages = [{"role": "user", "content": f"Passage between <text> and </text>:\n<text>\n{text}\n</text>"}]
    for reply in replies:
        messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": "What did you miss?"}]
    return ScriptedRequest(task=task, messages=messages, knobs=knobs or {})


def names(reply: str) -> tuple[set[str], set[tuple[str, str]]]:
    extraction = Extraction.model_validate(extract_json(reply, expect=dict))
    return {e.name for e in extraction.entities}, {(r.source, r.target) for r in extraction.relations}


def test_the_rule_finds_names_types_aliases_and_abbreviations():
    items = script.analyse(TEXT_EN)
    entities = {i.data["name"]: i.data for i in items if i.kind == "entity"}
    assert entities["Tu Youyou"]["type"] == "PERSON"
    assert entities["Academy of Traditional Chinese Medicine"]["type"] == "ORGANIZATION"
    assert entities["Artemisinin"]["aliases"] == ["qinghaosu"]
    assert entities["Artemisia annua"]["type"] == "PLANT"
    assert "WHO" not in entities  # an abbreviation is only a relation endpoint
    pairs = {(i.data["source"], i.data["target"]) for i in items if i.kind == "relation"}
    assert ("WHO", "Artemisinin") in pairs and ("Artemisinin", "Plasmodium falciparum") in pairs
    assert all(i.data["description"].startswith("[canned] ") for i in items if i.data.get("description"))
    zh_items = [i for i in script.analyse(TEXT_ZH) if i.kind == "entity"]
    zh = {i.data["name"]: i.data for i in zh_items}
    assert zh["稻瘟病"]["aliases"] == ["稻热病"]
    assert [i.sentence for i in zh_items if i.data["name"] == "稻热病"] == [2]  # an alias is no entity where it is given
    assert (zh["稻瘟病菌"]["type"], zh["南粳9108"]["type"], zh["江苏省农业科学院"]["type"]) == ("PATHOGEN", "VARIETY", "ORGANIZATION")


def test_the_first_pass_leaves_the_last_sentence_for_gleaning():
    first = script.extract(request("extract", TEXT_EN))
    first_entities, first_relations = names(first)
    glean = script.glean(request("glean", TEXT_EN, replies=[first]))
    glean_entities, glean_relations = names(glean)
    every = script.analyse(TEXT_EN)
    assert "Plasmodium falciparum" in glean_entities and "Plasmodium falciparum" not in first_entities
    assert first_entities | glean_entities == {i.data["name"] for i in every if i.kind == "entity"}
    assert first_relations | glean_relations == {(i.data["source"], i.data["target"]) for i in every if i.kind == "relation"}
    assert names(script.glean(request("glean", TEXT_EN, replies=[first, glean]))) == (set(), set())


def test_messy_replies_carry_the_same_content():
    for text in (TEXT_EN, TEXT_ZH):
        clean = script.extract(request("extract", text))
        messy = script.extract(request("extract", text, knobs={"extract_style": "messy"}))
        assert messy != clean and "｛" in messy and not messy.lstrip().startswith("{")
        with_fence = f"Sure!\n```json\n{messy}\n```\nbye"
        parsed = Extraction.model_validate(extract_json(with_fence, expect=dict))
        expected = Extraction.model_validate(json.loads(clean))
        assert parsed.model_dump() == expected.model_dump()


def test_the_summary_is_canned_shorter_and_made_of_its_input():
    descriptions = [f"[canned] 稻瘟病是第{i}种说法。它还有更多细节{i}。" for i in range(6)]
    prompt = "关于稻瘟病的描述：\n<descriptions>\n" + "\n".join(f"- {d}" for d in descriptions) + "\n</descriptions>"
    reply = summarize(ScriptedRequest(task="summarize", messages=[{"role": "user", "content": prompt}]))
    assert reply.startswith("[canned] 稻瘟病是第0种说法。")
    assert len(reply) < len("".join(descriptions)) and "更多细节" not in reply


def test_entities_copied_from_the_prompt_example_are_dropped_with_their_relations() -> None:
    from graphgen_neo4j.ingest.extract import ExtractedEntity, ExtractedRelation, drop_example_copies

    entities = [ExtractedEntity(name="Penicillin"), ExtractedEntity(name="Tea plant"), ExtractedEntity(name="青霉素")]
    relations = [ExtractedRelation(source="Penicillin", target="Tea plant"), ExtractedRelation(source="Tea plant", target="Assam")]
    kept, linked, dropped = drop_example_copies("The tea plant grows in Assam.", entities, relations)
    assert [e.name for e in kept] == ["Tea plant"] and [(r.source, r.target) for r in linked] == [("Tea plant", "Assam")]
    assert dropped == 3
    # a passage that does name it keeps it
    kept, _, dropped = drop_example_copies("Penicillin (青霉素) and the tea plant.", entities, relations)
    assert len(kept) == 3 and dropped == 0


def test_only_aliases_the_passage_states_are_kept() -> None:
    from graphgen_neo4j.ingest.extract import ExtractedEntity, keep_supported_aliases

    dam = ExtractedEntity(name="都江堰", aliases=["岷江", "都江堰水利工程"])  # what a 0.5B model listed
    passage = "都江堰是李冰主持修建的水利工程，位于岷江上。"
    assert keep_supported_aliases(passage, [dam]) == 2 and dam.aliases == []

    blast = ExtractedEntity(name="稻瘟病", aliases=["稻热病"])
    assert keep_supported_aliases("稻瘟病（又名稻热病）是水稻的重要病害。", [blast]) == 0 and blast.aliases == ["稻热病"]
    irri = ExtractedEntity(name="International Rice Research Institute", aliases=["IRRI", "Los Baños"])
    assert keep_supported_aliases("The International Rice Research Institute (IRRI) in Los Baños bred IR8.", [irri]) == 1
    assert irri.aliases == ["IRRI"]
