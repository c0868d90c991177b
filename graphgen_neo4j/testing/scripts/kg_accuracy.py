"""Whether a graph record is supported by its passage (task ``kg_accuracy``, prompts
``prompts/kg_accuracy.*.md``, used by ``report --judge-sample``).

Reads the ``Names:`` line (Chinese ``名称：``; names separated by `` | ``) and the passage
after ``Passage:`` (``段落：``) from the last user message and decides by one fixed rule —
**not** a model: supported when every name occurs in the passage (case-folded), else not.
Replies with the JSON the prompt asks for, the reason marked canned::

    {"supported": false, "reason": "[canned] not in the passage: IR36"}
"""

from __future__ import annotations

import json
import re

from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, responder

_NAMES = re.compile(r"^\s*(?:Names|名称)\s*[:：]\s*(?P<names>.*?)\s*$", re.MULTILINE)
_PASSAGE = re.compile(r"^\s*(?:Passage|段落)\s*[:：]\s*$", re.MULTILINE)
_END = re.compile(r"\n\s*(?:Output only this JSON|只输出这个 JSON)")


def parse(text: str) -> tuple[list[str], str]:
    """(names, passage) of a request; ValueError when either is missing."""
    names = _NAMES.search(text)
    passage = _PASSAGE.search(text)
    if names is None or passage is None:
        raise ValueError("no 'Names:' (名称：) line or 'Passage:' (段落：) block in the request")
    body = text[passage.end():]
    end = _END.search(body)
    return [n.strip() for n in names.group("names").split(" | ") if n.strip()], (body[:end.start()] if end else body).strip()


@responder("kg_accuracy")
def kg_accuracy(request: ScriptedRequest) -> str:
    names, passage = parse(request.last_user)
    missing = [n for n in names if n.casefold() not in passage.casefold()]
    reason = f"not in the passage: {', '.join(missing)}" if missing else "every name occurs in the passage"
    return json.dumps({"supported": not missing, "reason": canned(reason)}, ensure_ascii=False)
