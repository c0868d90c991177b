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
    TASK_COT,
    TASK_FILL_IN_BLANK,
    TASK_MULTI_ANSWER,
    TASK_MULTI_CHOICE,
    TASK_MULTI_HOP,
    TASK_QUESTION,
    TASK_REWRITE,
    GenerateConfig,
)
from graphgen_neo4j.generate.material import BatchMaterial, UnitMaterial, unit_material
from graphgen_neo4j.generate.plan import Unit
from graphgen_neo4j.generate.styles import (
    BlankReply,
    Choice,
    CotReply,
    MultiAnswerReply,
    Styled,
    blank_reply_model,
    build_choice,
    choice_reply_model,
    lettered,
    styled_blank,
    styled_choice,
    styled_cot,
    styled_multi_answer,
    true_false,
)
from graphgen_neo4j.ids import content_id
from graphgen_neo4j.llm import LLMClient, strip_think
from graphgen_neo4j.llm.budgets import generation_budget
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
                messages, QAReply, stage=STAGE, task=task, temperature=self.config.temperature,
                max_tokens=generation_budget(task, material.material_tokens()),
            )
            return clean_text(reply.question), clean_text(reply.answer)
        except LLMOutputError as exc:
            tagged = parse_tagged_qa(exc.raw)
            return tagged if tagged else f"{task}: no question and answer in the reply"

    async def aggregated(self, material: UnitMaterial) -> tuple[str, str] | str:
        messages = render(TASK_REWRITE, material.language, **material.prompt_values())
        try:
            rewrite = await self.client.structured(
                messages, RewriteReply, stage=STAGE, task=TASK_REWRITE, temperature=self.config.temperature,
                max_tokens=generation_budget(TASK_REWRITE, material.material_tokens()),
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

    async def _structured(self, task: str, material: UnitMaterial, model: type[Any], **values: str) -> Any:
        """A reply of ``model`` (re-asked by the client while it does not validate); None if it never does."""
        messages = render(task, material.language, **material.prompt_values(), **values)
        try:
            return await self.client.structured(messages, model, stage=STAGE, task=task,
                                                temperature=self.config.temperature,
                                                max_tokens=generation_budget(task, material.material_tokens()))
        except LLMOutputError:
            return None

    async def styled(self, unit: Unit, batch: BatchMaterial, material: UnitMaterial) -> Styled | str:
        """A QA of one of the new styles (``generate/styles.py``), or why there is none."""
        language = material.language
        if unit.mode == "true_false":
            relation = material.relations[0]
            tf = true_false(unit.key, relation.quiz_statements, relation.quiz_labels, language)
            return tf or "true_false: the relation has no quiz statements (run `quiz`)"
        if unit.mode == "multi_choice":
            choice = multi_choice_options(unit, batch, material)
            if choice is None:
                return "multi_choice: too few entities of the same type for distractors"
            reply = await self._structured(TASK_MULTI_CHOICE, material, choice_reply_model(choice),
                                           options="\n".join(lettered(choice.options)),
                                           correct=lettered(choice.options)[choice.correct])
            return styled_choice(reply, choice, language) if reply else f"{TASK_MULTI_CHOICE}: no valid question"
        if unit.mode == "multi_answer":
            reply = await self._structured(TASK_MULTI_ANSWER, material, MultiAnswerReply)
            return styled_multi_answer(reply, unit.key, language) if reply else f"{TASK_MULTI_ANSWER}: no valid question"
        if unit.mode == "fill_in_blank":
            text = " ".join([e.name for e in material.entities] + [r.description for r in material.relations])
            relation = material.relations[0]
            names = [batch.entities[i].name for i in (relation.target_id, relation.source_id) if i in batch.entities]
            blank: BlankReply | None = await self._structured(TASK_FILL_IN_BLANK, material, blank_reply_model(text, names))
            return styled_blank(blank, language) if blank else f"{TASK_FILL_IN_BLANK}: no valid sentence with a blank"
        cot: CotReply | None = await self._structured(TASK_COT, material, CotReply)
        return styled_cot(cot, language) if cot else f"{TASK_COT}: no question with a reasoning chain"

    async def run(self, unit: Unit, batch: BatchMaterial | None) -> UnitResult:
        material = unit_material(unit, batch) if batch is not None else None
        if batch is None or material is None:
            return UnitResult(unit, reason=NO_MATERIAL_REASON)
        styled: Styled | None = None
        outcome: tuple[str, str] | Styled | str
        if unit.mode == "atomic":
            outcome = await self.qa_pair(TASK_ATOMIC, material)
        elif unit.mode == "multi_hop":
            outcome = await self.qa_pair(TASK_MULTI_HOP, material)
        elif unit.mode == "aggregated":
            outcome = await self.aggregated(material)
        else:
            outcome = await self.styled(unit, batch, material)
        if isinstance(outcome, str):
            return UnitResult(unit, reason=outcome)
        if isinstance(outcome, Styled):
            styled, outcome = outcome, (outcome.question, outcome.answer)
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
        if styled is not None:
            qa |= {"options": styled.options, "answer_key": styled.answer_key, "reasoning": styled.reasoning}
        return UnitResult(unit, qa=qa)


def multi_choice_options(unit: Unit, batch: BatchMaterial, material: UnitMaterial) -> Choice | None:
    """The options of a multiple-choice unit: the relation's target as the answer (its source when
    the target's type offers too few distractors), the rest from ``batch.distractors``."""
    relation = material.relations[0]
    ends = {relation.source_id, relation.target_id}
    for answer_id in (relation.target_id, relation.source_id):
        answer = batch.entities.get(answer_id)
        if answer is None:
            continue
        names = [d.name for d in batch.distractors.get(answer_id, []) if d.id not in ends]
        choice = build_choice(unit.key, answer_id, answer.name, names)
        if choice is not None:
            return choice
    return None


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
