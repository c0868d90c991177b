"""What the resolver knows about a pair: the entities, the signals that found it, its score.

A ``Signal`` is one reason to think two entities are one (a name rule, an identity statement
in a description or a chunk, a near embedding, a Chinese name in an English description); a
``Candidate`` is a pair with all its signals, the cues against it and its score.

Scoring (``score_candidate``), the same for every pair:

* the signals combine as independent evidence: ``1 - Π(1 - s)`` over their scores;
* types that differ (neither ``UNKNOWN``) multiply it by ``TYPE_MISMATCH_FACTOR`` (0.7);
* a hard-negative cue in the text ("是…的一种", "son of", "的衍生物", "capital of")
  multiplies it by ``NEGATIVE_CUE_FACTOR`` (0.3): an identity statement does not outweigh
  a sentence saying the two are related but different;
* the LLM's verdict, when asked (``adjudicate``): "same" with confidence c gives
  ``0.3 × prior + 0.7 × c``; "different" gives ``prior × (1 − c)``.

The display name (``survivor_order``): of the two, the entity that stays is the one whose
name is in the material's language (the language most chunks are in), then the one with more
mentions, then the one seen first, then more relations; the proposal's arrow points from the
absorbed entity to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from graphgen_neo4j.language import detect_language

NAME_KINDS = ("same_key", "shared_alias", "containment", "edit_distance")
SIGNAL_KINDS = ("same_key", "shared_alias", "containment", "edit_distance", "evidence", "mentioned", "embedding", "translation")
TYPE_MISMATCH_FACTOR = 0.7
NEGATIVE_CUE_FACTOR = 0.3
UNKNOWN_TYPES = {None, "", "UNKNOWN"}


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
    first_seen: str = ""  # ISO time of the first chunk that mentions it ("" when unknown)


@dataclass(frozen=True)
class Signal:
    """One reason to think ``a`` and ``b`` (ids) are one thing."""

    a: str
    b: str
    kind: str
    score: float
    reason: str
    evidence: str = ""  # the sentence that says so, when there is one
    chunk: str | None = None  # the chunk it came from


def signal(a: EntityRecord, b: EntityRecord, kind: str, score: float, reason: str, evidence: str = "", chunk: str | None = None) -> Signal:
    return Signal(a.id, b.id, kind, round(min(1.0, max(0.0, score)), 4), reason, evidence, chunk)


@dataclass
class PairSignals:
    """Everything known about one pair before it is scored."""

    a: EntityRecord
    b: EntityRecord
    signals: list[Signal] = field(default_factory=list)
    against: list[str] = field(default_factory=list)  # hard-negative cues: "kinship: 苏轼是苏洵之子"


class Candidate(BaseModel):
    """A proposed pair: ``absorb`` would be merged into ``keep``."""

    model_config = ConfigDict(extra="forbid")

    absorb: str
    keep: str
    absorb_name: str = ""
    keep_name: str = ""
    score: float
    method: str  # the strongest signal
    signals: list[str]
    reason: str
    # what the LLM and the analyst read: "same (字): 刘备字玄德…" (identity statements), "against: kinship (之子): …"
    # (hard-negative cues), "name (containment): '稻瘟' is '稻瘟病' without its category word" (name signals)
    evidence: list[str] = Field(default_factory=list)
    chunk_ids: list[str] = Field(default_factory=list)
    prior: float = 0.0  # the score before the LLM's verdict
    verdict: str | None = None  # "same 0.90: …" / "different 0.85: …" when adjudicated


def types_compatible(a: EntityRecord, b: EntityRecord) -> bool:
    return a.type in UNKNOWN_TYPES or b.type in UNKNOWN_TYPES or a.type == b.type


def name_language(name: str) -> str:
    return detect_language(name)


def survivor_order(a: EntityRecord, b: EntityRecord, language: str | None = None) -> tuple[EntityRecord, EntityRecord]:
    """(absorb, keep): the display-name rule of the module docstring."""

    def head(e: EntityRecord) -> tuple[bool, int]:
        return (language is not None and name_language(e.name) == language, e.mentions)

    if head(a) != head(b):
        return (b, a) if head(a) > head(b) else (a, b)
    if a.first_seen and b.first_seen and a.first_seen != b.first_seen:
        return (b, a) if a.first_seen < b.first_seen else (a, b)  # ties: the one seen first stays
    if a.degree != b.degree:
        return (b, a) if a.degree > b.degree else (a, b)
    return (b, a) if a.id < b.id else (a, b)


def prior_score(pair: PairSignals) -> float:
    """Signals combined, then type disagreement and hard-negative cues counted against."""
    miss = 1.0
    for s in pair.signals:
        miss *= 1 - s.score
    score = 1 - miss
    if not types_compatible(pair.a, pair.b):
        score *= TYPE_MISMATCH_FACTOR
    if pair.against:
        score *= NEGATIVE_CUE_FACTOR
    return round(score, 4)


def to_candidate(pair: PairSignals, language: str | None = None) -> Candidate:
    """The pair as a proposal, oriented by the display-name rule, scored by ``prior_score``."""
    absorb, keep = survivor_order(pair.a, pair.b, language)
    ordered = sorted(pair.signals, key=lambda s: -s.score)
    reasons = list(dict.fromkeys(s.reason for s in ordered))
    if not types_compatible(pair.a, pair.b):
        reasons.append(f"types differ: {pair.a.type} / {pair.b.type}")
    evidence = list(dict.fromkeys(s.evidence for s in ordered if s.evidence))
    evidence += [f"against: {cue}" for cue in pair.against]
    evidence += list(dict.fromkeys(f"name ({s.kind}): {s.reason}" for s in ordered if s.kind in NAME_KINDS))
    score = prior_score(pair)
    return Candidate(
        absorb=absorb.id, keep=keep.id, absorb_name=absorb.name, keep_name=keep.name, score=score, prior=score, method=ordered[0].kind,
        signals=sorted({s.kind for s in ordered}, key=SIGNAL_KINDS.index), reason="; ".join(reasons)[:500],
        evidence=[e[:300] for e in evidence[:6]], chunk_ids=sorted({s.chunk for s in ordered if s.chunk}),
    )


def group_signals(signals: Iterable[Signal], by_id: dict[str, EntityRecord]) -> dict[frozenset[str], PairSignals]:
    """Signals gathered per unordered pair of distinct entities."""
    pairs: dict[frozenset[str], PairSignals] = {}
    for s in signals:
        if s.a == s.b or s.a not in by_id or s.b not in by_id:
            continue
        key = frozenset((s.a, s.b))
        if key not in pairs:
            pairs[key] = PairSignals(by_id[s.a], by_id[s.b])
        pairs[key].signals.append(s)
    return pairs


def ranked(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (-c.score, c.absorb, c.keep))
