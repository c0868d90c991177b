"""Scripted replies for the question styles (tasks ``qa_cot``, ``qa_multi_choice``,
``qa_multi_answer``, ``qa_fill_in_blank``), built from the material in the prompt
(sections as in ``generate.py``; multi_choice adds ``<options>`` and ``<correct>``):

* ``qa_cot``: "How does S lead to T?" from the first relation's source to the last one's
  target; the reasoning is the relation descriptions, one step each; the answer names S and T;
* ``qa_multi_choice``: "Which one completes this: <the relation's description with the correct
  option's name replaced by ___>?" and the letter of ``<correct>``;
* ``qa_multi_answer``: the first two relation descriptions are correct, "T acts on S" (the
  first relation turned round) is wrong;
* ``qa_fill_in_blank``: the relation's description with the target's name (else the source's;
  the one it holds exactly once) replaced by ``____``; the answer is that name, copied from the prompt.

Every generated string starts with ``[canned] `` (a multi_choice answer is only a letter and
a fill_in_blank answer a name copied from the prompt, so they cannot). Knobs:

* ``styles_wrong_first: true`` — multi_choice names a wrong option, multi_answer gives one
  correct option and fill_in_blank hides a term that is not in the material, each on the
  first ask only: the client's re-ask (which says why) gets the right reply;
* ``styles_always_wrong: true`` — the same on every ask: the unit yields no QA.
"""

from __future__ import annotations

import json
import re

from graphgen_neo4j.llm.calls import REASK_PREFIX
from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, is_chinese, message_text, responder
from graphgen_neo4j.testing.scripts.generate import relations_of, section


def _zh(request: ScriptedRequest) -> bool:
    return is_chinese(request.last_user)


def _wrong(request: ScriptedRequest) -> bool:
    if request.knobs.get("styles_always_wrong"):
        return True
    reasked = any(m.get("role") == "user" and message_text(m).startswith(REASK_PREFIX) for m in request.messages)
    return bool(request.knobs.get("styles_wrong_first")) and not reasked


def _relations(request: ScriptedRequest, needed: int = 1) -> list[dict[str, str]]:
    relations = relations_of(request.last_user)
    if len(relations) < needed:
        raise ValueError(f"{request.task} prompt with fewer than {needed} relation(s)")
    return relations


@responder("qa_cot")
def cot(request: ScriptedRequest) -> str:
    relations = _relations(request, 2)
    first, last = relations[0], relations[-1]
    if _zh(request):
        question = f"{first['source']}如何一步步影响到{last['target']}？"
        answer = f"{first['source']}经由上述链条影响{last['target']}。"
    else:
        question = f"How does {first['source']} lead to {last['target']}?"
        answer = f"{first['source']} leads to {last['target']} through the chain above."
    steps = [canned(r["description"]) for r in relations]
    return json.dumps({"question": canned(question), "reasoning": steps, "answer": canned(answer)}, ensure_ascii=False)


@responder("qa_multi_choice")
def multi_choice(request: ScriptedRequest) -> str:
    text = request.last_user
    relation = _relations(request)[0]
    correct = section(text, "correct")
    letter, _, name = correct.partition(". ")
    letters = [line.split(".", 1)[0].strip() for line in section(text, "options").splitlines() if line.strip()]
    if _wrong(request):
        letter = next(x for x in letters if x != letter)
    stem = re.sub(re.escape(name), "___", relation["description"], flags=re.IGNORECASE)
    if stem == relation["description"]:
        same = name.casefold() == relation["target"].casefold()
        stem = f"{relation['source']} -> ___" if same else f"___ -> {relation['target']}"
    question = f"以下哪一项可以填入：{stem}？" if _zh(request) else f"Which one completes this: {stem}?"
    return json.dumps({"question": canned(question), "answer": letter}, ensure_ascii=False)


@responder("qa_multi_answer")
def multi_answer(request: ScriptedRequest) -> str:
    relations = _relations(request, 2)
    first = relations[0]
    if _zh(request):
        question = f"关于{first['source']}，下列哪些说法是正确的？"
        wrong = f"{first['target']}反过来作用于{first['source']}。"
    else:
        question = f"Which of these statements about {first['source']} are true?"
        wrong = f"{first['target']} acts on {first['source']}."
    correct = [canned(r["description"]) for r in relations[:2]]
    if _wrong(request):
        correct = correct[:1]
    return json.dumps({"question": canned(question), "correct": correct, "wrong": [canned(wrong)]}, ensure_ascii=False)


@responder("qa_fill_in_blank")
def fill_in_blank(request: ScriptedRequest) -> str:
    relation = _relations(request)[0]
    description = relation["description"]
    hidden = next((n for n in (relation["target"], relation["source"])
                   if description.casefold().count(n.casefold()) == 1), None)
    if hidden is None:
        sentence, hidden = f"{relation['source']} -> ____: {description}", relation["target"]
    else:
        sentence = re.sub(re.escape(hidden), "____", description, count=1, flags=re.IGNORECASE)
    if _wrong(request):
        hidden = "[canned] wheat rust"
    return json.dumps({"sentence": canned(sentence), "answer": hidden}, ensure_ascii=False)
