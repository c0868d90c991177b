"""Parsing replies in the shapes real small models write (pure functions, no server).

Each case is a reply string as a model might send it and the expected outcome: the
parsed value, or the kind of failure (``truncated``, ``no_json``, ``invalid``). The
strings are written for these tests after the shapes seen from Qwen2.5-Coder-0.5B and
SmolLM2-135M on llama.cpp; none is copied from a recording.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from graphgen_neo4j.llm import ReplyError, extract_json, parse_model


class Entity(BaseModel):
    name: str
    type: str = "unknown"


class Graph(BaseModel):
    """Like an extraction: every key optional, so an unrelated object would validate as empty."""

    entities: list[Entity] = Field(default_factory=list)
    relations: list[dict] = Field(default_factory=list)


class QA(BaseModel):
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


QA_CASES = [
    # fenced JSON, the usual shape of a chat-tuned coder model
    ('```json\n{\n  "question": "稻瘟病由什么引起？",\n  "answer": "稻瘟病菌。"\n}\n```',
     {"question": "稻瘟病由什么引起？", "answer": "稻瘟病菌。"}),
    # prose before and after
    ('Sure! Here is a question and answer pair:\n{"question": "What causes rice blast?", "answer": "A fungus."}\n'
     "I hope this helps.", {"question": "What causes rice blast?", "answer": "A fungus."}),
    # trailing commas, single quotes, Python literals and comments
    ("{'question': 'Is Pi9 a resistance gene?', // the question\n 'answer': 'Yes, it is.', /* done */}",
     {"question": "Is Pi9 a resistance gene?", "answer": "Yes, it is."}),
    # full-width punctuation outside the strings
    ("｛“question”：“刘备字什么？”，“answer”：“玄德。”｝", {"question": "刘备字什么？", "answer": "玄德。"}),
    # a reasoning block first, with a draft JSON inside it
    ('<think>The user wants JSON. Draft: {"question": "x", "answer": "y"}</think>\n'
     '{"question": "What does tricyclazole control?", "answer": "Rice blast."}',
     {"question": "What does tricyclazole control?", "answer": "Rice blast."}),
    # two objects: an example echoed from the prompt and the answer; the one that validates wins
    ('Format: {"question": "...", "answer": ""}\nAnswer: {"question": "Who founded Shu Han?", "answer": "Liu Bei."}',
     {"question": "Who founded Shu Han?", "answer": "Liu Bei."}),
    # the answer inside a wrapper object and a smaller stray object: the outermost complete one that fits
    ('{"id": 7} then {"question": "Q?", "answer": "A.", "meta": {"lang": "en"}}',
     {"question": "Q?", "answer": "A."}),
    # a required key missing
    ('{"question": "刘备是谁？"}', "invalid"),
    # an empty required value
    ('{"question": "", "answer": "x"}', "invalid"),
    # prose only
    ("I'm sorry, I cannot write a question about this passage.", "no_json"),
    # an unclosed <think> at the start: the model was cut off while thinking
    ('<think>Let me write {"question": "draft", "answer": "draft"} and then', "no_json"),
    # cut off inside the JSON (finish_reason length): never an inner object of it
    ('```json\n{"question": "What is rice blast?", "answer": {"short": "A disease", "long": "A fungal dis',
     "truncated"),
]

GRAPH_CASES = [
    ('{"entities": [{"name": "Pi9", "type": "gene",}], "relations": [],}',
     {"entities": [{"name": "Pi9", "type": "gene"}], "relations": []}),
    # a legitimately empty gleaning followed by chatter
    ('{"entities": [], "relations": []}\n\nThis is a JSON table of the entities and relations.',
     {"entities": [], "relations": []}),
    # alias keys of the model are recognised (Graph has none; entities alone is enough)
    ('Output:\n```\n{"entities": [{"name": "刘备", "type": "person"}]}\n```',
     {"entities": [{"name": "刘备", "type": "person"}], "relations": []}),
    # prose, then a fenced JSON that never closes: the entity objects inside must not count
    ('你可以在文中列出其他实体。\n```json\n{\n  "entities": [\n    {"name": "刘备", "type": "person"},\n'
     '    {"name": "关羽", "type": "person"},\n    {"source": "蜀汉', "truncated"),
    # only an object about something else: not taken for an empty extraction
    ('{"id": "1038247659"}', "invalid"),
    # several complete objects, the largest one that fits is the answer
    ('{"entities": []}\n{"entities": [{"name": "Magnaporthe oryzae", "type": "pathogen"}], "relations": []}',
     {"entities": [{"name": "Magnaporthe oryzae", "type": "pathogen"}], "relations": []}),
]


def _check(model: type[BaseModel], reply: str, expected: object) -> None:
    if isinstance(expected, str):
        with pytest.raises(ReplyError) as caught:
            parse_model(reply, model)
        assert caught.value.kind == expected
    else:
        assert parse_model(reply, model).model_dump() == expected


@pytest.mark.parametrize(("reply", "expected"), QA_CASES)
def test_qa_replies(reply, expected):
    _check(QA, reply, expected)


@pytest.mark.parametrize(("reply", "expected"), GRAPH_CASES)
def test_extraction_like_replies(reply, expected):
    _check(Graph, reply, expected)


def test_extract_json_never_returns_an_inner_object_of_cut_off_json():
    cut = 'Here you go:\n{"entities": [{"name": "Pi9"}, {"name": "Pi2"}], "relations": [{"source": "Pi9", "tar'
    with pytest.raises(ReplyError, match="truncated") as caught:
        extract_json(cut, expect=dict)
    assert caught.value.kind == "truncated"


def test_prose_with_brackets_and_apostrophes_does_not_hide_the_json():
    reply = "The farmer's [field notes] say: {'crop': 'rice', 'ok': True}"
    assert extract_json(reply, expect=dict) == {"crop": "rice", "ok": True}
