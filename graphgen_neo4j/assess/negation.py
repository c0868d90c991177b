"""False statements a small model can be trusted with: checks, the one-statement reply, the template.

A quiz needs at least one false statement per item. Big models write good negations in
the quiz call itself; small ones (a 0.5B model, measured in docs/real-models.md) often
copy the sentence unchanged, or add a full stop, and call that a negation. So:

1. ``statement_key`` compares statements ignoring case, spacing, punctuation and symbols:
   "刘备是蜀汉的开国皇帝。" and "刘备是蜀汉的开国皇帝" are one statement, and a copy is
   never stored as its own negation.
2. When the quiz reply has too few usable negations, the stage asks for the missing ones
   one per call with ``prompts/negate.*.md`` (plain text, examples in the material's
   language); ``read_negation`` takes the sentence out of the reply and
   ``plausible_negation`` keeps only one that is about the same thing (it shares a good
   part of the description's words — characters, for Chinese) without being a copy of it
   or of one of the prompt's own examples.
3. When that fails too, ``template_negation`` writes one by a fixed rule ("The following
   statement is false: …"). It is marked: the item's ``quiz_sources`` say ``template``
   for it, and the quiz report counts them, so an analyst knows which losses rest on one.

Everything here is pure (no model, no database).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from graphgen_neo4j.language import detect_language
from graphgen_neo4j.prompts import template

# What a statement's source is, in ``quiz_sources`` (parallel to ``quiz_statements``).
DESCRIPTION = "description"
MODEL = "model"  # written in the quiz call
NEGATE = "negate"  # written in a one-statement negation call
TEMPLATE = "template"  # written by ``template_negation``

# A negation must share at least this much of the description's words (Chinese: characters) —
# it is about the same thing. "B is free of A" negates "A controls B" with 2 of its 3 words;
# a sentence about something else shares few or none.
MIN_OVERLAP = 0.35

_LABEL = re.compile(r"^\s*(?:opposite|negation|answer|相反|否定|答案)\s*[:：]\s*", re.IGNORECASE)
_QUOTES = "\"'“”‘’「」『』`"


@functools.lru_cache(maxsize=4096)
def statement_key(text: str) -> str:
    """The text without case, spaces, punctuation or symbols: what makes two statements one.

    Cached: the quiz compares each statement with the others several times (pure, per text)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC")


_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _units(text: str) -> set[str]:
    """Latin-script words and single Chinese characters of ``text``, case-folded."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    units = set(_CJK.findall(folded))
    units.update(w for w in _WORD.findall(_CJK.sub(" ", folded)))
    return units


def overlap(description: str, other: str) -> float:
    """Share of the description's words (Chinese: characters) that ``other`` also has (0…1)."""
    mine = _units(description)
    return len(mine & _units(other)) / len(mine) if mine else 0.0


@functools.cache
def example_negations() -> frozenset[str]:
    """The ``statement_key`` of every example negation in ``prompts/negate.*.md`` (a reply that
    copies one is refused)."""
    keys: set[str] = set()
    for language in ("en", "zh"):
        _, user = template("negate", language)
        keys.update(statement_key(m.group(1)) for m in re.finditer(r"(?:Opposite|相反)\s*[:：]\s*(\S[^\n]*)", user))
    return frozenset(keys)


def plausible_negation(description: str, candidate: str, taken: set[str]) -> bool:
    """A negation worth storing: not empty, not a copy of the description, of a statement
    already kept (``taken``: their ``statement_key``) or of a prompt example, and about the
    same thing as the description."""
    key = statement_key(candidate)
    if not key or key == statement_key(description) or key in taken or key in example_negations():
        return False
    return overlap(description, candidate) >= MIN_OVERLAP


def read_negation(reply: str) -> str:
    """The sentence in a one-statement negation reply: its first non-empty line, without a
    leading label ("Opposite:", "相反：") or surrounding quotes."""
    for line in reply.splitlines():
        line = _LABEL.sub("", line).strip().strip(_QUOTES).strip()
        if line:
            return line
    return ""


def template_negation(description: str) -> str:
    """A false statement by a fixed rule, in the description's language (the last resort)."""
    text = description.strip()
    if detect_language(text) == "zh":
        return f"以下说法是错误的：“{text}”"
    return f'The following statement is false: "{text}"'
