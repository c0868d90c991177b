"""Candidate pairs for the resolver, from every signal but the embeddings (``embeddings.py``).

* **names** (``names.py``): same key, shared alias, containment without a category word, typos;
* ``evidence``: a description or a chunk *says* two names are one — "刘备，字玄德",
  "Mumbai, formerly Bombay", "Zhao Yun (赵云)" — read by ``analyst/evidence.py``; the cue,
  the sentence and the chunk are kept as the proposal's evidence;
* ``mentioned``: a Chinese-named entity whose description writes a Latin-script entity's
  name, or the other way round ("稻瘟病（rice blast）…", 0.4 each way), and Chinese and
  Latin-script names of one type in one chunk (0.3): weak alone, worth asking the LLM about.

``hard_negatives`` then reads both descriptions and the chunks that name both for cues that
the two are related but different (``analyst/negative_cues.py``); they count against the pair.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graphgen_neo4j.analyst.evidence import IdentityStatement, description_aliases, find_identity_statements
from graphgen_neo4j.analyst.names import (
    containment_pairs,
    edit_distance_pairs,
    has_cjk,
    latin_tokens,
    loose_key,
    same_key_pairs,
    shared_alias_pairs,
)
from graphgen_neo4j.analyst.negative_cues import negative_evidence
from graphgen_neo4j.analyst.signals import EntityRecord, PairSignals, Signal, signal
from graphgen_neo4j.ids import normalize_key

EVIDENCE_SCORE = 0.9
MENTIONED_SCORE = 0.4
CO_MENTION_SCORE = 0.3
UNKNOWN_TYPES = {None, "", "UNKNOWN"}

_LATIN_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_LATIN_RUN = re.compile(r"[a-z0-9](?:[a-z0-9\s\-_.'/]*[a-z0-9])?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class ChunkRecord(BaseModel):
    """A chunk's text and the entities it mentions (ids)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    text: str = ""
    entities: list[str] = Field(default_factory=list)


class NameIndex:
    """Entities by the loose key of each of their names and aliases."""

    def __init__(self, entities: Sequence[EntityRecord]):
        self.by_id = {e.id: e for e in entities}
        self.owners: dict[str, set[str]] = defaultdict(set)
        for entity in entities:
            for name in [entity.name, *entity.aliases]:
                self.owners[loose_key(name)].add(entity.id)

    def lookup(self, name: str, prefer: Iterable[str] = ()) -> set[str]:
        """Entities going by ``name``: those among ``prefer`` (the chunk's) if any, else all."""
        owners = self.owners.get(loose_key(name), set())
        preferred = owners & set(prefer)
        return preferred or owners

    def names(self, ids: Iterable[str]) -> list[str]:
        return [n for i in ids if i in self.by_id for n in [self.by_id[i].name, *self.by_id[i].aliases]]


# -- identity statements --------------------------------------------------------------------------


PERSON_KINDS = ("courtesy_name", "art_name", "given_name")


def _alias_owners(statement: IdentityStatement, index: NameIndex, local: Sequence[str]) -> set[str]:
    """Entities going by the alias; a Chinese courtesy, art or given name is also looked up
    with the person's surname before it (苏辙字子由 → 苏子由; 陶渊明名潜 → 陶潜)."""
    owners = index.lookup(statement.alias, local)
    if owners or statement.kind not in PERSON_KINDS or not has_cjk(statement.name):
        return owners
    for surname in (statement.name[:2], statement.name[:1]):
        owners = index.lookup(surname + statement.alias, local)
        if owners:
            return owners
    return set()


def _statement_signals(statement: IdentityStatement, index: NameIndex, local: Sequence[str], chunk: str | None, where: str) -> list[Signal]:
    found = []
    cue = "parentheses" if statement.cue == "()" else statement.cue
    for a in sorted(index.lookup(statement.name, local)):
        for b in sorted(_alias_owners(statement, index, local)):
            if a != b:
                ea, eb = index.by_id[a], index.by_id[b]
                reason = f"{where} says {statement.alias!r} is {statement.kind.replace('_', ' ')} of {statement.name!r} ({cue})"
                found.append(signal(ea, eb, "evidence", EVIDENCE_SCORE, reason, f"same ({cue}): {statement.sentence.strip()}", chunk))
    return found


def chunk_evidence(chunks: Sequence[ChunkRecord], index: NameIndex) -> list[Signal]:
    """Identity statements in chunk text between two entities (names snapped to the chunk's entities)."""
    found = []
    for chunk in chunks:
        names = index.names(chunk.entities)
        for statement in find_identity_statements(chunk.text, names=names):
            found.extend(_statement_signals(statement, index, chunk.entities, chunk.id, "the text"))
    return found


def description_evidence(entities: Sequence[EntityRecord], index: NameIndex, neighbours: Mapping[str, Sequence[str]]) -> list[Signal]:
    """Statements in an entity's own description giving it another entity's name ("刘备字玄德")."""
    found: list[Signal] = []
    for entity in entities:
        if not entity.description:
            continue
        local = list(neighbours.get(entity.id, ()))
        for statement in description_aliases(entity.name, entity.description, names=index.names(local)):
            oriented = IdentityStatement(entity.name, statement.alias, statement.cue, statement.kind, statement.start, statement.end, statement.sentence)
            found.extend(s for s in _statement_signals(oriented, index, [entity.id, *local], None, f"the description of {entity.name}")
                         if entity.id in (s.a, s.b))
    return found


# -- names across scripts ------------------------------------------------------------------------


def _longest_matches(sequence: Any, index: Mapping[Any, list[EntityRecord]], longest: int) -> list[EntityRecord]:
    """Entities named in ``sequence`` (words or characters), longest name first, left to right:
    "rice blast" in a description names rice blast, not also rice."""
    found: list[EntityRecord] = []
    start = 0
    while start < len(sequence):
        end = next((end for end in range(min(len(sequence), start + longest), start, -1) if sequence[start:end] in index), None)
        if end is None:
            start += 1
            continue
        found.extend(index[sequence[start:end]])
        start = end
    return found


def _named_in(entity: EntityRecord, latin_index: Mapping[Any, list[EntityRecord]], cjk_index: Mapping[Any, list[EntityRecord]]) -> list[EntityRecord]:
    """Entities of the other script that ``entity``'s description names."""
    text = normalize_key(entity.description)
    if has_cjk(entity.name):
        longest = max((len(k) for k in latin_index), default=0)
        return [o for run in _LATIN_RUN.findall(text) for o in _longest_matches(tuple(_LATIN_TOKEN.findall(run)), latin_index, longest)]
    longest = max((len(k) for k in cjk_index), default=0)
    return [o for run in _CJK_RUN.findall(text) for o in _longest_matches(run, cjk_index, longest)]


def _script_indexes(entities: Sequence[EntityRecord]) -> tuple[dict[Any, list[EntityRecord]], dict[Any, list[EntityRecord]]]:
    """Latin-script entities by their words, Chinese-named ones by their loose key."""
    latin_index: dict[Any, list[EntityRecord]] = defaultdict(list)
    cjk_index: dict[Any, list[EntityRecord]] = defaultdict(list)
    for e in entities:
        if has_cjk(e.name):
            cjk_index[loose_key(e.name)].append(e)
        elif latin_tokens(e.name):
            latin_index[latin_tokens(e.name)].append(e)
    return latin_index, cjk_index


def _co_mentioned(entities: Sequence[EntityRecord], co_mentions: Iterable[Sequence[str]], named: set[frozenset[str]]) -> list[Signal]:
    """Chinese and Latin-script names of one known type in one chunk (pairs not already named)."""
    by_id = {e.id: e for e in entities}
    found = []
    for ids in co_mentions:
        members = [by_id[i] for i in ids if i in by_id and by_id[i].type not in UNKNOWN_TYPES]
        chinese = [m for m in members if has_cjk(m.name)]
        latin = [m for m in members if not has_cjk(m.name) and latin_tokens(m.name)]
        found += [signal(a, b, "mentioned", CO_MENTION_SCORE, f"{a.name} and {b.name}: one type, named in one chunk")
                  for a in chinese for b in latin if a.type == b.type and frozenset((a.id, b.id)) not in named]
    return found


def cross_script_mentions(entities: Sequence[EntityRecord], co_mentions: Iterable[Sequence[str]] = ()) -> list[Signal]:
    """A description naming an entity of the other script (0.4 each way); one type, one chunk, two scripts (0.3)."""
    latin_index, cjk_index = _script_indexes(entities)
    found = [signal(e, other, "mentioned", MENTIONED_SCORE, f"the description of {e.name} names {other.name}")
             for e in entities if e.description for other in _named_in(e, latin_index, cjk_index)]
    found += _co_mentioned(entities, co_mentions, {frozenset((s.a, s.b)) for s in found})
    return list({(s.a, s.b, s.reason): s for s in found}.values())


# -- all but embeddings ----------------------------------------------------------------------------


def name_signals(entities: Sequence[EntityRecord], kinds: Iterable[str], containment: Mapping[str, int] | None = None) -> list[Signal]:
    """The name signals asked for (``same_key``, ``shared_alias``, ``containment``, ``edit_distance``)."""
    containment = containment or {}
    finders = {
        "same_key": lambda: same_key_pairs(entities),
        "shared_alias": lambda: shared_alias_pairs(entities),
        "containment": lambda: containment_pairs(entities, **containment),
        "edit_distance": lambda: edit_distance_pairs(entities),
    }
    return [s for kind, find in finders.items() if kind in kinds for s in find()]


def neighbours_of(chunks: Sequence[ChunkRecord]) -> dict[str, list[str]]:
    """Each entity's co-mentioned entities (the names its description is likely to use)."""
    found: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        for entity in chunk.entities:
            found[entity].update(chunk.entities)
    return {k: sorted(v - {k}) for k, v in found.items()}


def text_signals(entities: Sequence[EntityRecord], chunks: Sequence[ChunkRecord], kinds: Iterable[str], max_co_mentioned: int = 40) -> list[Signal]:
    """``evidence`` and ``mentioned`` signals, as asked for."""
    index = NameIndex(entities)
    found: list[Signal] = []
    if "evidence" in kinds:
        found += chunk_evidence(chunks, index)
        found += description_evidence(entities, index, neighbours_of(chunks))
    if "mentioned" in kinds:
        found += cross_script_mentions(entities, [c.entities for c in chunks if 1 < len(c.entities) <= max_co_mentioned])
    return found


def hard_negatives(pair: PairSignals, chunks_by_id: Mapping[str, ChunkRecord], chunks_of: Mapping[str, set[str]]) -> list[str]:
    """Cues in both descriptions and in the chunks naming both that the two are different things."""
    a, b = pair.a, pair.b
    texts: list[tuple[str, str | None]] = [(a.description, a.name), (b.description, b.name)]
    texts += [(chunks_by_id[c].text, None) for c in sorted(chunks_of.get(a.id, set()) & chunks_of.get(b.id, set())) if c in chunks_by_id]
    cues = []
    for text, subject in texts:
        for statement in negative_evidence(a.name, b.name, text, subject=subject) if text else ():
            cues.append(f"{statement.kind} ({statement.cue}): {statement.sentence.strip()}")
    return list(dict.fromkeys(cues))


# -- names stated in text that no entity goes by ---------------------------------------------------


class AliasProposal(BaseModel):
    """A name the text gives an entity that no entity goes by yet ("张飞字益德，后世小说多写作翼德")."""

    model_config = ConfigDict(extra="forbid")

    entity: str  # id
    entity_name: str
    alias: str
    cue: str
    kind: str
    evidence: str
    chunk: str | None = None


def _alias_proposal(statement: IdentityStatement, index: NameIndex, local: Sequence[str], chunk: str | None) -> AliasProposal | None:
    """The statement as an alias to add, when exactly its name routes to an entity (one) and the alias to none."""
    owners, alias_owners = index.lookup(statement.name, local), _alias_owners(statement, index, local)
    if len(owners) != 1 or alias_owners:
        return None
    entity = index.by_id[next(iter(owners))]
    cue = "parentheses" if statement.cue == "()" else statement.cue
    return AliasProposal(entity=entity.id, entity_name=entity.name, alias=statement.alias, cue=cue, kind=statement.kind,
                         evidence=f"same ({cue}): {statement.sentence.strip()}"[:300], chunk=chunk)


def stated_aliases(entities: Sequence[EntityRecord], chunks: Sequence[ChunkRecord]) -> list[AliasProposal]:
    """Names that descriptions and chunks state for an entity and that route nowhere yet."""
    index = NameIndex(entities)
    neighbours = neighbours_of(chunks)
    found: list[AliasProposal | None] = []
    for chunk in chunks:
        for statement in find_identity_statements(chunk.text, names=index.names(chunk.entities)):
            found.append(_alias_proposal(statement, index, chunk.entities, chunk.id))
    for entity in (e for e in entities if e.description):
        local = [entity.id, *neighbours.get(entity.id, ())]
        for statement in description_aliases(entity.name, entity.description, names=index.names(local)):
            found.append(_alias_proposal(statement, index, local, None))
    unique: dict[tuple[str, str], AliasProposal] = {}
    for proposal in found:
        if proposal is not None:
            unique.setdefault((proposal.entity, loose_key(proposal.alias)), proposal)
    return sorted(unique.values(), key=lambda p: (p.entity_name, p.alias))
