"""One batch of extraction results: planned ahead, then written in one transaction.

``plan_extractions`` does a batch's reads and the Python work (routing names to
entities, folding votes, descriptions and evidence: the rules of ``merge``), with the
``Overlay`` of the batch being written meanwhile on top of what the graph says;
``apply_batch`` writes the precomputed rows in one write transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.db.graph import Transaction
from graphgen_neo4j.ids import relation_id
from graphgen_neo4j.ingest.extract import ChunkExtraction
from graphgen_neo4j.ingest.merge import (
    BatchPlan,
    Mention,
    Router,
    cached_key,
    evidence_of,
    fold_entity,
    plan_batch,
    relation_props,
    respect_locks,
)


class WriterSettings(BaseModel):
    """What the writer needs to know (taken from ``IngestConfig``)."""

    max_description_tokens: int = 300
    tokenizer: str = "cl100k_base"
    batch_size: int = 64  # chunks per transaction
    retry_failed: bool = True
    raw_reply_chars: int = 20_000

    @property
    def open_statuses(self) -> list[str]:
        return ["pending", "failed"] if self.retry_failed else ["pending"]


class BatchOutcome(BaseModel):
    chunks_extracted: int = 0
    chunks_failed: int = 0
    chunks_already_done: int = 0  # extracted by someone else since they were scheduled
    entities_created: int = 0
    relations_created: int = 0
    aliases_created: int = 0
    mentions: int = 0
    relation_evidence: int = 0
    duplicates_proposed: int = 0


ReadQuery = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]
"""Runs a named read query: ``read(name, params) -> rows`` (``Transaction.run`` or ``Graph.read``)."""


ENTITY_STATE_KEYS = ("type_votes", "descriptions", "aliases", "mention_count")


RELATION_STATE_KEYS = ("chunk_ids", "evidence_descriptions", "evidence_keywords", "evidence_strengths", "descriptions")


@dataclass
class Overlay:
    """What a batch writes, as the next batch's reads would see it once that batch commits.

    The writer plans batch N+1 while batch N is still being written (``GraphWriter``); what
    N writes is taken from here, in preference to what the graph says. Planning N+1 starts
    only after N-1 committed, so the graph plus N's overlay is exactly the state N+1 would
    see batch by batch: the overlay of one batch is enough.
    """

    chunk_status: dict[str, str] = field(default_factory=dict)  # chunk id → 'extracted' | 'failed'
    routes: dict[str, str] = field(default_factory=dict)  # normalized key → entity id (the batch's Alias rows)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → state, as ingest/entity_state returns it
    relations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # pair → state, as ingest/relation_state
    created_entities: set[str] = field(default_factory=set)  # no relation of theirs is in the graph: only here


@dataclass
class BatchWrite:
    """One batch's writes, computed ahead (``plan_extractions``), applied in one transaction (``apply_batch``)."""

    outcome: BatchOutcome  # the counts known before writing
    overlay: Overlay
    failed_rows: list[dict[str, Any]] = field(default_factory=list)
    new_entity_rows: list[dict[str, Any]] = field(default_factory=list)  # with their Alias rows
    entity_rows: list[dict[str, Any]] = field(default_factory=list)  # entities in the graph already
    alias_rows: list[dict[str, str]] = field(default_factory=list)  # new Aliases of those
    mention_rows: list[dict[str, Any]] = field(default_factory=list)  # by chunk
    created_relations: list[dict[str, Any]] = field(default_factory=list)
    updated_relations: list[dict[str, Any]] = field(default_factory=list)
    proposal_rows: list[dict[str, str]] = field(default_factory=list)
    extracted_ids: list[str] = field(default_factory=list)


def plan_extractions(
    read: ReadQuery, results: Sequence[ChunkExtraction], settings: WriterSettings, previous: Overlay | None = None
) -> BatchWrite:
    """Everything a batch of results writes (see the module docstring), from the graph as
    ``read`` shows it with ``previous`` (the overlay of the batch written meanwhile) on top."""
    previous = previous or Overlay()
    outcome = BatchOutcome()
    chunk_ids = [r.chunk_id for r in results]
    status = {row["id"]: row["status"] for row in read("ingest/chunk_status", {"ids": chunk_ids})}
    status.update({c: previous.chunk_status[c] for c in chunk_ids if c in previous.chunk_status})
    todo = []
    for result in results:
        if status.get(result.chunk_id) in (None, "extracted"):
            outcome.chunks_already_done += 1  # gone (document replaced) or done already
        else:
            todo.append(result)
    failed = [r for r in todo if r.failed]
    done = [r for r in todo if not r.failed]
    batch = BatchWrite(outcome, Overlay(chunk_status={r.chunk_id: "failed" for r in failed}))
    batch.failed_rows = [
        {"id": r.chunk_id, "error": r.error, "raw_reply": (r.raw_reply or "")[: settings.raw_reply_chars] or None}
        for r in failed
    ]
    outcome.chunks_failed = len(failed)
    if not done:
        return batch
    batch.overlay.chunk_status.update((r.chunk_id, "extracted") for r in done)
    batch.extracted_ids = [r.chunk_id for r in done]
    outcome.chunks_extracted = len(done)

    plan = plan_batch(done, _routes(read, done, previous))
    _plan_entities(read, plan, previous, batch, settings)
    _plan_relations(read, plan, previous, batch, settings)
    router = plan.router
    batch.proposal_rows = [{"source_id": a, "target_id": b, "key": key} for (a, b), key in router.proposals.items()]
    return batch


def _routes(read: ReadQuery, done: Sequence[ChunkExtraction], previous: Overlay) -> dict[str, str]:
    """The entity every name of the results routes to now (the overlay's Aliases need no lookup)."""
    keys = sorted({cached_key(n) for r in done for e in r.entities for n in [e.name, *e.aliases]}
                  | {cached_key(n) for r in done for rel in r.relations for n in (rel.source, rel.target)})
    lookup = [k for k in keys if k not in previous.routes]
    known = {row["key"]: row["entity_id"] for row in read("ingest/route_keys", {"keys": lookup})} if lookup else {}
    known.update({k: previous.routes[k] for k in keys if k in previous.routes})
    return known


def _plan_entities(read: ReadQuery, plan: BatchPlan, previous: Overlay, batch: BatchWrite, settings: WriterSettings) -> None:
    """Entities: fold the new mentions into what is stored; Aliases and mentions as planned."""
    router = plan.router
    mentions_by_entity: dict[str, list[Mention]] = {}
    for mention in plan.mentions.values():
        mentions_by_entity.setdefault(mention.entity_id, []).append(mention)
    touched = sorted(set(mentions_by_entity) | set(router.new_aliases))
    state = _entity_state(read, [e for e in touched if e in router.existing], previous)
    for eid in touched:
        _plan_entity(eid, state.get(eid), mentions_by_entity.get(eid, []), router, batch, settings)
    _plan_aliases(router, batch)
    batch.mention_rows = _mention_rows(plan.mentions.values())
    batch.overlay.routes = {row["key"]: row["entity_id"] for row in router.alias_rows}
    batch.overlay.created_entities = set(router.new_entities)
    batch.outcome.entities_created = len(router.new_entities)
    batch.outcome.aliases_created = len(router.alias_rows)


def _entity_state(read: ReadQuery, stored: Sequence[str], previous: Overlay) -> dict[str, dict[str, Any]]:
    """The stored state of these entities: from the overlay when the batch written meanwhile has it."""
    lookup = [e for e in stored if e not in previous.entities]
    state = {row["id"]: row for row in read("ingest/entity_state", {"ids": lookup})} if lookup else {}
    state.update({e: previous.entities[e] for e in stored if e in previous.entities})
    return state


def _plan_entity(eid: str, current: Mapping[str, Any] | None, mentions: Sequence[Mention], router: Router,
                 batch: BatchWrite, settings: WriterSettings) -> None:
    props = fold_entity(current, mentions, router.new_aliases.get(eid, []),
                        budget=settings.max_description_tokens, encoding=settings.tokenizer)
    locked = (current or {}).get("locked")
    respect_locks(props, locked)
    batch.overlay.entities[eid] = {"id": eid, **{k: props[k] for k in ENTITY_STATE_KEYS}, "locked": locked}
    if eid in router.existing:
        batch.entity_rows.append({"id": eid, "props": props})
    else:
        props = {k: v for k, v in props.items() if v is not None}  # nothing to remove on a new entity
        batch.new_entity_rows.append({"id": eid, "name": router.new_entities[eid], "props": props, "aliases": []})


def _plan_aliases(router: Router, batch: BatchWrite) -> None:
    """Aliases of a new entity are created with it (no lookup of the entity by id); the others on their own."""
    aliases_of_new = {row["id"]: row["aliases"] for row in batch.new_entity_rows}
    for alias in router.alias_rows:
        if alias["entity_id"] in aliases_of_new:
            aliases_of_new[alias["entity_id"]].append({k: alias[k] for k in ("key", "name", "source")})
        else:
            batch.alias_rows.append(alias)


def _mention_rows(mentions: Iterable[Mention]) -> list[dict[str, Any]]:
    """The mentions, grouped by chunk."""
    by_chunk: dict[str, list[dict[str, str]]] = {}
    for mention in mentions:
        by_chunk.setdefault(mention.chunk_id, []).append(
            {"entity_id": mention.entity_id, "name": mention.name, "type": mention.type, "description": mention.description})
    return [{"chunk_id": chunk, "mentions": rows} for chunk, rows in by_chunk.items()]


def _plan_relations(read: ReadQuery, plan: BatchPlan, previous: Overlay, batch: BatchWrite, settings: WriterSettings) -> None:
    """Relations: merge the new evidence into what is stored."""
    # A pair with an end created by this batch or by the one being written cannot be in the graph.
    unseen = set(plan.router.new_entities) | previous.created_entities
    lookup = [{"source_id": s, "target_id": t} for s, t in plan.evidence
              if (s, t) not in previous.relations and s not in unseen and t not in unseen]
    stored = {(row["source_id"], row["target_id"]): row for row in read("ingest/relation_state", {"pairs": lookup})} if lookup else {}
    stored.update({pair: previous.relations[pair] for pair in plan.evidence if pair in previous.relations})
    for (source, target), new in plan.evidence.items():
        current = stored.get((source, target))
        evidence = evidence_of(current)
        evidence.update(new)
        props = relation_props(evidence, current["descriptions"] if current else None,
                               budget=settings.max_description_tokens, encoding=settings.tokenizer)
        locked = current.get("locked") if current else None
        respect_locks(props, locked)
        if current is None:
            rid = relation_id(source, target)
            props = {k: v for k, v in props.items() if v is not None}  # nothing to remove on a new relation
            batch.created_relations.append({"id": rid, "source_id": source, "target_id": target, "props": props})
        else:
            rid = current["id"]
            batch.updated_relations.append({"id": rid, "props": props})
        batch.overlay.relations[(source, target)] = {
            "source_id": source, "target_id": target, "id": rid, **{k: props[k] for k in RELATION_STATE_KEYS}, "locked": locked,
        }
        batch.outcome.relation_evidence += len(new)


def apply_batch(tx: Transaction, batch: BatchWrite) -> BatchOutcome:
    """Write a planned batch (one transaction). It only writes precomputed rows, so the
    driver may run it again after a transient error: the failed attempt left nothing."""
    outcome = batch.outcome.model_copy()
    if batch.failed_rows:
        tx.run("ingest/mark_failed", {"rows": batch.failed_rows})
    if not batch.extracted_ids:
        return outcome
    if batch.new_entity_rows:
        tx.run("ingest/create_entities", {"rows": batch.new_entity_rows})
    if batch.entity_rows:
        tx.run("ingest/update_entities", {"rows": batch.entity_rows})
    if batch.alias_rows:
        tx.run("ingest/upsert_aliases", {"rows": batch.alias_rows})
    if batch.mention_rows:
        outcome.mentions = tx.run("ingest/create_mentions", {"chunks": batch.mention_rows})[0]["mentions"]
    if batch.created_relations:
        outcome.relations_created = tx.run("ingest/create_relations", {"rows": batch.created_relations})[0]["created"]
    if batch.updated_relations:
        tx.run("ingest/update_relations", {"rows": batch.updated_relations})
    if batch.proposal_rows:
        outcome.duplicates_proposed = tx.run("ingest/propose_same_as", {"rows": batch.proposal_rows})[0]["proposed"]
    tx.run("ingest/mark_extracted", {"ids": batch.extracted_ids})
    return outcome


def write_extractions(tx: Transaction, results: Sequence[ChunkExtraction], settings: WriterSettings) -> BatchOutcome:
    """One transaction: the results of a batch of chunks, read, planned and written (see the module docstring)."""
    return apply_batch(tx, plan_extractions(tx.run, results, settings))
