"""Whether a QA's answer is faithful to its material (task ``qa_faithfulness``, prompts
``prompts/qa_faithfulness.*.md``, used by ``report --qa-judge-sample`` and ``filter``).

Reads the ``<entities>``, ``<relations>`` and ``<answer>`` sections of the last user
message and decides by one fixed rule — **not** a model: the answer is cut into sentences
(at ``.``, ``。``, ``;``, ``；``, ``!``, ``?``, and the connective " Then "); a sentence is
supported when, with the ``[canned]`` marks and the case ignored, it occurs in the
material. The score is ``1 + round(4 × supported sentences / sentences)``; the unsupported
sentences are the claims. The reason is marked canned::

    {"score": 3, "unsupported_claims": ["IR8 cures blast"], "reason": "[canned] 1 of 2 sentences not in the material"}
"""

from __future__ import annotations

import json
import re

from graphgen_neo4j.testing.scripts import CANNED_PREFIX, ScriptedRequest, canned, responder
from graphgen_neo4j.testing.scripts.generate import section

_SENTENCE_END = re.compile(r"(?<=[.。;；!！?？])\s*(?:then\s+)?|\s+then\s+", re.IGNORECASE)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(CANNED_PREFIX.strip(), "")).strip().casefold()


def sentences(answer: str) -> list[str]:
    """The answer's sentences (the canned marks dropped), without their end marks."""
    text = re.sub(r"\s+", " ", answer.replace(CANNED_PREFIX.strip(), "")).strip()
    parts = (p.strip().rstrip(".。;；!！?？").strip() for p in _SENTENCE_END.split(text))
    return [p for p in parts if p]


def verdict(material: str, answer: str) -> dict[str, object]:
    """The scripted verdict on ``answer`` against ``material`` (pure)."""
    facts = _normal(material)
    parts = sentences(answer)
    unsupported = [s for s in parts if _normal(s) not in facts]
    score = 1 + round(4 * (len(parts) - len(unsupported)) / len(parts)) if parts else 1
    reason = (f"{len(unsupported)} of {len(parts)} sentences not in the material" if unsupported
              else "every sentence occurs in the material")
    return {"score": score, "unsupported_claims": unsupported, "reason": canned(reason)}


@responder("qa_faithfulness")
def qa_faithfulness(request: ScriptedRequest) -> str:
    text = request.last_user
    material = section(text, "entities") + "\n" + section(text, "relations")
    return json.dumps(verdict(material, section(text, "answer")), ensure_ascii=False)
