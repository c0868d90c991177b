"""What a unit's prompt is made of: a batch's entities and relations (``BatchMaterial``, read
by ``generate/material.cypher``), the part one unit uses (``unit_material``) and how it
is written into the prompt (``format_entities``, ``format_relations``, multi-hop chains in
``chain_order``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.generate.plan import Unit
from graphgen_neo4j.language import Language, detect_language
from graphgen_neo4j.tokens import count_tokens


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
    quiz_statements: list[str] = []  # what `quiz` stored (true_false QA reuse them)
    quiz_labels: list[bool] = []


class BatchMaterial(BaseModel):
    """A batch's usable relations (in chain order) and entities, as read now."""

    batch_id: str
    mean_loss: float | None = None
    relations: list[MaterialRelation]
    entities: dict[str, MaterialEntity]
    distractors: dict[str, list[MaterialEntity]] = {}  # answer entity id → same-type entities, nearest first

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

    def material_tokens(self) -> int:
        """Tokens of what the prompt shows of the unit (its entities and relations)."""
        return self._material_tokens

    def prompt_values(self) -> dict[str, str]:
        return dict(self._prompt_values)

    @cached_property
    def _prompt_values(self) -> dict[str, str]:  # formatted once: the prompt and the budget both use it
        by_id = {e.id: e for e in self.entities}
        return {
            "entities": format_entities(self.entities, self.language),
            "relations": format_relations(self.relations, by_id, self.language),
        }

    @cached_property
    def _material_tokens(self) -> int:
        return sum(count_tokens(text) for text in self._prompt_values.values())


def unit_material(unit: Unit, batch: BatchMaterial) -> UnitMaterial | None:
    """The part of the batch a unit is written from; None when it is no longer usable."""
    if unit.item_id is not None:
        relation = next((r for r in batch.relations if r.id == unit.item_id), None)
        if relation is not None:
            entities = [batch.entities[i] for i in (relation.source_id, relation.target_id) if i in batch.entities]
            relations = [relation]
            item_loss = relation.loss
        elif unit.mode == "atomic" and unit.item_id in batch.entities and not batch.relations:
            entities, relations, item_loss = [batch.entities[unit.item_id]], [], None
        else:
            return None
    else:
        needed = 1 if unit.mode == "aggregated" else 2
        if len(batch.relations) < needed:
            return None
        relations = batch.relations
        order = list(dict.fromkeys(i for r in relations for i in (r.source_id, r.target_id)))
        entities = [batch.entities[i] for i in order if i in batch.entities]
        item_loss = None
    text = " ".join([e.name + " " + e.description for e in entities] + [r.description for r in relations])
    return UnitMaterial(entities=entities, relations=relations, language=detect_language(text), item_loss=item_loss)
