"""Every cue in the evidence tables is needed by a test case: removing it makes a case fail.

This keeps ``test_evidence.py`` honest as cues are added: a cue without a case of its own
(or one that another cue already covers) fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from graphgen_neo4j.analyst import evidence, negative_cues

from .test_evidence import EN_CASES, NEGATIVE_CASES, PAREN_CASES, ZH_CASES, found

_NEVER = re.compile(r"(?!x)x")


def _all_cases_pass() -> bool:
    for text, expected in ZH_CASES + EN_CASES + PAREN_CASES:
        if expected not in found(text):
            return False
    for a, b, text, kind in NEGATIVE_CASES:
        if kind not in {n.kind for n in negative_cues.negative_evidence(a, b, text)}:
            return False
    return True


@pytest.fixture
def restore() -> Iterator[None]:
    zh, en, paren = evidence._ZH_CUE_RE, list(evidence._EN_CUE_RE), list(evidence._PAREN_EN_RE)
    compiled = {kind: (list(infix), list(postfix)) for kind, (infix, postfix) in negative_cues._COMPILED.items()}
    yield
    evidence._ZH_CUE_RE = zh
    evidence._EN_CUE_RE[:] = en
    evidence._PAREN_EN_RE[:] = paren
    for kind, (infix, postfix) in compiled.items():
        negative_cues._COMPILED[kind][0][:] = infix
        negative_cues._COMPILED[kind][1][:] = postfix


def test_every_cue_is_needed(restore: None) -> None:
    assert _all_cases_pass()
    unneeded: list[str] = []
    for cue in list(evidence.ZH_CUES):
        kept = sorted((c for c in evidence.ZH_CUES if c != cue), key=len, reverse=True)
        evidence._ZH_CUE_RE = re.compile("|".join(map(re.escape, kept)))
        if _all_cases_pass():
            unneeded.append(f"zh {cue}")
    evidence._ZH_CUE_RE = re.compile("|".join(sorted(map(re.escape, evidence.ZH_CUES), key=len, reverse=True)))
    for table, label in ((evidence._EN_CUE_RE, "en"), (evidence._PAREN_EN_RE, "parenthesis")):
        original = list(table)
        for index, (pattern, _) in enumerate(original):
            table[:] = original[:index] + original[index + 1 :]
            if _all_cases_pass():
                unneeded.append(f"{label} {pattern.pattern[:50]}")
        table[:] = original
    for kind, (infix, postfix) in negative_cues._COMPILED.items():
        for side, patterns in (("infix", infix), ("postfix", postfix)):
            for index, pattern in enumerate(list(patterns)):
                patterns[index] = _NEVER
                if _all_cases_pass():
                    unneeded.append(f"{kind} {side} {pattern.pattern[:50]}")
                patterns[index] = pattern
    assert unneeded == []
