"""The whole job: ingest → quiz → judge → partition → generate → export.

Every stage skips the work already done — chunks already extracted (content
hashes), items already quizzed and judged for this trainee, batches already cut or
generated in this run — so a run killed at any point and started again ends with
the same dataset, and the LLM calls it already paid for are not repeated.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.assess.judge import JudgeConfig, JudgeReport, judge
from graphgen_neo4j.assess.quiz import QuizConfig, QuizReport, quiz
from graphgen_neo4j.config import PipelineConfig
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.generate.export import ExportReport, export_qa
from graphgen_neo4j.generate.stage import GenerateConfig, GenerateReport, generate
from graphgen_neo4j.ingest.stage import IngestReport, config_from_pipeline, ingest
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.partition.stage import PartitionConfig, PartitionReport, partition
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.record import RunRecorder

STAGES = ("ingest", "quiz", "judge", "partition", "generate", "export")


class PipelineReport(BaseModel):
    run_id: str
    resumed: bool
    ingest: IngestReport | None = None
    quiz: QuizReport | None = None
    judge: JudgeReport | None = None
    partition: PartitionReport | None = None
    generate: GenerateReport | None = None
    export: ExportReport | None = None
    notes: list[str] = []


def stage_configs(config: PipelineConfig, run_id: str) -> dict[str, BaseModel]:
    """Each stage's own config, taken from the pipeline config file."""
    traverse = config.traverse_strategy
    loss_strategy = traverse.loss_strategy
    return {
        "ingest": config_from_pipeline(config),
        "quiz": QuizConfig(quiz_samples=config.quiz_samples, loss_strategy=loss_strategy),
        "judge": JudgeConfig(re_judge=config.re_judge, loss_strategy=loss_strategy,
                             skip_judge=config.judge.skip, top_logprobs=config.judge.top_logprobs),
        "partition": PartitionConfig(
            bidirectional=traverse.bidirectional, edge_sampling=traverse.edge_sampling,
            expand_method=traverse.expand_method, isolated_node_strategy=traverse.isolated_node_strategy,
            max_depth=traverse.max_depth, max_extra_edges=traverse.max_extra_edges,
            max_tokens=traverse.max_tokens, loss_strategy=loss_strategy,
        ),
        "generate": GenerateConfig(
            modes=config.modes(), max_qa=config.generation.max_qa, min_loss=config.generation.min_loss,
            mix=config.generation.mix, max_concurrency=config.generation.max_concurrency, partition_run_id=run_id,
        ),
    }


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
    judging = trainee is not None and not config.judge.skip
    await asyncio.to_thread(graph.init_schema)

    with recorder.stage("ingest"):
        report.ingest = await ingest(config.input_paths(), graph=graph, synthesizer=synthesizer,
                                     config=configs["ingest"], progress=progress)  # type: ignore[arg-type]
    if judging:
        with recorder.stage("quiz"):
            report.quiz = await quiz(graph=graph, synthesizer=synthesizer, config=configs["quiz"], progress=progress)  # type: ignore[arg-type]
    else:
        report.notes.append("quiz and judge skipped: " + ("judge.skip is set" if config.judge.skip else "no trainee configured (TRAINEE_*)")
                            + "; relations have no loss")
    with recorder.stage("judge"):
        report.judge = await judge(graph=graph, trainee=trainee if judging else None,
                                   config=configs["judge"], progress=progress)  # type: ignore[arg-type]
    with recorder.stage("partition"):
        report.partition = await asyncio.to_thread(
            partition, graph=graph, config=configs["partition"], run_id=run_id, progress=progress)  # type: ignore[arg-type]
    if report.partition.batches == 0:
        # Nothing to generate from: say why instead of failing (upstream crashes on an empty graph).
        report.notes.append("no batches: the graph has no usable relations, so no QA were generated "
                            "(see the ingest figures: failed chunks? everything excluded?)")
    else:
        with recorder.stage("generate"):
            report.generate = await generate(graph=graph, synthesizer=synthesizer, config=configs["generate"],  # type: ignore[arg-type]
                                             run_id=run_id, progress=progress)
    with recorder.stage("export"):
        report.export = await asyncio.to_thread(
            export_qa, graph, config.output.path, fmt=config.output.format, run_id=run_id,
            with_metadata=config.output.with_metadata, system_prompt=config.output.system_prompt,
            overwrite=config.output.overwrite)
    recorder.counts.update(counts_of(report))
    return report


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
    if report.export:
        counts.update(exported=report.export.records, output=report.export.path)
    return counts
