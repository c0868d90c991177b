"""LLM adjudication: the synthesizer decides every candidate pair, whatever its script.

One call per pair (``prompts/resolve.*.md``, in the language of the two descriptions) with
both names, types, descriptions and the evidence the signals found — identity sentences
(``- 字: 刘备，字玄德…``) and hard-negative cues (``- against: kinship (之子): …``). The reply
is ``{same, confidence, reason}``. Calls run concurrently within the synthesizer's limits,
are cached and counted in the ledger like every call. A reply that cannot be parsed
(``LLMOutputError``) fails only that pair, which keeps its prior score; a rejected key, an
unknown model or an unreachable server stops the run at once.

The verdict rescales the score (``verdict_score``): "same" with confidence c gives
``0.3 × prior + 0.7 × c`` (the model read both descriptions and the evidence: its word weighs
most); "different" gives ``prior × (1 − c)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from graphgen_neo4j.analyst.signals import Candidate, EntityRecord
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

STAGE = "resolve"
TASK = "resolve"
STEP = "adjudicate pairs"


class SameEntityVerdict(BaseModel):
    """The synthesizer's answer for one pair."""

    same: bool
    confidence: float = Field(ge=0, le=1)
    reason: str = ""


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
) -> tuple[list[Candidate], AdjudicationCounts, PoolOutcome]:
    """Every candidate with the LLM's verdict folded into its score (failed pairs unchanged).

    The calls go through the work pool: an unusable reply fails only its pair; a rejected
    key, an unknown model or an unreachable server stops at once (``StageFailed``).
    """
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
