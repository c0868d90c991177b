"""Whether two entities are one thing (task ``resolve``, prompts ``prompts/resolve.*.md``).

Reads the ``Entity A:`` / ``Type A:`` / ``Description A:`` lines (Chinese ``实体A：`` …) and
the same for B from the last user message. The scripted synthesizer calls them the same
when one's name appears in the other's description, ignoring case (the way a bilingual
text writes "稻瘟病（rice blast）"): confidence 0.9 when each names the other, 0.8 when
one does. Otherwise it says they differ, with confidence 0.85. Replies with the JSON the
prompt asks for; the reason is marked canned::

    {"same": true, "confidence": 0.8, "reason": "[canned] the description of A names B"}
"""

from __future__ import annotations

import json
import re

from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, responder

_FIELD = re.compile(r"^\s*(?P<field>Entity|Type|Description|实体|类型|描述)\s*(?P<side>[AB])\s*[:：]\s*(?P<value>.*?)\s*$", re.MULTILINE)
_FIELDS = {"Entity": "name", "实体": "name", "Type": "type", "类型": "type", "Description": "description", "描述": "description"}


def entities_of(request: ScriptedRequest) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {"A": {}, "B": {}}
    for match in _FIELD.finditer(request.last_user):
        found[match.group("side")][_FIELDS[match.group("field")]] = match.group("value")
    for side, fields in found.items():
        if not fields.get("name"):
            raise ValueError(f"no 'Entity {side}:' (实体{side}：) line in the request")
    return found


@responder("resolve")
def resolve(request: ScriptedRequest) -> str:
    entities = entities_of(request)
    a, b = entities["A"], entities["B"]
    a_names_b = b["name"].casefold() in a.get("description", "").casefold()
    b_names_a = a["name"].casefold() in b.get("description", "").casefold()
    if a_names_b and b_names_a:
        reply = {"same": True, "confidence": 0.9, "reason": canned("each description names the other entity")}
    elif a_names_b or b_names_a:
        which = "A names B" if a_names_b else "B names A"
        reply = {"same": True, "confidence": 0.8, "reason": canned(f"the description of {which}")}
    else:
        reply = {"same": False, "confidence": 0.85, "reason": canned("neither description names the other entity")}
    return json.dumps(reply, ensure_ascii=False)
