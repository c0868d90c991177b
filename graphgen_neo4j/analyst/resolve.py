"""The alias review queue: find entities that are one thing under two names.

``resolve`` gathers candidate pairs from every signal, scores them, has the synthesizer
adjudicate them, and proposes the likely ones as
``(absorb)-[:SAME_AS {score, method, signals, evidence, chunk_ids, prior, verdict, status: 'proposed'}]->(keep)``
for an analyst to accept or reject (``cypher/curate/review_same_as.cypher``, in Browser, or
by threshold). The signals (``method`` is the strongest, ``signals`` all of them):

* names (``names.py``): ``same_key``, ``shared_alias``, ``containment`` (a name without its
  category word; a broader concept such as a genus or a parent compound is not proposed),
  ``edit_distance`` (typos);
* ``evidence`` (``candidates.py``): a description or a chunk states the identity — 字/号/又称/简称/
  旧称…, "also known as", "formerly", "X (Y)", brand (generic); the sentence and the chunk are kept;
* ``mentioned``: a Chinese name in an English description or the other way round; Chinese and
  English names of one type in one chunk;
* ``embedding`` (``embeddings.py``): name + description embeddings from the ``EMBEDDING_*``
  endpoint, nearest neighbours through Neo4j's vector index;
* ``translation`` (``translations.py``): the synthesizer names every entity in the other
  language (50 names per call); answers matching an entity of the other script.

Scoring and the display-name rule are in ``signals.py``; hard-negative cues and differing
types count against a pair; the LLM's verdict (``adjudicate.py``) rescales the score. A pair
already in the queue keeps the analyst's decision: a rejected pair is never proposed again (nor
asked about), an accepted one waits for ``apply_accepted`` (``resolve --apply``), which merges
with ``curate/merge_entities`` and, when the analyst set ``name`` on the SAME_AS, gives the
survivor that name. Nothing is merged unless ``auto_accept`` is set or a pair was accepted.

A name the text states for an entity that no entity goes by ("张飞字益德，后世小说多写作翼德": 翼德)
is no pair: it is listed as an alias proposal (``report.alias_proposals``; add it with
``curate/add_alias``), and added (``resolve/add_aliases``, source ``resolve``) when
``auto_accept`` is at most the identity-statement score (0.9).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graphgen_neo4j.analyst.adjudicate import adjudicate
from graphgen_neo4j.analyst.candidates import (
    EVIDENCE_SCORE,
    AliasProposal,
    ChunkRecord,
    hard_negatives,
    name_signals,
    stated_aliases,
    text_signals,
)
from graphgen_neo4j.analyst.curation import MergeOutcome, load_query, merge_entities, run_query
from graphgen_neo4j.analyst.embeddings import embedding_signals
from graphgen_neo4j.analyst.signals import (
    SIGNAL_KINDS,
    Candidate,
    EntityRecord,
    Signal,
    group_signals,
    ranked,
    to_candidate,
)
from graphgen_neo4j.analyst.translations import translate_names, translation_signals
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.ids import normalize_key
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.embeddings import EmbeddingClient
from graphgen_neo4j.llm.pool import PoolOutcome
from graphgen_neo4j.progress import NullProgress, Progress

Method = Literal["same_key", "shared_alias", "containment", "edit_distance", "evidence", "mentioned", "embedding", "translation", "llm"]
METHODS: tuple[Method, ...] = (*SIGNAL_KINDS, "llm")  # type: ignore[assignment]
STAGE = "resolve"


class ResolveConfig(BaseModel):
    """How ``resolve`` looks for duplicates."""

    model_config = ConfigDict(extra="forbid")

    methods: list[Method] = Field(default_factory=lambda: list(METHODS))
    min_score: float = Field(0.6, ge=0, le=1, description="pairs scoring less are not proposed")
    auto_accept: float | None = Field(None, ge=0, le=1, description="accept and merge pairs scoring at least this")
    ask_min_prior: float = Field(0.25, ge=0, le=1, description="pairs scoring less before the LLM are not asked about")
    containment_min_latin: int = Field(4, ge=2, description="shortest Latin-script name looked for inside others")
    containment_min_cjk: int = Field(2, ge=1, description="shortest Chinese name looked for inside others")
    containment_max_containers: int = Field(10, ge=1, description="a name inside more names than this is too generic")
    llm_max_pairs: int = Field(1000, ge=0, description="most pairs the LLM adjudicates per run (best prior first)")
    llm_batch_pairs: int = Field(10, ge=1, le=50, description="pairs per adjudication call (1: one call per pair)")
    co_mention_max_entities: int = Field(40, ge=2, description="chunks naming more entities are not paired")
    embedding_neighbours: int = Field(5, ge=1, description="nearest neighbours looked at per entity")
    embedding_min_similarity: float = Field(0.85, ge=0, le=1, description="cosine similarity a neighbour needs to be a candidate")
    embedding_cross_script: int = Field(3, ge=0, le=20, description="nearest entities of the other script (and a compatible type) "
                                       "that are candidates whatever their similarity; 0: none")


class ResolveReport(BaseModel):
    """What one ``resolve`` did."""

    model_config = ConfigDict(extra="forbid")

    entities: int = 0
    candidates: int = 0  # pairs any signal found
    found: dict[str, int] = Field(default_factory=dict)  # proposals per signal
    proposed: int = 0  # new in the queue
    rescored: int = 0  # already proposed; score updated
    kept_rejected: int = 0  # rejected before: not proposed again
    kept_accepted: int = 0  # accepted before: waiting for --apply
    embedded: int = 0  # entities embedded now
    embedding_skipped: str | None = None
    llm_pairs: int = 0
    llm_confirmed: int = 0
    llm_denied: int = 0
    llm_failed: int = 0
    llm_skipped: str | None = None  # why no pair went to the LLM
    translated: int = 0  # entities the synthesizer named in the other language
    accepted: int = 0  # by the auto_accept threshold
    proposals: list[Candidate] = Field(default_factory=list)
    alias_proposals: list[AliasProposal] = Field(default_factory=list)  # names stated in text that route nowhere
    aliases_added: int = 0  # of those, added by auto_accept
    merged: list[MergeOutcome] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    work: PoolOutcome | None = None  # the LLM adjudication's counts, failures by reason and verdict


# -- reading the graph ----------------------------------------------------------------------------


def load_entities(graph: Graph) -> list[EntityRecord]:
    return [EntityRecord.model_validate(row) for row in graph.read("resolve/entities")]


def load_chunks(graph: Graph) -> list[ChunkRecord]:
    return [ChunkRecord.model_validate(row) for row in graph.read("resolve/chunks")]


def known_pairs(graph: Graph) -> dict[frozenset[str], str]:
    """Pairs in the queue (either direction) → status."""
    return {frozenset((r["absorb"], r["keep"])): r["status"] for r in graph.read("resolve/known_pairs")}


def material_language(graph: Graph) -> str | None:
    row = graph.read_row("resolve/material_language")
    return row["language"] if row else None


def write_proposals(graph: Graph, candidates: list[Candidate], report: ResolveReport) -> None:
    fields = ("absorb", "keep", "score", "method", "reason", "signals", "evidence", "chunk_ids", "prior", "verdict")
    rows = [c.model_dump(include=set(fields)) for c in candidates]
    for start in range(0, len(rows), 1000):
        for row in graph.run("resolve/propose", {"rows": rows[start:start + 1000]}):
            outcome, pairs = row["outcome"], row["pairs"]
            name = {"proposed": "proposed", "rescored": "rescored", "rejected": "kept_rejected", "accepted": "kept_accepted"}[outcome]
            setattr(report, name, getattr(report, name) + pairs)


# -- the stage ------------------------------------------------------------------------------------


async def _translations(synthesizer: LLMClient | None, entities: list[EntityRecord], report: ResolveReport, progress: Progress) -> list[Signal]:
    if synthesizer is None:
        report.llm_skipped = "no synthesizer endpoint configured"
        return []
    answers, failures, _ = await translate_names(synthesizer, entities, progress)
    report.translated = len({entity for entity, _ in answers})
    report.failures += failures
    return translation_signals(entities, answers)


async def _signals(graph: Graph, entities: list[EntityRecord], chunks: list[ChunkRecord], clients: tuple[LLMClient | None, EmbeddingClient | None],
                   config: ResolveConfig, report: ResolveReport, progress: Progress) -> list[Signal]:
    synthesizer, embedder = clients
    containment = {"min_cjk": config.containment_min_cjk, "min_latin": config.containment_min_latin,
                   "max_containers": config.containment_max_containers}
    found = name_signals(entities, config.methods, containment)
    found += text_signals(entities, chunks, config.methods, config.co_mention_max_entities)
    if "translation" in config.methods:
        found += await _translations(synthesizer, entities, report, progress)
    if "embedding" not in config.methods:
        return found
    if embedder is None:
        report.embedding_skipped = "no embedding endpoint configured (EMBEDDING_BASE_URL, EMBEDDING_MODEL)"
        return found
    # the cross-script nearest are found by rank, not by similarity: only worth it when the LLM decides them
    cross_k = config.embedding_cross_script if "llm" in config.methods and synthesizer is not None else 0
    near, report.embedded = await embedding_signals(graph, embedder, entities, config.embedding_neighbours, config.embedding_min_similarity, cross_k)
    return found + near


def score_pairs(entities: list[EntityRecord], chunks: list[ChunkRecord], signals: list[Signal], language: str | None) -> list[Candidate]:
    """Every pair the signals found, with its hard-negative cues, as a scored, oriented candidate."""
    by_id = {e.id: e for e in entities}
    chunks_by_id = {c.id: c for c in chunks}
    chunks_of: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        for entity in chunk.entities:
            chunks_of[entity].add(chunk.id)
    candidates = []
    for pair in group_signals(signals, by_id).values():
        pair.against = hard_negatives(pair, chunks_by_id, chunks_of)
        candidates.append(to_candidate(pair, language))
    return ranked(candidates)


async def _adjudicate(synthesizer: LLMClient | None, candidates: list[Candidate], known: dict[frozenset[str], str],
                      by_id: dict[str, EntityRecord], config: ResolveConfig, report: ResolveReport, progress: Progress) -> list[Candidate]:
    """Candidates with the LLM's verdicts (decided pairs and the weakest are not asked)."""
    if "llm" not in config.methods:
        return [c for c in candidates if c.score >= config.min_score]
    if synthesizer is None or config.llm_max_pairs == 0:
        report.llm_skipped = "no synthesizer endpoint configured" if synthesizer is None else "llm_max_pairs is 0"
        return [c for c in candidates if c.score >= config.min_score]
    undecided = [c for c in candidates if known.get(frozenset((c.absorb, c.keep)), "proposed") == "proposed"]
    asked = [c for c in undecided if c.prior >= config.ask_min_prior][: config.llm_max_pairs]
    judged, counts, report.work = await adjudicate(synthesizer, asked, by_id, progress, config.llm_batch_pairs)
    report.llm_pairs, report.llm_confirmed, report.llm_denied, report.llm_failed = counts.asked, counts.same, counts.different, counts.failed
    report.failures += counts.failures
    verdicts = {(c.absorb, c.keep): c for c in judged}
    updated = [verdicts.get((c.absorb, c.keep), c) for c in candidates]
    return [c for c in ranked(updated) if c.score >= config.min_score]


async def resolve(
    graph: Graph,
    synthesizer: LLMClient | None = None,
    config: ResolveConfig = ResolveConfig(),
    progress: Progress = NullProgress(),
    embedder: EmbeddingClient | None = None,
) -> ResolveReport:
    """Propose likely duplicates; with ``config.auto_accept``, accept those scoring that much and merge."""
    report = ResolveReport()
    entities = await asyncio.to_thread(load_entities, graph)
    chunks = await asyncio.to_thread(load_chunks, graph)
    known = await asyncio.to_thread(known_pairs, graph)
    language = await asyncio.to_thread(material_language, graph)
    report.entities = len(entities)
    progress.start("find candidate pairs", total=len(entities))
    signals = await _signals(graph, entities, chunks, (synthesizer, embedder), config, report, progress)
    candidates = await asyncio.to_thread(score_pairs, entities, chunks, signals, language)
    report.candidates = len(candidates)
    progress.advance("find candidate pairs", len(entities), pairs=len(candidates))
    progress.finish("find candidate pairs")

    by_id = {e.id: e for e in entities}
    proposals = await _adjudicate(synthesizer, candidates, known, by_id, config, report, progress)
    for candidate in proposals:
        for kind in candidate.signals:
            report.found[kind] = report.found.get(kind, 0) + 1
    report.proposals = proposals
    await asyncio.to_thread(write_proposals, graph, proposals, report)
    if "evidence" in config.methods:
        report.alias_proposals = await asyncio.to_thread(stated_aliases, entities, chunks)

    if config.auto_accept is not None:
        if report.alias_proposals and EVIDENCE_SCORE >= config.auto_accept:
            aliases = [{"entity_id": a.entity, "key": normalize_key(a.alias), "name": a.alias} for a in report.alias_proposals]
            report.aliases_added = (await asyncio.to_thread(graph.run, "resolve/add_aliases", {"rows": aliases}))[0]["added"]
        rows = await asyncio.to_thread(graph.run, "resolve/accept_above", {"threshold": config.auto_accept})
        report.accepted = rows[0]["accepted"]
        report.merged = await asyncio.to_thread(apply_accepted, graph, progress)
    return report


def apply_accepted(graph: Graph, progress: Progress = NullProgress()) -> list[MergeOutcome]:
    """Merge every accepted pair, best score first, one transaction per merge (chains resolve in turn).

    A ``name`` the analyst set on the SAME_AS becomes the survivor's name (``curate/rename_entity``).
    """
    waiting = graph.read("resolve/count_accepted")[0]["accepted"]
    progress.start("merge accepted pairs", total=waiting)
    merged = []
    for _ in range(waiting):  # each merge removes at least one accepted pair
        row = graph.read_row("resolve/next_accepted")
        if row is None:
            break
        try:
            outcome = merge_entities(graph, keep=row["keep"], absorb=row["absorb"])
            if row.get("name") and row["name"] != outcome.kept_name:
                run_query(graph, load_query("curate/rename_entity"), {"entity": outcome.kept_id, "new_name": row["name"], "new_name_key": normalize_key(row["name"])})
                outcome = outcome.model_copy(update={"kept_name": row["name"]})
        except GraphGenError as exc:
            raise GraphGenError(f"merging {row['absorb_name']!r} into {row['keep_name']!r}: {exc}") from exc
        merged.append(outcome)
        progress.advance("merge accepted pairs")
    progress.finish("merge accepted pairs")
    return merged
