"""Name signals of the resolver: pairs of entities whose *names* say they may be one thing.

* ``same_key``: the names are equal once punctuation, symbols and spaces are dropped
  ("rice-blast disease" / "rice blast disease");
* ``shared_alias``: a name or alias of one is, in that loose form, a name or alias of the other;
* ``containment``: one name is the other with a category word dropped — "稻瘟" / "稻瘟病",
  "陕西" / "陕西省", "Shaanxi" / "Shaanxi Province" — scored by how much of the longer name
  the shorter covers. A name that is the *head* of the longer one is a broader concept, not an
  alias: 恶性疟原虫 is a kind of 疟原虫, 双氢青蒿素 a derivative of 青蒿素, "Plasmodium
  falciparum" a species of "Plasmodium", "Bombay High Court" a thing named after Bombay; those
  are not proposed (``containment_is_alias``);
* ``edit_distance``: Latin-script names a typo apart ("Magnaporthe oryza" / "oryzae"): one edit
  for names up to 8 letters, two for longer ones; names whose digits differ (Pi9 / Pi2) or
  that differ only in the last letter of a short name (allele and variant suffixes) are not pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import combinations

from graphgen_neo4j.analyst.signals import EntityRecord, Signal, signal
from graphgen_neo4j.ids import normalize_key

_LATIN_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Category words a name is often written with or without (陕西省 / 陕西, 稻瘟病 / 稻瘟,
# Shaanxi Province / Shaanxi). Any other extra characters make the longer name a different thing.
ZH_CATEGORY_SUFFIXES = ("省", "市", "县", "区", "州", "府", "国", "病", "症", "氏", "王朝", "朝", "自治区", "特别行政区")
EN_CATEGORY_WORDS = frozenset(
    "province city county prefecture district state region kingdom empire dynasty republic disease syndrome disorder "
    "river lake island people".split()
)


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


# -- same key, shared alias -------------------------------------------------------------------------


def same_key_pairs(entities: Sequence[EntityRecord]) -> list[Signal]:
    groups: dict[str, list[EntityRecord]] = defaultdict(list)
    for entity in entities:
        groups[loose_key(entity.name)].append(entity)
    return [signal(a, b, "same_key", 0.95, f"{a.name} / {b.name}: same name without punctuation")
            for group in groups.values() for a, b in combinations(group, 2)]


def shared_alias_pairs(entities: Sequence[EntityRecord]) -> list[Signal]:
    owners: dict[str, dict[str, str]] = defaultdict(dict)  # loose key -> {entity id: the name as written}
    for entity in entities:
        for name in [entity.name, *entity.aliases]:
            owners[loose_key(name)].setdefault(entity.id, name)
    by_id = {e.id: e for e in entities}
    found: dict[frozenset[str], Signal] = {}
    for named in owners.values():
        for a_id, b_id in combinations(sorted(named), 2):
            a, b = by_id[a_id], by_id[b_id]
            pair = frozenset((a_id, b_id))
            if loose_key(a.name) != loose_key(b.name) and pair not in found:
                reason = f"{a.name} / {b.name}: both go by {named[a_id]!r} / {named[b_id]!r}"
                found[pair] = signal(a, b, "shared_alias", 0.9, reason)
    return list(found.values())


# -- containment ----------------------------------------------------------------------------------


def containment_is_alias(inner: str, outer: str) -> bool:
    """Is ``inner`` (a part of ``outer``) plausibly the same thing, only without a category word?

    Chinese and English compounds put their head last: when the shorter name *ends* the longer
    one, the longer is a kind, derivative or part of it (恶性疟原虫 / 疟原虫, 双氢青蒿素 / 青蒿素).
    When it starts it, the rest must be a category word (陕西省, Shaanxi Province, 稻瘟病);
    "Bombay High Court", 稻瘟病菌 and "Plasmodium falciparum" name something else.
    """
    if has_cjk(outer):
        a, b = loose_key(inner), loose_key(outer)
        return b.startswith(a) and b[len(a):] in ZH_CATEGORY_SUFFIXES
    a_words, b_words = latin_tokens(inner), latin_tokens(outer)
    rest = b_words[len(a_words):]
    return b_words[: len(a_words)] == a_words and bool(rest) and all(w in EN_CATEGORY_WORDS for w in rest)


def _cjk_parts(key: str, shortest: int) -> set[str]:
    return {key[i:j] for i in range(len(key)) for j in range(i + shortest, len(key) + 1)} - {key}


def _latin_spans(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {words[i:j] for i in range(len(words)) for j in range(i + 1, len(words) + 1)} - {words}


def _contained(entities: Sequence[EntityRecord], min_cjk: int, min_latin: int) -> Iterator[tuple[EntityRecord, EntityRecord, float]]:
    """(inner, outer, share of the outer name the inner covers) for every name inside another."""
    by_words: dict[tuple[str, ...], list[EntityRecord]] = defaultdict(list)
    by_chars: dict[str, list[EntityRecord]] = defaultdict(list)
    for entity in entities:
        if has_cjk(entity.name):
            by_chars[loose_key(entity.name)].append(entity)
        else:
            by_words[latin_tokens(entity.name)].append(entity)
    for entity in entities:
        if has_cjk(entity.name):
            key = loose_key(entity.name)
            for part in _cjk_parts(key, min_cjk):
                for inner in by_chars.get(part, ()):
                    yield inner, entity, len(part) / len(key)
            continue
        words = latin_tokens(entity.name)
        total = max(1, sum(len(w) for w in words))
        for span in _latin_spans(words):
            letters = sum(len(w) for w in span)
            if letters >= min_latin:
                for inner in by_words.get(span, ()):
                    yield inner, entity, letters / total


def containment_pairs(entities: Sequence[EntityRecord], min_cjk: int = 2, min_latin: int = 4, max_containers: int = 10) -> list[Signal]:
    """Names that are a longer name without its category word (see ``containment_is_alias``)."""
    containers: dict[str, list[tuple[EntityRecord, EntityRecord, float]]] = defaultdict(list)
    for inner, outer, ratio in _contained(entities, min_cjk, min_latin):
        containers[inner.id].append((inner, outer, ratio))
    found = []
    for outers in containers.values():
        if len(outers) > max_containers:
            continue  # "gene", "基因": inside too many names to mean anything
        for inner, outer, ratio in outers:
            if inner.id != outer.id and containment_is_alias(inner.name, outer.name):
                found.append(signal(inner, outer, "containment", 0.5 + 0.4 * ratio, f"{inner.name!r} is {outer.name!r} without its category word"))
    return found


# -- edit distance --------------------------------------------------------------------------------


def _typo_pair(key_a: str, key_b: str) -> int | None:
    """The edit distance of two loose keys when it makes them a typo pair, else None."""
    if key_a == key_b:
        return None  # a same_key pair
    allowed = _allowed_edits(min(len(key_a), len(key_b)))
    distance = levenshtein(key_a, key_b, allowed)
    if distance > allowed:
        return None
    if Counter(c for c in key_a if c.isdigit()) != Counter(c for c in key_b if c.isdigit()):
        return None  # Pi9 / Pi2, 2019 / 2020: numbers name different things
    return None if _variant_suffix(key_a, key_b) else distance


def edit_distance_pairs(entities: Sequence[EntityRecord], min_length: int = 5) -> list[Signal]:
    """Latin-script names a typo or two apart, found through shared deletion variants (no n² loop)."""
    keyed = [(loose_key(e.name), e) for e in entities if not has_cjk(e.name)]
    keyed = [(k, e) for k, e in keyed if len(k) >= min_length]
    buckets: dict[str, list[int]] = defaultdict(list)
    for index, (key, _) in enumerate(keyed):
        for variant in _deletions(key, _allowed_edits(len(key))):
            buckets[variant].append(index)
    pairs = {(i, j) for members in buckets.values() for i, j in combinations(sorted(set(members)), 2)}
    found = []
    for i, j in sorted(pairs):
        (key_a, a), (key_b, b) = keyed[i], keyed[j]
        distance = _typo_pair(key_a, key_b)
        if distance is not None:
            score = 0.9 * (1 - distance / max(len(key_a), len(key_b)))
            found.append(signal(a, b, "edit_distance", score, f"{a.name!r} / {b.name!r}: {distance} edit(s) apart"))
    return found
