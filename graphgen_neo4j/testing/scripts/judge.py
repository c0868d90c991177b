"""The trainee's yes/no judgement of a statement (task ``judge``).

**Which statement.** The text after a ``Statement:`` (or ``陈述：``) line and before a
``Judgement:`` (``判断：``) line of the last user message; without those markers, the
whole last user message.

**What is true.** The scripted synthesizer writes every negation with a fixed opening,
``It is not true that …`` (English) or ``并非…`` (Chinese): such a statement is false,
every other statement is true. So the truth is read from the statement itself.

**How sure the trainee is** (server knob ``trainee_profile``):

* ``knows``: P(correct answer) = 0.92 ± 0.05, the offset fixed per statement by a hash;
* ``guesses``: P(yes) = 0.50 ± 0.03 whatever the truth;
* ``blind_spots``: like ``knows``, except statements containing one of the knob
  ``blind_spot_terms`` (case-insensitive), where P(correct) = 0.08 ± 0.03 (confidently wrong).

In every profile 0.01 of the mass sits on a junk token. ``ScriptedLLMServer.set_judgement``
fixes P(yes) (and optionally P(no)) for one statement, e.g. the seed walkthrough's
0.92 for a true statement and 0.05 for its negation; what is left goes to junk.

**The candidates.** The mass of yes is split between ``Yes`` (85 %) and `` yes`` (15 %),
no between ``No`` and `` no``; for Chinese statements between ``是`` (70 %) and ``Yes``,
``否`` and ``No``. Junk is ``The`` (``**`` for Chinese). The reply is the most likely
candidate; the top ``top_logprobs`` candidates go in the logprobs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from graphgen_neo4j.testing.scripts import ScriptedReply, ScriptedRequest, is_chinese, responder

NEGATION_PREFIXES = ("It is not true that ", "并非", "The following statement is false: ", "以下说法是错误的：")  # the last two: assess/negation.py
TRAINEE_PROFILES = ("knows", "guesses", "blind_spots")
JUNK_MASS = 0.01

_STATEMENT = re.compile(
    r"(?:Statement|陈述)\s*[:：]\s*(?P<statement>.*?)\s*(?:(?:Judgement|Judgment|判断)\s*[:：]|\Z)",
    re.DOTALL | re.IGNORECASE,
)
_LEADING_QUOTES = " \t\n\"'“‘「《(（"


def statement_of(request: ScriptedRequest) -> str:
    text = request.last_user
    matches = list(_STATEMENT.finditer(text))
    statement = matches[-1].group("statement") if matches else text
    return normalize_statement(statement)


def normalize_statement(statement: str) -> str:
    return " ".join(statement.split())


_NEGATION_PREFIXES_LOWER = tuple(prefix.lower() for prefix in NEGATION_PREFIXES)


def is_negation(statement: str) -> bool:
    return statement.lstrip(_LEADING_QUOTES).lower().startswith(_NEGATION_PREFIXES_LOWER)


def yes_no_probabilities(statement: str, knobs: Mapping[str, Any]) -> tuple[float, float]:
    """P(yes) and P(no) the scripted trainee gives ``statement`` (the rest is junk)."""
    fixed = (knobs.get("judgements") or {}).get(statement)
    if fixed is not None:
        return fixed
    offset = _offset(statement)  # in [-1, 1], fixed per statement
    profile = knobs.get("trainee_profile", "knows")
    if profile == "guesses":
        p_yes = 0.5 + 0.03 * offset
        return p_yes, 1.0 - JUNK_MASS - p_yes
    terms = knobs.get("blind_spot_terms") or ()
    blind = profile == "blind_spots" and any(term.lower() in statement.lower() for term in terms)
    p_correct = 0.08 + 0.03 * offset if blind else 0.92 + 0.05 * offset
    p_wrong = 1.0 - JUNK_MASS - p_correct
    return (p_wrong, p_correct) if is_negation(statement) else (p_correct, p_wrong)


def candidates(p_yes: float, p_no: float, chinese: bool) -> list[tuple[str, float]]:
    """First-token candidates, most likely first; zero-mass ones left out."""
    if chinese:
        split = [("是", 0.7 * p_yes), ("Yes", 0.3 * p_yes), ("否", 0.7 * p_no), ("No", 0.3 * p_no)]
        junk = "**"
    else:
        split = [("Yes", 0.85 * p_yes), (" yes", 0.15 * p_yes), ("No", 0.85 * p_no), (" no", 0.15 * p_no)]
        junk = "The"
    split.append((junk, max(0.0, 1.0 - p_yes - p_no)))
    return sorted(((t, p) for t, p in split if p > 1e-9), key=lambda c: c[1], reverse=True)


@responder("judge")
def judge(request: ScriptedRequest) -> ScriptedReply:
    statement = statement_of(request)
    p_yes, p_no = yes_no_probabilities(statement, request.knobs)
    ranked = candidates(p_yes, p_no, is_chinese(statement))
    return ScriptedReply(text=ranked[0][0], token_probs=ranked)


def _offset(statement: str) -> float:
    digest = hashlib.sha256(statement.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 2.0 - 1.0
