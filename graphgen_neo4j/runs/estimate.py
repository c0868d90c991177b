"""``graphgen-neo4j estimate``: LLM calls and tokens a run will cost, before spending money.

Nothing here calls an LLM. What is known exactly comes from the input itself: the
documents, their chunks (the same chunker as ingest) and the real extraction prompt
around each chunk. What cannot be known before extraction — how many relations a
model finds — is an assumption, stated in the output:

* ``relations_per_sentence`` (default 1.3): relations extracted per sentence of text.
  When the graph already holds extracted chunks, the ratio observed there is used
  instead (``calibrated``), which is much closer for the same kind of text and model.
* ``entities_per_relation`` (0.8), for ``loss_strategy: both``.
* reply sizes (tokens out) per call, in ``REPLY_TOKENS``.

The call formulas follow the stages: extraction is 1 call per chunk plus up to
``max_gleaning`` gleaning calls; quiz 1 call per quizzed item; judge ``2 × quiz_samples``
calls per item; partition none (whatever its method: traverse, ece, bfs, dfs, community, anchor_bfs,
triple, quintuple — anchor_bfs and quintuple leave some relations in no batch: their figures are upper bounds);
generation 2 calls per aggregated batch, 1 per multi-hop batch and 1 per atomic relation,
after the cap and mix (the relations per batch assumed by method: ``relations_per_batch``);
with ``filter.min_faithfulness`` (and ``unjudged: judge``), 1 faithfulness call per QA.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.config import PipelineConfig
from graphgen_neo4j.ingest.extract import extraction_messages
from graphgen_neo4j.ingest.readers import IssueLog, expand_paths, prepare, read_documents
from graphgen_neo4j.ingest.stage import config_from_pipeline
from graphgen_neo4j.prompts import render
from graphgen_neo4j.tokens import count_tokens

DEFAULT_RELATIONS_PER_SENTENCE = 1.3
DEFAULT_ENTITIES_PER_RELATION = 0.8
DESCRIPTION_TOKENS = 45  # a typical relation description
# Typical reply sizes in tokens (for cost only; no call depends on them).
REPLY_TOKENS = {"extract_per_relation": 70, "glean": 60, "quiz_per_statement": 30, "judge": 1,
                "aggregated_rewrite": 300, "aggregated_question": 40, "multi_hop": 120, "atomic": 80}

_SENTENCE_END = re.compile(r"[。！？!?；]|\.(?=\s|$)")


class StageEstimate(BaseModel):
    stage: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    basis: str  # how the numbers were reached, in words


class Estimate(BaseModel):
    documents: int
    chunks: int
    input_tokens: int
    sentences: int
    chunks_already_extracted: int  # in the graph already: cost nothing on a re-run
    relations: int
    relations_basis: str
    batches: int
    stages: list[StageEstimate]

    @property
    def calls(self) -> int:
        return sum(s.calls for s in self.stages)

    @property
    def tokens(self) -> int:
        return sum(s.prompt_tokens + s.completion_tokens for s in self.stages)


def count_sentences(text: str) -> int:
    ends = len(_SENTENCE_END.findall(text))
    return ends + (0 if re.search(r"[。！？!?；.]\s*$", text) or not text.strip() else 1)


def _messages_tokens(messages: Iterable[dict[str, str]]) -> int:
    return sum(count_tokens(m["content"]) + 4 for m in messages)


def observed_ratio(graph: Any) -> tuple[float, int] | None:
    """Relations per sentence over the chunks already extracted, and how many chunks that is."""
    rows = graph.read("estimate/extracted_chunks")
    sentences = sum(count_sentences(r["text"]) for r in rows)
    if not rows or sentences == 0:
        return None
    relations = graph.read("estimate/relation_count")[0]["relations"]
    return relations / sentences, len(rows)


def estimate(
    config: PipelineConfig,
    *,
    graph: Any = None,
    relations_per_sentence: float | None = None,
    max_gleaning: int | None = None,
    judging: bool = True,
) -> Estimate:
    """Expected LLM calls and tokens for ``config``; ``graph`` (optional) calibrates and tells what is done."""
    ingest_config = config_from_pipeline(config, max_gleaning=max_gleaning)
    documents = chunks = tokens = sentences = 0
    extract_prompt = 0
    chunk_ids: list[str] = []
    chinese_chunks = 0
    for document in read_documents(expand_paths(config.require_input()), ingest_config.data_type, IssueLog(strict=False),
                                   ingest_config.text_column):
        prepared = prepare(document, chunk_size=ingest_config.chunk_size, chunk_overlap=ingest_config.chunk_overlap,
                           encoding=ingest_config.tokenizer)
        documents += 1
        tokens += prepared.tokens
        for chunk in prepared.chunks:
            chunks += 1
            chunk_ids.append(chunk.id)
            sentences += count_sentences(chunk.text)
            chinese_chunks += chunk.language == "zh"
            extract_prompt += _messages_tokens(extraction_messages(chunk.text, chunk.language, ingest_config.entity_types))  # type: ignore[arg-type]

    done = 0
    basis = f"assumed {relations_per_sentence or DEFAULT_RELATIONS_PER_SENTENCE} relations per sentence"
    ratio = relations_per_sentence or DEFAULT_RELATIONS_PER_SENTENCE
    if graph is not None:
        done = graph.read("estimate/chunks_extracted", {"ids": chunk_ids})[0]["done"]
        if relations_per_sentence is None:
            observed = observed_ratio(graph)
            if observed:
                ratio, sample = observed
                basis = f"calibrated: {ratio:.2f} relations per sentence in the {sample} chunks already extracted"
    relations = round(sentences * ratio)
    entities = round(relations * DEFAULT_ENTITIES_PER_RELATION)

    stages = []
    gleaning = ingest_config.max_gleaning
    extract_relations_out = relations * REPLY_TOKENS["extract_per_relation"]
    stages.append(StageEstimate(
        stage="extract", calls=chunks * (1 + gleaning),
        # a gleaning call re-sends the conversation: the prompt and the first reply
        prompt_tokens=extract_prompt * (1 + gleaning) + extract_relations_out * gleaning,
        completion_tokens=extract_relations_out + chunks * gleaning * REPLY_TOKENS["glean"],
        basis=f"{chunks} chunks × (1 + {gleaning} gleaning); gleaning stops early when a pass finds nothing new",
    ))

    items = relations + (entities if config.traverse_strategy.loss_strategy == "both" else 0)
    n = config.quiz_samples
    language = "zh" if chinese_chunks * 2 > chunks else "en"  # quiz/judge prompts in the majority language
    if judging and not config.judge.skip:
        quiz_prompt = _messages_tokens(render("quiz", language, description="x " * DESCRIPTION_TOKENS,
                                              paraphrase_count=n - 1, negation_count=n))
        judge_prompt = _messages_tokens(render("judge", language, statement="x " * DESCRIPTION_TOKENS))
        stages.append(StageEstimate(stage="quiz", calls=items, prompt_tokens=items * quiz_prompt,
                                    completion_tokens=items * 2 * n * REPLY_TOKENS["quiz_per_statement"],
                                    basis=f"1 call per item ({items} items)"))
        stages.append(StageEstimate(stage="judge", calls=items * 2 * n, prompt_tokens=items * 2 * n * judge_prompt,
                                    completion_tokens=items * 2 * n, basis=f"{2 * n} statements per item"))

    per_batch = relations_per_batch(config)
    batches = math.ceil(relations / per_batch) if relations else 0
    stages.append(_generation(config, relations, batches, per_batch))
    if config.filter.min_faithfulness is not None and config.filter.unjudged == "judge":
        stages.append(_faithfulness(config, relations, batches, per_batch, language))
    return Estimate(
        documents=documents, chunks=chunks, input_tokens=tokens, sentences=sentences, chunks_already_extracted=done,
        relations=relations, relations_basis=basis, batches=batches, stages=stages,
    )


def relations_per_batch(config: PipelineConfig) -> float:
    """Relations a batch holds on average, by partition method (an assumption, like the others)."""
    from graphgen_neo4j.runs.pipeline import stage_configs

    partition = stage_configs(config).partition
    units_per_relation = 1 + DEFAULT_ENTITIES_PER_RELATION  # ece / bfs / dfs count entities as units too
    if partition.method == "ece":
        unit_tokens = (DESCRIPTION_TOKENS + 25 * DEFAULT_ENTITIES_PER_RELATION) / units_per_relation
        units = min(partition.max_units_per_community, partition.max_tokens_per_community / unit_tokens)
        return max(1.0, units / units_per_relation)
    if partition.method in ("bfs", "dfs", "anchor_bfs"):  # anchor_bfs: as bfs, where anchors reach
        return max(1.0, partition.max_units_per_community / units_per_relation)
    if partition.method in ("triple", "quintuple"):
        return 1.0 if partition.method == "triple" else 2.0
    if partition.method == "community":
        return max(1.0, partition.max_size * 0.75)  # relations inside a piece of max_size entities
    if partition.expand_method == "max_width":
        return 1 + partition.max_extra_edges * 0.7  # neighbourhoods rarely fill the width
    return max(1.0, partition.max_tokens / (DESCRIPTION_TOKENS + 25))


def _qa_quotas(config: PipelineConfig, relations: int, batches: int, per_batch: float) -> dict[str, int]:
    from graphgen_neo4j.generate.plan import mode_quotas
    from graphgen_neo4j.runs.pipeline import stage_configs

    modes = stage_configs(config).generate.modes  # a mix without qa_form names the modes
    available = {
        "aggregated": batches,
        "multi_hop": batches if per_batch >= 2 else 0,
        "atomic": relations,
        "cot": batches if per_batch >= 2 else 0,
        "multi_answer": batches if per_batch >= 2 else 0,
        "multi_choice": relations,
        "fill_in_blank": relations,
        "true_false": relations if not config.judge.skip else 0,
    }
    quotas = mode_quotas({m: available[m] for m in modes}, config.generation.mix, config.generation.max_qa)
    return {str(mode): count for mode, count in quotas.items()}


def _generation(config: PipelineConfig, relations: int, batches: int, per_batch: float) -> StageEstimate:
    quotas = _qa_quotas(config, relations, batches, per_batch)
    material = int(per_batch * (DESCRIPTION_TOKENS + 25))
    calls = prompt = completion = 0
    for mode, count in quotas.items():
        if mode == "aggregated":
            calls += 2 * count
            prompt += count * (material + 250 + REPLY_TOKENS["aggregated_rewrite"] + 120)
            completion += count * (REPLY_TOKENS["aggregated_rewrite"] + REPLY_TOKENS["aggregated_question"])
        elif mode in ("multi_hop", "cot", "multi_answer"):  # one call on the whole batch
            calls += count
            prompt += count * (material + 300)
            completion += count * REPLY_TOKENS["multi_hop"] * (2 if mode == "cot" else 1)
        elif mode == "true_false":  # the quiz's statements: no call
            continue
        else:
            calls += count
            prompt += count * (DESCRIPTION_TOKENS + 250)
            completion += count * REPLY_TOKENS["atomic"]
    shown = ", ".join(f"{m} {q}" for m, q in quotas.items())
    return StageEstimate(stage="generate", calls=calls, prompt_tokens=prompt, completion_tokens=completion,
                         basis=f"~{batches} batches of ~{per_batch:.1f} relations ({config.partition.method} "
                               f"partition); QA: {shown}")


def _faithfulness(config: PipelineConfig, relations: int, batches: int, per_batch: float, language: str) -> StageEstimate:
    """``filter.min_faithfulness`` with ``unjudged: judge``: one judge call per QA of the run, before export."""
    quotas = _qa_quotas(config, relations, batches, per_batch)
    answers = {"aggregated": REPLY_TOKENS["aggregated_rewrite"], "multi_hop": REPLY_TOKENS["multi_hop"],
               "atomic": REPLY_TOKENS["atomic"]}
    template = _messages_tokens(render("qa_faithfulness", language, entities="", relations="", question="", answer=""))
    calls = prompt = 0
    for mode, count in quotas.items():
        material = DESCRIPTION_TOKENS + 25 if mode == "atomic" else int(per_batch * (DESCRIPTION_TOKENS + 25))
        calls += count
        prompt += count * (template + material + REPLY_TOKENS["aggregated_question"] + answers[mode])
    return StageEstimate(stage="qa_judge", calls=calls, prompt_tokens=prompt, completion_tokens=calls * 60,
                         basis=f"filter.min_faithfulness: 1 call per QA ({calls} QA), before export")
