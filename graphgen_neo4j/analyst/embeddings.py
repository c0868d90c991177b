"""The ``embedding`` signal: entities whose name + description embeddings are near.

``embedding_signals`` embeds every entity whose stored embedding is missing or stale (another
model, another text) with the ``EMBEDDING_*`` endpoint, stores it on the entity
(``e.embedding``, ``e.embedding_model``, ``e.embedding_key``), makes sure Neo4j's vector index
``entity_embedding`` exists with the model's dimension (cosine similarity), and asks it for
each entity's ``k`` nearest neighbours; those at least ``min_similarity`` alike become
candidates scored ``EMBEDDING_WEIGHT × similarity``: nearness finds pairs, it does not prove
them — alone it stays below the default ``min_score`` (0.6) until the LLM or another signal agrees. The embedded text is ``name`` plus the aliases and the
first ``DESCRIPTION_CHARS`` characters of the description.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence

from graphgen_neo4j.analyst.signals import EntityRecord, Signal, signal
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.llm.embeddings import EmbeddingClient

DESCRIPTION_CHARS = 300
MAX_DIMENSIONS = 4096
EMBEDDING_WEIGHT = 0.5
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
    """Pairs of entities among ``entities`` that the vector index finds at least ``min_similarity`` alike."""
    by_id = {e.id: e for e in entities}
    found: dict[frozenset[str], Signal] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        rows = graph.read("resolve/nearest", {"ids": ids[start:start + 500], "k": k, "model": model,
                                              "min_similarity": min_similarity})
        for row in rows:
            a, b = by_id.get(row["a"]), by_id.get(row["b"])
            pair = frozenset((row["a"], row["b"]))
            if a is None or b is None or pair in found:
                continue
            similarity = float(row["similarity"])
            found[pair] = signal(a, b, "embedding", EMBEDDING_WEIGHT * similarity, f"embeddings {similarity:.2f} alike ({model})")
    return list(found.values())


async def embedding_signals(graph: Graph, client: EmbeddingClient, entities: Sequence[EntityRecord], k: int, min_similarity: float) -> tuple[list[Signal], int]:
    """(signals, entities embedded now): embed what is stale, index, find the near pairs."""
    embedded = await store_embeddings(graph, client, entities)
    sample = await asyncio.to_thread(graph.read, "resolve/embedding_dimensions", {"model": client.model})
    if not sample:
        return [], embedded
    await asyncio.to_thread(ensure_vector_index, graph, valid_dimensions(sample[0]["embedding"]))
    return await asyncio.to_thread(nearest_pairs, graph, entities, client.model, k, min_similarity), embedded
