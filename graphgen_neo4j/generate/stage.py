"""Generate: question–answer pairs from the batches ``partition`` cut.

    report = await generate(graph=graph, synthesizer=client, config=GenerateConfig(modes=["aggregated"]),
                            run_id="generate-20260101-120000")

The modes (upstream's ``qa_form``; ``open`` is the old name of ``aggregated``):

* ``atomic`` — one QA per relation of a batch (per entity for a batch cut around an
  isolated entity), about that one fact;
* ``aggregated`` — one QA per batch: the batch's entities and relations rewritten into
  one coherent text, which is the answer, then a question that text answers (two calls);
* ``multi_hop`` — one QA per batch of at least two relations: a question that needs a
  chain of relations, with its answer;
* ``cot``, ``multi_choice``, ``multi_answer``, ``fill_in_blank``, ``true_false`` — the
  question styles of ``generate/styles.py`` (true_false reuses the quiz statements: no call).

Material is read from Neo4j as it is now: excluded entities and relations never reach
a prompt. Which units of work are used is decided by ``plan_units`` (count control:
``max_qa``, ``min_loss``, ``mix``; the exact rule is in its docstring and docs/generate.md).
Every QA is stored as it is produced (``:QA``, ``ABOUT`` its entities, ``YIELDED`` by
its batch under the unit's name, ``PRODUCED`` by the run); a unit that already has a QA
that is not stale is skipped, which is how an interrupted run resumes. A reply that
yields no QA is counted with its reason, never dropped silently.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from graphgen_neo4j.db.graph import Graph, batched
from graphgen_neo4j.errors import LLMError, StageError
from graphgen_neo4j.generate.config import (
    NO_MATERIAL,
    NO_MATERIAL_REASON,
    STAGE,
    GenerateConfig,
    GenerateReport,
    ModeReport,
)
from graphgen_neo4j.generate.material import BatchMaterial, MaterialEntity
from graphgen_neo4j.generate.plan import BatchOffer, Unit, candidate_units, plan_units
from graphgen_neo4j.generate.styles import MAX_DISTRACTORS
from graphgen_neo4j.generate.units import UnitResult, UnitWriter, merge_identical
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import BAD_REPLY, ITEM_REASONS, ItemFailed, OnError, WorkPool, failure_reason
from graphgen_neo4j.progress import NullProgress, Progress

_ID_CHUNK = 2000  # ids per query when looking units up




def latest_partition_run(graph: Graph) -> str:
    """Id of the partition run ``generate`` uses by default; StageError when there are no batches."""
    rows = graph.read("generate/latest_partition")
    if not rows or rows[0]["run_id"] is None:
        raise StageError(STAGE, "the graph has no batches: run `graphgen-neo4j partition` first")
    return rows[0]["run_id"]


async def generate(
    *,
    graph: Graph,
    synthesizer: LLMClient,
    config: GenerateConfig,
    run_id: str,
    progress: Progress = NullProgress(),
) -> GenerateReport:
    """Write the QA the plan selects, storing them as they come; returns what happened."""
    partition_run_id = config.partition_run_id or await asyncio.to_thread(latest_partition_run, graph)
    rows = await asyncio.to_thread(graph.read, "generate/candidates", {"partition_run_id": partition_run_id})
    offers = [BatchOffer.from_row(r) for r in rows]
    if not offers:
        raise StageError(STAGE, f"partition run {partition_run_id!r} has no batches: check the id or run `graphgen-neo4j partition`")
    plan = plan_units(candidate_units(offers, config.modes), config)
    report = GenerateReport(
        run_id=run_id,
        partition_run_id=partition_run_id,
        modes={m: ModeReport(candidates=plan.candidates[m], below_min_loss=plan.below_min_loss[m],
                             unjudged=plan.unjudged[m], quota=plan.quotas[m]) for m in config.modes},
        batches=len(offers),
        losses_available=plan.losses_available,
        notes=list(plan.notes),
    )
    units: list[Unit] = plan.units
    for unit in units:
        report.modes[unit.mode].selected += 1
    await asyncio.to_thread(graph.run, "generate/start_run", {"run_id": run_id, "partition_run_id": partition_run_id,
                                                              "config": config.model_dump_json()})
    status = "failed"
    try:
        await _execute(graph, synthesizer, config, run_id, units, report, progress)
        status = "completed"
    except (KeyboardInterrupt, asyncio.CancelledError):
        status = "interrupted"
        raise
    finally:
        counts = {"qa": report.qa, "new_qa": report.new_qa, "no_qa": report.no_qa}
        await asyncio.to_thread(graph.run, "generate/finish_run", {"run_id": run_id, "status": status, "counts": counts})
    used = {u.batch_id for u in units}
    report.batches_used = len(used)
    report.batches_skipped = len(offers) - len(used)
    return report


async def _execute(
    graph: Graph, client: LLMClient, config: GenerateConfig, run_id: str,
    units: list[Unit], report: GenerateReport, progress: Progress,
) -> None:
    by_batch: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_batch[unit.batch_id].append(unit)
    done = await _reuse_done(graph, run_id, units, report)
    pending = {b: [u for u in us if (b, u.key) not in done] for b, us in by_batch.items()}
    finished_batches = [b for b, us in pending.items() if not us]
    if finished_batches:
        rows = [{"batch_id": b, "status": "generated", "errors": [], "qa_count": len(by_batch[b])} for b in finished_batches]
        await asyncio.to_thread(graph.run, "generate/batch_status", {"run_id": run_id, "rows": rows})
    todo = [b for b, us in pending.items() if us]
    progress.start("generate QA", total=sum(len(pending[b]) for b in todo))
    run = _UnitRun(graph, client, config, run_id, report, progress, by_batch, pending, qa_ids=set(done.values()))
    try:
        await run.all(todo)
    finally:
        progress.finish("generate QA")
        report.qa = len(run.qa_ids)


async def _reuse_done(graph: Graph, run_id: str, units: list[Unit], report: GenerateReport) -> dict[tuple[str, str], str]:
    """Units with a QA already (not stale) are done: link those QA to this run; returns (batch, unit) → QA id."""
    done: dict[tuple[str, str], str] = {}
    for ids in batched(list(dict.fromkeys(u.batch_id for u in units)), _ID_CHUNK):
        for row in await asyncio.to_thread(graph.read, "generate/done_units", {"batch_ids": ids}):
            done[(row["batch_id"], row["unit"])] = row["qa_id"]
    reused_ids: set[str] = set()
    for unit in units:
        qa = done.get((unit.batch_id, unit.key))
        if qa is not None:
            report.modes[unit.mode].reused += 1
            reused_ids.add(qa)
    for ids in batched(sorted(reused_ids), _ID_CHUNK):
        await asyncio.to_thread(graph.run, "generate/link_reused", {"run_id": run_id, "qa_ids": ids})
    return {key: qa for key, qa in done.items() if qa in reused_ids}


class _UnitRun:
    """The pending units of a run through the work pool; their QA and the batches' status are
    stored every ``write_every`` units and on the way out, so an interrupted run loses nothing.

    Stores run in the background, one at a time (a batch's status after its QA, each store
    after the one before), so submitting units never waits for Neo4j: what finishes while a
    store is in flight goes into the next one."""

    def __init__(self, graph: Graph, client: LLMClient, config: GenerateConfig, run_id: str, report: GenerateReport,
                 progress: Progress, by_batch: dict[str, list[Unit]], pending: dict[str, list[Unit]],
                 qa_ids: set[str]) -> None:
        self.graph, self.config, self.run_id, self.report = graph, config, run_id, report
        self.by_batch, self.pending, self.qa_ids = by_batch, pending, qa_ids
        self.outcomes: dict[str, list[UnitResult]] = defaultdict(list)  # per batch, until the batch is complete
        self.unstored: list[UnitResult] = []  # finished units whose QA are not stored yet
        self.complete: list[str] = []  # batches whose units all ran, status not written yet
        self.writer = UnitWriter(client, config)
        self.written = 0  # QA written so far (for the progress line)
        self.storing: asyncio.Future[None] | None = None  # the store in flight, if any
        self.pool: WorkPool[UnitResult] = WorkPool(
            STAGE, client=client, what="QA units", progress=progress, task="generate QA",
            policy=OnError(fail_item=ITEM_REASONS | {NO_MATERIAL}), fields=lambda: {"qa": self.written, "no_qa": report.no_qa},
        )
        report.work = self.pool.outcome

    async def all(self, todo: list[str]) -> None:
        lookahead = max(self.config.write_every, 4 * self.config.max_concurrency, self.pool.window)
        try:
            async with self.pool:
                for wave in _waves(todo, self.pending, lookahead):
                    rows = await asyncio.to_thread(self.graph.read, "generate/material", {"batch_ids": wave})
                    materials = {r["batch_id"]: BatchMaterial.from_row(r) for r in rows}
                    await self.add_distractors(wave, materials)
                    for b in wave:
                        for unit in self.pending[b]:
                            await self.pool.submit(self.run_unit(unit, materials.get(b)))
                            await self.flush()
        finally:
            # Whatever happened, store every unit that finished: an interrupted run loses nothing.
            await self.flush(force=True)

    async def add_distractors(self, wave: list[str], materials: dict[str, BatchMaterial]) -> None:
        """Multiple-choice units get their distractors: same-type entities near each end of their relation."""
        ids: set[str] = set()
        for b in wave:
            relations = {r.id: r for r in materials[b].relations} if b in materials else {}
            for unit in self.pending[b]:
                relation = relations.get(unit.item_id or "") if unit.mode == "multi_choice" else None
                if relation is not None:
                    ids.update((relation.source_id, relation.target_id))
        if not ids:
            return
        params = {"entity_ids": sorted(ids), "avoid_ids": [], "limit": MAX_DISTRACTORS + 1}
        rows = await asyncio.to_thread(self.graph.read, "generate/distractors", params)
        found = {r["entity_id"]: [MaterialEntity(**d) for d in r["distractors"]] for r in rows}
        for material in materials.values():
            material.distractors = found

    def record(self, result: UnitResult) -> None:
        unit, report = result.unit, self.report
        self.unstored.append(result)
        self.outcomes[unit.batch_id].append(result)
        if len(self.outcomes[unit.batch_id]) == len(self.pending[unit.batch_id]):
            self.complete.append(unit.batch_id)
        if result.qa is None:
            reason = result.reason or "no reason given"
            report.modes[unit.mode].no_qa += 1
            report.no_qa += 1
            report.no_qa_reasons[reason] = report.no_qa_reasons.get(reason, 0) + 1
        else:
            self.written += 1

    async def run_unit(self, unit: Unit, material: BatchMaterial | None) -> UnitResult:
        """One unit; a unit without QA fails its item in the pool (after it is recorded)."""
        try:
            result = await self.writer.run(unit, material)
        except LLMError as exc:
            reason = failure_reason(exc)
            if reason not in self.pool.policy.fail_item:
                raise  # fatal: the pool stops the stage
            self.record(UnitResult(unit, reason=f"{unit.mode}: {reason}"))
            raise
        self.record(result)
        if result.qa is None:
            kind = NO_MATERIAL if material is None or result.reason == NO_MATERIAL_REASON else BAD_REPLY
            raise ItemFailed(kind, f"{unit.key}: {result.reason}")
        return result

    async def flush(self, force: bool = False) -> None:
        """Store the finished units' QA, then the status of the batches now complete: in the
        background once ``write_every`` wait and no store is in flight; ``force`` waits for the
        store in flight and stores the rest (raising a failed store's error either way)."""
        if self.storing is not None and (force or self.storing.done()):
            storing, self.storing = self.storing, None
            await storing
        if not self.unstored or (not force and (self.storing is not None or len(self.unstored) < self.config.write_every)):
            return
        batch_ids = list(self.complete)
        rows = [r.qa for r in self.unstored if r.qa is not None]
        self.unstored.clear()
        self.complete.clear()
        if force:
            await self._store(rows, batch_ids)
        else:
            self.storing = asyncio.ensure_future(self._store(rows, batch_ids))

    async def _store(self, rows: list[dict[str, Any]], batch_ids: list[str]) -> None:
        if rows:
            await self._store_qa(rows)
        status_rows = [self._status_row(b) for b in batch_ids]
        if status_rows:
            await _write(self.graph, "generate/batch_status", {"run_id": self.run_id, "rows": status_rows})

    async def _store_qa(self, rows: list[dict[str, Any]]) -> None:
        report = self.report
        stored = await _write(self.graph, "generate/store_qa", {"run_id": self.run_id, "rows": merge_identical(rows)})
        created = sum(1 for row in stored if row["created"])
        report.new_qa += created
        report.duplicate_qa += len(rows) - created
        for qa in rows:
            self.qa_ids.add(qa["id"])
            report.modes[qa["mode"]].generated += 1

    def _status_row(self, batch_id: str) -> dict[str, Any]:
        errors = [f"{r.unit.key}: {r.reason}" for r in self.outcomes.pop(batch_id) if r.qa is None]
        self.report.batches_failed += 1 if errors else 0
        return {"batch_id": batch_id, "status": "failed" if errors else "generated", "errors": errors,
                "qa_count": len(self.by_batch[batch_id]) - len(errors)}


async def _write(graph: Graph, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run a write query in a thread; if the caller is cancelled meanwhile, the write still
    completes before the cancellation goes on (nothing is left half-stored behind our back)."""
    write = asyncio.ensure_future(asyncio.to_thread(graph.run, name, params))
    try:
        return await asyncio.shield(write)
    except asyncio.CancelledError:
        await write
        raise


def _waves(batch_ids: list[str], pending: dict[str, list[Unit]], size: int) -> Iterable[list[str]]:
    """Consecutive groups of batches holding about ``size`` units (material is read per group)."""
    wave: list[str] = []
    count = 0
    for b in batch_ids:
        wave.append(b)
        count += len(pending[b])
        if count >= size:
            yield wave
            wave, count = [], 0
    if wave:
        yield wave
