"""The alias review queue: find entities that are probably one thing under two names.

``resolve`` compares the entities' names and proposes likely duplicates as
``(absorb)-[:SAME_AS {score, method, status: 'proposed'}]->(keep)`` for an analyst to
accept or reject (in Browser, or with ``cypher/curate/review_same_as.cypher``). How pairs
are found (``method``), cheapest first:

* ``same_key``: the names are equal once punctuation, symbols and spaces are dropped
  ("rice-blast disease" / "rice blast disease");
* ``shared_alias``: a name or alias of one is, in that loose form, a name or alias of the other;
* ``containment``: one name is part of the other (whole words for Latin script, characters
  for Chinese: "稻瘟" / "稻瘟病"), scored by how much of the longer name the shorter covers;
* ``edit_distance``: Latin-script names a typo apart ("Magnaporthe oryza" / "oryzae"): one edit
  for names up to 8 letters, two for longer ones; names whose digits differ (Pi9 / Pi2) or
  that differ only in the last letter of a short name (allele and variant suffixes) are not
  pairs;
* ``llm``: a Chinese and a Latin-script name that appear together — one in the other's
  description, or in the same chunk with the same type — confirmed by the synthesizer LLM,
  scored by the confidence it gives.

Pairs whose types differ (neither ``UNKNOWN``) score 0.7 times less. The entity that stays
(``keep``) is the one with more mentions, then more relations. A pair already in the queue
keeps the analyst's decision: a rejected pair is never proposed again, an accepted one waits
for ``apply_accepted`` (``resolve --apply``), which merges with ``curate/merge_entities``.
Nothing is merged unless ``auto_accept`` (a score threshold) is set or a pair was accepted.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphgen_neo4j.analyst.curation import MergeOutcome, merge_entities
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.ids import normalize_key
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.prompts import render

Method = Literal["same_key", "shared_alias", "containment", "edit_distance", "llm"]
METHODS: tuple[Method, ...] = ("same_key", "shared_alias", "containment", "edit_distance", "llm")
BASE_SCORE = {"same_key": 0.95, "shared_alias": 0.9}
TYPE_MISMATCH_FACTOR = 0.7
UNKNOWN_TYPES = {None, "", "UNKNOWN"}
STAGE = "resolve"
TASK = "resolve"

_LATIN_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_LATIN_RUN = re.compile(r"[a-z0-9](?:[a-z0-9\s\-_.'/]*[a-z0-9])?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class ResolveConfig(BaseModel):
    """How ``resolve`` looks for duplicates."""

    model_config = ConfigDict(extra="forbid")

    methods: list[Method] = Field(default_factory=lambda: list(METHODS))
    min_score: float = Field(0.6, ge=0, le=1, description="pairs scoring less are not proposed")
    auto_accept: float | None = Field(None, ge=0, le=1, description="accept and merge pairs scoring at least this")
    edit_min_length: int = Field(5, ge=3, description="shortest name (letters and digits) compared by edit distance")
    containment_min_latin: int = Field(4, ge=2, description="shortest Latin-script name looked for inside others")
    containment_min_cjk: int = Field(2, ge=1, description="shortest Chinese name looked for inside others")
    containment_max_containers: int = Field(10, ge=1, description="a name inside more names than this is too generic")
    llm_max_pairs: int = Field(200, ge=0, description="most Chinese/English pairs sent to the LLM per run")
    co_mention_max_entities: int = Field(40, ge=2, description="chunks naming more entities are not paired")


class EntityRecord(BaseModel):
    """An entity as the resolver sees it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    name: str
    type: str | None = None
    aliases: list[str] = Field(default_factory=list)
    description: str = ""
    mentions: int = 0
    degree: int = 0


class Candidate(BaseModel):
    """A proposed pair: ``absorb`` would be merged into ``keep``."""

    model_config = ConfigDict(extra="forbid")

    absorb: str
    keep: str
    score: float
    method: Method
    reason: str


class SameEntityVerdict(BaseModel):
    """The synthesizer's answer for one pair of names."""

    same: bool
    confidence: float = Field(ge=0, le=1)
    reason: str = ""


class ResolveReport(BaseModel):
    """What one ``resolve`` did."""

    model_config = ConfigDict(extra="forbid")

    entities: int = 0
    found: dict[str, int] = Field(default_factory=dict)  # pairs per method, scoring >= min_score
    proposed: int = 0  # new in the queue
    rescored: int = 0  # already proposed; score updated
    kept_rejected: int = 0  # rejected before: not proposed again
    kept_accepted: int = 0  # accepted before: waiting for --apply
    llm_pairs: int = 0
    llm_confirmed: int = 0
    llm_denied: int = 0
    llm_failed: int = 0
    llm_skipped: str | None = None  # why no pair went to the LLM
    accepted: int = 0  # by the auto_accept threshold
    merged: list[MergeOutcome] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    work: PoolOutcome | None = None  # the LLM confirmation's counts, failures by reason and verdict


# -- names --------------------------------------------------------------------------------------


def loose_key(name: str) -> str:
    """``normalize_key`` without punctuation, symbols and spaces ("Rice-Blast" → "riceblast")."""
    key = normalize_key(name)
    loose = "".join(ch for ch in key if unicodedata.category(ch)[0] not in "PSZ")
    return loose or key


def has_cjk(text: str) -> bool:
    return bool(_CJK_RUN.search(text))


def latin_tokens(name: str) -> tuple[str, ...]:
    """Words of a Latin-script name, normalized ("Pi-ta gene" → ("pi", "ta", "gene"))."""
    return tuple(_LATIN_TOKEN.findall(normalize_key(name)))


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _deletions(key: str, depth: int) -> set[str]:
    variants = {key}
    frontier = {key}
    for _ in range(depth):
        frontier = {v[:i] + v[i + 1:] for v in frontier for i in range(len(v))}
        variants |= frontier
    return variants


def _allowed_edits(length: int) -> int:
    return 1 if length <= 8 else 2


def _variant_suffix(a: str, b: str) -> bool:
    """Short names that differ only at their end (Pi-ta / Pi-tb, AVR1 / AVR2): allele-like, not typos."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 10:
        return False
    common = len(shorter) - 1
    return longer[:common] == shorter[:common] and len(longer) - len(shorter) <= 1


def types_compatible(a: EntityRecord, b: EntityRecord) -> bool:
    return a.type in UNKNOWN_TYPES or b.type in UNKNOWN_TYPES or a.type == b.type


def survivor_order(a: EntityRecord, b: EntityRecord) -> tuple[EntityRecord, EntityRecord]:
    """(absorb, keep): the entity with more mentions, then more relations, stays."""
    rank_a, rank_b = (a.mentions, a.degree, b.id), (b.mentions, b.degree, a.id)
    return (b, a) if rank_a > rank_b else (a, b)


def _candidate(a: EntityRecord, b: EntityRecord, score: float, method: Method, reason: str) -> Candidate:
    if not types_compatible(a, b):
        score *= TYPE_MISMATCH_FACTOR
        reason += f" (types differ: {a.type} / {b.type})"
    absorb, keep = survivor_order(a, b)
    return Candidate(absorb=absorb.id, keep=keep.id, score=round(score, 4), method=method, reason=reason)


# -- finding pairs by name ------------------------------------------------------------------------


def same_key_pairs(entities: Sequence[EntityRecord]) -> list[Candidate]:
    groups: dict[str, list[EntityRecord]] = defaultdict(list)
    for entity in entities:
        groups[loose_key(entity.name)].append(entity)
    found = []
    for group in groups.values():
        for a, b in combinations(group, 2):
            found.append(_candidate(a, b, BASE_SCORE["same_key"], "same_key", f"{a.name} / {b.name}: same name without punctuation"))
    return found


def shared_alias_pairs(entities: Sequence[EntityRecord]) -> list[Candidate]:
    owners: dict[str, dict[str, str]] = defaultdict(dict)  # loose key -> {entity id: the name as written}
    for entity in entities:
        for name in [entity.name, *entity.aliases]:
            owners[loose_key(name)].setdefault(entity.id, name)
    by_id = {e.id: e for e in entities}
    found: dict[frozenset[str], Candidate] = {}
    for named in owners.values():
        if len(named) < 2:
            continue
        for a_id, b_id in combinations(sorted(named), 2):
            a, b = by_id[a_id], by_id[b_id]
            if loose_key(a.name) == loose_key(b.name):
                continue  # a same_key pair
            pair = frozenset((a_id, b_id))
            if pair not in found:
                reason = f"{a.name} / {b.name}: both go by {named[a_id]!r} / {named[b_id]!r}"
                found[pair] = _candidate(a, b, BASE_SCORE["shared_alias"], "shared_alias", reason)
    return list(found.values())


def containment_pairs(entities: Sequence[EntityRecord], config: ResolveConfig) -> list[Candidate]:
    """Names that are a part of a longer name: whole words (Latin script) or characters (Chinese)."""
    by_words: dict[tuple[str, ...], list[EntityRecord]] = defaultdict(list)
    by_chars: dict[str, list[EntityRecord]] = defaultdict(list)
    for entity in entities:
        if has_cjk(entity.name):
            by_chars[loose_key(entity.name)].append(entity)
        else:
            by_words[latin_tokens(entity.name)].append(entity)
    containers: dict[str, list[tuple[EntityRecord, EntityRecord, float]]] = defaultdict(list)
    for entity in entities:
        if has_cjk(entity.name):
            key = loose_key(entity.name)
            parts = {key[i:j] for i in range(len(key)) for j in range(i + config.containment_min_cjk, len(key) + 1)} - {key}
            for part in parts:
                for inner in by_chars.get(part, ()):
                    containers[inner.id].append((inner, entity, len(part) / len(key)))
        else:
            words = latin_tokens(entity.name)
            spans = {words[i:j] for i in range(len(words)) for j in range(i + 1, len(words) + 1)} - {words}
            for span in spans:
                letters = sum(len(w) for w in span)
                if letters < config.containment_min_latin:
                    continue
                for inner in by_words.get(span, ()):
                    containers[inner.id].append((inner, entity, letters / max(1, sum(len(w) for w in words))))
    found = []
    for outers in containers.values():
        if len(outers) > config.containment_max_containers:
            continue  # "gene", "基因": inside too many names to mean anything
        for inner, outer, ratio in outers:
            if inner.id == outer.id:
                continue
            reason = f"{inner.name!r} is part of {outer.name!r}"
            found.append(_candidate(inner, outer, 0.5 + 0.4 * ratio, "containment", reason))
    return found


def edit_distance_pairs(entities: Sequence[EntityRecord], config: ResolveConfig) -> list[Candidate]:
    """Latin-script names a typo or two apart, found through shared deletion variants (no n² loop)."""
    keyed = [(loose_key(e.name), e) for e in entities if not has_cjk(e.name)]
    keyed = [(k, e) for k, e in keyed if len(k) >= config.edit_min_length]
    buckets: dict[str, list[int]] = defaultdict(list)
    for index, (key, _) in enumerate(keyed):
        for variant in _deletions(key, _allowed_edits(len(key))):
            buckets[variant].append(index)
    seen: set[tuple[int, int]] = set()
    found = []
    for members in buckets.values():
        for i, j in combinations(sorted(set(members)), 2):
            if (i, j) in seen:
                continue
            seen.add((i, j))
            (key_a, a), (key_b, b) = keyed[i], keyed[j]
            if key_a == key_b:
                continue  # a same_key pair
            allowed = _allowed_edits(min(len(key_a), len(key_b)))
            distance = levenshtein(key_a, key_b, allowed)
            if distance > allowed:
                continue
            if Counter(c for c in key_a if c.isdigit()) != Counter(c for c in key_b if c.isdigit()):
                continue  # Pi9 / Pi2, 2019 / 2020: numbers name different things
            if _variant_suffix(key_a, key_b):
                continue
            score = 0.9 * (1 - distance / max(len(key_a), len(key_b)))
            found.append(_candidate(a, b, score, "edit_distance", f"{a.name!r} / {b.name!r}: {distance} edit(s) apart"))
    return found


def name_candidates(entities: Sequence[EntityRecord], config: ResolveConfig) -> list[Candidate]:
    """Every pair the name methods find (scoring at least ``min_score``), best method per pair."""
    finders = {
        "same_key": lambda: same_key_pairs(entities),
        "shared_alias": lambda: shared_alias_pairs(entities),
        "containment": lambda: containment_pairs(entities, config),
        "edit_distance": lambda: edit_distance_pairs(entities, config),
    }
    found = [c for method, find in finders.items() if method in config.methods for c in find()]
    return best_per_pair(c for c in found if c.score >= config.min_score)


def best_per_pair(candidates: Iterable[Candidate]) -> list[Candidate]:
    best: dict[frozenset[str], Candidate] = {}
    for candidate in candidates:
        pair = frozenset((candidate.absorb, candidate.keep))
        if pair not in best or candidate.score > best[pair].score:
            best[pair] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.absorb, c.keep))


# -- Chinese / English pairs for the LLM ------------------------------------------------------------


def cross_language_pairs(
    entities: Sequence[EntityRecord],
    co_mentions: Iterable[Sequence[str]] = (),
    skip: set[frozenset[str]] | None = None,
    limit: int | None = None,
) -> list[tuple[EntityRecord, EntityRecord]]:
    """(Chinese-named, Latin-named) pairs worth asking about, most likely first.

    First pairs where one's name appears in the other's description ("稻瘟病（rice blast）…"),
    both ways before one way; then pairs named in the same chunk with the same known type.
    """
    skip = skip or set()
    chinese = [e for e in entities if has_cjk(e.name)]
    latin = [e for e in entities if not has_cjk(e.name) and latin_tokens(e.name)]
    latin_by_words: dict[tuple[str, ...], list[EntityRecord]] = defaultdict(list)
    for entity in latin:
        latin_by_words[latin_tokens(entity.name)].append(entity)
    chinese_by_key: dict[str, list[EntityRecord]] = defaultdict(list)
    for entity in chinese:
        chinese_by_key[loose_key(entity.name)].append(entity)
    longest_words = max((len(w) for w in latin_by_words), default=0)
    longest_chinese = max((len(k) for k in chinese_by_key), default=0)

    votes: Counter[tuple[str, str]] = Counter()  # (chinese id, latin id) -> 1 per direction found
    for entity in chinese:  # Latin names inside a Chinese entity's description
        for run in _LATIN_RUN.findall(normalize_key(entity.description)):
            for other in _longest_matches(tuple(_LATIN_TOKEN.findall(run)), latin_by_words, longest_words):
                votes[(entity.id, other.id)] += 1
    for entity in latin:  # Chinese names inside a Latin-named entity's description
        for run in _CJK_RUN.findall(normalize_key(entity.description)):
            for other in _longest_matches(run, chinese_by_key, longest_chinese):
                votes[(other.id, entity.id)] += 1
    by_id = {e.id: e for e in entities}
    ranked = sorted(votes, key=lambda pair: (-votes[pair], pair))

    chinese_ids, latin_ids = {e.id for e in chinese}, {e.id for e in latin}
    together: set[tuple[str, str]] = set()
    for ids in co_mentions:
        zh = [i for i in ids if i in chinese_ids]
        en = [i for i in ids if i in latin_ids]
        for a in zh:
            for b in en:
                ea, eb = by_id[a], by_id[b]
                if ea.type not in UNKNOWN_TYPES and ea.type == eb.type and (a, b) not in votes:
                    together.add((a, b))
    ordered = ranked + sorted(together)
    pairs = []
    for a, b in ordered:
        if frozenset((a, b)) in skip:
            continue
        pairs.append((by_id[a], by_id[b]))
        if limit is not None and len(pairs) >= limit:
            break
    return pairs


def _longest_matches(sequence: Any, index: Mapping[Any, list[EntityRecord]], longest: int) -> list[EntityRecord]:
    """Entities named in ``sequence`` (words or characters), longest name first, left to right:
    "rice blast" in a description names rice blast, not also rice."""
    found: list[EntityRecord] = []
    start = 0
    while start < len(sequence):
        for end in range(min(len(sequence), start + longest), start, -1):
            if sequence[start:end] in index:
                found.extend(index[sequence[start:end]])
                start = end
                break
        else:
            start += 1
    return found


def pair_messages(a: EntityRecord, b: EntityRecord) -> list[dict[str, str]]:
    """The prompt asking whether two entities are one (in the language of their descriptions)."""
    language = detect_language(f"{a.name} {a.description} {b.name} {b.description}")
    return render(
        "resolve", language,
        name_a=a.name, type_a=a.type or "UNKNOWN", description_a=a.description or "-",
        name_b=b.name, type_b=b.type or "UNKNOWN", description_b=b.description or "-",
    )


async def confirm_pairs(
    synthesizer: LLMClient,
    pairs: Sequence[tuple[EntityRecord, EntityRecord]],
    report: ResolveReport,
    progress: Progress = NullProgress(),
) -> list[Candidate]:
    """Ask the synthesizer about each pair through the work pool; confirmed ones become candidates.

    A pair whose reply is unusable (or whose request failed after retries) is counted in
    ``llm_failed``; a fatal error (key rejected, endpoint unreachable…) stops with
    ``StageFailed``. ``report.work`` holds the pool's outcome.
    """
    progress.start("confirm name pairs", total=len(pairs))
    pool: WorkPool[SameEntityVerdict] = WorkPool(STAGE, client=synthesizer, what="name pairs",
                                                 progress=progress, task="confirm name pairs")
    report.work = pool.outcome

    def failed(a: EntityRecord, b: EntityRecord) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            report.llm_failed += 1
            report.failures.append(f"llm {a.name} / {b.name}: {exc}")
        return note

    confirmed: list[Candidate | None] = [None] * len(pairs)  # in the order of the pairs

    def judged(i: int, a: EntityRecord, b: EntityRecord) -> Callable[[SameEntityVerdict], None]:
        def note(verdict: SameEntityVerdict) -> None:
            if not verdict.same:
                report.llm_denied += 1
                return
            report.llm_confirmed += 1
            reason = f"{a.name} / {b.name}: the LLM says the same ({verdict.reason.strip()})"
            confirmed[i] = _candidate(a, b, verdict.confidence, "llm", reason[:500])
        return note

    report.llm_pairs = len(pairs)
    async with pool:
        for i, (a, b) in enumerate(pairs):
            await pool.submit(synthesizer.structured(pair_messages(a, b), SameEntityVerdict, stage=STAGE, task=TASK),
                              on_done=judged(i, a, b), on_failed=failed(a, b))
    progress.finish("confirm name pairs")
    return [c for c in confirmed if c is not None]


# -- the stage ------------------------------------------------------------------------------------


def load_entities(graph: Graph) -> list[EntityRecord]:
    return [EntityRecord.model_validate(row) for row in graph.read("resolve/entities")]


def known_pairs(graph: Graph) -> dict[frozenset[str], str]:
    """Pairs in the queue (either direction) → status."""
    return {frozenset((r["absorb"], r["keep"])): r["status"] for r in graph.read("resolve/known_pairs")}


def write_proposals(graph: Graph, candidates: Sequence[Candidate], report: ResolveReport) -> None:
    rows = [c.model_dump() for c in candidates]
    for start in range(0, len(rows), 1000):
        for row in graph.run("resolve/propose", rows=rows[start:start + 1000]):
            outcome, pairs = row["outcome"], row["pairs"]
            if outcome == "proposed":
                report.proposed += pairs
            elif outcome == "rescored":
                report.rescored += pairs
            elif outcome == "rejected":
                report.kept_rejected += pairs
            elif outcome == "accepted":
                report.kept_accepted += pairs


async def resolve(
    graph: Graph,
    synthesizer: LLMClient | None = None,
    config: ResolveConfig = ResolveConfig(),
    progress: Progress = NullProgress(),
) -> ResolveReport:
    """Propose likely duplicates; with ``config.auto_accept``, accept those scoring that much and merge."""
    report = ResolveReport()
    entities = await asyncio.to_thread(load_entities, graph)
    report.entities = len(entities)
    progress.start("compare names", total=len(entities))
    known = await asyncio.to_thread(known_pairs, graph)
    candidates = name_candidates(entities, config)
    progress.advance("compare names", len(entities), pairs=len(candidates))
    progress.finish("compare names")

    if "llm" in config.methods:
        if synthesizer is None:
            report.llm_skipped = "no synthesizer endpoint configured"
        elif config.llm_max_pairs == 0:
            report.llm_skipped = "llm_max_pairs is 0"
        else:
            chunk_rows = await asyncio.to_thread(graph.read, "resolve/co_mentions", max_entities=config.co_mention_max_entities)
            skip = set(known) | {frozenset((c.absorb, c.keep)) for c in candidates}
            pairs = cross_language_pairs(entities, [r["entities"] for r in chunk_rows], skip, config.llm_max_pairs)
            confirmed = await confirm_pairs(synthesizer, pairs, report, progress)
            candidates = best_per_pair(candidates + [c for c in confirmed if c.score >= config.min_score])

    for candidate in candidates:
        report.found[candidate.method] = report.found.get(candidate.method, 0) + 1
    await asyncio.to_thread(write_proposals, graph, candidates, report)

    if config.auto_accept is not None:
        rows = await asyncio.to_thread(graph.run, "resolve/accept_above", threshold=config.auto_accept)
        report.accepted = rows[0]["accepted"]
        report.merged = await asyncio.to_thread(apply_accepted, graph, progress)
    return report


def apply_accepted(graph: Graph, progress: Progress = NullProgress()) -> list[MergeOutcome]:
    """Merge every accepted pair, best score first, one transaction per merge (chains resolve in turn)."""
    waiting = graph.read("resolve/count_accepted")[0]["accepted"]
    progress.start("merge accepted pairs", total=waiting)
    merged = []
    for _ in range(waiting):  # each merge removes at least one accepted pair
        rows = graph.read("resolve/next_accepted")
        if not rows:
            break
        row = rows[0]
        try:
            merged.append(merge_entities(graph, keep=row["keep"], absorb=row["absorb"]))
        except GraphGenError as exc:
            raise GraphGenError(f"merging {row['absorb_name']!r} into {row['keep_name']!r}: {exc}") from exc
        progress.advance("merge accepted pairs")
    progress.finish("merge accepted pairs")
    return merged
