"""graphgen-neo4j: documents → knowledge graph in Neo4j → comprehension loss → SFT QA data.

The library never imports the CLI stack (typer, rich); the ``graphgen-neo4j``
command lives in ``graphgen_neo4j.cli``.
"""

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.settings import Neo4jSettings

__version__ = "0.1.0"

__all__ = ["Graph", "GraphGenError", "Neo4jSettings", "__version__"]
