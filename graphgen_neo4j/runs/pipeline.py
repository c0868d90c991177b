"""The whole job: ingest → quiz → judge → partition → generate → (filter) → export.

Every stage skips the work already done — chunks already extracted (content
hashes), items already quizzed and judged for this trainee, batches already cut or
generated in this run — so a run killed at any point and started again ends with
the same dataset, and the LLM calls it already paid for are not repeated.

Each LLM stage reports its work pool's outcome (``report.work``: done, failed, failures
by reason, verdict). A stage that stopped on a fatal error (key rejected, endpoint
unreachable, no logprobs…) or whose every item failed ends the run with
``StageFailed`` — one line naming the endpoint, the variable and the fix — carrying
this report, and no later stage runs: an existing dataset is not touched. A partial
stage (some items failed) goes on; its figures are in ``report.work``.

With a ``filter:`` section that sets a rule, the run's QA are filtered
(``runs/qa_filter.py``; faithfulness judged first when a rule needs it) before export.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from graphgen_neo4j.assess.judge import JudgeConfig, JudgeReport, judge
from graphgen_neo4j.assess.quiz import QuizConfig, QuizReport, quiz
from graphgen_neo4j.choices import config_error
from graphgen_neo4j.config import PipelineConfig, Traversal
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.generate.config import GenerateConfig, GenerateReport
from graphgen_neo4j.generate.export import ExportReport, export_qa
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.ingest.stage import IngestConfig, IngestReport, config_from_pipeline, ingest
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import PoolOutcome
from graphgen_neo4j.partition.config import method_values
from graphgen_neo4j.partition.stage import PartitionConfig, PartitionReport, partition
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.qa_filter import FilterReport, filter_qa
from graphgen_neo4j.runs.record import RunRecorder

STAGES = ("ingest", "quiz", "judge", "partition", "generate", "filter", "export")
S = TypeVar("S", bound=BaseModel)


class PipelineReport(BaseModel):
    run_id: str
    resumed: bool
    ingest: IngestReport | None = None
    quiz: QuizReport | None = None
    judge: JudgeReport | None = None
    partition: PartitionReport | None = None
    generate: GenerateReport | None = None
    filter: FilterReport | None = None
    export: ExportReport | None = None
    notes: list[str] = []
    work: dict[str, PoolOutcome] = {}  # each LLM stage's outcome: counts, failures by reason, verdict

    def warnings(self) -> list[str]:
        """One line per stage where some (not all) items failed."""
        return [line for outcome in self.work.values() if (line := outcome.warning_line())]


class StageConfigs(BaseModel):
    """Each stage's config: its view of the pipeline config file."""

    ingest: IngestConfig
    quiz: QuizConfig
    judge: JudgeConfig
    partition: PartitionConfig
    generate: GenerateConfig


def stage_configs(config: PipelineConfig, run_id: str | None = None) -> StageConfigs:
    """Each stage's config taken from the pipeline config; a value no stage accepts is a ``ConfigError``."""
    traverse = config.traverse_strategy
    loss_strategy = traverse.loss_strategy
    generation: dict[str, Any] = {**config.generation.model_dump(exclude_unset=True), "partition_run_id": run_id}
    if "qa_form" in traverse.model_fields_set or config.generation.mix is None:
        generation["modes"] = config.modes()  # unset qa_form and a mix: the mix names the modes
    views: dict[str, tuple[type[BaseModel], dict[str, Any]]] = {
        "quiz": (QuizConfig, {"quiz_samples": config.quiz_samples, "loss_strategy": loss_strategy}),
        "judge": (JudgeConfig, {"re_judge": config.re_judge, "loss_strategy": loss_strategy,
                                "skip_judge": config.judge.skip, "top_logprobs": config.judge.top_logprobs}),
        "partition": (PartitionConfig, {**traverse.model_dump(include=set(Traversal.model_fields)),
                                        **method_values(config.partition.method, config.partition.method_params)}),
        "generate": (GenerateConfig, generation),
    }
    built: dict[str, BaseModel] = {"ingest": config_from_pipeline(config)}
    for stage, (model, values) in views.items():
        try:
            built[stage] = model.model_validate(values)
        except ValidationError as exc:
            raise config_error(exc, f"{stage} config", model) from None
    return StageConfigs.model_validate(built)


async def run_pipeline(
    config: PipelineConfig,
    *,
    graph: Graph,
    synthesizer: LLMClient,
    trainee: LLMClient | None,
    recorder: RunRecorder,
    progress: Progress = NullProgress(),
) -> PipelineReport:
    """Run every stage under ``recorder``'s run id; returns each stage's report."""
    run_id = recorder.run_id
    report = PipelineReport(run_id=run_id, resumed=recorder.resumed)
    configs = stage_configs(config, run_id)
    inputs = config.require_input()
    judging = trainee is not None and not config.judge.skip
    await asyncio.to_thread(graph.init_schema)

    async def checked(name: str, run: Callable[[], Awaitable[S]]) -> S:
        with recorder.stage(name), _failing(report, name):
            result = await run()
            setattr(report, name, result)  # shown in the summary even when its verdict ends the run
            outcome = getattr(result, "work", None)
            if outcome is not None:
                report.work[name] = outcome
                outcome.raise_if_failed()
        return result

    report.ingest = await checked("ingest", lambda: ingest(
        inputs, graph=graph, synthesizer=synthesizer, config=configs.ingest, progress=progress))
    if judging:
        report.quiz = await checked("quiz", lambda: quiz(
            graph=graph, synthesizer=synthesizer, config=configs.quiz, progress=progress))
    else:
        report.notes.append("quiz and judge skipped: " + ("judge.skip is set" if config.judge.skip else "no trainee configured (TRAINEE_*)")
                            + "; relations have no loss")
    report.judge = await checked("judge", lambda: judge(
        graph=graph, trainee=trainee if judging else None, config=configs.judge, progress=progress))
    with recorder.stage("partition"):
        report.partition = await asyncio.to_thread(
            partition, graph=graph, config=configs.partition, run_id=run_id, progress=progress)
    if report.partition.batches == 0:
        # Nothing to generate from: say why instead of failing (upstream crashes on an empty graph).
        report.notes.append("no batches: the graph has no usable relations, so no QA were generated "
                            "(see the ingest figures: failed chunks? everything excluded?)")
    else:
        report.generate = await checked("generate", lambda: generate(
            graph=graph, synthesizer=synthesizer, config=configs.generate, run_id=run_id, progress=progress))
    if config.filter.active():
        report.filter = await checked("filter", lambda: filter_qa(
            graph, config.filter, run_id=run_id, synthesizer=synthesizer, progress=progress))
    with recorder.stage("export"):
        report.export = await asyncio.to_thread(
            export_qa, graph, config.output.path, fmt=config.output.format, run_id=run_id,
            with_metadata=config.output.with_metadata, system_prompt=config.output.system_prompt,
            overwrite=config.output.overwrite)
    recorder.counts.update(counts_of(report))
    return report


@contextmanager
def _failing(report: PipelineReport, stage: str) -> Iterator[None]:
    """A ``StageFailed`` leaving ``stage`` carries the run's report, with the stage's outcome in it."""
    try:
        yield
    except StageFailed as exc:
        if exc.outcome is not None:
            report.work[stage] = exc.outcome  # type: ignore[assignment]
        exc.report = report
        raise


def counts_of(report: PipelineReport) -> dict[str, Any]:
    """The headline numbers of a run, for its ``:Run`` record."""
    counts: dict[str, Any] = {}
    if report.ingest:
        counts.update(documents=report.ingest.documents_total, chunks=report.ingest.chunks_total,
                      entities=report.ingest.entities_total, relations=report.ingest.relations_total)
    if report.judge and report.judge.summary:
        counts.update(judged=report.judge.summary.judged, mean_loss=report.judge.summary.mean)
    if report.partition:
        counts.update(batches=report.partition.batches)
    if report.generate:
        counts.update(qa=report.generate.qa, no_qa=report.generate.no_qa)
    if report.filter:
        counts.update(filtered=report.filter.dropped)
    if report.export:
        counts.update(exported=report.export.records, output=report.export.path)
    return counts
