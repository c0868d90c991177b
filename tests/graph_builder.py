"""Build small knowledge graphs by hand, in the shape docs/data-model.md describes.

For tests of the stages after extraction (judge, partition, generate, curation):
they need a graph, not an LLM. Use through the ``build_graph`` fixture::

    build_graph(
        entities=[("A", "GENE", "A is a rice gene."), ("B", "TRAIT", "B is ...")],
        relations=[("A", "B", "A controls B.", {"loss": 2.5})],
    )
"""

from __future__ import annotations

from typing import Any

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ids import entity_id, normalize_key, relation_id

CREATE_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
SET e.name = row.name, e.type = row.type, e.description = row.description,
    e.descriptions = [row.description], e.aliases = row.aliases,
    e.mention_count = 1, e.type_votes = [row.type + '=1']
SET e += row.extra
WITH e, row
UNWIND [row.name] + row.aliases AS alias_name
MERGE (a:Alias {key: row.keys[alias_name]})
SET a.name = alias_name, a.source = CASE alias_name WHEN row.name THEN 'name' ELSE 'llm' END
MERGE (a)-[:ALIAS_OF]->(e)
"""

CREATE_RELATIONS = """
UNWIND $rows AS row
MATCH (s:Entity {id: row.source_id}), (t:Entity {id: row.target_id})
MERGE (s)-[r:RELATED {id: row.id}]->(t)
SET r.description = row.description, r.descriptions = [row.description],
    r.keywords = row.keywords, r.strength = row.strength, r.chunk_ids = row.chunk_ids
SET r += row.extra
"""


def build_graph(
    graph: Graph,
    entities: list[tuple[Any, ...]],
    relations: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
) -> dict[str, str]:
    """Create entities and relations; returns {name: entity id} plus {"A->B": relation id}.

    entity:   (name, type, description[, {"aliases": [...], other properties}])
    relation: (source name, target name, description[, {properties, e.g. "loss": 1.2}])
    Relations whose endpoints are not listed get ``UNKNOWN`` entities.
    """
    ids: dict[str, str] = {}
    entity_rows = []
    names = {e[0] for e in entities}
    implied = [(n, "UNKNOWN", f"{n}.") for r in relations for n in r[:2] if n not in names]
    for spec in list(entities) + list(dict.fromkeys(implied)):
        name, type_, description = spec[:3]
        extra = dict(spec[3]) if len(spec) > 3 else {}
        aliases = extra.pop("aliases", [])
        ids[name] = entity_id(normalize_key(name))
        entity_rows.append({
            "id": ids[name], "name": name, "type": type_, "description": description,
            "aliases": aliases, "keys": {n: normalize_key(n) for n in [name, *aliases]}, "extra": extra,
        })
    relation_rows = []
    for spec in relations:
        source, target, description = spec[:3]
        extra = dict(spec[3]) if len(spec) > 3 else {}
        rid = relation_id(ids[source], ids[target])
        ids[f"{source}->{target}"] = rid
        relation_rows.append({
            "id": rid, "source_id": ids[source], "target_id": ids[target], "description": description,
            "keywords": extra.pop("keywords", []), "strength": float(extra.pop("strength", 5)),
            "chunk_ids": extra.pop("chunk_ids", []), "extra": extra,
        })
    if entity_rows:
        graph.query(CREATE_ENTITIES, {"rows": entity_rows})
    if relation_rows:
        graph.query(CREATE_RELATIONS, {"rows": relation_rows})
    return ids
