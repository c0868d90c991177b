"""``response_format`` → a GBNF grammar llama.cpp samples under (json_object, json_schema)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def json_schema_grammar(schema: Mapping[str, Any]) -> str | None:
    """A GBNF grammar for ``schema`` (local ``$ref``s inlined), or None when the converter cannot express it."""
    from llama_cpp_py_sync.constraints import response_format_to_grammar

    try:
        inlined = inline_refs(schema)
        return response_format_to_grammar({"type": "json_schema", "json_schema": {"schema": inlined}})
    except (ValueError, TypeError, RecursionError):
        return None


def inline_refs(schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """Replace ``{"$ref": "#/$defs/X"}`` (or ``#/definitions/X``) by the definition itself.

    Recursive schemas raise ``RecursionError`` (past depth 20); the caller then falls back
    to the generic JSON grammar. ``$defs``/``definitions`` keys are dropped from the result.
    """
    if depth > 20:
        raise RecursionError("schema nests $ref more than 20 deep (recursive?)")
    root = schema if root is None else root
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target: Any = root
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported, not {ref}")
            for part in ref[2:].split("/"):
                target = target[part]
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            return inline_refs(merged, root, depth + 1)
        return {k: inline_refs(v, root, depth + 1) for k, v in schema.items() if k not in ("$defs", "definitions")}
    if isinstance(schema, list):
        return [inline_refs(item, root, depth + 1) for item in schema]
    return schema


def grammar_for(response_format: Mapping[str, Any] | None) -> tuple[str | None, str]:
    """(GBNF grammar or None, how the output is constrained: ``none``/``json``/``schema``/``json-fallback``)."""
    from llama_cpp_py_sync.constraints import JSON_OBJECT_GRAMMAR

    if not response_format or response_format.get("type") == "text":
        return None, "none"
    if response_format.get("type") == "json_object":
        return JSON_OBJECT_GRAMMAR, "json"
    schema = (response_format.get("json_schema") or {}).get("schema")
    grammar = json_schema_grammar(schema) if isinstance(schema, Mapping) else None
    if grammar is None:
        return JSON_OBJECT_GRAMMAR, "json-fallback"
    return grammar, "schema"
