"""The parsers on replies real models wrote to the pipeline's own prompts.

``tests/fixtures/real_replies/<model>.jsonl`` holds every chat exchange of whole
``graphgen-neo4j run``s against a real model on CPU, recorded by
``bench/capture_replies.py`` and never edited: the task, the request's parameters and
messages, the reply text and its ``finish_reason``. Each reply goes through the same
function the stage uses, and must come out as the stage expects:

* a reply cut off at ``max_tokens`` is a truncation (a failed item that is asked
  again), never a result — whatever JSON may be inside it;
* every other reply to a JSON task parses, or fails with a ``ReplyError`` naming why
  (never a crash, never an empty result from a fragment): the share that parses per
  model and task must stay at least what it was when recorded (``PARSED``);
* a judge reply yields yes/no probability mass from its top log-probabilities;
* a one-statement negation reply yields a sentence.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from graphgen_neo4j.analyst.adjudicate import SameEntityVerdict
from graphgen_neo4j.assess.loss import yes_no_mass
from graphgen_neo4j.assess.negation import read_negation
from graphgen_neo4j.assess.quiz import QuizReply
from graphgen_neo4j.generate.units import QAReply, QuestionReply, RewriteReply
from graphgen_neo4j.ingest.extract import Extraction
from graphgen_neo4j.llm import TokenCandidate
from graphgen_neo4j.llm.calls import check_truncation
from graphgen_neo4j.llm.parsing import ReplyError, parse_model, strip_think
from graphgen_neo4j.llm.transport import BadReply, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real_replies"
MODELS: dict[str, type[BaseModel]] = {
    "extract": Extraction, "glean": Extraction, "quiz": QuizReply, "resolve": SameEntityVerdict,
    "qa_atomic": QAReply, "qa_multi_hop": QAReply, "qa_aggregated_rewrite": RewriteReply,
    "qa_aggregated_question": QuestionReply,
}
# Share of the non-truncated replies that parse, per (recorded model, task), measured when the
# fixtures were recorded (docs/real-models.md); a parser change may raise these, never lower them.
QWEN = "qwen2.5-coder-0.5b-instruct-q4_k_m"
PARSED: dict[tuple[str, str], float] = {  # all of them, when recorded (json_schema grammar on the server)
    (QWEN, "extract"): 1.0, (QWEN, "glean"): 1.0, (QWEN, "quiz"): 1.0, (QWEN, "qa_atomic"): 1.0,
    (QWEN, "qa_aggregated_rewrite"): 1.0, (QWEN, "qa_aggregated_question"): 1.0,
}


def records() -> list[dict[str, Any]]:
    found = []
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found.append({**json.loads(line), "where": f"{path.name}:{n}"})
    return found


RECORDS = records()


def test_there_are_replies_of_every_stage_from_two_models() -> None:
    models = {r["model"] for r in RECORDS}
    tasks = {r["task"] for r in RECORDS}
    assert len(models) >= 2, models
    assert {"extract", "glean", "quiz", "judge", "qa_atomic", "qa_aggregated_rewrite"} <= tasks, tasks


@pytest.mark.parametrize("record", [r for r in RECORDS if r["status"] == 200], ids=lambda r: r["where"])
def test_each_reply_comes_out_as_the_stage_expects(record: dict[str, Any]) -> None:
    content = record["content"] or ""
    reply = Reply(raw_text=content, prompt_tokens=0, completion_tokens=0, finish_reason=record["finish_reason"])
    budget = record["params"].get("max_tokens") or 1024
    if record["task"] in MODELS:
        if record["finish_reason"] == "length":
            with pytest.raises(BadReply, match="truncated"):
                check_truncation(reply, budget)
            return
        try:
            value = parse_model(strip_think(content), MODELS[record["task"]])
        except ReplyError as exc:
            assert exc.kind in ("truncated", "no_json", "invalid")
        else:
            assert value.model_dump(), record["where"]  # never an empty result from a fragment
    elif record["task"] == "judge":
        top = record.get("top_logprobs") or []
        assert top and top[0], "the trainee returned no logprobs"
        mass = yes_no_mass([TokenCandidate(token=t, logprob=lp) for t, lp in top[0]])
        assert mass.p_yes + mass.p_no > 0
    elif record["task"] == "negate":
        assert read_negation(content)


def test_parse_rates_stay_where_they_were_recorded() -> None:
    seen: Counter[tuple[str, str]] = Counter()
    parsed: Counter[tuple[str, str]] = Counter()
    for record in RECORDS:
        if record["task"] not in MODELS or record["status"] != 200 or record["finish_reason"] == "length":
            continue
        key = (record["model"], record["task"])
        seen[key] += 1
        try:
            parse_model(strip_think(record["content"] or ""), MODELS[record["task"]])
            parsed[key] += 1
        except ReplyError:
            pass
    for key, floor in PARSED.items():
        assert seen[key], f"no replies of {key} left in the fixtures"
        assert parsed[key] / seen[key] >= floor, (key, parsed[key], seen[key])
