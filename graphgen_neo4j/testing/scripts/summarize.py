"""Merged descriptions (task ``summarize``).

Reads the lines between ``<descriptions>`` and ``</descriptions>`` of the last user
message (``prompts/summarize.*.md``; a leading ``- `` and ``[canned] `` are dropped) and
replies ``[canned] `` + the first sentence of each distinct description, in order, as
many as fit in 60 % of the characters of the descriptions (at least the first one, cut
to that length if need be). The reply is therefore always shorter than its input and
visibly made from it.
"""

from __future__ import annotations

import re

from graphgen_neo4j.testing.scripts import CANNED_PREFIX, ScriptedRequest, canned, is_chinese, responder

_BLOCK = re.compile(r"<descriptions>\s*(.*?)\s*</descriptions>", re.DOTALL)
_FIRST_SENTENCE = re.compile(r".+?(?:[。！？；!?]|\.(?=\s|$)|$)", re.DOTALL)
SHARE = 0.6


def descriptions_of(request: ScriptedRequest) -> list[str]:
    match = _BLOCK.search(request.last_user)
    if match is None:
        raise ValueError("no <descriptions>…</descriptions> block in the last user message")
    lines = []
    for line in match.group(1).splitlines():
        line = line.strip().removeprefix("- ").strip().removeprefix(CANNED_PREFIX).strip()
        if line:
            lines.append(line)
    if not lines:
        raise ValueError("the <descriptions> block is empty")
    return lines


def first_sentence(text: str) -> str:
    match = _FIRST_SENTENCE.match(text)
    return (match.group(0) if match else text).strip()


@responder("summarize")
def summarize(request: ScriptedRequest) -> str:
    lines = descriptions_of(request)
    budget = max(1, int(sum(len(line) for line in lines) * SHARE))
    joiner = "" if is_chinese("".join(lines)) else " "
    picked: list[str] = []
    for sentence in dict.fromkeys(first_sentence(line) for line in lines):
        if picked and len(joiner.join([*picked, sentence])) > budget:
            break
        picked.append(sentence)
    return canned(joiner.join(picked)[:budget])
