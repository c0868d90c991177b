"""LLM-judged accuracy of the knowledge graph on a sample (``report --judge-sample N``).

N entities and N relations are drawn (a fixed seed: the same graph gives the same sample,
so a re-run is answered from the response cache) and each is put to the synthesizer with
the chunk it was extracted from (``prompts/kg_accuracy.<lang>.md``, in the language of
the passage): is the record supported by the passage? The reply is ``{supported, reason}``.
Calls go through the work pool under the synthesizer's limits and are counted in the
ledger. An unusable reply fails only its record (counted, left out of the accuracy); a
rejected key or an unreachable server stops at once. A record with no source chunk
(built by hand, or its chunks removed) is not judged and is counted as such.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm.pool import WorkPool
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

STAGE = "report"
TASK = "kg_accuracy"
STEP = "judge graph sample"
SEED = 18
KINDS = {"entity": {"en": "entity", "zh": "实体"}, "relation": {"en": "relation", "zh": "关系"}}


class ClaimVerdict(BaseModel):
    """The synthesizer's answer for one record."""

    supported: bool
    reason: str = ""


class Claim(BaseModel):
    kind: Literal["entity", "relation"]
    id: str
    names: list[str]
    record: str
    passage: str


class KindAccuracy(BaseModel):
    sampled: int = 0
    no_source: int = 0
    judged: int = 0
    supported: int = 0
    failed: int = 0

    @property
    def accuracy(self) -> float | None:
        return round(self.supported / self.judged, 4) if self.judged else None


class KGAccuracy(BaseModel):
    entities: KindAccuracy = Field(default_factory=KindAccuracy)
    relations: KindAccuracy = Field(default_factory=KindAccuracy)
    entity_accuracy: float | None = None
    relation_accuracy: float | None = None
    unsupported: list[tuple[str, str, str]] = Field(default_factory=list)  # (kind, record, reason), first 10
    failures: list[str] = Field(default_factory=list)


def sample_ids(ids: Sequence[str], n: int, seed: int = SEED) -> list[str]:
    """Pure: ``n`` of ``ids`` (all when fewer), the same ones for the same ids whatever their order."""
    ordered = sorted(set(ids))
    return ordered if n >= len(ordered) else sorted(random.Random(seed).sample(ordered, n))


def entity_claim(row: dict[str, Any]) -> Claim:
    return Claim(kind="entity", id=row["id"], names=[row["name"]],
                 record=f"{row['name']} ({row['type']}): {row['description']}", passage=row["passage"] or "")


def relation_claim(row: dict[str, Any]) -> Claim:
    return Claim(kind="relation", id=row["id"], names=[row["source"], row["target"]],
                 record=f"{row['source']} → {row['target']}: {row['description']}", passage=row["passage"] or "")


def claim_messages(claim: Claim) -> list[dict[str, str]]:
    """The prompt for one record, in the language of its passage."""
    language = detect_language(claim.passage)
    return render(TASK, language, kind=KINDS[claim.kind][language], names=" | ".join(claim.names),
                  record=claim.record, passage=claim.passage)


def sample_claims(graph: Any, n: int, seed: int = SEED) -> tuple[list[Claim], KGAccuracy]:
    """Up to ``n`` entities and ``n`` relations with their passages; records without one are counted, not kept."""
    result = KGAccuracy()
    entity_ids = sample_ids([r["id"] for r in graph.read("report/kg_entities")], n, seed)
    relation_ids = sample_ids([r["id"] for r in graph.read("report/kg_relation_ids")], n, seed)
    claims: list[Claim] = []
    for kind, query, ids, make in (("entities", "report/kg_entity_evidence", entity_ids, entity_claim),
                                   ("relations", "report/kg_relation_evidence", relation_ids, relation_claim)):
        counts: KindAccuracy = getattr(result, kind)
        counts.sampled = len(ids)
        for row in graph.read(query, {"ids": ids}) if ids else []:
            if row["passage"]:
                claims.append(make(row))
            else:
                counts.no_source += 1
    return claims, result


async def judge_claims(
    synthesizer: Any, claims: Sequence[Claim], result: KGAccuracy, progress: Progress = NullProgress(),
) -> KGAccuracy:
    """Every claim judged against its passage; the counts and accuracies filled in ``result``."""
    progress.start(STEP, total=len(claims))
    pool: WorkPool[ClaimVerdict] = WorkPool(STAGE, client=synthesizer, what="records", progress=progress, task=STEP)

    def counts(claim: Claim) -> KindAccuracy:
        return result.entities if claim.kind == "entity" else result.relations

    def done(claim: Claim) -> Callable[[ClaimVerdict], None]:
        def note(verdict: ClaimVerdict) -> None:
            counts(claim).judged += 1
            counts(claim).supported += verdict.supported
            if not verdict.supported and len(result.unsupported) < 10:
                result.unsupported.append((claim.kind, claim.record[:300], verdict.reason.strip()[:300]))
        return note

    def failed(claim: Claim) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            counts(claim).failed += 1
            if len(result.failures) < 10:
                result.failures.append(f"{claim.kind} {claim.names}: {exc}")
        return note

    async with pool:
        for claim in claims:
            await pool.submit(synthesizer.structured(claim_messages(claim), ClaimVerdict, stage=STAGE, task=TASK),
                              on_done=done(claim), on_failed=failed(claim))
    progress.finish(STEP)
    result.entity_accuracy, result.relation_accuracy = result.entities.accuracy, result.relations.accuracy
    return result
