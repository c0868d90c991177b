"""The ``embedding`` signal: entities whose name + description embeddings are near.

``embedding_signals`` embeds every entity whose stored embedding is missing or stale (another
model, another text) with the ``EMBEDDING_*`` endpoint, stores it on the entity
(``e.embedding``, ``e.embedding_model``, ``e.embedding_key``), makes sure Neo4j's vector index
``entity_embedding`` exists with the model's dimension (cosine similarity), and asks it for
each entity's ``k`` nearest neighbours; those at least ``min_similarity`` alike become
candidates scored ``EMBEDDING_WEIGHT × similarity``: nearness finds pairs, it does not prove
them — alone it stays below the default ``min_score`` (0.6) until the LLM or another signal agrees. The embedded text is ``name`` plus the aliases and the
first ``DESCRIPTION_CHARS`` characters of the description.

Across scripts a threshold does not work: a multilingual model puts texts of one language
closer to each other than to their translations (e5: artemisinin–青蒿素 0.90, artemisinin–阿司匹林
0.91 on names alone). So ``cross_script_pairs`` also takes, for every entity, its
``cross_k`` nearest entities of the other script (Chinese vs Latin-script name) and a
compatible type, by rank, whatever their similarity — candidates for the LLM to decide, scored
like the others.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphgen_neo4j.analyst.names import has_cjk
from graphgen_neo4j.analyst.signals import UNKNOWN_TYPES, EntityRecord, Signal, signal
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.llm.embeddings import EmbeddingClient

DESCRIPTION_CHARS = 300
MAX_DIMENSIONS = 4096
EMBEDDING_WEIGHT = 0.5
CROSS_K = 3  # nearest entities of the other script kept per entity
CROSS_POOL = 100  # neighbours the vector index is asked for, to find those of the other script
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"} | {i: f"{i}th" for i in range(4, 21)}
STAGE = "resolve"


def embedding_text(entity: EntityRecord) -> str:
    aliases = f" ({', '.join(entity.aliases)})" if entity.aliases else ""
    description = entity.description[:DESCRIPTION_CHARS].strip()
    return f"{entity.name}{aliases}: {description}" if description else f"{entity.name}{aliases}"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def valid_dimensions(vector: Sequence[float]) -> int:
    """The dimension of an embedding, checked before it becomes an index setting."""
    dimensions = len(vector)
    if not 1 <= dimensions <= MAX_DIMENSIONS:
        raise GraphGenError(f"the embedding endpoint returned {dimensions}-dimensional vectors; Neo4j indexes 1 to {MAX_DIMENSIONS}")
    return dimensions


def ensure_vector_index(graph: Graph, dimensions: int) -> None:
    """The ``entity_embedding`` index with ``dimensions``, online (one of another dimension is replaced)."""
    rows = graph.read("resolve/vector_index_state")
    if rows and rows[0]["dimensions"] != dimensions:
        graph.run("resolve/drop_vector_index")
    graph.run("resolve/vector_index", {"dimensions": dimensions})
    graph.run("resolve/await_vector_index")


async def store_embeddings(graph: Graph, client: EmbeddingClient, entities: Sequence[EntityRecord]) -> int:
    """Embed the entities whose embedding is missing or stale; returns how many were embedded."""
    texts = {e.id: embedding_text(e) for e in entities}
    keys = {i: text_key(t) for i, t in texts.items()}
    state = await asyncio.to_thread(graph.read, "resolve/embedding_state", {"model": client.model, "keys": keys})
    stale = [row["id"] for row in state]
    if not stale:
        return 0
    vectors = await client.embed([texts[i] for i in stale], stage=STAGE)
    dimensions = {len(v) for v in vectors}
    if len(dimensions) != 1:
        raise GraphGenError(f"{client.describe()} returned vectors of different lengths {sorted(dimensions)}")
    rows = [{"id": i, "embedding": v, "key": keys[i]} for i, v in zip(stale, vectors)]
    for start in range(0, len(rows), 500):
        await asyncio.to_thread(graph.run, "resolve/store_embeddings", {"model": client.model, "rows": rows[start:start + 500]})
    return len(rows)


def nearest_pairs(graph: Graph, entities: Sequence[EntityRecord], model: str, k: int, min_similarity: float) -> list[Signal]:
    """Pairs of entities among ``entities``, names of one script, that the vector index finds at least ``min_similarity`` alike."""
    by_id = {e.id: e for e in entities}
    found: dict[frozenset[str], Signal] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        rows = graph.read("resolve/nearest", {"ids": ids[start:start + 500], "k": k, "model": model,
                                              "min_similarity": min_similarity})
        for row in rows:
            a, b = by_id.get(row["a"]), by_id.get(row["b"])
            pair = frozenset((row["a"], row["b"]))
            if a is None or b is None or pair in found or has_cjk(a.name) != has_cjk(b.name):
                continue  # across scripts a similarity threshold says little: cross_script_pairs ranks them
            similarity = float(row["similarity"])
            found[pair] = signal(a, b, "embedding", EMBEDDING_WEIGHT * similarity, f"embeddings {similarity:.2f} alike ({model})")
    return list(found.values())


def _compatible(a: EntityRecord, b: EntityRecord) -> bool:
    return a.type in UNKNOWN_TYPES or b.type in UNKNOWN_TYPES or a.type == b.type


def top_other_script(rows: Iterable[Mapping[str, Any]], by_id: Mapping[str, EntityRecord], k: int) -> list[tuple[str, str, float, int]]:
    """(a, b, similarity, rank): each entity's ``k`` most similar rows (most similar first) of a compatible type."""
    kept: dict[str, list[tuple[str, str, float, int]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["a"], -float(r["similarity"]))):
        a, b = by_id.get(row["a"]), by_id.get(row["b"])
        if a is None or b is None or len(kept[a.id]) >= k or not _compatible(a, b):
            continue
        kept[a.id].append((a.id, b.id, float(row["similarity"]), len(kept[a.id]) + 1))
    return [item for items in kept.values() for item in items]


def cross_script_pairs(graph: Graph, entities: Sequence[EntityRecord], model: str, k: int, pool: int = CROSS_POOL) -> list[Signal]:
    """Each entity's ``k`` nearest entities of the other script and a compatible type (either way round)."""
    by_id = {e.id: e for e in entities}
    scripts = {e.id: "cjk" if has_cjk(e.name) else "latin" for e in entities}
    found: dict[frozenset[str], Signal] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        rows = graph.read("resolve/nearest_cross_script", {"ids": ids[start:start + 500], "pool": pool, "model": model, "scripts": scripts})
        for a, b, similarity, rank in top_other_script(rows, by_id, k):
            pair = frozenset((a, b))
            if pair not in found:
                reason = f"embeddings: {by_id[b].name} is the {ORDINALS[rank]} nearest of the other language to {by_id[a].name} ({similarity:.2f}, {model})"
                found[pair] = signal(by_id[a], by_id[b], "embedding", EMBEDDING_WEIGHT * similarity, reason)
    return list(found.values())


async def embedding_signals(graph: Graph, client: EmbeddingClient, entities: Sequence[EntityRecord], k: int, min_similarity: float,
                            cross_k: int = CROSS_K) -> tuple[list[Signal], int]:
    """(signals, entities embedded now): embed what is stale, index, find the near pairs (and the cross-script nearest)."""
    embedded = await store_embeddings(graph, client, entities)
    sample = await asyncio.to_thread(graph.read, "resolve/embedding_dimensions", {"model": client.model})
    if not sample:
        return [], embedded
    await asyncio.to_thread(ensure_vector_index, graph, valid_dimensions(sample[0]["embedding"]))
    near = await asyncio.to_thread(nearest_pairs, graph, entities, client.model, k, min_similarity)
    if cross_k:
        seen = {frozenset((s.a, s.b)) for s in near}
        near += [s for s in await asyncio.to_thread(cross_script_pairs, graph, entities, client.model, cross_k) if frozenset((s.a, s.b)) not in seen]
    return near, embedded
