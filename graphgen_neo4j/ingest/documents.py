"""Which sources hold which documents, and removing the documents none holds any more.

A Document is keyed by the hash of its text and remembers every source that holds it
(``sources``): a ``.txt``/``.md`` file is the source ``path``; a JSONL record or a chunked
JSON document is ``path#<content hash>``, so moving or inserting records changes no key.
The same text on two lines, or in two files, is one document with two sources.

After every input has been read (``ingest`` pass 1), ``reconcile_sources`` looks at the
documents held by a source in the files just read: a source the file no longer yields is
dropped; a document left without any source is removed with what only it provided
(``remove_documents``). Files that had bad records keep their old sources — a record
that cannot be read is not a record that was deleted — and files not given are not looked at.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.db.graph import Transaction
from graphgen_neo4j.ingest.batch import WriterSettings
from graphgen_neo4j.ingest.extract import UNKNOWN
from graphgen_neo4j.ingest.merge import entity_props, evidence_of, parse_votes, relation_props, respect_locks
from graphgen_neo4j.ingest.readers import PreparedDocument

_RECORD_KEY = re.compile(r"#(?:[0-9a-f]{16}|\d+)$")  # a content key, or an older line number


def source_file(source_key: str) -> str:
    """The file part of a source key: ``path#<record key>`` → ``path``; ``path`` → ``path``."""
    return _RECORD_KEY.sub("", source_key)


def file_of(source_key: str, files: frozenset[str] | set[str]) -> str | None:
    """The file (of ``files``) a source key belongs to, or None."""
    if source_key in files:
        return source_key
    head, hash_mark, _ = source_key.rpartition("#")
    return head if hash_mark and head in files else None


@dataclass
class SourcePlan:
    """What reconciling does: new source lists, documents to remove, replacements per file."""

    updates: list[dict[str, Any]] = field(default_factory=list)  # [{id, sources, source}]
    removed: list[str] = field(default_factory=list)
    removed_by_file: Counter[str] = field(default_factory=Counter)


def plan_sources(rows: Iterable[Mapping[str, Any]], files: Iterable[str], seen: Mapping[str, str]) -> SourcePlan:
    """Pure: for documents ``rows`` ({id, sources}), keep the sources that are outside
    ``files`` or that this read found holding that very document (``seen``: key → id)."""
    read = frozenset(files)
    plan = SourcePlan()
    for row in rows:
        sources: list[str] = list(row["sources"])
        kept = [s for s in sources if file_of(s, read) is None or seen.get(s) == row["id"]]
        if kept == sources:
            continue
        if kept:
            plan.updates.append({"id": row["id"], "sources": kept, "source": source_file(kept[0])})
        else:
            plan.removed.append(row["id"])
            dropped = [s for s in sources if file_of(s, read) is not None]
            plan.removed_by_file[file_of(dropped[0], read) or ""] += 1
    return plan


def count_replacements(created_by_file: Mapping[str, int], removed_by_file: Mapping[str, int]) -> int:
    """Pure: a file that gained new documents and lost old ones had them edited — one
    replacement per pair (exact for a .txt file, the best reading for a JSONL file)."""
    return sum(min(created_by_file.get(f, 0), removed) for f, removed in removed_by_file.items())


def reconcile_sources(
    tx: Transaction, files: Sequence[str], seen: Mapping[str, str], created_by_file: Mapping[str, int],
    settings: WriterSettings,
) -> DocumentsOutcome:
    """One transaction: drop the sources the files read no longer hold, remove the
    documents left without any (see the module docstring)."""
    outcome = DocumentsOutcome()
    if not files:
        return outcome
    plan = plan_sources(tx.run("ingest/documents_of_files", {"files": list(files)}), files, seen)
    if plan.updates:
        tx.run("ingest/set_sources", {"rows": plan.updates})
    if plan.removed:
        remove_documents(tx, plan.removed, settings, outcome)
    outcome.documents_changed = count_replacements(created_by_file, plan.removed_by_file)
    outcome.documents_removed = len(plan.removed) - outcome.documents_changed
    return outcome


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
    _drop_evidence(tx, relations, set(chunk_ids), settings, outcome)
    if entity_ids:
        _recompute_entities(tx, entity_ids, settings, outcome)


def _drop_evidence(tx: Transaction, relations: Sequence[Mapping[str, Any]], gone: set[str], settings: WriterSettings,
                   outcome: DocumentsOutcome) -> None:
    """Relations lose the evidence of the ``gone`` chunks; those left without any are deleted."""
    doomed, updates = [], []
    for relation in relations:
        evidence = {c: e for c, e in evidence_of(relation).items() if c not in gone}
        if not evidence:
            doomed.append(relation["id"])
            continue
        props = relation_props(evidence, relation["descriptions"], budget=settings.max_description_tokens,
                               encoding=settings.tokenizer)
        updates.append({"id": relation["id"], "props": respect_locks(props, relation.get("locked"))})
    if doomed:
        outcome.relations_removed = tx.run("ingest/delete_relations", {"ids": doomed})[0]["deleted"]
    if updates:
        outcome.relations_updated = tx.run("ingest/update_relations", {"rows": updates})[0]["updated"]


def _recompute_entities(tx: Transaction, entity_ids: Sequence[str], settings: WriterSettings,
                        outcome: DocumentsOutcome) -> None:
    """Entities are recomputed from the mentions that remain; those left without any are deleted."""
    orphans, updates = [], []
    for row in tx.run("ingest/entity_mentions", {"ids": entity_ids}):
        mentions = row["mentions"]
        if not mentions:
            orphans.append(row["id"])
            continue
        votes: Counter[str] = Counter(dict.fromkeys(parse_votes(row["type_votes"]), 0))  # keeps the tie order
        votes.update(m["type"] or UNKNOWN for m in mentions)
        props = entity_props(
            votes, [m["description"] or "" for m in mentions], row["aliases"], len(mentions),
            row["descriptions"], budget=settings.max_description_tokens, encoding=settings.tokenizer,
        )
        updates.append({"id": row["id"], "props": respect_locks(props, row.get("locked"))})
    if orphans:
        outcome.entities_removed = tx.run("ingest/delete_entities", {"ids": orphans})[0]["deleted"]
    if updates:
        outcome.entities_updated = tx.run("ingest/update_entities", {"rows": updates})[0]["updated"]
