"""Which sources hold which documents, and removing the documents none holds any more.

A Document is keyed by the hash of its text and remembers every source that holds it
(``sources``): a ``.txt``/``.md`` file is the source ``path``; a JSONL record or a chunked
JSON document is ``path#<content hash>``, so moving or inserting records changes no key.
The same text on two lines, or in two files, is one document with two sources.

After every input has been read (``ingest`` pass 1), ``reconcile_sources`` looks at the
documents held by a source in the files just read: a source the file no longer yields is
dropped; a document left without any source is removed with what only it provided
(``merge.remove_documents``). Files that had bad records keep their old sources — a record
that cannot be read is not a record that was deleted — and files not given are not looked at.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphgen_neo4j.db.graph import Transaction
from graphgen_neo4j.ingest.merge import DocumentsOutcome, WriterSettings, remove_documents

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
