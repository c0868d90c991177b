"""Names in the other language (task ``translate_names``, prompts ``prompts/translate_names.*.md``).

Reads the numbered ``N. name — type`` lines of the last user message and answers each name
from the server's table (``ScriptedLLMServer.set_name_translations``), matched by loose key;
a name the table does not hold gets "" (as a careful model says it does not know) — **not** a
model. The reply is the JSON the prompt asks for, with a ``note`` saying it is canned::

    {"names": [{"name": "诸葛亮", "other": "Zhuge Liang"}], "note": "[canned] names from the server's table"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from graphgen_neo4j.analyst.names import loose_key
from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, responder

_LINE = re.compile(r"^\s*\d+\.\s*(?P<name>.+?)\s+—\s+\S.*$", re.MULTILINE)


def known_names(request: ScriptedRequest) -> dict[str, str]:
    """The server's table by loose key of the name."""
    table: Mapping[str, str] = request.knobs.get("name_translations") or {}
    return {loose_key(k): v for k, v in table.items()}


def names_asked(text: str) -> list[str]:
    names = [m.group("name").strip() for m in _LINE.finditer(text)]
    if not names:
        raise ValueError("no numbered 'N. name — type' lines in the request")
    return names


@responder("translate_names")
def translate_names(request: ScriptedRequest) -> str:
    table = known_names(request)
    items = [{"name": name, "other": table.get(loose_key(name), "")} for name in names_asked(request.last_user)]
    return json.dumps({"names": items, "note": canned("names from the server's table")}, ensure_ascii=False)
