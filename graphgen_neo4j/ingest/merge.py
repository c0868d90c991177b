"""The rules of merging extraction results into the graph (pure: no database here).

``batch.plan_extractions`` applies them to a batch, ``writer.GraphWriter`` writes the
batches in input order, ``documents`` removes what a changed document no longer holds.

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
(``summarize.summarize_pending``).

**Changed documents.** A document (keyed by its text hash) remembers every source that
holds it (``sources``: ``file`` or ``file#record``). When no source holds it any more
(its file changed, see ``documents.reconcile_sources``) it is removed
(``documents.remove_documents``): its chunks that no other document holds are deleted
with their mentions, relations lose those chunks' evidence (and go when none is left),
entities are recomputed from the mentions that remain (and go when none is left).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphgen_neo4j.ids import entity_id, normalize_key
from graphgen_neo4j.ingest.extract import UNKNOWN, ChunkExtraction
from graphgen_neo4j.tokens import count_tokens

KEYWORD_SEPARATOR = "|"

# A batch normalizes each name several times (lookup, routing, endpoints): once is enough.
# (Small: it only has to span one batch, and memory must not grow with the input.)
cached_key = lru_cache(maxsize=8192)(normalize_key)




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
        key = cached_key(name)
        alias_keys = [cached_key(a) for a in aliases]
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
        return cached_key(name) in self.known


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
