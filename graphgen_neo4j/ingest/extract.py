"""Entity and relation extraction from one chunk with the synthesizer.

One call with ``prompts/extract.<lang>.md`` (the chunk's language), then up to
``max_gleaning`` "what did you miss?" calls (``prompts/glean.<lang>.md``) that see the
conversation so far; gleaning stops early when a pass finds nothing new.

The reply is JSON (structured output where the endpoint takes a JSON schema; otherwise
the LLM layer recovers the JSON from prose, code fences, full-width punctuation). The
models below then accept what real models write: other key names (``entity_name``,
``source_entity``, ``名称``…), keywords and aliases as one string, strength as ``"8"`` or
``"8/10"``, names in quotes or 《》. Items that cannot be used at all (no name, no
endpoints) are dropped and counted, not fatal. Relations whose endpoints were not
extracted as entities are kept: the merge creates those entities, typed ``UNKNOWN``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from graphgen_neo4j.analyst.evidence import find_identity_statements
from graphgen_neo4j.errors import LLMOutputError
from graphgen_neo4j.ids import normalize_key
from graphgen_neo4j.language import Language
from graphgen_neo4j.llm.budgets import extraction_budget
from graphgen_neo4j.prompts import render, template
from graphgen_neo4j.tokens import count_tokens

UNKNOWN = "UNKNOWN"
DEFAULT_ENTITY_TYPES = (
    "person", "organization", "location", "date", "event", "work", "concept", "technology",
    "gene", "protein", "variety", "crop", "plant", "disease", "pathogen", "pest", "drug",
    "compound", "therapy", "symptom", "method", "trait",
)
_QUOTES = "\"'`“”‘’「」『』《》〈〉«»＂＇【】"
_LIST_SEPARATORS = re.compile(r"[,，、;；|/]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def clean_name(value: Any) -> str:
    """A name as displayed: white space collapsed, quotes and brackets around it removed."""
    text = " ".join(str(value).split())
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(_QUOTES).strip()
    return text


def _as_list(value: Any) -> list[str]:
    """A list of strings from a list, or from one string separated by commas, 、 or ;."""
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = _LIST_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)):
        items = [part for item in value for part in (_LIST_SEPARATORS.split(item) if isinstance(item, str) else [item])]
    else:
        items = [value]
    return [clean_name(item) for item in items if item is not None and clean_name(item)]


# Bounds written into the JSON schema sent as ``response_format`` (never checked on the reply):
# a server that decodes by the schema (llama.cpp grammars, vLLM guided decoding) cannot ramble
# past them — a 0.5B model copied whole passages into descriptions until max_tokens — while a
# reply from a server without structured output is taken as it is.
# (A 0.5B model also looped on list items: "fungus", "fungus fungus", … until max_tokens.)
LIMITS = {"name": 120, "entity_description": 500, "relation_description": 400, "aliases": 4, "keywords": 4,
          "entities": 60, "relations": 90}


class ExtractedEntity(BaseModel):
    """An entity as the synthesizer reported it for one chunk."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: str = Field(validation_alias=AliasChoices("name", "entity_name", "entity", "名称", "实体", "实体名称"),
                      json_schema_extra={"maxLength": LIMITS["name"]})
    type: str = Field(UNKNOWN, validation_alias=AliasChoices("type", "entity_type", "类型", "实体类型"))
    description: str = Field("", validation_alias=AliasChoices("description", "entity_description", "summary", "描述"),
                             json_schema_extra={"maxLength": LIMITS["entity_description"]})
    aliases: list[str] = Field(default_factory=list, validation_alias=AliasChoices("aliases", "alias", "other_names", "别名"),
                               json_schema_extra={"maxItems": LIMITS["aliases"],
                                                  "items": {"type": "string", "maxLength": LIMITS["name"]}})

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        name = clean_name(value) if value is not None else ""
        if not name:
            raise ValueError("empty name")
        return name

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> str:
        return normalize_type(value)

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, value: Any) -> str:
        return " ".join(str(value).split()) if value is not None else ""

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases(cls, value: Any) -> list[str]:
        return _as_list(value)

    @model_validator(mode="after")
    def _aliases_differ_from_name(self) -> ExtractedEntity:
        key = normalize_key(self.name)
        seen = {key}
        aliases = []
        for alias in self.aliases:
            alias_key = normalize_key(alias)
            if alias_key and alias_key not in seen:
                seen.add(alias_key)
                aliases.append(alias)
        self.aliases = aliases
        return self


class ExtractedRelation(BaseModel):
    """A directed relation as the synthesizer reported it for one chunk."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    source: str = Field(validation_alias=AliasChoices("source", "source_entity", "src", "head", "源实体", "头实体"))
    target: str = Field(validation_alias=AliasChoices("target", "target_entity", "tgt", "tail", "目标实体", "尾实体"))
    description: str = Field("", validation_alias=AliasChoices("description", "relationship_description", "summary", "描述"),
                             json_schema_extra={"maxLength": LIMITS["relation_description"]})
    keywords: list[str] = Field(default_factory=list, validation_alias=AliasChoices("keywords", "relationship_keywords", "keyword", "关键词"),
                                json_schema_extra={"maxItems": LIMITS["keywords"],
                                                   "items": {"type": "string", "maxLength": 40}})
    strength: float = Field(5.0, validation_alias=AliasChoices("strength", "relationship_strength", "weight", "强度"))

    @field_validator("source", "target", mode="before")
    @classmethod
    def _endpoint(cls, value: Any) -> str:
        return ExtractedEntity._name(value)

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, value: Any) -> str:
        return ExtractedEntity._description(value)

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords(cls, value: Any) -> list[str]:
        return _as_list(value)

    @field_validator("strength", mode="before")
    @classmethod
    def _strength(cls, value: Any) -> float:
        return parse_strength(value)


class Extraction(BaseModel):
    """What one extraction (or gleaning) reply holds. ``dropped`` counts unusable items."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    entities: list[ExtractedEntity] = Field(default_factory=list, validation_alias=AliasChoices("entities", "nodes", "实体"),
                                            json_schema_extra={"maxItems": LIMITS["entities"]})
    relations: list[ExtractedRelation] = Field(
        default_factory=list, validation_alias=AliasChoices("relations", "relationships", "edges", "关系"),
        json_schema_extra={"maxItems": LIMITS["relations"]},
    )
    _dropped: int = PrivateAttr(default=0)

    @model_validator(mode="wrap")
    @classmethod
    def _drop_unusable_items(cls, data: Any, handler: Any) -> Extraction:
        if not isinstance(data, dict):
            return handler(data)
        kept, dropped = {}, 0
        for field, model in (("entities", ExtractedEntity), ("relations", ExtractedRelation)):
            key = next((k for k in cls.model_fields[field].validation_alias.choices if k in data), None)  # type: ignore[union-attr]
            items = data.get(key) if key else None
            if items is None:
                continue
            if not isinstance(items, list):
                items = [items]
            good = []
            for item in items:
                try:
                    good.append(model.model_validate(item))
                except ValidationError:
                    dropped += 1
            kept[field] = good
        result = handler(kept)
        result._dropped = dropped
        return result

    @property
    def dropped(self) -> int:
        return self._dropped

    def is_empty(self) -> bool:
        return not self.entities and not self.relations

    def reply_json(self) -> str:
        """The extraction as the JSON the prompt asks for (for the conversation history of gleaning)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False)


def normalize_type(value: Any) -> str:
    """Entity type: upper-case, words joined by ``_``; Chinese kept as is; empty is ``UNKNOWN``."""
    text = clean_name(value) if value is not None else ""
    text = re.sub(r"[\s\-]+", "_", text).upper()
    return text or UNKNOWN


def parse_strength(value: Any) -> float:
    """1–10 from ``8``, ``"8"``, ``"8/10"``, ``"strength: 7.5"``; unparsable is the neutral 5."""
    if isinstance(value, bool) or value is None:
        return 5.0
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        match = _NUMBER.search(str(value))
        if not match:
            return 5.0
        number = float(match.group(0))
    return min(10.0, max(1.0, number))


# ------------------------------------------------------------------------- prompts

def extraction_messages(text: str, language: Language, entity_types: Sequence[str] = DEFAULT_ENTITY_TYPES) -> list[dict[str, str]]:
    return render("extract", language, text=text, entity_types=", ".join(entity_types))


def glean_messages(history: list[dict[str, str]], previous: Extraction, language: Language) -> list[dict[str, str]]:
    """The conversation so far, the last reply, and the request for what was missed."""
    return [*history, {"role": "assistant", "content": previous.reply_json()}, *render("glean", language)]


# ------------------------------------------------------------------------- one chunk

class ChunkExtraction(BaseModel):
    """The outcome of extracting one chunk: items, or the error (and raw reply) it failed with."""

    chunk_id: str
    entities: list[ExtractedEntity] = Field(default_factory=list)
    relations: list[ExtractedRelation] = Field(default_factory=list)
    gleaned: int = 0  # items the gleaning passes added
    dropped: int = 0  # unusable items left out
    glean_error: str | None = None  # a gleaning reply that could not be parsed (earlier passes kept)
    error: str | None = None
    raw_reply: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def failed_chunk(chunk_id: str, error: BaseException) -> ChunkExtraction:
    """The result of a chunk whose extraction failed: the error, and the raw reply when there was one."""
    return ChunkExtraction(chunk_id=chunk_id, error=str(error), raw_reply=getattr(error, "raw", None))


def combine(passes: Sequence[Extraction]) -> tuple[list[ExtractedEntity], list[ExtractedRelation]]:
    """Items of all passes, one per entity key and per directed (source, target) key.

    An entity named twice keeps its first name and first non-UNKNOWN type, and gathers
    descriptions and aliases; a relation named twice gathers descriptions and keywords
    and takes the mean strength. Relations from an entity to itself are dropped.
    """
    entities: dict[str, ExtractedEntity] = {}
    for extraction in passes:
        for entity in extraction.entities:
            key = normalize_key(entity.name)
            known = entities.get(key)
            if known is None:
                entities[key] = entity.model_copy(deep=True)
                continue
            if known.type == UNKNOWN:
                known.type = entity.type
            known.description = _join_distinct([known.description, entity.description])
            known.aliases = _distinct_names(known.aliases + [entity.name] + entity.aliases, exclude=key)
    relations: dict[tuple[str, str], tuple[ExtractedRelation, list[float]]] = {}
    for extraction in passes:
        for relation in extraction.relations:
            pair = (normalize_key(relation.source), normalize_key(relation.target))
            if pair[0] == pair[1]:
                continue
            if pair not in relations:
                relations[pair] = (relation.model_copy(deep=True), [relation.strength])
                continue
            merged, strengths = relations[pair]
            merged.description = _join_distinct([merged.description, relation.description])
            merged.keywords = _distinct_names(merged.keywords + relation.keywords)
            strengths.append(relation.strength)
            merged.strength = round(sum(strengths) / len(strengths), 3)
    return list(entities.values()), [relation for relation, _ in relations.values()]


def _join_distinct(texts: Sequence[str]) -> str:
    return " ".join(dict.fromkeys(t for t in texts if t))


def _distinct_names(names: Sequence[str], exclude: str | None = None) -> list[str]:
    seen = {exclude} if exclude else set()
    out = []
    for name in names:
        key = normalize_key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _new_items(extraction: Extraction, entity_keys: set[str], relation_keys: set[tuple[str, str]]) -> int:
    fresh = 0
    for entity in extraction.entities:
        key = normalize_key(entity.name)
        if key not in entity_keys:
            entity_keys.add(key)
            fresh += 1
    for relation in extraction.relations:
        pair = (normalize_key(relation.source), normalize_key(relation.target))
        if pair not in relation_keys:
            relation_keys.add(pair)
            fresh += 1
    return fresh


async def extract_chunk(
    client: Any,
    chunk_id: str,
    text: str,
    language: Language,
    *,
    max_gleaning: int = 1,
    entity_types: Sequence[str] = DEFAULT_ENTITY_TYPES,
) -> ChunkExtraction:
    """Extract one chunk (first pass plus bounded gleaning).

    A failed gleaning pass (``LLMOutputError``) keeps what the earlier passes found. An
    error of the first pass propagates (an unparsable reply keeps its raw text in
    ``LLMOutputError.raw``): the caller's work pool decides whether it fails the chunk
    or stops the stage (``failed_chunk`` makes the failed result).
    """
    messages = extraction_messages(text, language, entity_types)
    passage_tokens = count_tokens(text)
    first = await client.structured(messages, Extraction, stage="extract", task="extract",
                                    max_tokens=extraction_budget("extract", passage_tokens))
    passes = [first]
    entity_keys: set[str] = set()
    relation_keys: set[tuple[str, str]] = set()
    _new_items(first, entity_keys, relation_keys)
    gleaned = 0
    glean_error = None
    history = messages
    for _ in range(max_gleaning):
        follow_up = glean_messages(history, passes[-1], language)
        try:
            more = await client.structured(follow_up, Extraction, stage="extract", task="glean",
                                           max_tokens=extraction_budget("glean", passage_tokens))
        except LLMOutputError as exc:
            glean_error = str(exc)  # what the earlier passes found stands; counted, not fatal
            break
        fresh = _new_items(more, entity_keys, relation_keys)
        passes.append(more)
        history = follow_up
        gleaned += fresh
        if fresh == 0:
            break
    entities, relations = combine(passes)
    entities, relations, copied = drop_example_copies(text, entities, relations)
    unsupported = keep_supported_aliases(text, entities)
    return ChunkExtraction(
        chunk_id=chunk_id, entities=entities, relations=relations,
        gleaned=gleaned, dropped=sum(p.dropped for p in passes) + copied + unsupported, glean_error=glean_error,
    )


def _same_name(a: str, b: str) -> bool:
    """One name, or one inside the other ("blast" / "rice blast"), compared by key."""
    a, b = normalize_key(a), normalize_key(b)
    return a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a))


def keep_supported_aliases(passage: str, entities: list[ExtractedEntity]) -> int:
    """Keep only the aliases the passage states as names of the entity (an identity cue:
    "also known as", "(IRRI)", "又名", "字…", see ``analyst/evidence.py``); returns how many
    were dropped. An alias merges two entities at ingest, so one a model merely guessed
    (a small model listed the river a dam stands on as the dam's alias) must not: it can
    still be proposed by ``resolve``, where an analyst decides."""
    names = [e.name for e in entities]
    statements = find_identity_statements(passage, names=names)
    dropped = 0
    for entity in entities:
        kept = [alias for alias in entity.aliases if any(
            (_same_name(s.name, entity.name) and _same_name(s.alias, alias))
            or (_same_name(s.alias, entity.name) and _same_name(s.name, alias)) for s in statements)]
        dropped += len(entity.aliases) - len(kept)
        entity.aliases = kept
    return dropped


@functools.cache
def example_names() -> frozenset[str]:
    """Keys of the entity names in the extraction prompts' worked example (both languages)."""
    names: set[str] = set()
    for language in ("en", "zh"):
        _, user = template("extract", language)
        example = user.split("{{text}}")[0]
        names.update(normalize_key(m) for m in re.findall(r'"name":\s*"([^"]+)"', example) if m != "...")
    return frozenset(names)


def drop_example_copies(
    passage: str, entities: list[ExtractedEntity], relations: list[ExtractedRelation]
) -> tuple[list[ExtractedEntity], list[ExtractedRelation], int]:
    """Entities copied from the prompt's example (named there, absent from the passage) and their
    relations: a small model does copy them. Returns what is kept and how many were dropped."""
    text = normalize_key(passage)
    copied = {key for e in entities if (key := normalize_key(e.name)) in example_names() and key not in text}
    if not copied:
        return entities, relations, 0
    kept = [e for e in entities if normalize_key(e.name) not in copied]
    linked = [r for r in relations if normalize_key(r.source) not in copied and normalize_key(r.target) not in copied]
    return kept, linked, len(entities) - len(kept) + len(relations) - len(linked)


__all__ = [
    "DEFAULT_ENTITY_TYPES", "UNKNOWN", "ChunkExtraction", "ExtractedEntity", "ExtractedRelation", "Extraction",
    "clean_name", "combine", "drop_example_copies", "extract_chunk", "failed_chunk", "extraction_messages", "glean_messages",
    "normalize_type", "parse_strength",
]
