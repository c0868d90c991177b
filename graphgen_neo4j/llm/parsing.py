"""Turning what a model wrote into text and data (pure functions, no I/O).

``strip_think`` drops reasoning (``<think>…</think>``) before anything else looks at
a reply. ``json_candidates`` finds the complete JSON values in a reply written for
people: in a code fence, between prose, with full-width punctuation
(``｛“名称”：“水稻”｝``), single quotes, Python literals, comments or trailing commas.
``extract_json`` returns the largest of them and ``parse_model`` the largest that
validates as a pydantic model. Both raise ``ReplyError`` (a ``ValueError``) whose
``kind`` says why nothing was usable: ``truncated`` (JSON cut off, never an inner
object of it), ``no_json`` or ``invalid`` (a required key missing…); the client turns
it into a re-ask and, at last, ``LLMOutputError``.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

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


class ReplyError(ValueError):
    """A reply holds no usable JSON. ``kind``: ``truncated``, ``no_json`` or ``invalid``."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


def json_candidates(text: str, expect: type | None = None) -> tuple[list[Any], bool]:
    """Every complete top-level JSON value in ``text``, largest first, and whether JSON was cut off.

    Looks in code fences and in the whole reply (after ``strip_think``). Only outermost
    values count: the objects inside an unclosed one are not candidates, so a reply cut
    off at ``max_tokens`` never yields one of its inner objects. ``expect=dict`` (or
    ``list``) keeps values of that kind only.
    """
    text = strip_think(text)
    sources = [body for _, body in _FENCE.findall(text)] + [text]
    seen: set[str] = set()
    found: list[tuple[int, Any]] = []
    truncated = False
    for source in sources:
        spans, cut = _json_spans(source)
        truncated = truncated or cut
        for span in spans:
            if span in seen:
                continue
            seen.add(span)
            value = _loads_lenient(span)
            if value is not _FAILED and (expect is None or isinstance(value, expect)):
                found.append((len(span), value))
    found.sort(key=lambda item: -item[0])  # stable: the earlier of two equal sizes first
    return [value for _, value in found], truncated


def extract_json(text: str, expect: type | None = None) -> Any:
    """The largest complete JSON object or array in ``text``, repaired if need be.

    Raises ``ReplyError`` (a ``ValueError``): ``truncated`` when the only JSON is cut
    off, ``no_json`` when there is none.
    """
    values, truncated = json_candidates(text, expect)
    if values:
        return values[0]
    raise _missing(expect, truncated)


def parse_model(text: str, model: type[M]) -> M:
    """The first candidate (largest first) that validates as ``model``.

    Objects sharing no key with the model (``{"id": 3}`` next to the answer) are not
    taken for it. Raises ``ReplyError``: ``invalid`` when an object meant as the answer
    does not validate (a required key missing, a wrong type), ``truncated`` or
    ``no_json`` otherwise — never an empty result made up of defaults.
    """
    values, truncated = json_candidates(text, dict)
    keys = accepted_keys(model)
    related = [value for value in values if not keys or keys & set(value)]
    first_error: ValidationError | None = None
    for value in related:
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise ReplyError("invalid", _does_not_fit(model, first_error))
    if values and not truncated:  # only objects about something else
        try:
            model.model_validate(values[0])
        except ValidationError as exc:
            raise ReplyError("invalid", _does_not_fit(model, exc)) from None
        raise ReplyError("invalid", f"JSON that does not fit {model.__name__} (none of its keys: {', '.join(sorted(keys))})")
    raise _missing(dict, truncated)


def _does_not_fit(model: type[BaseModel], exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "(root)"
    return f"JSON that does not fit {model.__name__} ({where}: {error['msg']})"


def accepted_keys(model: type[BaseModel]) -> set[str]:
    """The top-level keys ``model`` reads: field names, aliases and alias choices."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(name)
        if field.alias:
            keys.add(field.alias)
        choices = getattr(field.validation_alias, "choices", None)
        if isinstance(field.validation_alias, str):
            keys.add(field.validation_alias)
        for choice in choices or ():
            if isinstance(choice, str):
                keys.add(choice)
    return keys


def _missing(expect: type | None, truncated: bool) -> ReplyError:
    if truncated:
        return ReplyError("truncated", "JSON that is cut off before it closes (truncated)")
    wanted = "JSON object" if expect is dict else "JSON array" if expect is list else "JSON object or array"
    return ReplyError("no_json", f"no {wanted} found in the reply")


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


_OPENERS = "{[｛［【"
_CLOSERS = "}]｝］】"


def _json_spans(text: str) -> tuple[list[str], bool]:
    """Balanced ``{…}`` / ``[…]`` spans (outermost only, in order) and whether one is left open.

    An opener whose brackets never balance, even ignoring quotes, starts JSON that was
    cut off: everything after it is inside it, so the scan stops there.
    """
    spans = []
    i = 0
    while i < len(text):
        if text[i] in _OPENERS:
            end = _balanced_end(text, i)
            if end is not None:
                spans.append(text[i:end])
                i = end
                continue
            if not _closes_ignoring_quotes(text, i):
                return spans, True
        i += 1
    return spans, False


def _closes_ignoring_quotes(text: str, start: int) -> bool:
    """Whether the bracket at ``start`` is closed when quotes are not respected (prose: ``[farmer's]``)."""
    depth = 0
    for ch in text[start:]:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
            if depth == 0:
                return True
    return False


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
        elif ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
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
        comment_end = _comment_end(text, i)
        if comment_end is not None:
            i = comment_end
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


def _comment_end(text: str, i: int) -> int | None:
    """Index after a ``// …`` or ``/* … */`` comment starting at ``i`` (None: no comment there)."""
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 2
    return None


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
