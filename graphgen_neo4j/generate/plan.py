"""Choosing the units of work (pure): which batches yield which QA units (``candidate_units``),
how many of each mode (``mode_quotas``) and which units, in which order (``plan_units``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.choices import MODES, Mode
from graphgen_neo4j.generate.config import GenerateConfig


class BatchOffer(BaseModel):
    """What a batch offers now: its usable relations (id, loss) or, for an isolated-entity batch, entities."""

    batch_id: str
    index: int = 0
    mean_loss: float | None = None
    status: str | None = None
    relations: list[tuple[str, float | None]] = []
    entity_ids: list[str] = []
    quizzed: set[str] = set()  # relations with quiz statements (true_false units)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BatchOffer:
        return cls(
            batch_id=row["batch_id"],
            index=row["index"] if row.get("index") is not None else 0,
            mean_loss=row.get("mean_loss"),
            status=row.get("status"),
            relations=[(r["id"], r.get("loss")) for r in row.get("relations") or []],
            entity_ids=list(dict.fromkeys(row.get("entity_ids") or [])),
            quizzed={r["id"] for r in row.get("relations") or [] if r.get("quizzed")},
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

    aggregated: each batch with at least one usable relation; multi_hop, cot and
    multi_answer: each batch with at least two; atomic: each usable relation, and each
    entity of a batch cut without relations (an isolated entity); multi_choice and
    fill_in_blank: each usable relation; true_false: each usable relation that has quiz
    statements.
    """
    pools: dict[Mode, list[Unit]] = {mode: [] for mode in modes}
    for offer in offers:
        n = len(offer.relations)
        for mode, needed in _BATCH_MODES.items():
            if mode in pools and n >= needed:
                pools[mode].append(Unit(offer.batch_id, offer.index, mode, None, offer.mean_loss))
        for mode in _RELATION_MODES:
            if mode in pools:
                pools[mode].extend(Unit(offer.batch_id, offer.index, mode, relation_id, loss)
                                   for relation_id, loss in offer.relations
                                   if mode != "true_false" or relation_id in offer.quizzed)
        if "atomic" in pools:
            for relation_id, loss in offer.relations:
                pools["atomic"].append(Unit(offer.batch_id, offer.index, "atomic", relation_id, loss))
            if n == 0:
                for entity_id in offer.entity_ids:
                    pools["atomic"].append(Unit(offer.batch_id, offer.index, "atomic", entity_id, offer.mean_loss))
    return pools


_BATCH_MODES: dict[Mode, int] = {"aggregated": 1, "multi_hop": 2, "cot": 2, "multi_answer": 2}  # relations needed


_RELATION_MODES: tuple[Mode, ...] = ("multi_choice", "fill_in_blank", "true_false")  # one unit per relation


NEEDS: dict[Mode, str] = {
    "aggregated": "a relation", "multi_hop": "two relations", "atomic": "a relation or an entity",
    "cot": "two relations", "multi_answer": "two relations", "multi_choice": "a relation",
    "fill_in_blank": "a relation", "true_false": "a quizzed relation (run `quiz` first)",
}


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
    if mix is None and cap is None:
        return dict(available)
    shares = mix if mix is not None else dict.fromkeys(available, 1.0)
    weights = _normalized({m: shares.get(m, 0.0) for m in available})
    if cap is None:
        quotas, weights = _largest_fitting(available, weights)
    else:
        quotas = largest_remainder(cap, weights)
    return _spread_excess(available, quotas, weights)


def _largest_fitting(available: dict[Mode, int], weights: dict[Mode, float]) -> tuple[dict[Mode, int], dict[Mode, float]]:
    """No cap: the largest total whose split fits what the modes with candidates offer, and the
    weights it was split by (a mode with none is left out, its share spread on the others)."""
    usable = {m: w for m, w in weights.items() if available[m] > 0 and w > 0}
    if not usable:
        return {m: 0 for m in available}, weights
    usable = _normalized(usable)
    target = min(math.floor(available[m] / w + 1e-9) for m, w in usable.items())
    quotas = {m: 0 for m in available}
    quotas.update(largest_remainder(target, usable))
    return quotas, usable | {m: 0.0 for m in available if m not in usable}


def _spread_excess(available: dict[Mode, int], quotas: dict[Mode, int], weights: dict[Mode, float]) -> dict[Mode, int]:
    """What a mode cannot fill goes to the others in proportion to their shares, as far as they have units."""
    modes = list(available)
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
    available = {m: len(units) for m, units in kept.items()}
    quotas = mode_quotas(available, config.mix, config.max_qa)
    chosen = [u for mode, units in kept.items() for u in units[: quotas[mode]]]
    chosen.sort(key=lambda u: (*u.rank(), MODES.index(u.mode)))
    return Plan(
        units=chosen,
        candidates={m: len(p) for m, p in pools.items()},
        below_min_loss=below,
        unjudged=unjudged,
        quotas=dict(quotas),
        losses_available=losses_available,
        notes=_loss_notes(pools, config, losses_available) + _count_notes(available, quotas, config),
    )


def _loss_notes(pools: dict[Mode, list[Unit]], config: GenerateConfig, losses_available: bool) -> list[str]:
    """Why losses did not order or filter the units, and which modes have no candidate at all."""
    notes: list[str] = []
    if not losses_available and any(pools.values()):
        if config.min_loss is not None:
            notes.append(
                f"min_loss {config.min_loss:g} not applied: nothing in these batches has a loss "
                "(run the judge stage first); every unit was eligible"
            )
        notes.append("no losses in these batches: units were taken in partition order, not by loss")
    for mode, pool in pools.items():
        if not pool:
            notes.append(f"{mode}: no batch offers {NEEDS[mode]} that is not excluded")
    return notes


def _count_notes(available: dict[Mode, int], quotas: dict[Mode, int], config: GenerateConfig) -> list[str]:
    """Where ``max_qa`` or the ``mix`` could not be met."""
    notes: list[str] = []
    if config.max_qa is not None and sum(quotas.values()) < config.max_qa:
        notes.append(f"max_qa {config.max_qa}: only {sum(quotas.values())} units are available")
    if config.mix is not None and config.max_qa is not None:
        ideal = largest_remainder(config.max_qa, _normalized({m: config.mix[m] for m in available}))
        for mode in available:
            if available[mode] < ideal[mode]:
                notes.append(f"mix: {mode} has only {available[mode]} of its {ideal[mode]} units; "
                             "the rest of its share went to the other modes")
    return notes
