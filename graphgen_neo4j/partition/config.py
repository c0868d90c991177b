"""The partition stage's settings, report and naming: ``PartitionConfig`` (the upstream
traverse keys plus the seed of the random order and the wave size, and the method with
the parameters of upstream's newer partitioners), ``PartitionReport``, the seed order's
tie-breaking key and the ids of batches.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from graphgen_neo4j.choices import PartitionMethod, UnitSampling
from graphgen_neo4j.config import Traversal
from graphgen_neo4j.errors import ConfigError

STAGE = "partition"

# The parameters each method takes (upstream's names; ``seed`` is ours: the seed of every
# random order, which upstream leaves unseeded; ``random_seed`` is upstream's leiden name for it).
METHOD_PARAMS: dict[str, tuple[str, ...]] = {
    "traverse": tuple(Traversal.model_fields),
    "ece": ("max_units_per_community", "min_units_per_community", "max_tokens_per_community", "unit_sampling",
            "seed"),
    "bfs": ("max_units_per_community", "seed"),
    "dfs": ("max_units_per_community", "seed"),
    "community": ("max_size", "use_lcc", "random_seed", "seed", "max_iterations"),
    "anchor_bfs": ("anchor_type", "anchor_ids", "max_units_per_community", "seed"),
    "triple": ("seed",),
    "quintuple": ("seed",),
}
_ANCHORS_NEEDED = "anchor_type (an entity type, e.g. disease) or anchor_ids (entity ids or names)"
_UNIT_FIELDS = ("method", "max_units_per_community", "min_units_per_community", "max_tokens_per_community",
                "unit_sampling", "max_size", "use_lcc", "max_iterations", "anchor_type", "anchor_ids")


def method_values(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """``partition.method`` and ``partition.method_params`` as ``PartitionConfig`` values; a key
    the method does not take is a ConfigError naming it and the keys it takes."""
    allowed = METHOD_PARAMS.get(method, ())
    for key in params:
        if key not in allowed:
            raise ConfigError(f"partition.method_params: unknown key {key!r} for method {method!r}; "
                              f"allowed keys: {', '.join(allowed)}")
    if method == "anchor_bfs" and not params.get("anchor_type") and not params.get("anchor_ids"):
        raise ConfigError(f"partition.method_params: method anchor_bfs needs {_ANCHORS_NEEDED}")
    values = dict(params)
    if "random_seed" in values:
        values["seed"] = values.pop("random_seed")
    return {"method": method, **values}


class PartitionConfig(Traversal):
    """How batches are cut: the upstream ``traverse_strategy`` keys (``config.Traversal``), plus the seed
    of the random order and the wave size."""

    seed: int = Field(0, description="seed of the random order (edge_sampling: random)")
    wave_size: int = Field(4000, ge=1, description="seeds cut per wave (speed and memory only; "
                           "the batches do not depend on it)")
    # -- upstream's newer partitioners (partition.method / method_params) ------------------------
    method: PartitionMethod = Field("traverse", description="traverse, ece, bfs, dfs, community, anchor_bfs, "
                                    "triple or quintuple")
    max_units_per_community: int = Field(10, ge=1, description="ece, bfs, dfs: entities + relations per batch")
    min_units_per_community: int = Field(1, ge=1, description="ece: a smaller community is dropped (its units "
                                         "stay used, as upstream)")
    max_tokens_per_community: int = Field(10240, ge=1, description="ece: description tokens per batch "
                                          "(the seed is always kept)")
    unit_sampling: UnitSampling = Field("max_loss", description="ece: unit order, and the order neighbours "
                                        "are taken in")
    max_size: int = Field(20, ge=1, description="community: entities per batch (larger communities are split)")
    use_lcc: bool = Field(False, description="community: only the largest connected component")
    max_iterations: int = Field(20, ge=1, description="community: label propagation rounds at most")
    anchor_type: list[str] = Field(default_factory=list, description="anchor_bfs: seeds are the entities whose type "
                                   "contains one of these (any case), e.g. disease")
    anchor_ids: list[str] = Field(default_factory=list, description="anchor_bfs: seeds are these entities "
                                  "(ids or names; instead of anchor_type)")

    @field_validator("anchor_type", "anchor_ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _anchors_named(self) -> PartitionConfig:
        if self.method == "anchor_bfs":
            if not any(t.strip() for t in self.anchor_type) and not self.anchor_ids:
                raise ValueError(f"method anchor_bfs needs {_ANCHORS_NEEDED}")
        return self

    def semantic_hash(self) -> str:
        """Hash of the settings that decide the batches (not ``wave_size``, nor a setting its method ignores)."""
        if self.method != "traverse":
            keys = ("method", *METHOD_PARAMS[self.method])
            values = {k: v for k, v in self.model_dump().items() if k in keys}
            return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        values = self.model_dump(exclude={"wave_size", *_UNIT_FIELDS})  # the hash traverse runs always had
        if values["edge_sampling"] != "random":
            values.pop("seed")
        values.pop("max_tokens" if self.expand_method == "max_width" else "max_extra_edges")
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


class PartitionReport(BaseModel):
    """What a partition run cut (all batches of the run, including those of an earlier, interrupted attempt)."""

    run_id: str
    dry_run: bool
    config_hash: str
    method: str = "traverse"
    batches: int = 0
    relation_batches: int = 0
    isolated_batches: int = 0
    batches_new: int = 0  # cut by this invocation (a resumed run counts only the rest)
    relations: int = 0  # usable: neither the relation nor its entities excluded
    relations_excluded: int = 0
    relations_in_batches: int = 0
    relations_without_loss: int = 0  # without a score for the loss_strategy (no loss, or an entity without one)
    order: str = ""  # the seed order used, in words
    size_histogram: dict[int, int] = Field(default_factory=dict)  # relations per batch → batches
    tokens_total: int = 0
    tokens_max: int = 0
    token_counts_refreshed: int = 0  # items whose description was (re)tokenized
    units_dropped: int = 0  # units in no batch: ece's communities below min_units_per_community; anchor_bfs's
    # units no anchor reached; triple / quintuple: quintuple's unpaired relations, self-relations
    communities: int | None = None  # community: communities found (before splitting by max_size)
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def tokens_mean(self) -> float | None:
        return self.tokens_total / self.batches if self.batches else None


def random_key(relation_id: str, seed: int) -> bytes:
    """Sort key of ``edge_sampling: random``: SHA-256 of ``seed:relation id`` (stable, seeded)."""
    return hashlib.sha256(f"{seed}:{relation_id}".encode()).digest()


def describe_order(config: PartitionConfig, relations: int, without_score: int) -> str:
    """The seed order in words, for the report."""
    if config.edge_sampling == "random":
        return f"random: by SHA-256 of '{config.seed}:<relation id>' (losses not used)"
    what = "loss" if config.loss_strategy == "only_edge" else "relation loss + the losses of its two entities"
    direction = "highest" if config.edge_sampling == "max_loss" else "lowest"
    fallback = "by strength (highest first), then relation id"
    if relations and without_score == relations:
        return f"{config.edge_sampling} fell back: no relation has a {what}, so seeds go {fallback}"
    text = f"{config.edge_sampling}: {what}, {direction} first (ties by strength, then id)"
    if without_score:
        text += f"; the {without_score} relations without one come last, {fallback}"
    return text


def batch_id(run_id: str, seed_id: str) -> str:
    """Id of the batch a run seeded with a relation (or cut around an isolated entity)."""
    return "batch-" + hashlib.sha256(f"{run_id}/{seed_id}".encode()).hexdigest()[:24]
