"""Cutting a text into token chunks that end where sentences (or paragraphs) end.

A text is first cut into *units*: sentences, each marked when it opens a paragraph.
Sentences end after ``。！？；!?`` (Chinese and English), after ``.`` followed by
white space, or at a line break that closes a paragraph (a blank line, a line that
ends with a sentence mark, a Markdown heading or list item). A unit longer than the
chunk itself is cut by tokens, on UTF-8 character boundaries.

Units are then packed greedily into chunks of at most ``chunk_size`` tokens. A chunk
that is at least half full ends early at a paragraph boundary rather than start a
paragraph it cannot finish. Consecutive chunks share the whole sentences at the end of
the previous chunk that fit in ``chunk_overlap`` tokens (none, when the last sentence
alone is longer than that), so overlap never cuts a sentence either.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from graphgen_neo4j.tokens import DEFAULT_ENCODING, get_encoding

# A sentence mark, with the closing quotes or brackets that follow it.
_SENTENCE_END = re.compile(r"(?:[。！？；!?]+|…+|\.(?=\s|$))[”’\"'」』）)\]]*")
# A line that starts a paragraph of its own (Markdown heading, list item, quote, table row).
_BLOCK_START = re.compile(r"\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
_ENDS_SENTENCE = re.compile(r"[。！？；!?.…:：”’\"」』）)]\s*$")
_HEADING = re.compile(r"\s*#{1,6}\s")


@dataclass(frozen=True)
class Unit:
    """A span of the text (``start``/``end`` offsets), its tokens, and whether it opens a paragraph."""

    start: int
    end: int
    tokens: int
    opens_paragraph: bool


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, white space at their ends excluded."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    previous_line = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        line_start = offset
        offset += len(line)
        if not stripped:
            if start is not None:
                spans.append((start, line_start))
                start = None
            previous_line = ""
            continue
        breaks = start is not None and (
            _ENDS_SENTENCE.search(previous_line) is not None
            or _HEADING.match(previous_line) is not None
            or _BLOCK_START.match(line) is not None
        )
        if breaks:
            spans.append((start, line_start))  # type: ignore[arg-type]
            start = None
        if start is None:
            start = line_start + (len(line) - len(line.lstrip()))
        previous_line = line
    if start is not None:
        spans.append((start, len(text)))
    return [(s, s + len(text[s:e].rstrip())) for s, e in spans if text[s:e].strip()]


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text[start:end]``, surrounding white space excluded."""
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((position, match.end()))
        position = match.end()
    spans.append((position, end))
    trimmed = []
    for s, e in spans:
        piece = text[s:e]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trimmed.append((s + lead, s + len(piece.rstrip())))
    return trimmed


def split_by_tokens(piece: str, size: int, encoding: str = DEFAULT_ENCODING) -> list[str]:
    """``piece`` cut into consecutive parts of at most ``size`` tokens, never inside a character."""
    enc = get_encoding(encoding)
    parts: list[str] = []
    buffer = b""
    count = 0
    for token in enc.encode(piece, disallowed_special=()):
        if count >= size:
            cut = _utf8_boundary(buffer)
            parts.append(buffer[:cut].decode("utf-8"))
            buffer, count = buffer[cut:], (1 if buffer[cut:] else 0)
        buffer += enc.decode_single_token_bytes(token)
        count += 1
    if buffer:
        parts.append(buffer.decode("utf-8", errors="strict"))
    return [p for p in parts if p]


def _utf8_boundary(data: bytes) -> int:
    """Length of the longest prefix of ``data`` that does not end inside a UTF-8 character."""
    for cut in range(len(data), max(len(data) - 4, 0) - 1, -1):
        try:
            data[:cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return cut
    return 0


def units(text: str, chunk_size: int, encoding: str = DEFAULT_ENCODING) -> list[Unit]:
    """The sentences of ``text`` (long ones cut by tokens) with their token counts."""
    enc = get_encoding(encoding)
    found: list[Unit] = []
    for p_start, p_end in paragraph_spans(text):
        first = True
        for s_start, s_end in sentence_spans(text, p_start, p_end):
            sentence = text[s_start:s_end]
            tokens = len(enc.encode(sentence, disallowed_special=()))
            if tokens <= chunk_size:
                found.append(Unit(s_start, s_end, tokens, first))
                first = False
                continue
            # Re-encoding a cut piece can cost a token or two more; leave room for that.
            position = s_start
            for part in split_by_tokens(sentence, max(1, chunk_size - 4), encoding):
                found.append(Unit(position, position + len(part), len(enc.encode(part, disallowed_special=())), first))
                position += len(part)
                first = False
    return found


def chunk_text(
    text: str, chunk_size: int = 1024, chunk_overlap: int = 100, encoding: str = DEFAULT_ENCODING
) -> list[str]:
    """The chunks of ``text`` (see the module docstring); each at most ``chunk_size`` tokens."""
    if chunk_overlap >= chunk_size:
        raise ValueError(f"chunk_overlap ({chunk_overlap}) must be smaller than chunk_size ({chunk_size})")
    enc = get_encoding(encoding)
    found = units(text, chunk_size, encoding)
    rest = _rest_of_paragraph(found)

    def span_tokens(i: int, j: int) -> int:
        return len(enc.encode(text[found[i].start : found[j - 1].end], disallowed_special=()))

    chunks: list[str] = []
    i = 0
    fresh = 0  # first unit not yet in any chunk
    while fresh < len(found):
        # Drop overlap sentences from the front until the first fresh one fits.
        while i < fresh and sum(u.tokens for u in found[i : fresh + 1]) > chunk_size:
            i += 1
        j = _chunk_end(found, rest, i, fresh, chunk_size)
        # Token counts of parts do not add up exactly to the count of the whole.
        while j - 1 > fresh and span_tokens(i, j) > chunk_size:
            j -= 1
        while i < fresh and span_tokens(i, j) > chunk_size:
            i += 1
        chunks.append(text[found[i].start : found[j - 1].end].strip())
        fresh = j
        i = _overlap_start(found, i, j, chunk_overlap)
    return chunks


def _rest_of_paragraph(found: list[Unit]) -> list[int]:
    """Tokens from each unit to the end of its paragraph (for "do not start what cannot finish")."""
    n = len(found)
    rest = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        tail = 0 if i + 1 >= n or found[i + 1].opens_paragraph else rest[i + 1]
        rest[i] = found[i].tokens + tail
    return rest


def _chunk_end(found: list[Unit], rest: list[int], i: int, fresh: int, chunk_size: int) -> int:
    """One past the last unit of the chunk that starts at ``i``: as many units as fit, but no
    paragraph opened in the second half of a chunk that it cannot finish."""
    j, total = i, 0
    while j < len(found):
        unit = found[j]
        if j > fresh and total + unit.tokens > chunk_size:
            break
        if j > fresh and unit.opens_paragraph and total * 2 >= chunk_size and total + rest[j] > chunk_size:
            break
        total += unit.tokens
        j += 1
    return j


def _overlap_start(found: list[Unit], i: int, j: int, chunk_overlap: int) -> int:
    """Where the next chunk starts: the whole sentences at the end of ``found[i:j]`` that fit in
    ``chunk_overlap`` tokens."""
    k, overlap = j, 0
    while k - 1 > i and overlap + found[k - 1].tokens <= chunk_overlap:
        k -= 1
        overlap += found[k].tokens
    return k


def chunk_pages(text: str, chunks: list[str], page_starts: tuple[int, ...]) -> list[tuple[int, ...] | None]:
    """The pages (1-based) each chunk of ``text`` spans, given where each page starts in it.

    Chunks are found in order (they may overlap); a chunk not found verbatim (a sentence
    cut by tokens) is looked up by its first 40 characters; None when it cannot be placed."""
    found: list[tuple[int, ...] | None] = []
    search_from = 0
    for chunk in chunks:
        start = text.find(chunk, search_from)
        if start < 0:
            start = text.find(chunk[:40], search_from)
        if start < 0:
            found.append(None)
            continue
        end = start + len(chunk)
        search_from = start + 1
        first = bisect_right(page_starts, start)
        last = bisect_right(page_starts, max(start, end - 1))
        found.append(tuple(range(max(first, 1), max(last, 1) + 1)))
    return found
