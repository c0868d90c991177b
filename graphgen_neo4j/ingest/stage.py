"""Steps 1–3 of the pipeline: read documents, chunk them, extract entities and relations,
merge them into Neo4j.

    report = await ingest(["examples/"], graph=graph, synthesizer=client, config=IngestConfig())

Two passes over the inputs, both streaming (memory does not grow with the input):

1. **Plan.** Read every document, chunk it, give it and its chunks their content-hash ids
   and write the new ones (chunks ``pending``); a document remembers every source (file,
   record) holding it. Then the documents that no source in the files read holds any more
   (a changed text, a deleted record) are removed (``documents``). Documents already in
   the graph cost nothing.
2. **Extract.** Read the inputs again; for each batch of documents ask the graph which of
   their chunks still wait (``pending``, and ``failed`` unless ``retry_failed`` is off),
   extract those with the synthesizer (bounded concurrency) and hand the results to the
   single writer (``writer.GraphWriter``), which stores them in input order.

Then entities and relations whose combined description went over
``max_description_tokens`` are summarized. A re-run on unchanged input therefore makes no
LLM call and writes nothing; an interrupted run resumes with the chunks still pending.
Readers: ``readers``; chunking: ``chunking``; extraction: ``extract``; merge: ``merge``.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from graphgen_neo4j.choices import DataType, config_error
from graphgen_neo4j.config import Chunking, MaxGleaning, PipelineConfig
from graphgen_neo4j.db.graph import Graph, batched
from graphgen_neo4j.errors import Neo4jUnavailable
from graphgen_neo4j.ingest.batch import BatchOutcome, WriterSettings
from graphgen_neo4j.ingest.documents import DocumentsOutcome, reconcile_sources
from graphgen_neo4j.ingest.extract import DEFAULT_ENTITY_TYPES, ChunkExtraction, extract_chunk, failed_chunk
from graphgen_neo4j.ingest.readers import (
    SILENT,
    InputIssue,
    IssueLog,
    display_path,
    document_id,
    expand_paths,
    prepare,
    read_documents,
)
from graphgen_neo4j.ingest.summarize import count_pending_summaries, summarize_pending
from graphgen_neo4j.ingest.writer import GraphWriter
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import OnError, PoolOutcome, WorkPool
from graphgen_neo4j.progress import NullProgress, Progress

READ_TASK = "read documents"
EXTRACT_TASK = "extract chunks"
SUMMARIZE_TASK = "summarize descriptions"
LLM_STAGES = ("extract", "merge")
REQUIRED_CONSTRAINTS = ("document_id", "chunk_id", "entity_id", "alias_key", "related_id")
# Chunks in flight by default, at least: a pool of endpoints gets its window (a fixed 64
# left a pool of 4 × 16 slots half idle while results waited to be written in order).
MIN_IN_FLIGHT = 64


class IngestConfig(Chunking):
    """How documents become graph. Names follow upstream GraphGen where it has them
    (``data_type``, ``tokenizer``, ``chunk_size``, ``chunk_overlap``); the chunk sizes are
    the pipeline file's ``chunking`` section (``config.Chunking``)."""

    data_type: DataType = Field("auto", description="raw (JSONL), chunked (JSON list of lists), text, or auto by file")
    tokenizer: str = Field("cl100k_base", description="tiktoken encoding for chunking and budgets")
    strict: bool = Field(False, description="stop at the first bad input record instead of skipping it")
    text_column: str | None = Field(None, description="CSV / Parquet / datasets: the text column (default content, else text)")
    max_gleaning: MaxGleaning = Field(1, description="extra 'what did you miss' passes per chunk")
    entity_types: list[str] = Field(default_factory=lambda: list(DEFAULT_ENTITY_TYPES))
    max_description_tokens: int = Field(300, ge=32, description="summarize combined descriptions longer than this")
    summarize: bool = Field(True, description="summarize over-long descriptions after extraction")
    retry_failed: bool = Field(True, description="extract chunks that failed in an earlier run again")
    max_in_flight: int | None = Field(None, ge=1, description="chunks being extracted or waiting to be written "
                                      "(default: the work pool's window — twice the synthesizer's max_concurrency, "
                                      f"summed over its endpoints — and at least {MIN_IN_FLIGHT})")
    write_batch_size: int = Field(64, ge=1, description="chunks per write transaction")
    document_batch_size: int = Field(200, ge=1, description="documents planned per transaction")
    max_consecutive_failures: int = Field(20, ge=1, description="stop when this many chunks fail in a row")

    def writer_settings(self) -> WriterSettings:
        return WriterSettings(
            max_description_tokens=self.max_description_tokens, tokenizer=self.tokenizer,
            batch_size=self.write_batch_size, retry_failed=self.retry_failed,
        )


class ChunkFailure(BaseModel):
    chunk_id: str
    error: str


class IngestReport(BaseModel):
    """What an ingest did. Counts are for this run; ``*_total`` describe the graph after it."""

    files: int = 0
    documents: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_unchanged: int = 0
    documents_removed: int = 0
    chunks: int = 0
    chunks_to_extract: int = 0
    chunks_extracted: int = 0
    chunks_failed: int = 0
    chunks_removed: int = 0
    entities_created: int = 0
    entities_removed: int = 0
    relations_created: int = 0
    relations_removed: int = 0
    aliases_created: int = 0
    mentions: int = 0
    relation_evidence: int = 0
    duplicates_proposed: int = 0
    gleaned_items: int = 0
    dropped_items: int = 0
    glean_errors: int = 0
    summaries: int = 0
    summary_failures: int = 0
    bad_records: int = 0
    issues: list[InputIssue] = []
    failures: list[ChunkFailure] = []
    documents_total: int = 0
    chunks_total: int = 0
    chunks_pending_total: int = 0
    chunks_failed_total: int = 0
    entities_total: int = 0
    relations_total: int = 0
    aliases_total: int = 0
    work: PoolOutcome | None = None  # the extraction's (and summaries') outcome: counts, reasons, verdict
    llm_calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


def check_schema(graph: Graph) -> None:
    """The constraints the merge relies on (MERGE without them is slow and can duplicate)."""
    names = set(graph.read("ingest/constraints")[0]["names"])
    missing = [n for n in REQUIRED_CONSTRAINTS if n not in names]
    if missing:
        raise Neo4jUnavailable(
            f"the graph schema is not applied (missing constraints: {', '.join(missing)}): run `graphgen-neo4j init` first"
        )


def _llm_counts(client: Any) -> dict[str, int]:
    counts = dict.fromkeys(("calls", "cached", "prompt_tokens", "completion_tokens"), 0)
    ledger = getattr(client, "ledger", None)
    for row in ledger.rows() if ledger is not None else ():
        if row.stage in LLM_STAGES:
            for name in counts:
                counts[name] += getattr(row, name)
    return counts


def _add(report: IngestReport, outcome: BaseModel, names: Iterable[str]) -> None:
    for name in names:
        setattr(report, name, getattr(report, name) + getattr(outcome, name))


async def ingest(
    paths: Sequence[str | Path],
    *,
    graph: Graph,
    synthesizer: LLMClient,
    config: IngestConfig | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders into the graph (see the module docstring).

    Raises ``InputError`` for a path that does
    not exist (or, with ``strict``, the first bad record), ``Neo4jUnavailable`` when the
    schema is missing, ``StageFailed`` when a fatal error (key rejected, endpoint
    unreachable…) or ``max_consecutive_failures`` failed chunks in a row stop the
    extraction; everything finished before is kept either way. ``report.work`` holds
    the verdict (every chunk failed: ``raise_if_failed``).
    """
    config = config or IngestConfig()
    progress = progress or NullProgress()
    started = time.monotonic()
    files = expand_paths(paths)
    await asyncio.to_thread(check_schema, graph)
    issues = IssueLog(strict=config.strict)
    report = IngestReport(files=len(files))
    before = _llm_counts(synthesizer)

    def written(batch: Sequence[ChunkExtraction], outcome: BatchOutcome) -> None:
        for result in batch:
            report.gleaned_items += result.gleaned
            report.dropped_items += result.dropped
            report.glean_errors += result.glean_error is not None
            if result.failed and len(report.failures) < 50:
                report.failures.append(ChunkFailure(chunk_id=result.chunk_id, error=result.error or ""))
        now = _llm_counts(synthesizer)
        progress.advance(
            EXTRACT_TASK, len(batch),
            entities=writer.totals.entities_created, relations=writer.totals.relations_created,
            calls=now["calls"] - before["calls"],
            tokens=now["prompt_tokens"] + now["completion_tokens"] - before["prompt_tokens"] - before["completion_tokens"],
        )

    pool: WorkPool[ChunkExtraction] = WorkPool(
        "extract", client=synthesizer, what="chunks", policy=OnError(max_consecutive=config.max_consecutive_failures),
    )
    in_flight = config.max_in_flight or max(MIN_IN_FLIGHT, pool.window)
    writer = GraphWriter(graph, config.writer_settings(), max_unwritten=in_flight, on_written=written)
    try:
        async with writer:
            await _plan(files, writer, config, issues, report, progress)
            report.work = await _extract_all(files, graph, writer, pool, synthesizer, config, report, progress)
    finally:
        _add(report, writer.totals, ("chunks_extracted", "chunks_failed", "entities_created", "relations_created",
                                     "aliases_created", "mentions", "relation_evidence", "duplicates_proposed"))
    if config.summarize:
        pending = await count_pending_summaries(graph)
        if pending:
            progress.start(SUMMARIZE_TASK, total=pending)
            async with GraphWriter(graph, config.writer_settings()) as summary_writer:
                outcome = await summarize_pending(
                    graph, summary_writer, synthesizer, max_description_tokens=config.max_description_tokens,
                    on_done=lambda n: progress.advance(SUMMARIZE_TASK, n),
                )
            progress.finish(SUMMARIZE_TASK)
            report.summaries = outcome.entities + outcome.relations
            report.summary_failures = outcome.failed
            if report.work is not None and outcome.work is not None:
                report.work = report.work.combined(outcome.work)

    totals = (await asyncio.to_thread(graph.read, "ingest/counts"))[0]
    report.documents_total, report.chunks_total = totals["documents"], totals["chunks"]
    report.chunks_pending_total, report.chunks_failed_total = totals["chunks_pending"], totals["chunks_failed"]
    report.entities_total, report.relations_total = totals["entities"], totals["relations"]
    report.aliases_total = totals["aliases"]
    after = _llm_counts(synthesizer)
    report.llm_calls = after["calls"] - before["calls"]
    report.cached_calls = after["cached"] - before["cached"]
    report.prompt_tokens = after["prompt_tokens"] - before["prompt_tokens"]
    report.completion_tokens = after["completion_tokens"] - before["completion_tokens"]
    report.bad_records, report.issues = issues.count, issues.issues
    report.seconds = round(time.monotonic() - started, 3)
    return report


async def _plan(
    files: list[Path], writer: GraphWriter, config: IngestConfig, issues: IssueLog, report: IngestReport, progress: Progress
) -> None:
    """Pass 1: write new documents and chunks, note every source that holds each one, then
    drop the sources the files read no longer hold (and the documents none holds)."""
    progress.start(READ_TASK, total=None)
    seen: dict[str, str] = {}  # source key → document id, for every record read
    created_by_file: Counter[str] = Counter()
    for batch in batched(read_documents(files, config.data_type, issues, config.text_column), config.document_batch_size):
        prepared = [
            prepare(doc, chunk_size=config.chunk_size, chunk_overlap=config.chunk_overlap, encoding=config.tokenizer)
            for doc in batch
        ]
        outcome: DocumentsOutcome = await writer.documents(prepared)
        seen.update((doc.source_key, doc.id) for doc in prepared)
        first_file = {doc.id: doc.source for doc in reversed(prepared)}
        created_by_file.update(first_file[doc_id] for doc_id in outcome.created)
        report.documents += len(prepared)
        report.chunks += sum(len(doc.chunks) for doc in prepared)
        report.chunks_to_extract += outcome.pending_chunks
        _add(report, outcome, ("documents_new", "documents_unchanged"))
        progress.advance(READ_TASK, len(prepared), new=report.documents_new,
                         unchanged=report.documents_unchanged, bad=issues.count)
    complete = [shown for shown in map(display_path, files) if shown not in issues.files]
    settings = config.writer_settings()
    outcome = await writer.call(lambda: writer.graph.write_transaction(
        lambda tx: reconcile_sources(tx, complete, seen, created_by_file, settings)))
    report.documents_new -= outcome.documents_changed
    _add(report, outcome, ("documents_changed", "documents_removed", "chunks_removed", "entities_removed",
                           "relations_removed"))
    progress.finish(READ_TASK)


async def _extract_all(
    files: list[Path], graph: Graph, writer: GraphWriter, pool: WorkPool[ChunkExtraction], synthesizer: Any,
    config: IngestConfig, report: IngestReport, progress: Progress,
) -> PoolOutcome:
    """Pass 2: extract the chunks that wait, in input order, through the work pool.

    A failed chunk (bad reply, 5xx…) is written as failed and retried next run; a fatal
    error (key rejected, endpoint unreachable…) or ``max_consecutive_failures`` failed
    chunks in a row stop the stage with ``StageFailed``; extracted chunks are kept.
    """
    progress.start(EXTRACT_TASK, total=report.chunks_to_extract, entities=0, relations=0, calls=0, tokens=0)
    statuses = config.writer_settings().open_statuses
    async with pool:
        for batch in batched(read_documents(files, config.data_type, SILENT, config.text_column), config.document_batch_size):
            doc_ids = list(dict.fromkeys(document_id(doc) for doc in batch))
            rows = await pool.guard(asyncio.to_thread(graph.read, "ingest/pending_chunks", {"doc_ids": doc_ids,
                                                                                            "statuses": statuses}))
            for chunk in {row["id"]: row for row in rows}.values():
                seq = await pool.guard(writer.reserve())  # waits for earlier results: a stop must not hang it
                await pool.submit(
                    extract_chunk(synthesizer, chunk["id"], chunk["text"], chunk["language"],
                                  max_gleaning=config.max_gleaning, entity_types=config.entity_types),
                    on_done=functools.partial(writer.submit, seq),
                    on_failed=functools.partial(_submit_failed, writer, seq, chunk["id"]),
                )
    progress.finish(EXTRACT_TASK)
    return pool.outcome


def _submit_failed(writer: GraphWriter, seq: int, chunk_id: str, _reason: str, exc: BaseException) -> None:
    """Hand the writer a failed chunk's result in its turn (the pool's ``on_failed``)."""
    writer.submit(seq, failed_chunk(chunk_id, exc))


def config_from_pipeline(pipeline: PipelineConfig, **overrides: Any) -> IngestConfig:
    """The ingest view of a pipeline config file; keyword overrides (None ignored) win, e.g. flags.

    A ``chunk_size`` given without a ``chunk_overlap`` that the file's overlap does not fit
    takes the default overlap of that size (a tenth of it)."""
    values: dict[str, Any] = {
        "data_type": pipeline.data_type or "auto",
        "text_column": pipeline.text_column,
        "tokenizer": pipeline.tokenizer,
        "chunk_size": pipeline.chunking.chunk_size,
        "chunk_overlap": pipeline.chunking.chunk_overlap,
    }
    given = {k: v for k, v in overrides.items() if v is not None}
    if "chunk_size" in given and "chunk_overlap" not in given and values["chunk_overlap"] >= given["chunk_size"]:
        values["chunk_overlap"] = None  # the file's overlap does not fit the smaller size: the size's default
    values.update(given)
    try:
        return IngestConfig.model_validate(values)
    except ValidationError as exc:
        raise config_error(exc, "ingest config", IngestConfig) from None
