"""Judge: the trainee answers every quiz statement yes or no; the loss goes on the edge.

Each statement is one request to the trainee (``max_tokens=1``, temperature 0,
``logprobs`` with ``top_logprobs`` ≥ 5). ``loss.py`` turns the candidates into
P(yes)/P(no) and the item's loss, mean −log P(correct) over its statements::

    report = await judge(graph=graph, trainee=trainee, config=JudgeConfig())

Every result is a ``:Judgement {id: item_id@model}`` (history per trainee model) and
is copied onto the relation (``loss``, ``loss_model``, ``loss_confidence``,
``loss_statements``, ``loss_p_yes``, ``loss_p_no``, ``judged_at``). With ``re_judge``
off only items without a loss for the current trainee model are judged; an item that
this model judged before, on the same statements, gets its old Judgement back without
a call. No trainee (``trainee=None``) or ``skip_judge``: nothing is written, losses stay
null, and the report says why. An endpoint without logprobs stops the stage with
``NoLogprobsError``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphgen_neo4j.assess.items import (
    AssessItem,
    ItemKind,
    LossStrategy,
    StageReport,
    count_items,
    gather_all,
    item_kinds,
    statements_hash,
    walk_items,
)
from graphgen_neo4j.assess.loss import HISTOGRAM_EDGES, YesNo, item_loss, yes_no_mass
from graphgen_neo4j.config import TopLogprobs
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

__all__ = ["JudgeConfig", "JudgeReport", "LossSummary", "RelationLoss", "judge", "loss_summary"]

STAGE = "judge"
STORE_QUERIES: dict[ItemKind, str] = {
    "relation": "assess/store_relation_losses",
    "entity": "assess/store_entity_losses",
}
NO_TRAINEE = "no trainee model configured (set TRAINEE_BASE_URL and TRAINEE_MODEL)"
SKIPPED = "judging was skipped (skip_judge / --skip-judge)"


class JudgeConfig(BaseModel):
    """How the trainee is judged (upstream keys: ``re_judge``, ``loss_strategy``)."""

    model_config = ConfigDict(extra="forbid")

    re_judge: bool = Field(False, description="judge items that already have a loss for this trainee model again")
    loss_strategy: LossStrategy = Field("only_edge", description="only_edge: judge relations; both: entities too")
    skip_judge: bool = Field(False, description="judge nothing: losses stay null")
    top_logprobs: TopLogprobs = Field(5, description="candidates per answer token")
    highest: int = Field(10, ge=0, description="highest-loss relations listed in the report")
    page_size: int = Field(500, ge=1, description="items read from Neo4j per query")
    flush_every: int = Field(50, ge=1, description="items written to Neo4j per batch")


class RelationLoss(BaseModel):
    """One row of the highest-loss list."""

    id: str
    source: str | None
    target: str | None
    description: str | None
    loss: float
    confidence: float | None
    statements: int | None
    model: str | None


class LossSummary(BaseModel):
    """The relations' loss as it stands in the graph after the run."""

    model: str | None  # None: whichever model each loss is from
    relations: int
    judged: int
    mean: float | None
    median: float | None
    max: float | None
    mean_confidence: float | None
    edges: list[float]
    bins: list[int]  # bins[i]: losses with exactly i edges <= loss
    highest: list[RelationLoss] = Field(default_factory=list)


class JudgeReport(StageReport):
    """What a judge run did (plus ``items``, ``failed``, ``failures``, ``llm_calls``, ``cached_calls``)."""

    trainee_model: str | None
    skipped_reason: str | None = None  # set when nothing was judged on purpose
    re_judge: bool
    loss_strategy: LossStrategy
    judged: dict[str, int] = Field(default_factory=dict)  # kind → items judged with calls
    reused: int = 0  # got this model's earlier Judgement on the same statements back
    up_to_date: int = 0  # already had a loss for this model
    not_quizzed: int = 0  # no statements for the current description: run quiz first
    statements_judged: int = 0
    mean_loss_judged: float | None = None  # over the items judged in this run
    summary: LossSummary | None = None

    @property
    def judged_total(self) -> int:
        return sum(self.judged.values())

    @property
    def calls_per_item(self) -> float | None:
        """Requests (answered or cached) per item judged: one per statement, 2n by design."""
        calls = self.llm_calls + self.cached_calls
        return calls / self.judged_total if self.judged_total else None


def loss_summary(graph: Graph, model: str | None, *, highest: int = 10) -> LossSummary:
    """Counts, mean, median, histogram and highest losses of the relations for ``model``."""
    row = graph.read("assess/loss_summary", {"model": model, "edges": list(HISTOGRAM_EDGES)})[0]
    top = graph.read("assess/highest_loss", {"model": model, "limit": highest}) if highest else []
    return LossSummary(model=model, edges=list(HISTOGRAM_EDGES), highest=[RelationLoss(**r) for r in top], **row)


Plan = Literal["judge", "reuse", "up_to_date", "not_quizzed"]


def plan_item(item: AssessItem, model: str, *, re_judge: bool) -> Plan:
    """``judge``, ``reuse`` (this model's Judgement on the same statements), ``up_to_date``
    or ``not_quizzed``."""
    if not item.has_current_statements():
        return "not_quizzed"
    if re_judge:
        return "judge"
    current = statements_hash(item.quiz_statements or [], item.quiz_labels or [])
    earlier = item.judgement
    has_loss = item.loss is not None and item.loss_model == model
    if earlier is not None and earlier.get("statements_hash") == current and earlier.get("loss") is not None:
        return "up_to_date" if has_loss else "reuse"
    # A loss for this model without a Judgement (e.g. imported): keep it, as re_judge is off.
    return "up_to_date" if has_loss and earlier is None else "judge"


def _reuse_row(item: AssessItem, model: str) -> dict[str, Any]:
    j = item.judgement or {}
    return {"item_id": item.id, "model": model, "loss": j["loss"], "confidence": j.get("confidence"),
            "statements": j.get("statements"), "p_yes": j.get("p_yes"), "p_no": j.get("p_no"),
            "statements_hash": j["statements_hash"], "judged_at": None}


async def judge(
    *, graph: Graph, trainee: LLMClient | None, config: JudgeConfig, progress: Progress = NullProgress()
) -> JudgeReport:
    """Judge every item that needs it (see module docstring)."""
    kinds = item_kinds(config.loss_strategy)
    report = JudgeReport(trainee_model=trainee.model if trainee else None, re_judge=config.re_judge, loss_strategy=config.loss_strategy,
                         judged={k: 0 for k in kinds})
    if trainee is None or config.skip_judge:
        report.skipped_reason = SKIPPED if config.skip_judge else NO_TRAINEE
        report.items = sum((await asyncio.to_thread(count_items, graph, kinds)).values())
        report.summary = await asyncio.to_thread(loss_summary, graph, None, highest=config.highest)
        return report
    model = trainee.model
    judged_losses: list[float] = []

    def select(page: list[AssessItem]) -> list[AssessItem]:
        plans = {item.id: plan_item(item, model, re_judge=config.re_judge) for item in page}
        reuse = [_reuse_row(item, model) for item in page if plans[item.id] == "reuse"]
        if reuse:
            graph.run(STORE_QUERIES[page[0].kind], {"rows": reuse})
        report.reused += len(reuse)
        report.up_to_date += sum(1 for p in plans.values() if p == "up_to_date")
        report.not_quizzed += sum(1 for p in plans.values() if p == "not_quizzed")
        return [item for item in page if plans[item.id] == "judge"]

    async def answer(statement: str) -> YesNo:
        messages = render("judge", detect_language(statement), statement=statement)
        candidates = await trainee.judge_yes_no(messages, stage=STAGE, task="judge", top_logprobs=config.top_logprobs)
        return yes_no_mass(candidates)

    async def judge_one(item: AssessItem) -> dict[str, Any]:
        statements, labels = item.quiz_statements or [], item.quiz_labels or []
        answers = await gather_all([answer(s) for s in statements])
        result = item_loss(answers, labels)
        return {"item_id": item.id, "model": model, "loss": result.loss, "confidence": result.confidence,
                "statements": result.statements, "p_yes": result.p_yes, "p_no": result.p_no,
                "statements_hash": statements_hash(statements, labels),
                "judged_at": datetime.now(timezone.utc).isoformat()}

    def store(kind: ItemKind, rows: list[dict[str, Any]]) -> None:
        graph.run(STORE_QUERIES[kind], {"rows": rows})
        report.judged[kind] += len(rows)
        report.statements_judged += sum(row["statements"] for row in rows)
        judged_losses.extend(row["loss"] for row in rows)

    await walk_items(graph=graph, stage=STAGE, kinds=kinds, model=model, client=trainee, report=report,
                     progress=progress, page_size=config.page_size, flush_every=config.flush_every,
                     select=select, work=judge_one, store=store)
    if judged_losses:
        report.mean_loss_judged = sum(judged_losses) / len(judged_losses)
    report.summary = await asyncio.to_thread(loss_summary, graph, model, highest=config.highest)
    return report
