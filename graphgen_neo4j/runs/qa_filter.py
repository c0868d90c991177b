"""Keep or drop QA by the quality metrics before export (``graphgen-neo4j filter``; ``run``
applies the config's ``filter:`` section before its export).

Rules (``config.Filter``; each off unless set): question and answer length bounds in
tokens, the answer's MTLD, near-duplicate questions (one QA kept per cluster), the
LLM-judged faithfulness (``qa_judge``), the loss of the batch a QA came from, and the
mode. A QA is excluded when it fails any rule: ``q.filtered = true`` with
``q.filter_reasons`` (one line per failed rule) — nothing is deleted; the export query
skips such QA, and ``filter --reset`` clears the marks. Each filter run decides every QA
in its scope afresh (a QA that now passes loses its mark), so the marks always follow the
last rules applied.

Near duplicates are looked for among the QA every other rule keeps (so the one kept is
never one another rule drops); in each cluster (pairs joined transitively) the QA kept is
the most faithful, then the one of the highest loss, then the smallest id.

``decide`` is pure (tested without a database); ``filter_qa`` reads and writes the graph.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from graphgen_neo4j.config import Filter
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.qa_judge import JudgeEstimate, QAFaithfulness, estimate_judging, judge_and_store, sample_qa
from graphgen_neo4j.runs.report import mtld, near_duplicates, words
from graphgen_neo4j.tokens import count_tokens

RULES = ("mode", "question_tokens", "answer_tokens", "mtld", "loss", "faithfulness", "near_duplicate")
STEP = "filter QA"


class FilterItem(BaseModel):
    """A QA as the filter reads it (``cypher/filter/candidates.cypher``)."""

    id: str
    question: str
    answer: str
    mode: str | None = None
    loss: float | None = None
    faithfulness: float | None = None
    filtered: bool = False


class FilterDecision(BaseModel):
    """What the rules decided: the QA dropped with their reasons, and counts per rule."""

    considered: int = 0
    kept: list[str] = Field(default_factory=list)
    dropped: dict[str, list[str]] = Field(default_factory=dict)  # id → reasons
    by_rule: dict[str, int] = Field(default_factory=dict)  # QA each rule drops (a QA may fail several)
    unjudged: int = 0  # QA with no faithfulness while min_faithfulness is set


def _bound(rule: str, value: float, low: float | None, high: float | None) -> str | None:
    if low is not None and value < low:
        return f"{rule} {value:g} < {low:g}"
    if high is not None and value > high:
        return f"{rule} {value:g} > {high:g}"
    return None


def item_reasons(item: FilterItem, rules: Filter) -> list[tuple[str, str]]:
    """Pure: the (rule, reason) pairs ``item`` fails, near duplicates aside."""
    failed: list[tuple[str, str]] = []
    if rules.modes is not None and item.mode not in rules.modes:
        failed.append(("mode", f"mode {item.mode} not in {', '.join(rules.modes)}"))
    for rule, text, low, high in (("question_tokens", item.question, rules.min_question_tokens, rules.max_question_tokens),
                                  ("answer_tokens", item.answer, rules.min_answer_tokens, rules.max_answer_tokens)):
        if low is not None or high is not None:
            reason = _bound(rule, count_tokens(text), low, high)
            if reason:
                failed.append((rule, reason))
    if rules.min_mtld is not None:
        reason = _bound("mtld", round(mtld(words(item.answer)), 2), rules.min_mtld, None)
        if reason:
            failed.append(("mtld", reason))
    if rules.min_loss is not None:
        if item.loss is None:
            failed.append(("loss", "loss unknown"))
        elif item.loss < rules.min_loss:
            failed.append(("loss", f"loss {item.loss:.4g} < {rules.min_loss:g}"))
    if rules.min_faithfulness is not None:
        if item.faithfulness is None:
            if rules.unjudged == "drop":
                failed.append(("faithfulness", "faithfulness not judged"))
        elif item.faithfulness < rules.min_faithfulness:
            failed.append(("faithfulness", f"faithfulness {item.faithfulness:g} < {rules.min_faithfulness:g}"))
    return failed


def duplicate_clusters(questions: Sequence[str], threshold: float) -> list[list[int]]:
    """Pure: indexes of near-duplicate questions grouped transitively (clusters of two or more)."""
    parent = list(range(len(questions)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _ in near_duplicates(list(questions), threshold):
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in range(len(questions)):
        groups.setdefault(root(i), []).append(i)
    return [members for members in groups.values() if len(members) > 1]


def _keeper_key(item: FilterItem) -> tuple[float, float, str]:
    # most faithful first, then highest loss, then smallest id
    return (-(item.faithfulness if item.faithfulness is not None else -1.0),
            -(item.loss if item.loss is not None else float("-inf")), item.id)


def decide(items: Sequence[FilterItem], rules: Filter) -> FilterDecision:
    """Pure: which QA the rules drop and why."""
    decision = FilterDecision(considered=len(items))
    reasons: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    survivors: list[FilterItem] = []
    for item in items:
        failed = item_reasons(item, rules)
        decision.unjudged += rules.min_faithfulness is not None and item.faithfulness is None
        counts.update({rule for rule, _ in failed})
        if failed:
            reasons[item.id] = [reason for _, reason in failed]
        else:
            survivors.append(item)
    if rules.dedup:
        for cluster in duplicate_clusters([s.question for s in survivors], rules.dedup_threshold):
            members = sorted((survivors[i] for i in cluster), key=_keeper_key)
            for other in members[1:]:
                reasons[other.id] = [f"near duplicate of {members[0].id}"]
                counts["near_duplicate"] += 1
    decision.dropped = reasons
    decision.kept = [item.id for item in items if item.id not in reasons]
    decision.by_rule = {rule: counts[rule] for rule in RULES if counts[rule]}
    return decision


class FilterReport(BaseModel):
    run_id: str | None  # the QA of this run, or None for all
    rules: dict[str, Any]
    dry_run: bool
    considered: int
    kept: int
    dropped: int
    by_rule: dict[str, int]
    unjudged: int
    newly_dropped: int = 0  # not excluded before this filter run
    restored: int = 0  # excluded before, kept now
    examples: list[tuple[str, list[str]]] = Field(default_factory=list)  # (question, reasons), first 10
    judge: QAFaithfulness | None = None  # the QA judged first (unjudged: judge)
    judge_estimate: JudgeEstimate | None = None

    @property
    def work(self) -> Any:
        return self.judge.work if self.judge is not None else None


def read_items(graph: Any, run_id: str | None) -> list[FilterItem]:
    return [FilterItem(**row) for row in graph.read("filter/candidates", {"run_id": run_id})]


async def judge_unjudged(graph: Any, synthesizer: Any, rules: Filter, run_id: str | None, *, dry_run: bool,
                         progress: Progress) -> tuple[QAFaithfulness | None, JudgeEstimate | None]:
    """With ``min_faithfulness`` and ``unjudged: judge``: the QA the synthesizer's model has not judged, judged and stored
    (a dry run only estimates the calls)."""
    if rules.min_faithfulness is None or rules.unjudged != "judge":
        return None, None
    model = synthesizer.settings.model if synthesizer is not None else None
    materials, result = await asyncio.to_thread(sample_qa, graph, None, run_id=run_id, only_unjudged_by=model)
    cost = estimate_judging(materials)
    if dry_run or not materials:
        return None, cost
    return await judge_and_store(graph, synthesizer, materials, result, progress), cost


async def filter_qa(graph: Any, rules: Filter, *, run_id: str | None = None, synthesizer: Any = None,
                    dry_run: bool = False, progress: Progress = NullProgress()) -> FilterReport:
    """Judge what must be judged, decide every QA in scope, mark the dropped ones (unless ``dry_run``)."""
    judged, cost = await judge_unjudged(graph, synthesizer, rules, run_id, dry_run=dry_run, progress=progress)
    if judged is not None and judged.work is not None:
        judged.work.raise_if_failed()
    items = await asyncio.to_thread(read_items, graph, run_id)
    progress.start(STEP, total=len(items))
    decision = decide(items, rules)
    progress.advance(STEP, len(items))
    progress.finish(STEP)
    was = {item.id for item in items if item.filtered}
    if not dry_run:
        rows = [{"id": qa_id, "reasons": reasons} for qa_id, reasons in decision.dropped.items()]
        await asyncio.to_thread(graph.run, "filter/apply", {"kept": decision.kept, "dropped": rows,
                                                            "rules": rules.model_dump_json(exclude_defaults=True)})
    questions = {item.id: item.question for item in items}
    return FilterReport(
        run_id=run_id, rules=rules.model_dump(exclude_defaults=True), dry_run=dry_run,
        considered=decision.considered, kept=len(decision.kept), dropped=len(decision.dropped),
        by_rule=decision.by_rule, unjudged=decision.unjudged,
        newly_dropped=len(set(decision.dropped) - was), restored=len(was & set(decision.kept)),
        examples=[(questions[i], r) for i, r in list(decision.dropped.items())[:10]],
        judge=judged, judge_estimate=cost,
    )


def reset_filter(graph: Any, run_id: str | None = None) -> int:
    """Every filter mark in scope cleared; the number of QA it brings back."""
    return graph.run("filter/reset", {"run_id": run_id})[0]["restored"]


def count_filtered(graph: Any, run_id: str | None = None) -> int:
    """QA in scope that export leaves out because ``filter`` excluded them."""
    return graph.read("filter/count_filtered", {"run_id": run_id})[0]["filtered"]
