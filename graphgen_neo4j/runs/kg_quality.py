"""Quality of the knowledge graph itself, for ``report`` and ``stats``.

* **isolated entities**: entities no (non-excluded) relation touches, and their share;
* **connected components**: found in Python with union-find over the entity and relation
  ids read once (``cypher/report/kg_entities.cypher``, ``kg_relations.cypher``) —
  linear in the graph, and the graphs this tool builds (thousands to a few hundred
  thousand relations) fit in memory as ids; no graph-algorithm plugin needed. Relations
  count as undirected; the largest component's share of the entities is the headline;
* **degree**: relations per entity (either direction), mean and distribution;
* **relation description length** in tokens (``cl100k_base``; the counts ``partition``
  cached are reused while the description has not changed).

Excluded entities and relations are left out, as every later stage leaves them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.runs.distributions import Distribution, distribution
from graphgen_neo4j.tokens import count_tokens

MAX_DEGREE_BINS = 24  # up to this degree, one bar per degree; beyond, ranges


class GraphQuality(BaseModel):
    entities: int
    relations: int
    isolated: int
    isolated_share: float | None
    components: int
    largest_component: int
    largest_component_share: float | None
    average_degree: float | None
    degree: Distribution
    description_tokens: Distribution


def components(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[int]:
    """Pure: the sizes of the connected components (edges undirected), largest first."""
    parent = {node: node for node in nodes}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    for a, b in edges:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    return sorted(Counter(find(node) for node in nodes).values(), reverse=True)


def degree_distribution(degrees: Sequence[int]) -> Distribution:
    """Pure: the distribution of degrees, one bin per degree (0…max) while max ≤ MAX_DEGREE_BINS."""
    base = distribution([float(d) for d in degrees])
    top = max(degrees, default=0)
    if not degrees or top > MAX_DEGREE_BINS:
        return base
    counts = Counter(degrees)
    return base.model_copy(update={"bins": [(float(d), float(d + 1), counts.get(d, 0)) for d in range(top + 1)]})


def measure(nodes: Sequence[str], edges: Sequence[tuple[str, str]], description_tokens: Sequence[int]) -> GraphQuality:
    """Pure: the figures of a graph given as entity ids, relation ends and description lengths."""
    degree = Counter({node: 0 for node in nodes})
    for a, b in edges:
        degree[a] += 1
        degree[b] += 1
    isolated = sum(1 for node in nodes if degree[node] == 0)
    sizes = components(nodes, edges)
    count = len(nodes)
    return GraphQuality(
        entities=count,
        relations=len(edges),
        isolated=isolated,
        isolated_share=round(isolated / count, 4) if count else None,
        components=len(sizes),
        largest_component=sizes[0] if sizes else 0,
        largest_component_share=round(sizes[0] / count, 4) if count else None,
        average_degree=round(2 * len(edges) / count, 3) if count else None,
        degree=degree_distribution([degree[node] for node in nodes]),
        description_tokens=distribution([float(t) for t in description_tokens]),
    )


def graph_quality(graph: Any) -> GraphQuality:
    """The figures of the graph in Neo4j (two reads: entity ids, relation ends)."""
    nodes = [row["id"] for row in graph.read("report/kg_entities")]
    edges: list[tuple[str, str]] = []
    tokens: list[int] = []
    for row in graph.read("report/kg_relations"):
        edges.append((row["source"], row["target"]))
        tokens.append(row["tokens"] if row["tokens"] is not None else count_tokens(row["description"]))
    return measure(nodes, edges, tokens)
