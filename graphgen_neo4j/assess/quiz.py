"""Quiz: true and false statements about every relation (and entity), for the judge.

For each item the synthesizer is asked once (structured output) for ``quiz_samples − 1``
paraphrases that keep the description's meaning and ``quiz_samples`` negations. With
the description itself that makes ``2n`` statements, ``n`` true and ``n`` false. A
negation that only repeats the description (small models do that) is not kept; the
missing ones are asked for one per call (``prompts/negate.*.md``), and as a last resort
written by a marked template (see ``assess/negation.py``)::

    report = await quiz(graph=graph, synthesizer=synth, config=QuizConfig(quiz_samples=2))

The statements are stored on the item (``quiz_statements``, ``quiz_labels``,
``quiz_source_hash``, ``quiz_samples``; see docs/data-model.md), so an analyst reads in
Browser exactly what the trainee is asked. Items whose statements were written from
the current description with the current ``quiz_samples`` are skipped: re-running
makes no calls; an edited description gets new statements (and loses its now
meaningless current loss; the Judgement history keeps it). Only what ``loss_strategy``
uses is quizzed; excluded items never are.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graphgen_neo4j.assess.items import (
    AssessItem,
    ItemKind,
    LossStrategy,
    StageReport,
    description_hash,
    item_kinds,
    walk_items,
)
from graphgen_neo4j.assess.negation import (
    DESCRIPTION,
    MODEL,
    NEGATE,
    TEMPLATE,
    plausible_negation,
    read_negation,
    statement_key,
    template_negation,
)
from graphgen_neo4j.config import QuizSamples
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

__all__ = ["QuizConfig", "QuizReply", "QuizReport", "build_statements", "quiz"]

STAGE = "quiz"
STORE_QUERIES: dict[ItemKind, str] = {"relation": "assess/store_relation_quiz", "entity": "assess/store_entity_quiz"}


class QuizConfig(BaseModel):
    """How the quiz is written (upstream keys: ``quiz_samples``, ``loss_strategy``)."""

    model_config = ConfigDict(extra="forbid")

    quiz_samples: QuizSamples = Field(2, description="n: statements per item are n true (the description "
                              "and n − 1 paraphrases) and n false (negations)")
    loss_strategy: LossStrategy = Field("only_edge", description="only_edge: quiz relations; both: entities too")
    page_size: int = Field(500, ge=1, description="items read from Neo4j per query")
    flush_every: int = Field(50, ge=1, description="items written to Neo4j per batch")


class QuizReply(BaseModel):
    """What the synthesizer returns for one description (without negations it is asked again)."""

    paraphrases: list[str] = Field(default_factory=list)  # none wanted when quiz_samples is 1
    negations: list[str]


class QuizReport(StageReport):
    """What a quiz run did (plus ``items``, ``failed``, ``failures``, ``llm_calls``, ``cached_calls``)."""

    quiz_samples: int
    loss_strategy: LossStrategy
    quizzed: dict[str, int] = Field(default_factory=dict)  # kind → items given new statements
    up_to_date: int = 0  # already had statements for their current description
    no_description: int = 0
    short: int = 0  # got fewer than 2n distinct statements (stored anyway)
    statements: int = 0  # written this run
    negations_asked: int = 0  # negations asked for one per call (the quiz reply had too few usable ones)
    template_negations: int = 0  # negations written by the template (marked in quiz_sources)

    @property
    def quizzed_total(self) -> int:
        return sum(self.quizzed.values())

    @property
    def calls_per_item(self) -> float | None:
        """LLM requests (answered or cached) per item quizzed: 1 by design."""
        calls = self.llm_calls + self.cached_calls
        return calls / self.quizzed_total if self.quizzed_total else None


def build_statements(description: str, reply: QuizReply, quiz_samples: int) -> tuple[list[str], list[bool], list[str]]:
    """The description, then up to n − 1 paraphrases (true), then up to n negations (false),
    with each statement's source (``assess/negation.py``).

    Blank statements and repeats (ignoring case, spacing and punctuation) are dropped, and
    so is a text offered both as a paraphrase and as a negation (its label would be a
    guess) and a negation that is not about the description. There may be fewer than n
    negations: the stage asks for the missing ones.
    """
    paraphrases = [s.strip() for s in reply.paraphrases if s.strip()]
    negations = [s.strip() for s in reply.negations if s.strip()]
    contradictory = {statement_key(s) for s in paraphrases} & {statement_key(s) for s in negations}
    seen = {statement_key(description)} | contradictory
    statements, labels, sources = [description], [True], [DESCRIPTION]
    for text in paraphrases:
        if labels.count(True) == quiz_samples:
            break
        if statement_key(text) and statement_key(text) not in seen:
            seen.add(statement_key(text))
            statements.append(text)
            labels.append(True)
            sources.append(MODEL)
    for text in negations:
        if labels.count(False) == quiz_samples:
            break
        if plausible_negation(description, text, seen):
            seen.add(statement_key(text))
            statements.append(text)
            labels.append(False)
            sources.append(MODEL)
    return statements, labels, sources


def add_negation(statements: list[str], labels: list[bool], sources: list[str], text: str, source: str) -> None:
    statements.append(text)
    labels.append(False)
    sources.append(source)


def needs_quiz(item: AssessItem, quiz_samples: int) -> bool:
    return not (item.has_current_statements() and item.quiz_samples == quiz_samples)


async def quiz(
    *, graph: Graph, synthesizer: LLMClient, config: QuizConfig, progress: Progress = NullProgress()
) -> QuizReport:
    """Write quiz statements for every item that lacks current ones (see module docstring)."""
    n = config.quiz_samples
    kinds = item_kinds(config.loss_strategy)
    report = QuizReport(quiz_samples=n, loss_strategy=config.loss_strategy, quizzed={k: 0 for k in kinds})

    def select(page: list[AssessItem]) -> list[AssessItem]:
        todo = [item for item in page if item.description and needs_quiz(item, n)]
        blank = sum(1 for item in page if not item.description)
        report.no_description += blank
        report.up_to_date += len(page) - len(todo) - blank
        return todo

    async def write_one(item: AssessItem) -> dict[str, Any]:
        description = item.description or ""
        language = detect_language(description)
        messages = render("quiz", language, description=description, paraphrase_count=n - 1, negation_count=n)
        reply = await synthesizer.structured(messages, QuizReply, stage=STAGE, task="quiz")
        statements, labels, sources = build_statements(description, reply, n)
        for sample in range(n - labels.count(False)):
            text = await _negate(synthesizer, description, language, sample)
            report.negations_asked += 1
            if plausible_negation(description, text, {statement_key(s) for s in statements}):
                add_negation(statements, labels, sources, text, NEGATE)
        if False not in labels:  # the quiz would be one-sided: one marked template negation
            add_negation(statements, labels, sources, template_negation(description), TEMPLATE)
            report.template_negations += 1
        return {"id": item.id, "statements": statements, "labels": labels, "sources": sources,
                "source_hash": description_hash(description), "samples": n}

    def store(kind: ItemKind, rows: list[dict[str, Any]]) -> None:
        graph.run(STORE_QUERIES[kind], {"rows": rows})
        report.quizzed[kind] += len(rows)
        report.statements += sum(len(row["statements"]) for row in rows)
        report.short += sum(1 for row in rows if len(row["statements"]) < 2 * n)

    await walk_items(graph=graph, stage=STAGE, kinds=kinds, model=None, client=synthesizer, report=report,
                     progress=progress, page_size=config.page_size, flush_every=config.flush_every,
                     select=select, work=write_one, store=store)
    return report


async def _negate(synthesizer: LLMClient, description: str, language: str, sample: int) -> str:
    """One negation of ``description``, asked for on its own (plain text: small models manage it)."""
    messages = render("negate", language, description=description)
    reply = await synthesizer.complete(messages, stage=STAGE, task="negate", temperature=0.3 * sample, sample=sample)
    return read_negation(reply.text)
