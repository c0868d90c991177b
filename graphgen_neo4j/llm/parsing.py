"""Turning what a model wrote into text and data.

``strip_think`` drops reasoning (``<think>…</think>``) before anything else looks at
a reply. ``extract_json`` finds the JSON value in a reply written for people: in a
code fence, between prose, with full-width punctuation (``｛“名称”：“水稻”｝``),
single quotes, Python literals or trailing commas. It raises ``ValueError`` when no
JSON can be recovered; the client turns that into ``LLMOutputError``.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

_THINK_BLOCK = re.compile(r"<(think|thinking)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<(think|thinking)>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</(think|thinking)>", re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n?(.*?)```", re.DOTALL)

# Full-width (and curly) punctuation that stands for JSON syntax outside strings.
_STRUCTURAL = {"｛": "{", "｝": "}", "［": "[", "］": "]", "【": "[", "】": "]", "：": ":", "，": ",", "、": ","}
_OPEN_QUOTES = {'"': '"', "“": "”", "”": "”", "'": "'", "‘": "’", "「": "」", "＂": "＂"}
_LITERALS = {"True": "true", "False": "false", "None": "null"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_FOLLOWS = re.compile(r"\s*[:：]")
_UNICODE_ESCAPE = re.compile(r"[0-9a-fA-F]{4}")


def strip_think(text: str | None) -> str:
    """The reply without reasoning blocks, stripped of surrounding white space.

    Handles closed blocks anywhere, a block left open (the reply was cut off while
    thinking: everything after ``<think>`` goes) and a closing tag with no opening one
    (chat templates that put ``<think>`` into the prompt: everything before it goes).
    """
    if not text:
        return ""
    text = _THINK_BLOCK.sub("", text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        text = text[closes[-1].end() :]
    opened = _THINK_OPEN.search(text)
    if opened:
        text = text[: opened.start()]
    return text.strip()


def extract_json(text: str, expect: type | None = None) -> Any:
    """The first JSON object or array in ``text`` (after ``strip_think``), repaired if need be.

    ``expect=dict`` (or ``list``) skips values of the other kind, so a stray ``[1]`` in
    the prose before an object is not taken for the answer.
    """
    text = strip_think(text)
    candidates = [body for _, body in _FENCE.findall(text)] + [text]
    for candidate in candidates:
        for span in _json_spans(candidate):
            value = _loads_lenient(span)
            if value is not _FAILED and (expect is None or isinstance(value, expect)):
                return value
    wanted = {dict: "JSON object", list: "JSON array"}.get(expect, "JSON object or array")  # type: ignore[arg-type]
    raise ValueError(f"no {wanted} found in the reply")


_FAILED = object()


def _loads_lenient(span: str) -> Any:
    try:
        return json.loads(span, strict=False)
    except ValueError:
        pass
    repaired = repair_json(span)
    try:
        return json.loads(repaired, strict=False)
    except ValueError:
        pass
    try:  # a Python literal: {'a': 1, 'b': None}
        value = ast.literal_eval(span)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return _FAILED
    return value if isinstance(value, (dict, list)) else _FAILED


def _json_spans(text: str) -> list[str]:
    """Balanced ``{…}`` / ``[…]`` spans, outermost first, in order of appearance."""
    spans = []
    i = 0
    while i < len(text):
        if text[i] in "{[｛［【":
            end = _balanced_end(text, i)
            if end is not None:
                spans.append(text[i:end])
                i = end
                continue
        i += 1
    return spans


def _balanced_end(text: str, start: int) -> int | None:
    """Index after the bracket that closes the one at ``start`` (quotes respected)."""
    depth = 0
    close_quote: str | None = None
    i = start
    while i < len(text):
        ch = text[i]
        if close_quote is not None:
            if ch == "\\":
                i += 2
                continue
            if ch == close_quote and (close_quote != "'" or _ends_single_quoted(text, i)):
                close_quote = None
        elif ch in _OPEN_QUOTES:
            close_quote = _OPEN_QUOTES[ch]
        elif ch in "{[｛［【":
            depth += 1
        elif ch in "}]｝］】":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _ends_single_quoted(text: str, i: int) -> bool:
    """Whether the ``'`` at ``i`` closes a string (an apostrophe inside words does not)."""
    rest = text[i + 1 :].lstrip()
    return not rest or rest[0] in ":,}]：，｝］"


def repair_json(text: str) -> str:
    """Rewrite near-JSON into JSON: quotes, full-width syntax, literals, trailing commas."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN_QUOTES:
            value, i = _read_string(text, i)
            out.append(json.dumps(value, ensure_ascii=False))
            continue
        if ch in _STRUCTURAL:
            ch = _STRUCTURAL[ch]
        if ch in "}]":
            while out and out[-1].isspace():
                out.pop()
            if out and out[-1] == ",":
                out.pop()
        word = _WORD.match(text, i)
        if word:
            token = word.group(0)
            i = word.end()
            if _KEY_FOLLOWS.match(text, i):  # a bare key: {name: "x"}
                out.append(json.dumps(token))
            else:
                out.append(_LITERALS.get(token, token))
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _read_string(text: str, start: int) -> tuple[str, int]:
    """The content of the string opening at ``start`` and the index after it."""
    close = _OPEN_QUOTES[text[start]]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            hex_digits = _UNICODE_ESCAPE.match(text, i + 2) if text[i + 1] == "u" else None
            if hex_digits:
                chars.append(chr(int(hex_digits.group(0), 16)))
                i = hex_digits.end()
            else:
                chars.append(_unescape(text[i + 1]))
                i += 2
            continue
        closes = ch == close or (close == "”" and ch == '"')
        if closes and (close not in "'’" or _ends_single_quoted(text, i)):
            return "".join(chars), i + 1
        chars.append(ch)
        i += 1
    return "".join(chars), i


def _unescape(ch: str) -> str:
    return {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(ch, ch)
