"""Token chunking on sentence and paragraph boundaries (no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphgen_neo4j.ingest.chunking import chunk_text, paragraph_spans, split_by_tokens
from graphgen_neo4j.tokens import count_tokens

EN = " ".join(f"Sentence number {i} says that rice variety {i} needs {i % 7 + 2} weeks of water." for i in range(40))
ZH = "".join(f"第{i}句说明水稻品种{i}需要灌水{i % 7 + 2}周。" for i in range(40))
SENTENCE_END = re.compile(r"[。！？；.!?]$")


@pytest.mark.parametrize("text", [EN, ZH], ids=["english", "chinese"])
def test_chunks_end_at_sentences_and_stay_under_the_size(text):
    chunks = chunk_text(text, chunk_size=60, chunk_overlap=0)
    assert len(chunks) > 3
    for chunk in chunks:
        assert count_tokens(chunk) <= 60
        assert SENTENCE_END.search(chunk), chunk
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing repeated


def test_chinese_marks_end_sentences():
    text = "稻瘟病危害很大！怎样防治？种植抗病品种；合理施肥。" * 20
    for chunk in chunk_text(text, chunk_size=40, chunk_overlap=0):
        assert chunk[-1] in "！？；。"


def test_overlap_repeats_whole_sentences_that_fit():
    chunks = chunk_text(EN, chunk_size=80, chunk_overlap=25)
    for previous, current in zip(chunks, chunks[1:]):
        last_sentence = re.findall(r"[^.]+\.", previous)[-1].strip()
        assert count_tokens(last_sentence) <= 25
        assert current.startswith(last_sentence)
    no_overlap = chunk_text(EN, chunk_size=80, chunk_overlap=0)
    assert len(no_overlap) < len(chunks)


def test_a_half_full_chunk_ends_before_a_paragraph_it_cannot_finish():
    first = " ".join(f"First paragraph sentence {i} about rice." for i in range(6))
    second = " ".join(f"Second paragraph sentence {i} about irrigation schedules." for i in range(8))
    text = f"{first}\n\n{second}"
    size = count_tokens(first) * 3 // 2  # room for the first and part of the second
    assert count_tokens(first) * 2 >= size and count_tokens(second) > size - count_tokens(first)
    chunks = chunk_text(text, chunk_size=size, chunk_overlap=0)
    assert chunks[0] == first  # not the first paragraph plus the start of the second
    small = chunk_text(text, chunk_size=count_tokens(first) * 3, chunk_overlap=0)
    assert small[0].startswith(first) and len(small[0]) > len(first)  # under half full: it goes on


def test_a_sentence_longer_than_a_chunk_is_cut_by_tokens_on_character_boundaries():
    text = "水稻" * 500 + "。"
    chunks = chunk_text(text, chunk_size=50, chunk_overlap=10)
    assert "".join(chunks) == text
    assert all(count_tokens(c) <= 50 for c in chunks)
    assert split_by_tokens("稻瘟病", 1)  # multi-token characters are never split
    assert "".join(split_by_tokens("稻瘟病菌🌾", 1)) == "稻瘟病菌🌾"


def test_paragraphs_follow_blank_lines_sentence_ends_and_markdown_blocks():
    text = "# Title\nIntro sentence.\nNext line starts a paragraph\nthat wraps here.\n\n- item one\n- item two"
    assert [text[s:e] for s, e in paragraph_spans(text)] == [
        "# Title", "Intro sentence.", "Next line starts a paragraph\nthat wraps here.", "- item one", "- item two",
    ]


def test_overlap_must_be_smaller_than_the_chunk():
    with pytest.raises(ValueError, match="chunk_overlap"):
        chunk_text("text.", chunk_size=10, chunk_overlap=10)


PIECES = st.sampled_from(["水稻", "稻瘟病", "rice", " blast", "。", "！", "；", ". ", "\n", "\n\n", "OsDT11", " 9", "，"])


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=300), st.integers(16, 120), st.integers(0, 15))
def test_any_text_is_covered_by_chunks_within_the_size(pieces, size, overlap):
    text = "".join(pieces)
    chunks = chunk_text(text, chunk_size=size, chunk_overlap=overlap)
    assert all(count_tokens(c) <= size for c in chunks)
    squeezed = re.sub(r"\s+", "", text)
    covered = re.sub(r"\s+", "", "".join(chunks))
    assert len(covered) >= len(squeezed)  # overlap may repeat, nothing is dropped
    position = 0
    for chunk in chunks:  # chunks appear in order in the text
        start = text.find(chunk.split("\n")[0][:20], max(0, position - 2000))
        assert start >= 0
        position = start
