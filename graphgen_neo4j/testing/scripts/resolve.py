"""Whether two entities are one thing (task ``resolve``, prompts ``prompts/resolve.*.md``).

Reads the ``Entity A:`` / ``Type A:`` / ``Description A:`` lines (Chinese ``实体A：`` …), the
same for B, and the evidence lines (``- …``) from the last user message, and decides by fixed
rules, first that applies — **not** a model:

1. an ``against:`` evidence line (a hard-negative cue the resolver found), or such a cue in
   either description (``analyst/negative_cues.py``: "son of", "的一种", "capital of"…):
   different, confidence 0.9;
2. a ``same (…)`` evidence line (an identity statement the resolver found), or an identity
   statement about the pair in either description (``analyst/evidence.py``: "刘备字玄德",
   "稻瘟病（rice blast）"): same, 0.9 — 0.75 when their types differ;
3. types that differ (neither ``UNKNOWN``): different, 0.8;
   the server's name table (``set_name_translations``, the names it "knows" in the other
   language) gives one name as the other's translation: same, 0.85;
4. a ``name (same_key|shared_alias|edit_distance)`` line (spellings of one name): same, 0.8;
   a ``name (containment)`` line (a name without its category word): same, 0.7;
5. otherwise different, 0.85: a description that merely names the other entity, or names
   that are only near, state no identity.

Replies with the JSON the prompt asks for; the reason is marked canned::

    {"same": true, "confidence": 0.9, "reason": "[canned] the evidence states the identity"}

Batched (task ``resolve_batch``): the blocks headed ``Pair N`` (``第N对``) are decided one by
one by the same rules; the reply is ``{"verdicts": [{"pair": N, "same", "confidence", "reason"}]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from graphgen_neo4j.analyst.evidence import description_evidence
from graphgen_neo4j.analyst.names import loose_key
from graphgen_neo4j.analyst.translations import name_keys
from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, responder
from graphgen_neo4j.testing.scripts.translate_names import known_names

_FIELD = re.compile(r"^\s*(?P<field>Entity|Type|Description|实体|类型|描述)\s*(?P<side>[AB])\s*[:：]\s*(?P<value>.*?)\s*$", re.MULTILINE)
_FIELDS = {"Entity": "name", "实体": "name", "Type": "type", "类型": "type", "Description": "description", "描述": "description"}
_EVIDENCE = re.compile(r"^- (?P<line>.+)$", re.MULTILINE)
_UNKNOWN = {"", "UNKNOWN", "-"}


def entities_of(request: ScriptedRequest | str) -> dict[str, dict[str, str]]:
    text = request if isinstance(request, str) else request.last_user
    found: dict[str, dict[str, str]] = {"A": {}, "B": {}}
    for match in _FIELD.finditer(text):
        found[match.group("side")][_FIELDS[match.group("field")]] = match.group("value")
    for side, fields in found.items():
        if not fields.get("name"):
            raise ValueError(f"no 'Entity {side}:' (实体{side}：) line in the request")
    return found


def evidence_of(request: ScriptedRequest | str) -> list[str]:
    text = request if isinstance(request, str) else request.last_user
    return [m.group("line").strip() for m in _EVIDENCE.finditer(text) if m.group("line").strip() not in ("", "-")]


def known_translation(a: str, b: str, table: Mapping[str, str]) -> bool:
    """The table (by loose key) gives ``b`` as ``a``'s name in the other language, or the other way round,
    with or without a category word (江苏省 → "Jiangsu Province" ~ Jiangsu)."""
    for x, y in ((a, b), (b, a)):
        other = table.get(loose_key(x), "")
        if other and set(name_keys(other)) & set(name_keys(y)):
            return True
    return False


def decide(a: dict[str, str], b: dict[str, str], evidence: list[str], table: Mapping[str, str] | None = None) -> tuple[bool, float, str]:
    """(same, confidence, reason) by the rules of the module docstring."""
    da, db = (description_evidence(x["name"], x.get("description", ""), y["name"]) for x, y in ((a, b), (b, a)))
    if any(line.startswith("against:") for line in evidence) or da.against or db.against:
        return False, 0.9, "a sentence says they are related but different things"
    types_differ = a.get("type", "") not in _UNKNOWN and b.get("type", "") not in _UNKNOWN and a["type"] != b["type"]
    if any(line.startswith("same (") for line in evidence) or da.same or db.same:
        return True, 0.75 if types_differ else 0.9, "the evidence states that the two names are one"
    if types_differ:
        return False, 0.8, f"different types ({a['type']} / {b['type']})"
    if table and known_translation(a["name"], b["name"], table):
        return True, 0.85, "one name is the usual translation of the other"
    if any(line.startswith(("name (same_key)", "name (shared_alias)", "name (edit_distance)")) for line in evidence):
        return True, 0.8, "the two names are spellings of one name"
    if any(line.startswith("name (containment)") for line in evidence):
        return True, 0.7, "one name is the other without its category word"
    return False, 0.85, "nothing says the two names are one thing"


@responder("resolve")
def resolve(request: ScriptedRequest) -> str:
    entities = entities_of(request)
    same, confidence, reason = decide(entities["A"], entities["B"], evidence_of(request), known_names(request))
    return json.dumps({"same": same, "confidence": confidence, "reason": canned(reason)}, ensure_ascii=False)


_PAIR = re.compile(r"^(?:Pair (?P<en>\d+)|第(?P<zh>\d+)对)\s*$", re.MULTILINE)


def pair_blocks(text: str) -> list[tuple[int, str]]:
    """(number, block text) of each ``Pair N`` / ``第N对`` block."""
    heads = list(_PAIR.finditer(text))
    if not heads:
        raise ValueError("no 'Pair N' (第N对) blocks in the request")
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return [(int(h.group("en") or h.group("zh")), text[h.end():end]) for h, end in zip(heads, ends)]


@responder("resolve_batch")
def resolve_batch(request: ScriptedRequest) -> str:
    table = known_names(request)
    verdicts = []
    for number, block in pair_blocks(request.last_user):
        entities = entities_of(block)
        same, confidence, reason = decide(entities["A"], entities["B"], evidence_of(block), table)
        verdicts.append({"pair": number, "same": same, "confidence": confidence, "reason": canned(reason)})
    return json.dumps({"verdicts": verdicts}, ensure_ascii=False)
