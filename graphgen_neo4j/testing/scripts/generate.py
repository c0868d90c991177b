"""Scripted QA writing (tasks ``qa_atomic``, ``qa_aggregated_rewrite``,
``qa_aggregated_question``, ``qa_multi_hop``).

The generate prompts show their material between tags, one item a line::

    <entities>               1. name [TYPE]: description
    <relations>              1. source -> target: description
    <answer>                 the text a question is wanted for

and the replies are built from it, so a given batch yields a known QA:

* ``qa_atomic``: about the first relation, "What is the relation between S and T?" /
  "S和T之间是什么关系？", answered by its description; with no relation, "What is N?" /
  "什么是N？" answered by the entity's description;
* ``qa_aggregated_rewrite``: the relation descriptions joined, in the order given;
* ``qa_aggregated_question``: "Which question does this answer: <first 40 characters>?"
  (Chinese: "哪个问题的答案是：…？");
* ``qa_multi_hop``: "How is S connected to T?" from the first relation's source to the
  last relation's target, answered by the descriptions chained with " Then " (Chinese "；").

Every string starts with ``[canned] ``. The reply is a JSON object, except with knobs:

* ``generate_style: "tags"`` — QA tasks answer ``Question: …\\nAnswer: …`` (``问题：…\\n答案：…``)
  as plain text, to exercise the fallback parser;
* ``generate_unusable_terms: [...]`` — when the material contains one of the terms, the
  reply is a JSON object with no usable field (``{"note": "[canned] …"}``): it yields no QA;
  ``generate_unusable_tasks: [...]`` limits that to some tasks.
"""

from __future__ import annotations

import json
import re

from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, is_chinese, responder

TASKS = ("qa_atomic", "qa_aggregated_rewrite", "qa_aggregated_question", "qa_multi_hop")

_SECTION = "<{tag}>\n?(?P<body>.*?)\n?</{tag}>"
_RELATION = re.compile(r"^\s*\d+\.\s+(?P<source>.+?) -> (?P<target>.+?):\s*(?P<description>.*)$")
_ENTITY = re.compile(r"^\s*\d+\.\s+(?P<name>.+?) \[(?P<type>[^\]]*)\]:\s*(?P<description>.*)$")


def section(text: str, tag: str) -> str:
    match = re.search(_SECTION.format(tag=tag), text, re.DOTALL)
    if match is None:
        raise ValueError(f"the prompt has no <{tag}> section")
    return match.group("body").strip()


def relations_of(text: str) -> list[dict[str, str]]:
    lines = section(text, "relations").splitlines()
    return [m.groupdict() for m in map(_RELATION.match, lines) if m]


def entities_of(text: str) -> list[dict[str, str]]:
    lines = section(text, "entities").splitlines()
    return [m.groupdict() for m in map(_ENTITY.match, lines) if m]


def _unusable(request: ScriptedRequest) -> bool:
    terms = request.knobs.get("generate_unusable_terms") or ()
    tasks = request.knobs.get("generate_unusable_tasks") or TASKS
    text = request.last_user
    return request.task in tasks and any(term in text for term in terms)


def _reply(request: ScriptedRequest, **fields: str) -> str:
    if _unusable(request):
        return json.dumps({"note": canned("unusable reply: nothing to write a QA from")}, ensure_ascii=False)
    values = {k: canned(v) for k, v in fields.items()}
    if request.knobs.get("generate_style") == "tags" and set(values) == {"question", "answer"}:
        if is_chinese(values["question"] + values["answer"]):
            return f"问题：{values['question']}\n答案：{values['answer']}"
        return f"Question: {values['question']}\nAnswer: {values['answer']}"
    return json.dumps(values, ensure_ascii=False)


def _zh(request: ScriptedRequest) -> bool:
    return is_chinese(request.last_user)


def _strip_canned(text: str) -> str:
    return text.replace("[canned] ", "")


@responder("qa_atomic")
def atomic(request: ScriptedRequest) -> str:
    text, zh = request.last_user, _zh(request)
    relations = relations_of(text)
    if relations:
        r = relations[0]
        question = f"{r['source']}和{r['target']}之间是什么关系？" if zh else f"What is the relation between {r['source']} and {r['target']}?"
        return _reply(request, question=question, answer=r["description"])
    entities = entities_of(text)
    if not entities:
        raise ValueError("qa_atomic prompt with neither a relation nor an entity")
    e = entities[0]
    return _reply(request, question=f"什么是{e['name']}？" if zh else f"What is {e['name']}?", answer=e["description"])


@responder("qa_aggregated_rewrite")
def aggregated_rewrite(request: ScriptedRequest) -> str:
    relations = relations_of(request.last_user)
    if not relations:
        raise ValueError("qa_aggregated_rewrite prompt without relations")
    joiner = "" if _zh(request) else " "
    return _reply(request, text=joiner.join(r["description"] for r in relations))


@responder("qa_aggregated_question")
def aggregated_question(request: ScriptedRequest) -> str:
    answer = _strip_canned(section(request.last_user, "answer"))
    head = answer[:40]
    question = f"哪个问题的答案是：{head}？" if _zh(request) else f"Which question does this answer: {head}?"
    return _reply(request, question=question)


@responder("qa_multi_hop")
def multi_hop(request: ScriptedRequest) -> str:
    relations = relations_of(request.last_user)
    if len(relations) < 2:
        raise ValueError("qa_multi_hop prompt with fewer than two relations")
    first, last = relations[0], relations[-1]
    if _zh(request):
        question = f"{first['source']}如何与{last['target']}联系起来？"
        answer = "；".join(r["description"] for r in relations)
    else:
        question = f"How is {first['source']} connected to {last['target']}?"
        answer = " Then ".join(r["description"] for r in relations)
    return _reply(request, question=question, answer=answer)
