"""Writing one unit's QA: the prompts of its mode, the replies (JSON, or the tagged or plain
text a small model writes instead) and the QA row (``UnitWriter``); identical QA of
several units become one row (``merge_identical``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from graphgen_neo4j.errors import LLMOutputError
from graphgen_neo4j.generate.config import (
    NO_MATERIAL_REASON,
    STAGE,
    TASK_ATOMIC,
    TASK_MULTI_HOP,
    TASK_QUESTION,
    TASK_REWRITE,
    GenerateConfig,
)
from graphgen_neo4j.generate.material import BatchMaterial, UnitMaterial, unit_material
from graphgen_neo4j.generate.plan import Unit
from graphgen_neo4j.ids import content_id
from graphgen_neo4j.llm import LLMClient, strip_think
from graphgen_neo4j.prompts import render


class QAReply(BaseModel):
    """``{"question": …, "answer": …}`` (a few other spellings of the keys accepted)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=1, validation_alias=AliasChoices("question", "Question", "q", "问题"))
    answer: str = Field(min_length=1, validation_alias=AliasChoices("answer", "Answer", "a", "答案"))


class RewriteReply(BaseModel):
    """``{"text": …}``: the batch rewritten as one coherent text (the answer)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, validation_alias=AliasChoices("text", "answer", "rephrased_text", "content"))


class QuestionReply(BaseModel):
    """``{"question": …}``: the question an aggregated answer answers."""

    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=1, validation_alias=AliasChoices("question", "Question", "q", "问题"))


_LABEL = r"(?:\*\*|__)?\s*{word}\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?"


_TAGGED_QA = re.compile(
    _LABEL.format(word=r"(?:question|q|问题|问)") + r"(?P<question>.+?)\s*"
    + _LABEL.format(word=r"(?:answer|a|答案|答)") + r"(?P<answer>.+)",
    re.IGNORECASE | re.DOTALL,
)


_LEADING_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:question|answer|rephrased text|问题|答案|重述文本|改写)\s*(?:\*\*|__)?\s*[:：]\s*",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Strip a leading label (``Question:``, ``答案：`` …), surrounding quotes and white space."""
    text = _LEADING_LABEL.sub("", text.strip()).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def parse_tagged_qa(raw: str) -> tuple[str, str] | None:
    """``Question: … Answer: …`` (or ``问题：…答案：…``, bold labels, ``Q:``/``A:``) in free text."""
    match = _TAGGED_QA.search(strip_think(raw))
    if not match:
        return None
    question, answer = clean_text(match.group("question")), clean_text(match.group("answer"))
    return (question, answer) if question and answer else None


def parse_plain_text(raw: str) -> str | None:
    """A reply that is plain prose (not JSON-looking), label stripped; None if there is nothing."""
    text = strip_think(raw)
    if not text or text.lstrip()[:1] in "{[`":
        return None
    return clean_text(text) or None


@dataclass
class UnitResult:
    unit: Unit
    qa: dict[str, Any] | None = None
    reason: str | None = None  # why no QA


class UnitWriter:
    """Writes one unit's LLM calls; replies that yield no QA become a reason, not an exception."""

    def __init__(self, client: LLMClient, config: GenerateConfig):
        self.client = client
        self.config = config

    async def qa_pair(self, task: str, material: UnitMaterial) -> tuple[str, str] | str:
        messages = render(task, material.language, **material.prompt_values())
        try:
            reply = await self.client.structured(
                messages, QAReply, stage=STAGE, task=task, temperature=self.config.temperature
            )
            return clean_text(reply.question), clean_text(reply.answer)
        except LLMOutputError as exc:
            tagged = parse_tagged_qa(exc.raw)
            return tagged if tagged else f"{task}: no question and answer in the reply"

    async def aggregated(self, material: UnitMaterial) -> tuple[str, str] | str:
        messages = render(TASK_REWRITE, material.language, **material.prompt_values())
        try:
            rewrite = await self.client.structured(
                messages, RewriteReply, stage=STAGE, task=TASK_REWRITE, temperature=self.config.temperature
            )
            answer = clean_text(rewrite.text)
        except LLMOutputError as exc:
            answer = parse_plain_text(exc.raw) or ""
        if not answer:
            return f"{TASK_REWRITE}: no rewritten text in the reply"
        messages = render(TASK_QUESTION, material.language, answer=answer)
        try:
            reply = await self.client.structured(
                messages, QuestionReply, stage=STAGE, task=TASK_QUESTION, temperature=self.config.temperature
            )
            question = clean_text(reply.question)
        except LLMOutputError as exc:
            plain = parse_plain_text(exc.raw)
            question = plain.splitlines()[0].strip() if plain else ""
        if not question:
            return f"{TASK_QUESTION}: no question in the reply"
        return question, answer

    async def run(self, unit: Unit, batch: BatchMaterial | None) -> UnitResult:
        material = unit_material(unit, batch) if batch is not None else None
        if batch is None or material is None:
            return UnitResult(unit, reason=NO_MATERIAL_REASON)
        if unit.mode == "atomic":
            outcome = await self.qa_pair(TASK_ATOMIC, material)
        elif unit.mode == "multi_hop":
            outcome = await self.qa_pair(TASK_MULTI_HOP, material)
        else:
            outcome = await self.aggregated(material)
        if isinstance(outcome, str):
            return UnitResult(unit, reason=outcome)
        question, answer = outcome
        if not question or not answer:
            return UnitResult(unit, reason=f"{unit.mode}: empty question or answer")
        if question == answer:
            return UnitResult(unit, reason=f"{unit.mode}: the question repeats the answer")
        qa = {
            "id": qa_id(unit.mode, question, answer),
            "unit": unit.key,
            "batch_id": unit.batch_id,
            "mode": unit.mode,
            "question": question,
            "answer": answer,
            "language": material.language,
            "relation_ids": material.relation_ids,
            "entity_ids": material.entity_ids,
            "chunk_ids": material.chunk_ids,
            "loss": batch.mean_loss,
            "item_loss": material.item_loss,
        }
        return UnitResult(unit, qa=qa)


def merge_identical(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per QA id: identical QA from several units keep every unit (``yields``) and
    the union of their provenance ids."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        link = {"batch_id": row["batch_id"], "unit": row["unit"]}
        first = merged.get(row["id"])
        if first is None:
            merged[row["id"]] = {**{k: v for k, v in row.items() if k != "unit"}, "yields": [link]}
            continue
        first["yields"].append(link)
        for key in ("relation_ids", "entity_ids", "chunk_ids"):
            first[key] = list(dict.fromkeys(first[key] + row[key]))
    return list(merged.values())


def qa_id(mode: str, question: str, answer: str) -> str:
    """``qa-`` + hash of mode, question and answer: the same QA is stored once."""
    return content_id("qa", f"{mode}\n{question}\n{answer}")
