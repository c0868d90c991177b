"""The question styles (cot, multi_choice, multi_answer, fill_in_blank, true_false) end to end:
a hand-built graph with several entities of each type, the scripted server over HTTP, real Neo4j."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.generate.config import TASK_COT, TASK_FILL_IN_BLANK, TASK_MULTI_ANSWER, TASK_MULTI_CHOICE
from graphgen_neo4j.generate.export import export_qa
from graphgen_neo4j.generate.styles import LETTERS

from .conftest import make_batches
from .test_generate import generate_with

STYLES = ["cot", "multi_choice", "multi_answer", "fill_in_blank", "true_false"]

ENTITIES = [
    ("Magnaporthe oryzae", "FUNGUS", "The fungus causing rice blast."),
    ("Rhizoctonia solani", "FUNGUS", "A soil fungus."),
    ("Ustilaginoidea virens", "FUNGUS", "The fungus of false smut."),
    ("Fusarium graminearum", "FUNGUS", "A fungus of wheat."),
    ("Rice blast", "DISEASE", "A fungal disease of rice."),
    ("Sheath blight", "DISEASE", "A disease of rice sheaths."),
    ("False smut", "DISEASE", "A disease of rice grains."),
    ("Head blight", "DISEASE", "A disease of wheat ears."),
    ("Rice", "CROP", "A cereal crop."),
    ("Wheat", "CROP", "Another cereal crop."),
]
QUIZ = {"quiz_statements": ["Magnaporthe oryzae causes rice blast.", "Magnaporthe oryzae does not cause rice blast."],
        "quiz_labels": [True, False]}
RELATIONS = [
    ("Magnaporthe oryzae", "Rice blast", "Magnaporthe oryzae causes rice blast.", {"loss": 2.0, **QUIZ}),
    ("Rice blast", "Rice", "Rice blast destroys rice harvests.", {"loss": 1.8}),
    ("Sheath blight", "Rice", "Sheath blight rots rice sheaths.", {"loss": 1.6,
     "quiz_statements": ["Sheath blight rots rice sheaths.", "Sheath blight rots wheat ears."],
     "quiz_labels": [True, False]}),
    ("Ustilaginoidea virens", "False smut", "Ustilaginoidea virens causes false smut.", {"loss": 1.4}),
    ("False smut", "Rice", "False smut spoils rice grains.", {"loss": 1.2}),
    ("Fusarium graminearum", "Head blight", "Fusarium graminearum causes head blight.", {"loss": 1.0}),
    ("Head blight", "Wheat", "Head blight lowers wheat yields.", {"loss": 0.8}),
    ("Rhizoctonia solani", "Sheath blight", "Rhizoctonia solani causes sheath blight.", {"loss": 0.6}),
]
BATCHES = [
    ["Magnaporthe oryzae->Rice blast", "Rice blast->Rice", "Sheath blight->Rice"],
    ["Ustilaginoidea virens->False smut", "False smut->Rice"],
    ["Fusarium graminearum->Head blight", "Head blight->Wheat"],
    ["Rhizoctonia solani->Sheath blight"],
]


@pytest.fixture
def fungi(graph, build_graph):
    ids = build_graph(ENTITIES, RELATIONS)
    return {"ids": ids, "batches": make_batches(graph, ids, BATCHES)}


def stored(graph, mode):
    return graph.query(
        "MATCH (q:QA {mode: $mode}) RETURN q.question AS question, q.answer AS answer, q.options AS options, "
        "q.answer_key AS answer_key, q.reasoning AS reasoning, q.relation_ids AS relation_ids, "
        "[(b:Batch)-[y:YIELDED]->(q) | y.unit] AS units ORDER BY q.id", {"mode": mode})


def calls(server, task):
    return sum(1 for r in server.requests if r.path.endswith("/completions") and r.task == task)


def test_the_distractor_query_offers_same_type_entities_nearest_first(graph, fungi) -> None:
    ids = fungi["ids"]
    rows = graph.read("generate/distractors", {"entity_ids": [ids["Rice blast"]], "avoid_ids": [], "limit": 3})
    names = [(d["name"], d["hops"]) for d in rows[0]["distractors"]]
    # Sheath blight and False smut share Rice with it (two hops); Head blight is a DISEASE elsewhere
    assert names == [("False smut", 2), ("Sheath blight", 2), ("Head blight", 0)]
    graph.query("MATCH (e:Entity {id: $id}) SET e.excluded = true", {"id": ids["Sheath blight"]})
    rows = graph.read("generate/distractors", {"entity_ids": [ids["Rice blast"]], "avoid_ids": [ids["Head blight"]],
                                               "limit": 3})
    assert [d["name"] for d in rows[0]["distractors"]] == ["False smut"]
    rows = graph.read("generate/distractors", {"entity_ids": [ids["Rice"]], "avoid_ids": [], "limit": 3})
    assert [d["name"] for d in rows[0]["distractors"]] == ["Wheat"]  # never itself, never another type


async def test_every_style_end_to_end(graph, fungi, synthesizer, server) -> None:
    ids = fungi["ids"]
    report = await generate_with(graph, synthesizer, modes=STYLES)
    assert {m: r.generated for m, r in report.modes.items()} == {
        "cot": 3, "multi_choice": 8, "multi_answer": 3, "fill_in_blank": 8, "true_false": 2}
    assert report.no_qa == 0
    # true_false asks nothing: the statements are the quiz's
    assert server.count() == 3 + 8 + 3 + 8
    assert [calls(server, t) for t in (TASK_COT, TASK_MULTI_CHOICE, TASK_MULTI_ANSWER, TASK_FILL_IN_BLANK)] == [3, 8, 3, 8]

    by_rel = {q["relation_ids"][0]: q for q in stored(graph, "multi_choice")}
    blast = by_rel[ids["Magnaporthe oryzae->Rice blast"]]
    # the answer is the target; the other options are diseases near it, in a fixed shuffled order
    assert sorted(blast["options"]) == ["False smut", "Head blight", "Rice blast", "Sheath blight"]
    assert blast["answer"] == blast["answer_key"][0] == LETTERS[blast["options"].index("Rice blast")]
    stem, label, *lines = blast["question"].splitlines()
    assert "Rice blast" not in stem and label == "Options:"
    assert lines == [f"{LETTERS[i]}. {o}" for i, o in enumerate(blast["options"])]
    # Rice has one other crop only: the source (a disease) is asked for instead
    rice = by_rel[ids["False smut->Rice"]]
    assert rice["options"][LETTERS.index(rice["answer"])] == "False smut"
    assert {"Rice blast", "Sheath blight", "Head blight"} & set(rice["options"])

    cot = [q for q in stored(graph, "cot") if ids["Magnaporthe oryzae->Rice blast"] in q["relation_ids"]][0]
    assert cot["reasoning"] == ["[canned] Magnaporthe oryzae causes rice blast.",
                                "[canned] Rice blast destroys rice harvests.", "[canned] Sheath blight rots rice sheaths."]
    assert cot["answer"].startswith("1. [canned] Magnaporthe oryzae causes rice blast.\n2. ")
    assert cot["answer"].splitlines()[-1].startswith("Answer: [canned]")

    for q in stored(graph, "multi_answer"):
        assert len(q["answer_key"]) == 2 and q["answer"] == ", ".join(q["answer_key"])
        correct = [q["options"][LETTERS.index(x)] for x in q["answer_key"]]
        assert all(c.startswith("[canned] ") for c in correct) and len(q["options"]) == 3

    blank = {q["relation_ids"][0]: q for q in stored(graph, "fill_in_blank")}[ids["Magnaporthe oryzae->Rice blast"]]
    assert blank["question"] == "Fill in the blank: [canned] Magnaporthe oryzae causes ____."
    assert blank["answer"] == "Rice blast" and blank["answer_key"] == ["Rice blast"]

    tf = {q["units"][0]: q for q in stored(graph, "true_false")}
    assert set(tf) == {f"true_false:{ids['Magnaporthe oryzae->Rice blast']}", f"true_false:{ids['Sheath blight->Rice']}"}
    for q in tf.values():
        statement = q["question"].removeprefix("True or false: ")
        truth = dict(zip(QUIZ["quiz_statements"] + ["Sheath blight rots rice sheaths.", "Sheath blight rots wheat ears."],
                         [True, False, True, False]))[statement]
        assert q["answer"] == ("True" if truth else "False") and q["answer_key"] == [str(truth).lower()]

    # resumable: every unit is done, nothing is asked again
    before = server.count()
    again = await generate_with(graph, synthesizer, run_id="gen-2", modes=STYLES)
    assert server.count() == before and sum(r.reused for r in again.modes.values()) == 24


async def test_cap_and_mix_apply_to_the_styles(graph, fungi, synthesizer, server) -> None:
    report = await generate_with(graph, synthesizer, max_qa=6, mix={"true_false": 1, "multi_choice": 1, "cot": 1})
    assert {m: r.generated for m, r in report.modes.items()} == {"true_false": 2, "multi_choice": 2, "cot": 2}
    report = await generate_with(graph, synthesizer, run_id="gen-2", modes=["multi_choice"], min_loss=1.5)
    assert (report.modes["multi_choice"].below_min_loss, report.modes["multi_choice"].selected) == (5, 3)


async def test_a_wrong_answer_is_asked_again_and_one_never_fixed_gives_no_qa(graph, fungi, synthesizer, server) -> None:
    server.knobs["styles_wrong_first"] = True
    report = await generate_with(graph, synthesizer, modes=["multi_choice", "multi_answer", "fill_in_blank"], max_qa=3)
    assert report.qa == 3 and report.no_qa == 0
    assert server.count() == 6  # each asked twice: the re-ask said why
    reasks = [r for r in server.requests if r.path.endswith("/completions") and len(r.messages) > 2]
    notes = " ".join(str(r.messages[-1]["content"]) for r in reasks)
    assert "is wrong: the fact supports" in notes and "at least two correct options" in notes
    assert "is not in the material" in notes

    server.knobs["styles_wrong_first"], server.knobs["styles_always_wrong"] = False, True
    report = await generate_with(graph, synthesizer, run_id="gen-2", modes=["multi_choice"], max_qa=2)
    assert report.modes["multi_choice"].no_qa == 1 and report.modes["multi_choice"].reused == 1
    assert any("qa_multi_choice: no valid question" in reason for reason in report.no_qa_reasons)


@pytest.mark.parametrize("fmt", ["alpaca", "sharegpt", "messages", "prompt-completion"])
async def test_options_render_in_every_format(graph, fungi, synthesizer, tmp_path, fmt) -> None:
    await generate_with(graph, synthesizer, modes=["multi_choice"], max_qa=1)
    out = tmp_path / "qa.jsonl"
    export_qa(graph, out, fmt=fmt, run_id="gen-1", with_metadata=True)
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    text = json.dumps(record, ensure_ascii=False)
    options = record["metadata"]["options"]
    assert record["metadata"]["answer_key"] == [record["metadata"]["answer_key"][0]] and len(options) == 4
    for i, option in enumerate(options):  # the options are in the user turn, lettered
        assert json.dumps(f"\n{LETTERS[i]}. {option}", ensure_ascii=False)[1:-1] in text
    assert "reasoning" not in record["metadata"]
