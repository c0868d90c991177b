"""LLM-judged faithfulness of generated QA (``report --qa-judge-sample N|all``, ``filter``).

Each sampled QA is put to the synthesizer with the material it was written from — the
relations of ``q.relation_ids`` and the entities of ``q.entity_ids``, as the graph holds
them now (``cypher/report/qa_material.cypher``) — in the QA's language
(``prompts/qa_faithfulness.<lang>.md``). The reply is ``{score 1–5, unsupported_claims,
reason}``, read tolerantly (``FaithfulnessVerdict``: a score written as ``"4/5"``, a
label, a claim list given as one string…). ``faithfulness`` is the score on 0–1
(``(score − 1) / 4``).

The sample is drawn with a fixed seed (the same QA give the same sample, so a re-run is
answered from the response cache); ``all`` judges every QA in scope. Calls go through
the work pool under the synthesizer's limits (``OnError()``: a bad reply, a timeout or a
server error fails that QA only, counted and left out of the aggregate; a rejected key or
an unreachable endpoint stops at once) and are counted in the ledger (stage ``report``).
A QA whose material is gone from the graph is counted (``no material``), not judged.
The verdicts are stored on the QA nodes with the judge model's name
(``cypher/report/store_faithfulness.cypher``), where ``filter`` and Browser read them.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import AliasChoices, BaseModel, Field, field_validator

from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm.pool import OnError, PoolOutcome, WorkPool
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render
from graphgen_neo4j.runs.kg_accuracy import sample_ids
from graphgen_neo4j.tokens import count_tokens

STAGE = "qa_judge"
TASK = "qa_faithfulness"
STEP = "judge QA faithfulness"
SEED = 18
FAITHFUL_SCORE = 4  # a score at or above this counts as faithful in the aggregate
REPLY_TOKENS = 60  # a typical verdict, for the estimate of a judge-all run
WORST = 10  # worst items kept in the result

# Labels a small model writes instead of a number (negative ones are looked for first:
# "unfaithful" contains "faithful").
_LOW_LABELS = ("unfaithful", "not faithful", "unsupported", "not supported", "contradict", "不忠实", "无依据", "矛盾")
_MID_LABELS = ("partial", "partly", "mostly", "部分")
_HIGH_LABELS = ("faithful", "supported", "fully", "忠实", "有依据")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(?:(?:/|out of|分之|of)\s*(\d+(?:\.\d+)?))?")
_NONE_WORDS = {"", "none", "no", "n/a", "na", "null", "[]", "无", "没有", "无。", "none."}


def score_from(value: Any) -> Any:
    """Pure: a 1–5 score from what a model wrote (``4``, ``"4"``, ``"4/5"``, ``"8/10"``, ``0.75``,
    ``"faithful"``); anything else is returned unchanged for the model's validation to reject."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _on_scale(float(value), None)
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    match = _NUMBER.search(text)
    if match:
        return _on_scale(float(match.group(1)), float(match.group(2)) if match.group(2) else None)
    for labels, score in ((_LOW_LABELS, 1), (_MID_LABELS, 3), (_HIGH_LABELS, 5)):
        if any(label in text for label in labels):
            return score
    return value


def _on_scale(number: float, out_of: float | None) -> float | int:
    if out_of and out_of != 5:
        return round(1 + 4 * number / out_of) if 0 <= number <= out_of else number
    if 0 < number < 1:  # a fraction: 0.75 of the way from 1 to 5
        return round(1 + 4 * number)
    return round(number) if number == int(number) else number


def claims_from(value: Any) -> Any:
    """Pure: the unsupported claims as a list of strings (a string, ``"none"`` or null accepted)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [] if value.strip().lower() in _NONE_WORDS else [value.strip()]
    if isinstance(value, list):
        return [str(c).strip() for c in value if str(c).strip() and str(c).strip().lower() not in _NONE_WORDS]
    return value


class FaithfulnessVerdict(BaseModel):
    """The synthesizer's verdict on one QA (a few other spellings of the keys accepted)."""

    unsupported_claims: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("unsupported_claims", "unsupported", "claims", "无依据说法"))
    reason: str = Field("", validation_alias=AliasChoices("reason", "explanation", "rationale", "理由"))
    # Last: under a JSON-schema grammar the model writes the claims and the reason before it scores.
    score: int = Field(ge=1, le=5, validation_alias=AliasChoices("score", "faithfulness", "rating", "评分", "分数"))

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, value: Any) -> Any:
        return score_from(value)

    @field_validator("unsupported_claims", mode="before")
    @classmethod
    def _claims(cls, value: Any) -> Any:
        return claims_from(value)

    @field_validator("reason", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else value if isinstance(value, str) else str(value)

    @property
    def faithfulness(self) -> float:
        return faithfulness_of(self.score)


def faithfulness_of(score: int) -> float:
    """Pure: a 1–5 score on 0–1."""
    return round((score - 1) / 4, 4)


class QAMaterial(BaseModel):
    """A QA and the facts it was written from."""

    id: str
    question: str
    answer: str
    mode: str | None = None
    language: str | None = None
    relations: list[dict[str, str]] = []
    entities: list[dict[str, str]] = []

    @property
    def has_material(self) -> bool:
        return bool(self.relations or self.entities)


class JudgedQA(BaseModel):
    id: str
    mode: str | None
    question: str
    answer: str
    score: int
    faithfulness: float
    unsupported: list[str]
    reason: str


class QAFaithfulness(BaseModel):
    """The aggregate of a judged sample, and its worst items."""

    model: str | None = None
    in_scope: int = 0  # QA that could be sampled
    sampled: int = 0
    no_material: int = 0
    judged: int = 0
    failed: int = 0
    faithful: int = 0  # score ≥ FAITHFUL_SCORE
    mean: float | None = None  # mean faithfulness (0–1) of the judged
    by_score: dict[int, int] = Field(default_factory=dict)
    by_mode: dict[str, float] = Field(default_factory=dict)  # mean faithfulness per mode
    worst: list[JudgedQA] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    work: PoolOutcome | None = None

    @property
    def faithful_share(self) -> float | None:
        return round(self.faithful / self.judged, 4) if self.judged else None


def parse_sample_size(value: str) -> int | None:
    """Pure: ``--qa-judge-sample`` as a count, or None for ``all``; ValueError otherwise."""
    text = value.strip().lower()
    if text == "all":
        return None
    if text.isdigit():
        return int(text)
    raise ValueError(f"{value!r} is neither a number of QA nor 'all'")


def _line(items: Sequence[str]) -> str:
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)) or "(none)"


def qa_messages(qa: QAMaterial) -> list[dict[str, str]]:
    """The prompt for one QA, in its language (else the language of its answer)."""
    language = qa.language if qa.language in ("zh", "en") else detect_language(qa.answer)
    entities = _line([f"{e['name']} [{e['type']}]: {e['description']}" for e in qa.entities])
    relations = _line([f"{r['source']} -> {r['target']}: {r['description']}" for r in qa.relations])
    return render(TASK, language, entities=entities, relations=relations, question=qa.question, answer=qa.answer)


def prompt_tokens(messages: Sequence[dict[str, str]]) -> int:
    return sum(count_tokens(m["content"]) + 4 for m in messages)


def qa_scope(graph: Any, run_id: str | None = None) -> list[dict[str, Any]]:
    """The QA that can be judged: ``{id, judged_by}`` rows."""
    return graph.read("report/qa_ids", {"run_id": run_id})


def sample_qa(graph: Any, n: int | None, *, run_id: str | None = None, only_unjudged_by: str | None = None,
              seed: int = SEED) -> tuple[list[QAMaterial], QAFaithfulness]:
    """``n`` QA (None: all; ``only_unjudged_by``: those this model has not judged) with their material."""
    rows = qa_scope(graph, run_id)
    result = QAFaithfulness(in_scope=len(rows))
    ids = [r["id"] for r in rows if only_unjudged_by is None or r["judged_by"] != only_unjudged_by]
    chosen = sorted(set(ids)) if n is None else sample_ids(ids, n, seed)
    result.sampled = len(chosen)
    materials = [QAMaterial(**row) for row in graph.read("report/qa_material", {"ids": chosen})] if chosen else []
    kept = [qa for qa in materials if qa.has_material]
    result.no_material = len(materials) - len(kept)
    return kept, result


class JudgeEstimate(BaseModel):
    calls: int
    prompt_tokens: int
    completion_tokens: int


def estimate_judging(materials: Sequence[QAMaterial]) -> JudgeEstimate:
    """Calls and tokens judging ``materials`` costs (prompts counted exactly, replies assumed)."""
    tokens = sum(prompt_tokens(qa_messages(qa)) for qa in materials)
    return JudgeEstimate(calls=len(materials), prompt_tokens=tokens, completion_tokens=REPLY_TOKENS * len(materials))


def aggregate(result: QAFaithfulness, judged: Sequence[JudgedQA]) -> QAFaithfulness:
    """Pure: counts, mean, score histogram, mean per mode and the worst items filled in ``result``."""
    result.judged = len(judged)
    result.faithful = sum(j.score >= FAITHFUL_SCORE for j in judged)
    result.mean = round(sum(j.faithfulness for j in judged) / len(judged), 4) if judged else None
    result.by_score = dict(sorted(Counter(j.score for j in judged).items()))
    modes: dict[str, list[float]] = {}
    for j in judged:
        modes.setdefault(j.mode or "unknown", []).append(j.faithfulness)
    result.by_mode = {mode: round(sum(v) / len(v), 4) for mode, v in sorted(modes.items())}
    below_top = [j for j in judged if j.score < 5]
    result.worst = sorted(below_top, key=lambda j: (j.score, -len(j.unsupported), j.id))[:WORST]
    return result


async def judge_qa(
    synthesizer: Any, materials: Sequence[QAMaterial], result: QAFaithfulness, progress: Progress = NullProgress(),
) -> tuple[QAFaithfulness, list[JudgedQA]]:
    """Every QA judged against its material; the aggregate filled in ``result``, and each verdict."""
    progress.start(STEP, total=len(materials))
    pool: WorkPool[FaithfulnessVerdict] = WorkPool(STAGE, client=synthesizer, policy=OnError(), what="QA",
                                                   progress=progress, task=STEP)
    judged: list[JudgedQA] = []

    def done(qa: QAMaterial) -> Callable[[FaithfulnessVerdict], None]:
        def note(verdict: FaithfulnessVerdict) -> None:
            judged.append(JudgedQA(id=qa.id, mode=qa.mode, question=qa.question, answer=qa.answer, score=verdict.score,
                                   faithfulness=verdict.faithfulness, unsupported=verdict.unsupported_claims[:10],
                                   reason=verdict.reason.strip()[:500]))
        return note

    def failed(qa: QAMaterial) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            if len(result.failures) < 10:
                result.failures.append(f"{qa.id}: {exc}")
        return note

    async with pool:
        for qa in materials:
            await pool.submit(synthesizer.structured(qa_messages(qa), FaithfulnessVerdict, stage=STAGE, task=TASK),
                              on_done=done(qa), on_failed=failed(qa))
    progress.finish(STEP)
    result.failed = pool.outcome.failed
    result.work = pool.outcome
    result.model = getattr(getattr(synthesizer, "settings", None), "model", None)
    return aggregate(result, judged), judged


def store_verdicts(graph: Any, model: str, judged: Sequence[JudgedQA]) -> int:
    """The verdicts written on their QA nodes, with the judge model."""
    if not judged:
        return 0
    rows = [{"id": j.id, "score": j.score, "faithfulness": j.faithfulness, "unsupported": j.unsupported,
             "reason": j.reason} for j in judged]
    return graph.run("report/store_faithfulness", {"model": model, "rows": rows})[0]["stored"]


def faithfulness_summary(result: QAFaithfulness | None) -> list[tuple[str, str]]:
    """The judged sample as (label, value) lines for the terminal and the page; none without one."""
    if result is None:
        return []
    share = "—" if result.faithful_share is None else f"{result.faithful_share:.1%}"
    mean = "—" if result.mean is None else f"{result.mean:.3f}"
    lines = [
        ("QA faithful to their material (LLM-judged, score ≥ 4 of 5)",
         f"{result.faithful} / {result.judged} ({share}); mean faithfulness {mean} (0–1)"),
        ("QA judged", f"sampled {result.sampled} of {result.in_scope}, no material {result.no_material}, "
                      f"failed {result.failed}; judge {result.model or '—'}"),
    ]
    if result.by_score:
        lines.append(("QA faithfulness scores", "  ".join(f"{s}: {n}" for s, n in result.by_score.items())))
    if len(result.by_mode) > 1:
        lines.append(("QA mean faithfulness by mode", "  ".join(f"{m} {v:.3f}" for m, v in result.by_mode.items())))
    return lines


async def judge_and_store(
    graph: Any, synthesizer: Any, materials: Sequence[QAMaterial], result: QAFaithfulness,
    progress: Progress = NullProgress(),
) -> QAFaithfulness:
    """``judge_qa``, then the verdicts stored on the QA (also when some QA failed)."""
    result, judged = await judge_qa(synthesizer, materials, result, progress)
    await asyncio.to_thread(store_verdicts, graph, result.model or "unknown", judged)
    return result


def worst_html(result: QAFaithfulness | None) -> str:
    """The worst judged QA as an HTML list (empty without a judged sample)."""
    if result is None or not result.judged:
        return ""
    import html

    items = "".join(
        f"<li><b>{j.score}/5</b> {html.escape(j.question)}<br>{html.escape(j.answer)}"
        f"<br><small>unsupported: {html.escape('; '.join(j.unsupported) or '—')} — {html.escape(j.reason)}</small></li>"
        for j in result.worst) or "<li>none below 5</li>"
    return f"<h2>Least faithful QA (LLM-judged)</h2><ul>{items}</ul>"
