"""Quiz statements for a description (task ``quiz``).

Reads the last user message of the quiz prompt (``prompts/quiz.*.md``): the text after
``Sentence:`` (``句子：``) and the counts on the ``Paraphrases wanted:`` / ``Negations
wanted:`` (``改写数量：`` / ``否定数量：``) lines that end it. Replies with the JSON the
prompt asks for::

    {"paraphrases": ["[canned] In other words, <description>", …],
     "negations":   ["It is not true that <description> [canned]", …]}

With the knob ``quiz_style="copy"`` the reply does what a 0.5B model did: every
paraphrase and negation is the description itself (give or take its final full stop).

Task ``negate`` (``prompts/negate.*.md``, one negation per call) gets
``It is not true that <description> [canned]`` (Chinese: ``并非<description>[canned]``), or
with ``negate_style="copy"`` the description again.

Paraphrases keep the description word for word behind a fixed opening; negations open
with exactly ``It is not true that `` (Chinese: ``并非``), which is how the judge
responder (``judge.py``) tells a false statement from a true one (a comma right after
``that`` would hide the prefix from it). That is why their
``[canned]`` marker goes at the end instead of the start. A ``[canned] `` already at the
start of the description (a canned extraction) is dropped before the description is
embedded, so it is not marked twice. Each statement of a reply differs from the others.
"""

from __future__ import annotations

import json
import re

from graphgen_neo4j.testing.scripts import CANNED_PREFIX, ScriptedRequest, canned, is_chinese, responder

_REQUEST = re.compile(
    r"(?:Sentence|句子)\s*[:：]\s*(?P<description>.*?)\s*"
    r"(?:Paraphrases wanted|改写数量)\s*[:：]\s*(?P<paraphrases>\d+)\s*"
    r"(?:Negations wanted|否定数量)\s*[:：]\s*(?P<negations>\d+)\s*\Z",
    re.DOTALL,
)

PARAPHRASES = {
    "en": ["In other words, {x}", "Put differently, {x}", "Stated another way, {x}", "That is to say, {x}"],
    "zh": ["换句话说，{x}", "也就是说，{x}", "换言之，{x}", "即{x}"],
}
NEGATIONS = {
    "en": ["It is not true that {x}", "It is not true that in fact {x}", "It is not true that as stated {x}",
           "It is not true that as claimed {x}"],
    "zh": ["并非{x}", "并非确实{x}", "并非真的{x}", "并非事实上{x}"],
}
# Past the fixed phrasings, a number keeps the statements distinct.
EXTRA_PARAPHRASE = {"en": "Restated ({k}), {x}", "zh": "改写（{k}）：{x}"}
EXTRA_NEGATION = {"en": "It is not true that ({k}) {x}", "zh": "并非（{k}）{x}"}


def phrase(templates: list[str], extra: str, k: int, description: str) -> str:
    template = templates[k] if k < len(templates) else extra.replace("{k}", str(k + 1))
    return template.replace("{x}", description)


@responder("quiz")
def quiz(request: ScriptedRequest) -> str:
    match = _REQUEST.search(request.last_user)
    if match is None:
        raise ValueError("no 'Sentence:' followed by 'Paraphrases wanted:' and 'Negations wanted:' lines")
    description = match.group("description").strip().removeprefix(CANNED_PREFIX).strip()
    lang = "zh" if is_chinese(description) else "en"
    if request.knobs.get("quiz_style") == "copy":
        copy = description.rstrip("。.")
        return json.dumps({"paraphrases": [description] * int(match.group("paraphrases")),
                           "negations": [copy] * int(match.group("negations"))}, ensure_ascii=False)
    reply = {
        "paraphrases": [
            canned(phrase(PARAPHRASES[lang], EXTRA_PARAPHRASE[lang], k, description))
            for k in range(int(match.group("paraphrases")))
        ],
        "negations": [
            phrase(NEGATIONS[lang], EXTRA_NEGATION[lang], k, description) + " [canned]"
            for k in range(int(match.group("negations")))
        ],
    }
    return json.dumps(reply, ensure_ascii=False)


_SENTENCE = re.compile(r"(?:Sentence|句子)\s*[:：]")
_OPPOSITE = re.compile(r"(?:Opposite|相反)\s*[:：]\s*\Z")


@responder("negate")
def negate(request: ScriptedRequest) -> str:
    last = _SENTENCE.split(request.last_user)[-1]  # after the prompt's examples
    if not _OPPOSITE.search(last):
        raise ValueError("no 'Sentence:' followed by an empty 'Opposite:' line at the end")
    description = _OPPOSITE.sub("", last).strip().removeprefix(CANNED_PREFIX).strip()
    if request.knobs.get("negate_style") == "copy":
        return description
    lang = "zh" if is_chinese(description) else "en"
    return phrase(NEGATIONS[lang], EXTRA_NEGATION[lang], 0, description) + " [canned]"
