"""Generate: question–answer pairs from the batches ``partition`` cut.

    report = await generate(graph=graph, synthesizer=client, config=GenerateConfig(modes=["aggregated"]),
                            run_id="generate-20260101-120000")

Three modes (upstream's ``qa_form``; ``open`` is the old name of ``aggregated``):

* ``atomic`` — one QA per relation of a batch (per entity for a batch cut around an
  isolated entity), about that one fact;
* ``aggregated`` — one QA per batch: the batch's entities and relations rewritten into
  one coherent text, which is the answer, then a question that text answers (two calls);
* ``multi_hop`` — one QA per batch of at least two relations: a question that needs a
  chain of relations, with its answer.

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
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graphgen_neo4j.choices import MODES, Mode, config_error, parse_mix, parse_mode  # noqa: F401  parse_mix: re-exported
from graphgen_neo4j.config import Generation
from graphgen_neo4j.db.graph import Graph, batched
from graphgen_neo4j.errors import ConfigError, LLMError, LLMOutputError, StageError
from graphgen_neo4j.ids import content_id
from graphgen_neo4j.language import Language, detect_language
from graphgen_neo4j.llm import LLMClient, strip_think
from graphgen_neo4j.llm.pool import BAD_REPLY, ITEM_REASONS, ItemFailed, OnError, PoolOutcome, WorkPool, failure_reason
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

STAGE = "generate"
NO_MATERIAL = "no material"  # pool failure reason: the unit's batch lost its material since planning
NO_MATERIAL_REASON = "material excluded or removed since planning"
TASK_ATOMIC = "qa_atomic"
TASK_REWRITE = "qa_aggregated_rewrite"
TASK_QUESTION = "qa_aggregated_question"
TASK_MULTI_HOP = "qa_multi_hop"

_ID_CHUNK = 2000  # ids per query when looking units up


class GenerateConfig(Generation):
    """How many QA of which kind, from which batches: the pipeline file's ``generation`` section
    (``config.Generation``: max_qa, min_loss, mix, max_concurrency) plus the modes (upstream key
    ``qa_form`` accepted), the partition run and the sampling."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    modes: list[Mode] = Field(
        default_factory=lambda: list[Mode](["aggregated"]), validation_alias=AliasChoices("modes", "qa_form", "mode")
    )
    partition_run_id: str | None = Field(None, description="batches of this partition run; default the latest")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    write_every: int = Field(32, ge=1, description="store QA in groups of about this many")

    @field_validator("modes", mode="before")
    @classmethod
    def _modes(cls, value: Any) -> list[str]:
        names = value.split(",") if isinstance(value, str) else list(value)
        modes: list[str] = []
        for name in names:
            if str(name).strip():
                try:
                    mode = parse_mode(str(name))
                except ConfigError as exc:
                    raise ValueError(str(exc)) from None
                if mode not in modes:
                    modes.append(mode)
        if not modes:
            raise ValueError("no generation mode given")
        return modes

    @model_validator(mode="after")
    def _mix_names_the_modes(self) -> GenerateConfig:
        if self.mix is None:
            return self
        if "modes" not in self.model_fields_set:
            self.modes = list(self.mix)
        elif set(self.modes) != set(self.mix):
            # A ConfigError passes through pydantic as is: one clear line wherever the config is built.
            raise ConfigError(
                f"mix gives shares for {', '.join(self.mix)} but the modes (qa_form) are {', '.join(self.modes)}: "
                "name the same modes in both (or leave the modes out)"
            )
        return self


def load_config(**values: Any) -> GenerateConfig:
    """``GenerateConfig(**values)`` with validation errors as one ``ConfigError`` line."""
    try:
        return GenerateConfig(**values)
    except ValidationError as exc:
        raise config_error(exc, "generate config", GenerateConfig) from None


# -- choosing the units of work (pure) -----------------------------------------------------


class BatchOffer(BaseModel):
    """What a batch offers now: its usable relations (id, loss) or, for an isolated-entity batch, entities."""

    batch_id: str
    index: int = 0
    mean_loss: float | None = None
    status: str | None = None
    relations: list[tuple[str, float | None]] = []
    entity_ids: list[str] = []

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BatchOffer:
        return cls(
            batch_id=row["batch_id"],
            index=row["index"] if row.get("index") is not None else 0,
            mean_loss=row.get("mean_loss"),
            status=row.get("status"),
            relations=[(r["id"], r.get("loss")) for r in row.get("relations") or []],
            entity_ids=list(dict.fromkeys(row.get("entity_ids") or [])),
        )


@dataclass(frozen=True)
class Unit:
    """One QA to write: a batch in a mode, or (atomic) one relation or entity of a batch."""

    batch_id: str
    batch_index: int
    mode: Mode
    item_id: str | None
    loss: float | None  # what selection ranks by: the item's loss (atomic) or the batch's mean loss

    @property
    def key(self) -> str:
        """The unit's name within its batch (stored on ``YIELDED``)."""
        return self.mode if self.item_id is None else f"{self.mode}:{self.item_id}"

    def rank(self) -> tuple[bool, float, int, str]:
        """Highest loss first, unknown losses last, then the partition's order."""
        return (self.loss is None, -(self.loss or 0.0), self.batch_index, self.item_id or "")


def candidate_units(offers: Iterable[BatchOffer], modes: Sequence[Mode]) -> dict[Mode, list[Unit]]:
    """Every unit the batches offer in each mode.

    aggregated: each batch with at least one usable relation; multi_hop: each batch with
    at least two; atomic: each usable relation, and each entity of a batch cut without
    relations (an isolated entity).
    """
    pools: dict[Mode, list[Unit]] = {mode: [] for mode in modes}
    for offer in offers:
        n = len(offer.relations)
        if "aggregated" in pools and n >= 1:
            pools["aggregated"].append(Unit(offer.batch_id, offer.index, "aggregated", None, offer.mean_loss))
        if "multi_hop" in pools and n >= 2:
            pools["multi_hop"].append(Unit(offer.batch_id, offer.index, "multi_hop", None, offer.mean_loss))
        if "atomic" in pools:
            for relation_id, loss in offer.relations:
                pools["atomic"].append(Unit(offer.batch_id, offer.index, "atomic", relation_id, loss))
            if n == 0:
                for entity_id in offer.entity_ids:
                    pools["atomic"].append(Unit(offer.batch_id, offer.index, "atomic", entity_id, offer.mean_loss))
    return pools


def largest_remainder(total: int, weights: dict[Mode, float]) -> dict[Mode, int]:
    """Split ``total`` by ``weights`` (summing to 1) into integers; ties go to the earlier mode."""
    exact = {m: total * w for m, w in weights.items()}
    counts = {m: math.floor(v + 1e-9) for m, v in exact.items()}
    left = total - sum(counts.values())
    order = sorted(weights, key=lambda m: (-(exact[m] - counts[m]), list(weights).index(m)))
    for mode in order[: max(left, 0)]:
        counts[mode] += 1
    return counts


def mode_quotas(available: dict[Mode, int], mix: dict[Mode, float] | None, cap: int | None) -> dict[Mode, int]:
    """How many units each mode gets.

    * no cap, no mix: every available unit of every mode;
    * a cap without a mix: the cap split equally between the modes;
    * a mix without a cap: the largest total whose split by the mix fits what the modes
      with candidates offer (a mode with none is left out, its share spread on the others);
    * a cap: the cap split by the mix (largest remainder); what a mode cannot fill goes
      to the others in proportion to their shares, as far as they have units.
    """
    modes = list(available)
    if mix is None:
        if cap is None:
            return dict(available)
        mix = {m: 1.0 for m in modes}
    weights = _normalized({m: mix.get(m, 0.0) for m in modes})
    if cap is None:
        usable = {m: w for m, w in weights.items() if available[m] > 0 and w > 0}
        if not usable:
            return {m: 0 for m in modes}
        usable = _normalized(usable)
        target = min(math.floor(available[m] / w + 1e-9) for m, w in usable.items())
        quotas = {m: 0 for m in modes}
        quotas.update(largest_remainder(target, usable))
        weights = usable | {m: 0.0 for m in modes if m not in usable}
    else:
        quotas = largest_remainder(cap, weights)
    while True:
        excess = sum(max(0, quotas[m] - available[m]) for m in modes)
        quotas = {m: min(quotas[m], available[m]) for m in modes}
        open_modes = {m: weights[m] or 1e-12 for m in modes if quotas[m] < available[m]}
        if excess == 0 or not open_modes:
            return quotas
        for mode, extra in largest_remainder(excess, _normalized(open_modes)).items():
            quotas[mode] += extra


def _normalized(weights: dict[Mode, float]) -> dict[Mode, float]:
    total = sum(weights.values())
    return {m: (w / total if total else 0.0) for m, w in weights.items()}


class Plan(BaseModel):
    """The units chosen, and why the others were not."""

    units: list[Any]  # list[Unit], in the order they are worked on (highest loss first)
    candidates: dict[str, int]
    below_min_loss: dict[str, int]
    unjudged: dict[str, int]
    quotas: dict[str, int]
    losses_available: bool
    notes: list[str]


def plan_units(pools: dict[Mode, list[Unit]], config: GenerateConfig) -> Plan:
    """Choose the units to generate.

    1. Loss threshold: when ``min_loss`` is set and some unit has a loss, units whose
       loss is below it, or unknown, are skipped. When no unit has a loss at all (the
       judge did not run), the threshold cannot apply: nothing is skipped and a note says so.
    2. Order: by loss, highest first (unknown losses last), then the partition's order.
    3. Count: ``mode_quotas`` gives each mode its number; each mode takes that many
       units from the top of its order. A batch may serve several modes.
    """
    notes: list[str] = []
    losses_available = any(u.loss is not None for pool in pools.values() for u in pool)
    below: dict[str, int] = {m: 0 for m in pools}
    unjudged: dict[str, int] = {m: 0 for m in pools}
    kept: dict[Mode, list[Unit]] = {}
    for mode, pool in pools.items():
        if config.min_loss is not None and losses_available:
            unjudged[mode] = sum(1 for u in pool if u.loss is None)
            below[mode] = sum(1 for u in pool if u.loss is not None and u.loss < config.min_loss)
            pool = [u for u in pool if u.loss is not None and u.loss >= config.min_loss]
        kept[mode] = sorted(pool, key=Unit.rank)
    if not losses_available and any(pools.values()):
        if config.min_loss is not None:
            notes.append(
                f"min_loss {config.min_loss:g} not applied: nothing in these batches has a loss "
                "(run the judge stage first); every unit was eligible"
            )
        notes.append("no losses in these batches: units were taken in partition order, not by loss")
    for mode, pool in pools.items():
        if not pool:
            need = {"aggregated": "a relation", "multi_hop": "two relations", "atomic": "a relation or an entity"}[mode]
            notes.append(f"{mode}: no batch offers {need} that is not excluded")
    available = {m: len(units) for m, units in kept.items()}
    quotas = mode_quotas(available, config.mix, config.max_qa)
    if config.max_qa is not None and sum(quotas.values()) < config.max_qa:
        notes.append(f"max_qa {config.max_qa}: only {sum(quotas.values())} units are available")
    if config.mix is not None and config.max_qa is not None:
        ideal = largest_remainder(config.max_qa, _normalized({m: config.mix[m] for m in kept}))
        for mode in kept:
            if available[mode] < ideal[mode]:
                notes.append(f"mix: {mode} has only {available[mode]} of its {ideal[mode]} units; "
                             "the rest of its share went to the other modes")
    chosen = [u for mode, units in kept.items() for u in units[: quotas[mode]]]
    chosen.sort(key=lambda u: (*u.rank(), MODES.index(u.mode)))
    return Plan(
        units=chosen,
        candidates={m: len(p) for m, p in pools.items()},
        below_min_loss=below,
        unjudged=unjudged,
        quotas=dict(quotas),
        losses_available=losses_available,
        notes=notes,
    )


# -- material and prompts -------------------------------------------------------------------


class MaterialEntity(BaseModel):
    id: str
    name: str
    type: str | None = None
    description: str = ""
    chunk_ids: list[str] = []


class MaterialRelation(BaseModel):
    id: str
    source_id: str
    target_id: str
    description: str = ""
    loss: float | None = None
    chunk_ids: list[str] = []


class BatchMaterial(BaseModel):
    """A batch's usable relations (in chain order) and entities, as read now."""

    batch_id: str
    mean_loss: float | None = None
    relations: list[MaterialRelation]
    entities: dict[str, MaterialEntity]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BatchMaterial:
        entities: dict[str, MaterialEntity] = {}
        for item in row.get("entities") or []:
            entity = MaterialEntity(**{**item, "name": item.get("name") or item["id"]})
            if entity.id not in entities or entity.chunk_ids:
                entities[entity.id] = entity
        relations = [MaterialRelation(**r) for r in row.get("relations") or []]
        return cls(batch_id=row["batch_id"], mean_loss=row.get("mean_loss"),
                   relations=chain_order(relations), entities=entities)


def chain_order(relations: list[MaterialRelation]) -> list[MaterialRelation]:
    """Relations ordered so that each shares an entity with one before it where possible.

    Starts from the first (the partition's seed); then takes, each time, the first remaining
    relation touching an entity already reached — the order a chain of reasoning follows.
    """
    remaining = list(relations)
    ordered: list[MaterialRelation] = []
    reached: set[str] = set()
    while remaining:
        pick = next((r for r in remaining if r.source_id in reached or r.target_id in reached), remaining[0])
        remaining.remove(pick)
        ordered.append(pick)
        reached.update((pick.source_id, pick.target_id))
    return ordered


_SPACES = re.compile(r"\s+")
_NONE = {"en": "(none)", "zh": "（无）"}


def _one_line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def format_entities(entities: Iterable[MaterialEntity], language: Language) -> str:
    """``1. name [TYPE]: description`` lines, as every generate prompt shows them."""
    lines = [f"{i}. {_one_line(e.name)} [{_one_line(e.type) or 'UNKNOWN'}]: {_one_line(e.description)}"
             for i, e in enumerate(entities, 1)]
    return "\n".join(lines) or _NONE[language]


def format_relations(relations: Iterable[MaterialRelation], entities: dict[str, MaterialEntity], language: Language) -> str:
    """``1. source -> target: description`` lines (the direction is the graph's)."""
    def name(entity_id: str) -> str:
        entity = entities.get(entity_id)
        return _one_line(entity.name) if entity else entity_id

    lines = [f"{i}. {name(r.source_id)} -> {name(r.target_id)}: {_one_line(r.description)}"
             for i, r in enumerate(relations, 1)]
    return "\n".join(lines) or _NONE[language]


@dataclass(frozen=True)
class UnitMaterial:
    """What one unit's prompt shows and its QA records as provenance."""

    entities: list[MaterialEntity]
    relations: list[MaterialRelation]
    language: Language
    item_loss: float | None

    @property
    def relation_ids(self) -> list[str]:
        return [r.id for r in self.relations]

    @property
    def entity_ids(self) -> list[str]:
        return [e.id for e in self.entities]

    @property
    def chunk_ids(self) -> list[str]:
        ids = [c for r in self.relations for c in r.chunk_ids]
        if not self.relations:
            ids = [c for e in self.entities for c in e.chunk_ids]
        return list(dict.fromkeys(ids))

    def prompt_values(self) -> dict[str, str]:
        by_id = {e.id: e for e in self.entities}
        return {
            "entities": format_entities(self.entities, self.language),
            "relations": format_relations(self.relations, by_id, self.language),
        }


def unit_material(unit: Unit, batch: BatchMaterial) -> UnitMaterial | None:
    """The part of the batch a unit is written from; None when it is no longer usable."""
    if unit.mode == "atomic":
        relation = next((r for r in batch.relations if r.id == unit.item_id), None)
        if relation is not None:
            entities = [batch.entities[i] for i in (relation.source_id, relation.target_id) if i in batch.entities]
            relations = [relation]
            item_loss = relation.loss
        elif unit.item_id in batch.entities and not batch.relations:
            entities, relations, item_loss = [batch.entities[unit.item_id]], [], None
        else:
            return None
    else:
        needed = 2 if unit.mode == "multi_hop" else 1
        if len(batch.relations) < needed:
            return None
        relations = batch.relations
        order = list(dict.fromkeys(i for r in relations for i in (r.source_id, r.target_id)))
        entities = [batch.entities[i] for i in order if i in batch.entities]
        item_loss = None
    text = " ".join([e.name + " " + e.description for e in entities] + [r.description for r in relations])
    return UnitMaterial(entities=entities, relations=relations, language=detect_language(text), item_loss=item_loss)


# -- replies --------------------------------------------------------------------------------


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


# -- running units --------------------------------------------------------------------------


@dataclass
class UnitResult:
    unit: Unit
    qa: dict[str, Any] | None = None
    reason: str | None = None  # why no QA


class _Writer:
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


# -- report ---------------------------------------------------------------------------------


class ModeReport(BaseModel):
    candidates: int = 0  # units the batches offer (after curation)
    below_min_loss: int = 0
    unjudged: int = 0  # skipped by min_loss because they have no loss
    quota: int = 0
    selected: int = 0
    reused: int = 0  # already had a QA (an earlier, perhaps interrupted, run)
    generated: int = 0  # QA written by this run
    no_qa: int = 0  # replies that yielded no QA


class GenerateReport(BaseModel):
    run_id: str
    partition_run_id: str
    modes: dict[str, ModeReport]
    qa: int = 0  # distinct QA of this run (reused + generated)
    new_qa: int = 0  # QA nodes created
    duplicate_qa: int = 0  # generated QA identical to one stored already (same id)
    no_qa: int = 0
    no_qa_reasons: dict[str, int] = {}
    batches: int = 0
    batches_used: int = 0
    batches_skipped: int = 0  # none of their units chosen (cap, threshold, nothing usable)
    batches_failed: int = 0
    losses_available: bool = False
    notes: list[str] = []
    work: PoolOutcome | None = None  # the work pool's counts, failures by reason and verdict


# -- the stage ------------------------------------------------------------------------------


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

    # Units with a QA already (not stale) are done: link those QA to this run, skip the units.
    done: dict[tuple[str, str], str] = {}
    for ids in batched(list(by_batch), _ID_CHUNK):
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
    qa_ids: set[str] = set(reused_ids)

    pending = {b: [u for u in us if (b, u.key) not in done] for b, us in by_batch.items()}
    finished_batches = [b for b, us in pending.items() if not us]
    if finished_batches:
        rows = [{"batch_id": b, "status": "generated", "errors": [], "qa_count": len(by_batch[b])} for b in finished_batches]
        await asyncio.to_thread(graph.run, "generate/batch_status", {"run_id": run_id, "rows": rows})
    todo = [b for b, us in pending.items() if us]
    total = sum(len(pending[b]) for b in todo)
    progress.start("generate QA", total=total)

    outcomes: dict[str, list[UnitResult]] = defaultdict(list)  # per batch, until the batch is complete
    unstored: list[UnitResult] = []  # finished units whose QA are not stored yet
    complete: list[str] = []  # batches whose units all ran, status not written yet
    writer = _Writer(client, config)
    written = [0]  # QA written so far (for the progress line)
    pool: WorkPool[UnitResult] = WorkPool(
        STAGE, client=client, what="QA units", progress=progress, task="generate QA",
        policy=OnError(fail_item=ITEM_REASONS | {NO_MATERIAL}), fields=lambda: {"qa": written[0], "no_qa": report.no_qa},
    )
    report.work = pool.outcome

    def record(result: UnitResult) -> None:
        unit = result.unit
        unstored.append(result)
        outcomes[unit.batch_id].append(result)
        if len(outcomes[unit.batch_id]) == len(pending[unit.batch_id]):
            complete.append(unit.batch_id)
        if result.qa is None:
            reason = result.reason or "no reason given"
            report.modes[unit.mode].no_qa += 1
            report.no_qa += 1
            report.no_qa_reasons[reason] = report.no_qa_reasons.get(reason, 0) + 1
        else:
            written[0] += 1

    async def run_unit(unit: Unit, material: BatchMaterial | None) -> UnitResult:
        """One unit; a unit without QA fails its item in the pool (after it is recorded)."""
        try:
            result = await writer.run(unit, material)
        except LLMError as exc:
            reason = failure_reason(exc)
            if reason not in pool.policy.fail_item:
                raise  # fatal: the pool stops the stage
            record(UnitResult(unit, reason=f"{unit.mode}: {reason}"))
            raise
        record(result)
        if result.qa is None:
            kind = NO_MATERIAL if material is None or result.reason == NO_MATERIAL_REASON else BAD_REPLY
            raise ItemFailed(kind, f"{unit.key}: {result.reason}")
        return result

    async def flush(force: bool = False) -> None:
        """Store the finished units' QA, then the status of the batches now complete."""
        if not unstored or (len(unstored) < config.write_every and not force):
            return
        batch_ids = list(complete)
        rows = [r.qa for r in unstored if r.qa is not None]
        unstored.clear()
        complete.clear()
        if rows:
            stored = await _write(graph, "generate/store_qa", {"run_id": run_id, "rows": merge_identical(rows)})
            created = sum(1 for row in stored if row["created"])
            report.new_qa += created
            report.duplicate_qa += len(rows) - created
            for qa in rows:
                qa_ids.add(qa["id"])
                report.modes[qa["mode"]].generated += 1
        status_rows = []
        for b in batch_ids:
            errors = [f"{r.unit.key}: {r.reason}" for r in outcomes.pop(b) if r.qa is None]
            status_rows.append({
                "batch_id": b,
                "status": "failed" if errors else "generated",
                "errors": errors,
                "qa_count": len(by_batch[b]) - len(errors),
            })
            report.batches_failed += 1 if errors else 0
        if status_rows:
            await _write(graph, "generate/batch_status", {"run_id": run_id, "rows": status_rows})

    lookahead = max(config.write_every, 4 * config.max_concurrency, pool.window)
    try:
        async with pool:
            for wave in _waves(todo, pending, lookahead):
                rows = await asyncio.to_thread(graph.read, "generate/material", {"batch_ids": wave})
                materials = {r["batch_id"]: BatchMaterial.from_row(r) for r in rows}
                for b in wave:
                    for unit in pending[b]:
                        await pool.submit(run_unit(unit, materials.get(b)))
                        await flush()
    finally:
        # Whatever happened, store every unit that finished: an interrupted run loses nothing.
        await flush(force=True)
        progress.finish("generate QA")
        report.qa = len(qa_ids)


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
