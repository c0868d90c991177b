"""LLM adjudication: the synthesizer decides every candidate pair, whatever its script.

One call per pair (``prompts/resolve.*.md``, in the language of the two descriptions) with
both names, types, descriptions and the evidence the signals found — identity sentences
(``- 字: 刘备，字玄德…``) and hard-negative cues (``- against: kinship (之子): …``). The reply
is ``{same, confidence, reason}``. Calls run concurrently within the synthesizer's limits,
are cached and counted in the ledger like every call. A reply that cannot be parsed
(``LLMOutputError``) fails only that pair, which keeps its prior score; a rejected key, an
unknown model or an unreachable server stops the run at once.

Batched (``batch`` > 1, the default ``BATCH``): ``batch`` pairs per call
(``prompts/resolve_batch.*.md``), each a numbered block with the same fields (descriptions cut
to ``BATCH_DESCRIPTION_CHARS``), the reply ``{"verdicts": [{pair, same, confidence, reason}]}``.
A pair the reply leaves out or garbles keeps its prior score and counts as failed; an
unusable reply fails its batch's pairs alone.

The verdict rescales the score (``verdict_score``): "same" with confidence c gives
``0.3 × prior + 0.7 × c`` (the model read both descriptions and the evidence: its word weighs
most); "different" gives ``prior × (1 − c)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field, field_validator

from graphgen_neo4j.analyst.signals import Candidate, EntityRecord
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

STAGE = "resolve"
TASK = "resolve"
STEP = "adjudicate pairs"
BATCH_TASK = "resolve_batch"
BATCH = 10  # pairs per call
BATCH_DESCRIPTION_CHARS = 400


class SameEntityVerdict(BaseModel):
    """The synthesizer's answer for one pair."""

    same: bool
    confidence: float = Field(ge=0, le=1)
    reason: str = ""


class PairVerdict(SameEntityVerdict):
    """One pair's verdict in a batched reply; a confidence given in percent (85) is read as 0.85."""

    pair: int

    @field_validator("confidence", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        return value / 100 if isinstance(value, (int, float)) and 1 < value <= 100 else value


class BatchVerdicts(BaseModel):
    verdicts: list[PairVerdict] = Field(default_factory=list)


class AdjudicationCounts(BaseModel):
    asked: int = 0
    same: int = 0
    different: int = 0
    failed: int = 0
    failures: list[str] = Field(default_factory=list)


def pair_messages(a: EntityRecord, b: EntityRecord, evidence: Sequence[str] = ()) -> list[dict[str, str]]:
    """The prompt asking whether two entities are one (in the language of their descriptions)."""
    language = detect_language(f"{a.name} {a.description} {b.name} {b.description}")
    lines = "\n".join(f"- {line}" for line in evidence) or "-"
    return render(
        "resolve", language,
        name_a=a.name, type_a=a.type or "UNKNOWN", description_a=a.description or "-",
        name_b=b.name, type_b=b.type or "UNKNOWN", description_b=b.description or "-",
        evidence=lines,
    )


_BLOCK = {
    "en": ("Pair {n}", "Entity {s}: {name}\nType {s}: {type}\nDescription {s}: {description}", "Evidence:"),
    "zh": ("第{n}对", "实体{s}：{name}\n类型{s}：{type}\n描述{s}：{description}", "证据："),
}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BATCH_DESCRIPTION_CHARS else text[:BATCH_DESCRIPTION_CHARS] + "…"


def batch_messages(pairs: Sequence[tuple[EntityRecord, EntityRecord, Sequence[str]]]) -> list[dict[str, str]]:
    """The prompt asking about several pairs at once (numbered from 1), in the language of their descriptions."""
    language = detect_language(" ".join(f"{a.name} {a.description} {b.name} {b.description}" for a, b, _ in pairs))
    heading, entity, evidence_heading = _BLOCK["zh" if language == "zh" else "en"]
    blocks = []
    for n, (a, b, evidence) in enumerate(pairs, 1):
        sides = [entity.format(s=s, name=e.name, type=e.type or "UNKNOWN", description=_short(e.description) or "-") for s, e in (("A", a), ("B", b))]
        lines = "\n".join(f"- {line}" for line in evidence) or "-"
        blocks.append(f"{heading.format(n=n)}\n{sides[0]}\n{sides[1]}\n{evidence_heading}\n{lines}")
    return render("resolve_batch", language, pairs="\n\n".join(blocks))


def verdict_score(prior: float, verdict: SameEntityVerdict) -> float:
    if verdict.same:
        return round(0.3 * prior + 0.7 * verdict.confidence, 4)
    return round(prior * (1 - verdict.confidence), 4)


def judged(candidate: Candidate, verdict: SameEntityVerdict) -> Candidate:
    word = "same" if verdict.same else "different"
    note = f"{word} {verdict.confidence:.2f}: {verdict.reason.strip()}"[:300]
    return candidate.model_copy(update={"score": verdict_score(candidate.prior, verdict), "verdict": note})


async def adjudicate(
    synthesizer: LLMClient,
    candidates: Sequence[Candidate],
    by_id: dict[str, EntityRecord],
    progress: Progress = NullProgress(),
    batch: int = BATCH,
) -> tuple[list[Candidate], AdjudicationCounts, PoolOutcome]:
    """Every candidate with the LLM's verdict folded into its score (failed pairs unchanged).

    The calls go through the work pool: an unusable reply fails only its pair (its batch); a
    rejected key, an unknown model or an unreachable server stops at once (``StageFailed``).
    """
    if batch > 1:
        return await adjudicate_batched(synthesizer, candidates, by_id, progress, batch)
    counts = AdjudicationCounts(asked=len(candidates))
    progress.start(STEP, total=len(candidates))
    pool: WorkPool[SameEntityVerdict] = WorkPool(STAGE, client=synthesizer, what="pairs", progress=progress, task=STEP)
    answers = list(candidates)  # in the candidates' order; a failed pair keeps its prior score

    def done(i: int) -> Callable[[SameEntityVerdict], None]:
        def note(verdict: SameEntityVerdict) -> None:
            if verdict.same:
                counts.same += 1
            else:
                counts.different += 1
            answers[i] = judged(candidates[i], verdict)
        return note

    def failed(i: int) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            a, b = by_id[candidates[i].absorb], by_id[candidates[i].keep]
            counts.failed += 1
            counts.failures.append(f"llm {a.name} / {b.name}: {exc}")
        return note

    async with pool:
        for i, candidate in enumerate(candidates):
            a, b = by_id[candidate.absorb], by_id[candidate.keep]
            messages = pair_messages(a, b, candidate.evidence)
            await pool.submit(synthesizer.structured(messages, SameEntityVerdict, stage=STAGE, task=TASK),
                              on_done=done(i), on_failed=failed(i))
    progress.finish(STEP)
    return answers, counts, pool.outcome


def _fold(candidates: Sequence[Candidate], reply: BatchVerdicts, answers: list[Candidate], offset: int, counts: AdjudicationCounts,
          by_id: dict[str, EntityRecord]) -> None:
    """A batch's verdicts into ``answers`` (positions ``offset`` …); pairs left out count as failed."""
    verdicts = {v.pair: v for v in reply.verdicts if 1 <= v.pair <= len(candidates)}
    for n, candidate in enumerate(candidates, 1):
        verdict = verdicts.get(n)
        if verdict is None:
            a, b = by_id[candidate.absorb], by_id[candidate.keep]
            counts.failed += 1
            counts.failures.append(f"llm {a.name} / {b.name}: no verdict for pair {n} in the batched reply")
            continue
        counts.same += verdict.same
        counts.different += not verdict.same
        answers[offset + n - 1] = judged(candidate, verdict)


async def adjudicate_batched(
    synthesizer: LLMClient, candidates: Sequence[Candidate], by_id: dict[str, EntityRecord], progress: Progress, batch: int,
) -> tuple[list[Candidate], AdjudicationCounts, PoolOutcome]:
    """``adjudicate`` with ``batch`` pairs per call."""
    counts = AdjudicationCounts(asked=len(candidates))
    groups = [list(range(start, min(start + batch, len(candidates)))) for start in range(0, len(candidates), batch)]
    progress.start(STEP, total=len(groups))
    pool: WorkPool[BatchVerdicts] = WorkPool(STAGE, client=synthesizer, what="pair batches", progress=progress, task=STEP)
    answers = list(candidates)

    def done(start: int, group: list[Candidate]) -> Callable[[BatchVerdicts], None]:
        return lambda reply: _fold(group, reply, answers, start, counts, by_id)

    def failed(group: list[Candidate]) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            counts.failed += len(group)
            counts.failures += [f"llm {by_id[c.absorb].name} / {by_id[c.keep].name}: {exc}" for c in group]
        return note

    async with pool:
        for indexes in groups:
            group = [candidates[i] for i in indexes]
            messages = batch_messages([(by_id[c.absorb], by_id[c.keep], c.evidence) for c in group])
            await pool.submit(synthesizer.structured(messages, BatchVerdicts, stage=STAGE, task=BATCH_TASK),
                              on_done=done(indexes[0], group), on_failed=failed(group))
    progress.finish(STEP)
    return answers, counts, pool.outcome
