"""Tolerant parsing on hand-written messy replies."""

from __future__ import annotations

import pytest

from graphgen_neo4j.llm import extract_json, strip_think
from graphgen_neo4j.llm.parsing import repair_json


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<think>Let me see.</think>\nYes", "Yes"),
        ("<THINK>a\nb</THINK>  answer  ", "answer"),
        ("before<think>x</think>after", "beforeafter"),
        ("<think>cut off while thinking", ""),
        ("reasoning without an opening tag</think>\n\nThe answer.", "The answer."),
        ("<thinking>hmm</thinking>ok", "ok"),
        (None, ""),
    ],
)
def test_strip_think(raw, expected):
    assert strip_think(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure! Here is the result:\n```json\n{"a": [1, 2,], "b": "x",}\n```\nAnything else?', {"a": [1, 2], "b": "x"}),
        ("```\n{'name': 'rice', 'ok': True, 'note': None}\n```", {"name": "rice", "ok": True, "note": None}),
        ("{'name': 'it's rice', 'kind': 'crop'}", {"name": "it's rice", "kind": "crop"}),
        ("｛“名称”：“水稻”，“类型”：“作物”｝", {"名称": "水稻", "类型": "作物"}),
        ('{"描述": "他说“你好”，然后离开"}', {"描述": "他说“你好”，然后离开"}),
        ("see [1] and [2]; the answer: {\"x\": 1}", {"x": 1}),
        ('<think>draft {"x": 0}</think> final {"x": 2}', {"x": 2}),
        ('{name: "OsDT11", "count": 3}', {"name": "OsDT11", "count": 3}),
        ('{"text": "line one\nline two"}', {"text": "line one\nline two"}),
        ('{"u": "\\u6c34\\u7a3b"}', {"u": "水稻"}),
        ('The JSON is {"a": {"b": [1, {"c": "}"}]}} and that is all.', {"a": {"b": [1, {"c": "}"}]}}),
    ],
)
def test_extract_json_from_messy_replies(raw, expected):
    assert extract_json(raw, expect=dict) == expected


def test_extract_json_arrays_and_failure():
    assert extract_json("items: [1, 2, 3]") == [1, 2, 3]
    with pytest.raises(ValueError, match="no JSON object"):
        extract_json("I cannot help with that.", expect=dict)
    with pytest.raises(ValueError):
        extract_json('{"a": 1')  # never closed


def test_repair_json_keeps_valid_json_meaning():
    assert repair_json('{"a": [true, false, null], "b": "x, y"}') == '{"a": [true, false, null], "b": "x, y"}'
