"""The ``translation`` signal: the synthesizer names each entity in the other language.

Translations across documents are the pairs no text states: 诸葛亮 in one document, Zhuge Liang
in another. ``translate_names`` asks the synthesizer for the usual English name of every
Chinese-named entity and the usual Chinese name of every Latin-script one, ``BATCH`` names per
call (``prompts/translate_names.*.md``: names and types in, ``{"names": [{"name", "other"}]}``
out), only for types that the other script has entities of. ``translation_signals`` (pure)
matches each answer to the other script's names and aliases by loose key; a match scores
``TRANSLATION_SCORE``, or ``STRIPPED_SCORE`` when it holds only without a category word
(江苏省 → "Jiangsu Province" ~ Jiangsu). Both directions agreeing combine as two signals.
Types must agree (or one be unknown). The answer is the evidence line the adjudicator reads
(``translation: 诸葛亮 → Zhuge Liang``).

A batch whose reply cannot be parsed fails alone (its names get no translation); calls go
through the work pool, cached and counted in the ledger like every call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field, model_validator

from graphgen_neo4j.analyst.names import EN_CATEGORY_WORDS, ZH_CATEGORY_SUFFIXES, has_cjk, latin_tokens, loose_key
from graphgen_neo4j.analyst.signals import UNKNOWN_TYPES, EntityRecord, Signal, signal
from graphgen_neo4j.ids import normalize_key
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

STAGE = "resolve"
TASK = "translate_names"
STEP = "name entities in the other language"
BATCH = 50
TRANSLATION_SCORE = 0.7
STRIPPED_SCORE = 0.6


class NameTranslation(BaseModel):
    name: str
    other: str = ""


class NameTranslations(BaseModel):
    """The reply: one item per name asked; also read from ``{"names": {name: other}}``."""

    names: list[NameTranslation] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _mapping_forms(cls, value: Any) -> Any:
        if isinstance(value, dict):
            inner = value.get("names")
            if isinstance(inner, dict):
                return {"names": [{"name": str(k), "other": v if isinstance(v, str) else ""} for k, v in inner.items()]}
        return value


def wanted(entities: Sequence[EntityRecord]) -> list[EntityRecord]:
    """Entities worth translating: a name of one script, with a type the other script has entities of."""
    types: dict[bool, set[str | None]] = defaultdict(set)
    for e in entities:
        types[has_cjk(e.name)].add(e.type)
    found = []
    for e in entities:
        cjk = has_cjk(e.name)
        if not cjk and not latin_tokens(e.name):
            continue
        other = types[not cjk]
        if other and (e.type in UNKNOWN_TYPES or e.type in other or other & UNKNOWN_TYPES):
            found.append(e)
    return found


def batches(entities: Sequence[EntityRecord], size: int = BATCH) -> list[tuple[str, list[EntityRecord]]]:
    """(prompt language, entities): Chinese names asked in Chinese for English names, and the other way round."""
    chinese = [e for e in entities if has_cjk(e.name)]
    latin = [e for e in entities if not has_cjk(e.name)]
    return [(language, group[i:i + size]) for language, group in (("zh", chinese), ("en", latin)) for i in range(0, len(group), size)]


def batch_messages(language: str, entities: Sequence[EntityRecord]) -> list[dict[str, str]]:
    lines = "\n".join(f"{i}. {e.name} — {e.type or 'UNKNOWN'}" for i, e in enumerate(entities, 1))
    return render(TASK, language, names=lines)


def _stripped(key: str, cjk: bool) -> str:
    """``key`` without a trailing category word (省/市/县…, Province/City/River…)."""
    if cjk:
        suffix = next((s for s in sorted(ZH_CATEGORY_SUFFIXES, key=len, reverse=True) if key.endswith(s) and len(key) > len(s) + 1), "")
        return key[: len(key) - len(suffix)] if suffix else key
    words = key.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1] in EN_CATEGORY_WORDS else key


def name_keys(name: str) -> tuple[str, str]:
    """(loose key, loose key without a category word)."""
    cjk = has_cjk(name)
    return loose_key(name), loose_key(_stripped(normalize_key(name), cjk))


def _compatible(a: EntityRecord, b: EntityRecord) -> bool:
    return a.type in UNKNOWN_TYPES or b.type in UNKNOWN_TYPES or a.type == b.type


def translation_signals(entities: Sequence[EntityRecord], answers: Iterable[tuple[str, str]]) -> list[Signal]:
    """Signals from ``(entity id, its name in the other language)`` answers, matched to the other script's names."""
    by_id = {e.id: e for e in entities}
    exact: dict[tuple[bool, str], set[str]] = defaultdict(set)
    loose: dict[tuple[bool, str], set[str]] = defaultdict(set)
    for e in entities:
        for name in [e.name, *e.aliases]:
            key, bare = name_keys(name)
            exact[(has_cjk(name), key)].add(e.id)
            loose[(has_cjk(name), bare)].add(e.id)
    found: dict[tuple[str, str], Signal] = {}
    for entity_id, other in answers:
        entity = by_id.get(entity_id)
        if entity is None or not other.strip() or has_cjk(other) == has_cjk(entity.name):
            continue
        key, bare = name_keys(other)
        script = has_cjk(other)
        matches = [(i, TRANSLATION_SCORE) for i in exact.get((script, key), ())]
        matches += [(i, STRIPPED_SCORE) for i in loose.get((script, bare), ()) if i not in exact.get((script, key), ())]
        for match_id, score in matches:
            match = by_id[match_id]
            if match_id == entity_id or not _compatible(entity, match):
                continue
            how = "" if score == TRANSLATION_SCORE else " (without its category word)"
            found.setdefault((entity_id, match_id), signal(
                entity, match, "translation", score, f"the synthesizer names {entity.name} {other!r} in the other language{how}",
                f"translation: {entity.name} → {other.strip()}"))
    return list(found.values())


def _answers(batch: Sequence[EntityRecord], reply: NameTranslations) -> list[tuple[str, str]]:
    """(entity id, other name) for the reply's items whose name is one of the batch's (a garbled name is dropped:
    matching by position would pair a name with its neighbour's translation)."""
    by_key = {loose_key(e.name): e.id for e in batch}
    found = []
    for item in reply.names:
        entity_id = by_key.get(loose_key(item.name))
        if entity_id is not None and item.other.strip() and not item.other.strip().startswith("<"):
            found.append((entity_id, item.other.strip()))
    return found


async def translate_names(
    synthesizer: LLMClient, entities: Sequence[EntityRecord], progress: Progress = NullProgress(), size: int = BATCH,
) -> tuple[list[tuple[str, str]], list[str], PoolOutcome]:
    """(answers, failures, outcome): every wanted entity's name in the other language, ``size`` per call."""
    groups = batches(wanted(entities), size)
    answers: list[tuple[str, str]] = []
    failures: list[str] = []
    progress.start(STEP, total=len(groups))
    pool: WorkPool[NameTranslations] = WorkPool(STAGE, client=synthesizer, what="name batches", progress=progress, task=STEP)

    def done(batch: list[EntityRecord]) -> Callable[[NameTranslations], None]:
        return lambda reply: answers.extend(_answers(batch, reply))

    def failed(batch: list[EntityRecord]) -> Callable[[str, BaseException], None]:
        return lambda _reason, exc: failures.append(f"translate {batch[0].name} … ({len(batch)} names): {exc}")

    async with pool:
        for language, batch in groups:
            await pool.submit(synthesizer.structured(batch_messages(language, batch), NameTranslations, stage=STAGE, task=TASK),
                              on_done=done(batch), on_failed=failed(batch))
    progress.finish(STEP)
    return answers, failures, pool.outcome
