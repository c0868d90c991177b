"""Merging extraction results into Neo4j: the single writer.

Every write of an ingest goes through one ``GraphWriter``: an asyncio task that takes
work from a queue and writes it, one transaction at a time, in a worker thread (the
event loop keeps the LLM calls going meanwhile). So concurrent extraction never races
a MERGE, and each batch commits whole or not at all.

**Two stages.** A batch is first planned (``plan_extractions``: its reads and the Python
work), then written (``apply_batch``: one write transaction of precomputed rows). The
next batch is planned while one is written, with what that one writes (its ``Overlay``)
on top of what the graph says, so both cores work and the graph is the same as batch by
batch. Jobs (documents, summaries) wait until the write in flight committed.

**Order.** Extraction results carry a sequence number (input order) and are written
in that order whatever order the LLM answers in, so the same input always makes the
same graph: "the entity first seen under a name" means first in the input. An
interrupted run writes only the unbroken prefix; the next run continues from there.

**Routing.** A name goes to the entity its normalized key (``ids.normalize_key``)
belongs to through an ``(:Alias {key})-[:ALIAS_OF]->(:Entity)``. A name with no Alias
goes to the entity of the first of its reported aliases that has one (so "刘玄德" finds
"刘备"); otherwise it makes a new entity. Every name and alias an entity is given
becomes an Alias of it. An alias already owned by another entity is not taken over: the
two entities are proposed as duplicates (``SAME_AS``, method ``shared_alias``).

**Entities.** Each chunk's view of an entity is kept on its ``MENTIONS`` relationship
(name, type, description). The entity's ``type`` is the majority of the mention types
(``UNKNOWN`` only counts when there is nothing else; a tie goes to the earlier leader),
``descriptions`` the sorted distinct descriptions, ``mention_count`` the chunks.

**Relations.** One ``RELATED`` per directed (source, target) pair, holding its evidence
per chunk in aligned lists (``chunk_ids``, ``evidence_descriptions``, ``evidence_keywords``,
``evidence_strengths``), from which ``descriptions``, ``keywords`` and the mean
``strength`` are derived. Endpoints that were not extracted as entities get entities
of type ``UNKNOWN`` (described by the relation's sentence when they are new).

**Analysts' edits.** What an analyst locked (``locked: ['description', 'type']`` on an
entity or relation, set by the curate queries) is left as it is; votes and descriptions
still accumulate beside it. Names never change after creation.

**Descriptions.** ``description`` is the descriptions joined by line breaks; when that
is longer than the token budget the item is marked ``summary_pending`` and, after the
extraction, the synthesizer summarizes the whole text in its language
(``summarize_pending``).

**Changed documents.** A document (keyed by its text hash) remembers every source that
holds it (``sources``: ``file`` or ``file#record``). When no source holds it any more
(its file changed, see ``documents.reconcile_sources``) it is removed: its chunks that no
other document holds are deleted with their mentions, relations lose those chunks'
evidence (and go when none is left), entities are recomputed from the mentions that
remain (and go when none is left).
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.db.graph import Graph, Transaction
from graphgen_neo4j.gc_policy import FullPasses, bulk_collection
from graphgen_neo4j.ids import entity_id, normalize_key, relation_id
from graphgen_neo4j.ingest.extract import UNKNOWN, ChunkExtraction
from graphgen_neo4j.ingest.readers import PreparedDocument
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.prompts import render
from graphgen_neo4j.tokens import count_tokens

KEYWORD_SEPARATOR = "|"

# A batch normalizes each name several times (lookup, routing, endpoints): once is enough.
# (Small: it only has to span one batch, and memory must not grow with the input.)
_key = lru_cache(maxsize=8192)(normalize_key)


# ----------------------------------------------------------------------------- pure parts

@dataclass
class Mention:
    """One chunk's view of one entity."""

    chunk_id: str
    entity_id: str
    name: str
    type: str
    description: str

    def row(self) -> dict[str, str]:
        return {"chunk_id": self.chunk_id, "entity_id": self.entity_id, "name": self.name,
                "type": self.type, "description": self.description}


@dataclass
class Evidence:
    """One chunk's view of one relation."""

    chunk_id: str
    description: str
    keywords: list[str]
    strength: float


def parse_votes(type_votes: Iterable[str] | None) -> Counter[str]:
    """``["GENE=3", "UNKNOWN=1"]`` → Counter."""
    votes: Counter[str] = Counter()
    for entry in type_votes or ():
        name, _, count = entry.rpartition("=")
        if name and count.isdigit():
            votes[name] += int(count)
    return votes


def format_votes(votes: Counter[str]) -> list[str]:
    """Most votes first; ties keep their order (the earlier leader, or the first seen, first)."""
    return [f"{name}={count}" for name, count in sorted(votes.items(), key=lambda kv: -kv[1]) if count > 0]


def majority_type(votes: Mapping[str, int]) -> str:
    """Most voted type; UNKNOWN only when nothing else was voted; a tie goes to the type
    listed first in ``votes`` (stored votes keep the earlier leader first, new ones the first seen)."""
    known = {t: n for t, n in votes.items() if n > 0 and t != UNKNOWN}
    if not known:
        return UNKNOWN
    return max(known, key=lambda t: known[t])


def description_props(
    descriptions: list[str], previous: Sequence[str] | None, *, budget: int, encoding: str
) -> dict[str, Any]:
    """``description`` (and the summary flag) for new descriptions; {} when they did not change."""
    if previous is not None and list(previous) == descriptions:
        return {}
    joined = "\n".join(descriptions)
    # A token is at least one byte: short texts need no tokenizer.
    over = len(joined.encode("utf-8")) > budget and count_tokens(joined, encoding) > budget
    # None removes the property (SET +=): a new description is not a summary, and not pending unless too long.
    return {"description": joined, "summary_pending": True if over else None, "summarized": None}


LOCKABLE = {"description": ("description", "summary_pending", "summarized"), "type": ("type",)}


def respect_locks(props: dict[str, Any], locked: Sequence[str] | None) -> dict[str, Any]:
    """``props`` without what an analyst locked (``locked: ['description', 'type']``): votes
    and descriptions still accumulate, the curated value stays."""
    for field_name in locked or ():
        for key in LOCKABLE.get(field_name, ()):
            props.pop(key, None)
    return props


def entity_props(
    votes: Counter[str], descriptions: Iterable[str], aliases: Iterable[str], mention_count: int,
    previous_descriptions: Sequence[str] | None, *, budget: int, encoding: str,
) -> dict[str, Any]:
    ordered = sorted({d for d in descriptions if d})
    props: dict[str, Any] = {
        "type": majority_type(votes), "type_votes": format_votes(votes), "descriptions": ordered,
        "aliases": sorted(set(aliases)), "mention_count": mention_count,
    }
    props.update(description_props(ordered, previous_descriptions, budget=budget, encoding=encoding))
    return props


def fold_entity(
    state: Mapping[str, Any] | None, mentions: Sequence[Mention], new_aliases: Iterable[str], *, budget: int, encoding: str
) -> dict[str, Any]:
    """An entity's properties after adding new mentions (from chunks it had no mention from)."""
    state = state or {}
    votes = parse_votes(state.get("type_votes"))
    votes.update(m.type for m in mentions)
    previous = state.get("descriptions")
    return entity_props(
        votes, list(previous or []) + [m.description for m in mentions],
        list(state.get("aliases") or []) + list(new_aliases),
        int(state.get("mention_count") or 0) + len({m.chunk_id for m in mentions}),
        previous if state else None, budget=budget, encoding=encoding,
    )


def evidence_of(state: Mapping[str, Any] | None) -> dict[str, Evidence]:
    """A relation's stored evidence, by chunk id."""
    if not state or not state.get("chunk_ids"):
        return {}
    chunk_ids = state["chunk_ids"]
    descriptions = state.get("evidence_descriptions") or [""] * len(chunk_ids)
    keywords = state.get("evidence_keywords") or [""] * len(chunk_ids)
    strengths = state.get("evidence_strengths") or [5.0] * len(chunk_ids)
    return {
        chunk: Evidence(chunk, d, [k for k in kw.split(KEYWORD_SEPARATOR) if k], float(s))
        for chunk, d, kw, s in zip(chunk_ids, descriptions, keywords, strengths)
    }


def relation_props(
    evidence: Mapping[str, Evidence], previous_descriptions: Sequence[str] | None, *, budget: int, encoding: str
) -> dict[str, Any]:
    """A relation's properties from its evidence (sorted by chunk id, so order never matters)."""
    entries = [evidence[chunk] for chunk in sorted(evidence)]
    descriptions = sorted({e.description for e in entries if e.description})
    props: dict[str, Any] = {
        "chunk_ids": [e.chunk_id for e in entries],
        "evidence_descriptions": [e.description for e in entries],
        "evidence_keywords": [KEYWORD_SEPARATOR.join(e.keywords) for e in entries],
        "evidence_strengths": [float(e.strength) for e in entries],
        "descriptions": descriptions,
        "keywords": sorted({k for e in entries for k in e.keywords}),
        "strength": round(sum(e.strength for e in entries) / len(entries), 3) if entries else 0.0,
    }
    props.update(description_props(descriptions, previous_descriptions, budget=budget, encoding=encoding))
    return props


class Router:
    """Names → entity ids for one batch, starting from the Aliases in the graph (``known``)."""

    def __init__(self, known: Mapping[str, str]):
        self.known: dict[str, str] = dict(known)
        self.existing: set[str] = set(known.values())  # entities in the graph before this batch
        self.new_entities: dict[str, str] = {}  # id → name
        self.alias_rows: list[dict[str, str]] = []
        self.new_aliases: dict[str, list[str]] = {}  # entity id → alias names added
        self.proposals: dict[tuple[str, str], str] = {}  # (entity, other entity) → contested key

    def _add_alias(self, key: str, name: str, source: str, eid: str) -> None:
        self.known[key] = eid
        self.alias_rows.append({"key": key, "name": name, "source": source, "entity_id": eid})
        if source != "name":
            self.new_aliases.setdefault(eid, []).append(name)

    def entity(self, name: str, aliases: Sequence[str] = ()) -> str:
        key = _key(name)
        alias_keys = [_key(a) for a in aliases]
        eid = self.known.get(key)
        if eid is None:
            eid = next((self.known[k] for k in alias_keys if k in self.known), None)
            if eid is None:
                eid = entity_id(key)
                self.new_entities.setdefault(eid, name)
                self._add_alias(key, name, "name", eid)
            else:
                self._add_alias(key, name, "llm", eid)
        for alias, alias_key in zip(aliases, alias_keys):
            owner = self.known.get(alias_key)
            if owner is None:
                self._add_alias(alias_key, alias, "llm", eid)
            elif owner != eid:
                self.proposals.setdefault((eid, owner), alias_key)
        return eid

    def is_known(self, name: str) -> bool:
        return _key(name) in self.known


@dataclass
class BatchPlan:
    """Everything one batch of extraction results writes."""

    router: Router
    mentions: dict[tuple[str, str], Mention] = field(default_factory=dict)  # (chunk, entity) → mention
    evidence: dict[tuple[str, str], dict[str, Evidence]] = field(default_factory=dict)  # (source, target) → by chunk


def plan_batch(results: Sequence[ChunkExtraction], known: Mapping[str, str]) -> BatchPlan:
    """Route every name of the results (in order) and gather mentions and relation evidence."""
    plan = BatchPlan(Router(known))
    router = plan.router
    for result in results:
        chunk = result.chunk_id
        for entity in result.entities:
            eid = router.entity(entity.name, entity.aliases)
            _add_mention(plan, Mention(chunk, eid, entity.name, entity.type, entity.description))
        for relation in result.relations:
            ends = []
            for name in (relation.source, relation.target):
                was_known = router.is_known(name)
                eid = router.entity(name)
                if (chunk, eid) not in plan.mentions:
                    # An endpoint the chunk did not list: described by the relation only if it is new.
                    _add_mention(plan, Mention(chunk, eid, name, UNKNOWN, "" if was_known else relation.description))
                ends.append(eid)
            source, target = ends
            if source == target:
                continue  # two names of one entity
            by_chunk = plan.evidence.setdefault((source, target), {})
            known_evidence = by_chunk.get(chunk)
            if known_evidence is None:
                by_chunk[chunk] = Evidence(chunk, relation.description, list(relation.keywords), relation.strength)
            else:  # the same pair under other names in the same chunk
                if relation.description and relation.description not in known_evidence.description:
                    known_evidence.description = " ".join(filter(None, [known_evidence.description, relation.description]))
                known_evidence.keywords = list(dict.fromkeys(known_evidence.keywords + relation.keywords))
                known_evidence.strength = (known_evidence.strength + relation.strength) / 2
    return plan


def _add_mention(plan: BatchPlan, mention: Mention) -> None:
    key = (mention.chunk_id, mention.entity_id)
    known = plan.mentions.get(key)
    if known is None:
        plan.mentions[key] = mention
        return
    if known.type == UNKNOWN:
        known.type = mention.type
    if mention.description and mention.description not in known.description:
        known.description = " ".join(filter(None, [known.description, mention.description]))


# ----------------------------------------------------------------------------- transactions

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
    keys = sorted({_key(n) for r in done for e in r.entities for n in [e.name, *e.aliases]}
                  | {_key(n) for r in done for rel in r.relations for n in (rel.source, rel.target)})
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
    stored = [e for e in touched if e in router.existing]
    lookup = [e for e in stored if e not in previous.entities]
    state = {row["id"]: row for row in read("ingest/entity_state", {"ids": lookup})} if lookup else {}
    state.update({e: previous.entities[e] for e in stored if e in previous.entities})
    for eid in touched:
        current = state.get(eid)
        props = fold_entity(current, mentions_by_entity.get(eid, []), router.new_aliases.get(eid, []),
                            budget=settings.max_description_tokens, encoding=settings.tokenizer)
        locked = (current or {}).get("locked")
        respect_locks(props, locked)
        batch.overlay.entities[eid] = {"id": eid, **{k: props[k] for k in ENTITY_STATE_KEYS}, "locked": locked}
        if eid in router.existing:
            batch.entity_rows.append({"id": eid, "props": props})
        else:
            props = {k: v for k, v in props.items() if v is not None}  # nothing to remove on a new entity
            batch.new_entity_rows.append({"id": eid, "name": router.new_entities[eid], "props": props, "aliases": []})
    # Aliases of a new entity are created with it (no lookup of the entity by id).
    aliases_of_new = {row["id"]: row["aliases"] for row in batch.new_entity_rows}
    for alias in router.alias_rows:
        if alias["entity_id"] in aliases_of_new:
            aliases_of_new[alias["entity_id"]].append({k: alias[k] for k in ("key", "name", "source")})
        else:
            batch.alias_rows.append(alias)
    by_chunk: dict[str, list[dict[str, str]]] = {}
    for mention in plan.mentions.values():
        by_chunk.setdefault(mention.chunk_id, []).append(
            {"entity_id": mention.entity_id, "name": mention.name, "type": mention.type, "description": mention.description})
    batch.mention_rows = [{"chunk_id": chunk, "mentions": rows} for chunk, rows in by_chunk.items()]
    batch.overlay.routes = {row["key"]: row["entity_id"] for row in router.alias_rows}
    batch.overlay.created_entities = set(router.new_entities)
    batch.outcome.entities_created = len(router.new_entities)
    batch.outcome.aliases_created = len(router.alias_rows)


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


class DocumentsOutcome(BaseModel):
    documents_new: int = 0  # records whose document the graph did not hold
    documents_changed: int = 0  # new documents that replaced one of their file (counted by reconcile)
    documents_unchanged: int = 0  # records whose document the graph holds already
    documents_removed: int = 0  # documents no source holds any more (deleted), beyond the replaced ones
    chunks_new_links: int = 0
    chunks_removed: int = 0
    entities_removed: int = 0
    entities_updated: int = 0
    relations_removed: int = 0
    relations_updated: int = 0
    pending_chunks: int = 0  # chunks of these documents waiting for extraction
    created: list[str] = []  # ids of the documents created


def write_documents(tx: Transaction, docs: Sequence[PreparedDocument], settings: WriterSettings) -> DocumentsOutcome:
    """One transaction: create new documents and chunks; a document the graph holds already
    only learns the sources (``file`` or ``file#record``) it is found in. Nothing is removed
    here: ``documents.reconcile_sources`` does that once every input has been read."""
    outcome = DocumentsOutcome()
    unique: dict[str, PreparedDocument] = {}
    keys: dict[str, list[str]] = {}
    for doc in docs:
        unique.setdefault(doc.id, doc)
        held = keys.setdefault(doc.id, [])
        if doc.source_key not in held:
            held.append(doc.source_key)
    states = tx.run("ingest/documents_state", {"ids": list(unique)})
    new = [unique[s["id"]] for s in states if not s["exists"]]
    additions = [
        {"id": s["id"], "sources": [k for k in keys[s["id"]] if k not in s["sources"]]} for s in states if s["exists"]
    ]
    outcome.documents_unchanged = len(docs) - len(new)
    outcome.documents_new = len(new)
    outcome.created = [d.id for d in new]
    if new:
        rows = [{**d.row(), "sources": keys[d.id]} for d in new]
        outcome.chunks_new_links = tx.run("ingest/create_documents", {"docs": rows})[0]["links"]
    if additions := [a for a in additions if a["sources"]]:
        tx.run("ingest/add_sources", {"rows": additions})
    outcome.pending_chunks = tx.run("ingest/count_pending", {"doc_ids": list(unique),
                                                             "statuses": settings.open_statuses})[0]["pending"]
    return outcome


def remove_documents(tx: Transaction, doc_ids: Sequence[str], settings: WriterSettings, outcome: DocumentsOutcome) -> None:
    """Delete documents, the chunks only they hold, and the provenance hanging on those chunks."""
    chunk_ids = [row["id"] for row in tx.run("ingest/orphaned_chunks", {"old_ids": list(doc_ids)})]
    entity_ids = [row["id"] for row in tx.run("ingest/entities_mentioned_by", {"chunk_ids": chunk_ids})] if chunk_ids else []
    relations = tx.run("ingest/relations_from_chunks", {"entity_ids": entity_ids,
                                                        "chunk_ids": chunk_ids}) if entity_ids else []
    if chunk_ids:
        outcome.chunks_removed = tx.run("ingest/delete_chunks", {"ids": chunk_ids})[0]["deleted"]
    tx.run("ingest/delete_documents", {"ids": list(doc_ids)})
    budget, encoding = settings.max_description_tokens, settings.tokenizer
    gone = set(chunk_ids)
    doomed, updates = [], []
    for relation in relations:
        evidence = {c: e for c, e in evidence_of(relation).items() if c not in gone}
        if not evidence:
            doomed.append(relation["id"])
        else:
            props = relation_props(evidence, relation["descriptions"], budget=budget, encoding=encoding)
            updates.append({"id": relation["id"], "props": respect_locks(props, relation.get("locked"))})
    if doomed:
        outcome.relations_removed = tx.run("ingest/delete_relations", {"ids": doomed})[0]["deleted"]
    if updates:
        outcome.relations_updated = tx.run("ingest/update_relations", {"rows": updates})[0]["updated"]
    if not entity_ids:
        return
    orphans, entity_updates = [], []
    for row in tx.run("ingest/entity_mentions", {"ids": entity_ids}):
        mentions = row["mentions"]
        if not mentions:
            orphans.append(row["id"])
            continue
        votes: Counter[str] = Counter(dict.fromkeys(parse_votes(row["type_votes"]), 0))  # keeps the tie order
        votes.update(m["type"] or UNKNOWN for m in mentions)
        props = entity_props(
            votes, [m["description"] or "" for m in mentions], row["aliases"], len(mentions),
            row["descriptions"], budget=budget, encoding=encoding,
        )
        entity_updates.append({"id": row["id"], "props": respect_locks(props, row.get("locked"))})
    if orphans:
        outcome.entities_removed = tx.run("ingest/delete_entities", {"ids": orphans})[0]["deleted"]
    if entity_updates:
        outcome.entities_updated = tx.run("ingest/update_entities", {"rows": entity_updates})[0]["updated"]


# ----------------------------------------------------------------------------- the writer

WrittenCallback = Callable[[Sequence[ChunkExtraction], BatchOutcome], None]


@dataclass
class _Ordered:
    seq: int
    result: ChunkExtraction


@dataclass
class _Job:
    work: Callable[[], Any]
    future: asyncio.Future[Any]


_STOP = object()
_WRITTEN = object()  # the write in flight ended (see GraphWriter._next_item)


class GraphWriter:
    """The single writer of an ingest (see the module docstring).

    Usage::

        async with GraphWriter(graph, settings, on_written=…) as writer:
            outcome = await writer.documents(prepared_docs)
            seq = await writer.reserve()          # waits while too many results are unwritten
            ...                                   # extract
            writer.submit(seq, chunk_extraction)
        # leaving the block writes what is left (only the unbroken prefix after an error)
    """

    def __init__(self, graph: Graph, settings: WriterSettings | None = None, *, max_unwritten: int = 64,
                 on_written: WrittenCallback | None = None):
        self.graph = graph
        self.settings = settings or WriterSettings()
        self.on_written = on_written
        self.totals = BatchOutcome()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._window = asyncio.Semaphore(max_unwritten)
        self._held: dict[int, ChunkExtraction] = {}
        self._next_seq = 0  # next sequence number to write
        self._issued = 0  # next sequence number to hand out
        self._write_all = True
        self._task: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None  # the write of the batch planned last
        self._overlay: Overlay | None = None  # what that write changes, until it committed
        self._collection = bulk_collection()
        self._full_passes = FullPasses()

    async def __aenter__(self) -> GraphWriter:
        self._collection.__enter__()  # fewer garbage-collector passes while it writes: see gc_policy
        self._task = asyncio.create_task(self._consume(), name="graph-writer")
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        await self.close(write_all=exc_type is None)

    async def close(self, *, write_all: bool = True) -> None:
        """Stop after writing what is queued. ``write_all=False`` (after an error or a
        cancellation) writes only results that follow on from what was written, so a
        re-run continues in input order. Raises the writer's own error, if it had one."""
        if self._task is None:
            return
        self._write_all = write_all
        if not self._task.done():
            self._queue.put_nowait(_STOP)
        try:
            # Shielded: a cancelled ingest still lets the transaction in flight finish cleanly.
            await asyncio.shield(self._task)
        finally:
            self._collection.__exit__(None, None, None)

    # -- producers ---------------------------------------------------------------------

    async def reserve(self) -> int:
        """A sequence number for the next chunk, once fewer than ``max_unwritten`` wait to be written."""
        assert self._task is not None, "use GraphWriter in `async with`"
        acquire = asyncio.ensure_future(self._window.acquire())
        done, _ = await asyncio.wait({acquire, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if acquire not in done:
            acquire.cancel()
            self._task.result()  # raises the writer's error
            raise RuntimeError("the graph writer stopped")
        seq = self._issued
        self._issued += 1
        return seq

    def submit(self, seq: int, result: ChunkExtraction) -> None:
        self._queue.put_nowait(_Ordered(seq, result))

    async def documents(self, docs: Sequence[PreparedDocument]) -> DocumentsOutcome:
        """Write documents and their chunks (replacing older versions); waits until done."""
        return await self._job(lambda: self.graph.write_transaction(lambda tx: write_documents(tx, docs, self.settings)))

    async def call(self, work: Callable[[], Any]) -> Any:
        """Run ``work()`` (graph writes) in turn with the writer's other writes."""
        return await self._job(work)

    async def _job(self, work: Callable[[], Any]) -> Any:
        assert self._task is not None, "use GraphWriter in `async with`"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(work, future))
        done, _ = await asyncio.wait({future, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if future not in done:
            self._task.result()
            raise RuntimeError("the graph writer stopped")
        return future.result()

    # -- the consumer ------------------------------------------------------------------

    async def _consume(self) -> None:
        jobs: list[_Job] = []
        try:
            while True:
                stop = self._accept(await self._next_item(), jobs)
                while not stop and self._ready() < self.settings.batch_size:
                    try:
                        item = self._queue.get_nowait()
                    except asyncio.QueueEmpty:
                        break
                    stop = self._accept(item, jobs)
                await self._write_ready(everything=stop or bool(jobs))
                if jobs:
                    await self._settle()  # a job sees, and may change, everything written before it
                for job in jobs:
                    try:
                        job.future.set_result(await asyncio.to_thread(job.work))
                    except Exception as exc:  # noqa: BLE001 - handed to the waiting caller
                        job.future.set_exception(exc)
                jobs.clear()
                if stop:
                    if self._write_all and self._held:
                        rest = [self._held.pop(s) for s in sorted(self._held)]
                        for start in range(0, len(rest), self.settings.batch_size):
                            await self._write_batch(rest[start : start + self.settings.batch_size])
                    await self._settle()
                    return
        finally:
            for job in jobs:
                if not job.future.done():
                    job.future.cancel()
            if self._writing is not None:  # leaving on an error: let the write in flight end, as it may
                await asyncio.gather(self._writing, return_exceptions=True)

    async def _next_item(self) -> Any:
        """The next item of the queue, or ``_WRITTEN`` when the write in flight ends first
        (raising its error: producers may all be waiting for it to free their window)."""
        if self._writing is None or not self._queue.empty():
            return await self._queue.get()
        get = asyncio.ensure_future(self._queue.get())
        done, _ = await asyncio.wait({get, self._writing}, return_when=asyncio.FIRST_COMPLETED)
        if get in done:
            return get.result()
        get.cancel()
        await self._settle()
        return _WRITTEN

    def _accept(self, item: Any, jobs: list[_Job]) -> bool:
        if item is _STOP:
            return True
        if isinstance(item, _Ordered):
            self._held[item.seq] = item.result
        elif isinstance(item, _Job):
            jobs.append(item)
        return False

    def _ready(self) -> int:
        count, seq = 0, self._next_seq
        while seq in self._held:
            count += 1
            seq += 1
        return count

    async def _write_ready(self, *, everything: bool) -> None:
        """Write the results that follow on from those written, a batch at a time. While a
        write is in flight, a part batch waits for more (it could not start before that
        write ends anyway), unless ``everything`` must go now (a job or the end is next)."""
        size = self.settings.batch_size
        while ready := self._ready():
            if ready < size and self._writing is not None and not everything:
                return
            batch: list[ChunkExtraction] = []
            while len(batch) < size and self._next_seq in self._held:
                batch.append(self._held.pop(self._next_seq))
                self._next_seq += 1
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[ChunkExtraction]) -> None:
        """Two stages, so Python and Neo4j work at the same time: this batch is planned (its
        reads, each in its own transaction, and the Python work) while the previous one is
        written; its write starts when that one committed. If that one fails, this is dropped."""
        try:
            planned = await asyncio.to_thread(plan_extractions, self.graph.read, batch, self.settings, self._overlay)
        except BaseException:
            await self._settle()
            raise
        # The next batch is planned once this one's predecessor committed: the graph then
        # holds everything but this batch, which its overlay supplies.
        await self._settle()
        self._overlay = planned.overlay
        self._writing = asyncio.ensure_future(self._write(batch, planned))

    async def _write(self, batch: list[ChunkExtraction], planned: BatchWrite) -> None:
        outcome = await asyncio.to_thread(self.graph.write_transaction, lambda tx: apply_batch(tx, planned))
        for name in BatchOutcome.model_fields:
            setattr(self.totals, name, getattr(self.totals, name) + getattr(outcome, name))
        for _ in batch:
            self._window.release()
        if self.on_written is not None:
            self.on_written(batch, outcome)
        self._full_passes.due()  # keeps memory flat however long the input: see gc_policy

    async def _settle(self) -> None:
        """Wait for the write in flight (raising its error); the graph then holds everything
        planned, so the overlay has nothing left to add."""
        writing, self._writing = self._writing, None
        self._overlay = None
        if writing is not None:
            await writing


# ----------------------------------------------------------------------------- summaries

class SummaryOutcome(BaseModel):
    entities: int = 0
    relations: int = 0
    failed: int = 0
    errors: list[str] = []
    work: PoolOutcome | None = None  # the work pool's counts, reasons and verdict


def summary_messages(item: str, descriptions: Sequence[str], max_words: int) -> list[dict[str, str]]:
    """The prompt asking for one description of ``item`` from all of ``descriptions``, in their language."""
    language = detect_language("\n".join(descriptions))
    lines = "\n".join(f"- {d}" for d in descriptions)
    return render("summarize", language, item=item, descriptions=lines, max_words=max_words)


async def summarize_pending(
    graph: Graph, writer: GraphWriter, synthesizer: Any, *, max_description_tokens: int,
    page_size: int = 100, on_done: Callable[[int], None] | None = None,
) -> SummaryOutcome:
    """Summarize every entity and relation marked ``summary_pending`` (whole text, its language).

    The synthesizer's limits apply (through the work pool); results are stored through
    the writer, page by page, and only where the descriptions did not change meanwhile.
    A failed item (bad reply, 5xx…) is counted and stays pending for the next run; a
    fatal error (key rejected, endpoint unreachable…) stops with ``StageFailed``.
    """
    outcome = SummaryOutcome()
    max_words = max(30, int(max_description_tokens * 0.6))
    pool: WorkPool[dict[str, Any]] = WorkPool("summarize", client=synthesizer, what="descriptions")
    outcome.work = pool.outcome

    async def one(item: str, row: dict[str, Any]) -> dict[str, Any]:
        reply = await synthesizer.complete(summary_messages(item, row["descriptions"], max_words), stage="merge", task="summarize")
        return {"id": row["id"], "descriptions": row["descriptions"], "description": reply.text.strip()}

    def failed(item: str) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            outcome.failed += 1
            if len(outcome.errors) < 10:
                outcome.errors.append(f"{item}: {exc}")
        return note

    for kind, query, store in (
        ("entities", "ingest/entities_to_summarize", "ingest/store_entity_summaries"),
        ("relations", "ingest/relations_to_summarize", "ingest/store_relation_summaries"),
    ):
        after = ""
        while True:
            rows = await asyncio.to_thread(graph.read, query, {"after": after, "limit": page_size})
            if not rows:
                break
            after = rows[-1]["id"]
            items = [row["name"] if kind == "entities" else f"{row['source']} → {row['target']}" for row in rows]
            stored_rows: list[dict[str, Any]] = []
            async with pool:
                for item, row in zip(items, rows):
                    await pool.submit(one(item, row), on_done=stored_rows.append, on_failed=failed(item))
            if stored_rows:
                stored = (await writer.call(functools.partial(graph.run, store, {"rows": stored_rows})))[0]["stored"]
                setattr(outcome, kind, getattr(outcome, kind) + stored)
            if on_done is not None:
                on_done(len(rows))
    return outcome


async def count_pending_summaries(graph: Graph) -> int:
    rows = await asyncio.to_thread(graph.read, "ingest/count_pending_summaries")
    return int(rows[0]["pending"])


__all__ = [
    "BatchOutcome", "DocumentsOutcome", "Evidence", "GraphWriter", "Mention", "Router", "SummaryOutcome",
    "WriterSettings", "count_pending_summaries", "respect_locks", "entity_props", "evidence_of", "fold_entity", "format_votes",
    "majority_type", "parse_votes", "plan_batch", "relation_props", "remove_documents", "summarize_pending",
    "summary_messages", "write_documents", "write_extractions",
]
