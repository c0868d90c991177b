"""Identity statements in text: "刘备，字玄德", "WHO (World Health Organization)", "Mumbai, formerly Bombay".

The resolver reads entity descriptions and chunk text for sentences that *say* two names
are one thing, and keeps the cue and the sentence as the evidence of its proposal. This
module finds those statements by linguistic rules only (no database, no LLM):

* **Chinese cues** after a name, within one clause (the text between ``，；``): 字 号 名 又称
  又名 别名 别称 俗称 亦称 简称 全称 旧称 古称 原名 曾名 即 亦作 英文名 学名 商品名 更名为 改称 今…
  A clause that *starts* with a cue refers to the name of the sentence so far
  ("刘备，字玄德，号…" — both 玄德 and the 号 are 刘备's). "又称A、B" gives two aliases.
* **English cues**: also known as, a.k.a./aka, also called, formerly (known as), abbreviated
  as, abbr., short for, renamed (to/from), sold under the brand name, … is a brand name for.
* **Parentheses** after a name, both ways and in both scripts: ``Zhao Yun (赵云)``,
  ``赵云（Zhao Yun）``, ``WHO (World Health Organization)``, ``Coartem (artemether-lumefantrine)``,
  ``北平（今北京）``, ``(also known as …)``. A parenthesis holding a date, a number with a
  unit or a definition — ``(1927)``, ``(5 mg)``, ``(a genus of …)`` — is not an alias.

Each statement is an ``IdentityStatement(name, alias, cue, kind, start, end, sentence)``.
``kind`` says what sort of alias it is (``KINDS``). Statements say nothing about whether
two names are *different*; ``negative_cues`` finds that ("son of", "的衍生物", "省会"), and
``pair_evidence``/``description_evidence`` below put both sides together for one pair.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphgen_neo4j.analyst.evidence_cues import (
    _PAREN_EN_CUES,
    _ZH_SINGLE,
    _ZH_SINGLE_BAD_NEXT,
    EN_CUES,
    ZH_CUES,
)
from graphgen_neo4j.analyst.evidence_text import (
    acronym_fits,
    clean,
    is_han,
    is_latin,
    looks_like_name,
    name_head,
    name_tail,
    sentences,
    split_aliases,
)
from graphgen_neo4j.analyst.negative_cues import NegativeStatement, negative_evidence

KINDS = (
    "courtesy_name", "art_name", "given_name", "also_known_as", "abbreviation", "full_name",
    "formerly", "translation", "brand_generic",
)

_ZH_CUE_RE = re.compile("|".join(sorted(map(re.escape, ZH_CUES), key=len, reverse=True)))
_ZH_CLAUSE = re.compile(r"[^，,；;：:]+")
# A clause that introduces another person or thing: "其子刘禅", "长子孙策".
_ZH_NEW_REFERENT = re.compile(r"^(?:其|(?:长|次|幼|三|四)?(?:子|女)|(?:胞)?(?:弟|兄))")
# Adverbs and times between a name and its cue: "北平（于1949年）重新更名为北京", "后来又称奉天".
_ZH_ADVERBS = r"(?:后来|之后|以后|当时|现在|重新|正式|一度|再次|先后|后|又|也|亦|还|再|曾|遂|另|今|现|于|在)"
_ZH_YEAR = r"(?:公元前?)?[\d０-９〇一二三四五六七八九十]{1,4}年"
_ZH_TIME = re.compile(
    rf"{_ZH_ADVERBS}*(?:(?:在|于)(?:清|明|唐|宋|元|汉|晋|隋|秦|周)|(?:清|明|唐|宋|元|汉|晋|隋|秦|周)(?:代|朝)|民国)?(?:{_ZH_YEAR}(?:(?:至|到|—|-|～){_ZH_YEAR})?)?"
    rf"(?:后|间|时|以后|以来)?{_ZH_ADVERBS}*$"
)
# Characters after which a Chinese clause goes on as a predicate: its topic is the name before them.
_ZH_PREDICATE = re.compile("位于|属于|处于|由于|对于|关于|至于|[是为由在于被从把已曾]")

_EN_CUE_RE = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in EN_CUES]
_EN_NAME = r"[A-Z][\w'’\-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w'’\-]*)*"
_EN_FROM = re.compile(
    rf"(?:renamed|changed\s+(?:its|their|the)\s+name|name\s+was\s+changed)\s+from\s+(?P<a>{_EN_NAME})\s+to\s+(?P<b>{_EN_NAME})")
_EN_RENAMED_TO = re.compile(rf"\brenamed\s+(?P<a>{_EN_NAME})\s+(?:to|as)\s+(?P<b>{_EN_NAME})")
_EN_RENAMED_FROM = re.compile(rf"(?P<b>{_EN_NAME})\s+(?:was|has\s+been)\s+renamed\s+from\s+(?P<a>{_EN_NAME})")
_PAREN_EN_RE = [(re.compile(rf"^(?:{pattern})\s*", re.IGNORECASE), kind) for pattern, kind in _PAREN_EN_CUES]
_PAREN = re.compile(r"[（(]([^（）()]{1,80})[）)]")
_PRONOUN_SUBJECT = re.compile(r"^(?:it|this|that|he|she|they|its|the\s+\w+|该\S{0,2}|其|他|她|它)$", re.IGNORECASE)
_APPOSITIVE = re.compile(
    r"^\s*(?:a|an|the|one\s+of|once|now|today|then|in|from|on)\s+[a-z\d]|^\s*\d"
    r"|^\s*(?:also\s+(?:known\s+as|called)|a\.k\.a\.|aka|formerly|previously|otherwise\s+known\s+as)\s"
)
_ROLE_END = ("之子", "之父", "之弟", "之兄", "之女", "之妻", "长子", "次子", "幼子", "家", "帝", "皇帝", "王", "人", "者", "将", "将军", "官", "诗人", "药", "城", "市", "省", "病")


@dataclass(frozen=True)
class IdentityStatement:
    """A sentence saying that ``alias`` is another name of ``name``.

    ``cue`` is the cue as written ("字", "also known as", "()" for a bare parenthesis),
    ``kind`` one of ``KINDS``, ``start``/``end`` the offsets of the sentence in the text.
    """

    name: str
    alias: str
    cue: str
    kind: str
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class PairEvidence:
    """What the text says about two names: statements that they are one (``same``) and cues against (``against``)."""

    a: str
    b: str
    same: tuple[IdentityStatement, ...] = field(default_factory=tuple)
    against: tuple[NegativeStatement, ...] = field(default_factory=tuple)


def same_name(x: str, y: str) -> bool:
    """Two spellings of one name: equal after NFKC, case folding and dropping spaces and punctuation."""
    return _loose(x) == _loose(y)


def _loose(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZ")


def is_acronym(name: str) -> bool:
    """``WHO``, ``SARS-CoV-2``, ``qPCR``: one word, mostly capitals, at least two of them."""
    letters = [c for c in name if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return " " not in name and 2 <= len(name) <= 12 and name.isascii() and upper >= 2 and upper * 2 >= len(letters)


def classify_pair(x: str, y: str) -> str:
    """The kind of a bare pair ``X (Y)``: translation across scripts, abbreviation, brand/generic, else also_known_as."""
    if is_acronym(x) != is_acronym(y):
        return "abbreviation"
    if is_han(x) != is_han(y):
        return "translation"
    if is_latin(x) and is_latin(y):
        brand = re.compile(r"^[A-Z][a-z][a-z0-9\-]+$")
        generic = re.compile(r"^[a-z][a-z0-9\-]+(?:\s+[a-z][a-z0-9\-]+)?$")
        if (brand.match(x) and generic.match(y)) or (brand.match(y) and generic.match(x)):
            return "brand_generic"
        return "also_known_as"
    short, long = sorted((x, y), key=len)
    chars = iter(long)
    if len(short) < len(long) and all(ch in chars for ch in short):
        return "abbreviation"
    return "also_known_as"


def find_identity_statements(text: str, *, names: Iterable[str] = (), subject: str | None = None) -> list[IdentityStatement]:
    """Every identity statement in ``text`` (see the module docstring), in text order.

    ``names`` are known entity names: a cue's subject or alias that ends/starts with one
    of them is snapped to it. ``subject`` is the name that a sentence without one refers to
    (the entity whose description this is): "字玄德" / "It is also known as …".
    """
    known = sorted({n for n in names if n}, key=len, reverse=True)
    found: list[IdentityStatement] = []
    for start, end in sentences(text):
        found.extend(_sentence_statements(text[start:end], start, end, known, subject))
    unique: dict[tuple[str, str, str], IdentityStatement] = {}
    for statement in found:
        key = (_loose(statement.name), _loose(statement.alias), statement.sentence)
        unique.setdefault(key, statement)
    return list(unique.values())


def _statement(name: str | None, alias: str | None, cue: str, kind: str, span: tuple[int, int], sentence: str) -> IdentityStatement | None:
    if not name or not alias:
        return None
    name, alias = clean(name), clean(alias)
    if is_han(name) and len(name) < 2:
        return None
    if not looks_like_name(name) or not looks_like_name(alias) or same_name(name, alias):
        return None
    if kind == "also_known_as" and is_han(name) != is_han(alias):
        kind = "translation"
    return IdentityStatement(name, alias, cue.strip(" ,"), kind, span[0], span[1], sentence)


def _sentence_statements(sentence: str, start: int, end: int, known: list[str], subject: str | None) -> list[IdentityStatement]:
    span = (start, end)
    out: list[IdentityStatement | None] = []
    masked = sentence
    for match in _PAREN.finditer(sentence):
        out.extend(_parenthesis(sentence, match, span, known))
        masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    out.extend(_chinese_clauses(sentence, masked, span, known, subject))
    out.extend(_english_cues(sentence, masked, span, known, subject))
    return [s for s in out if s is not None]


def _parenthesis(sentence: str, match: re.Match[str], span: tuple[int, int], known: list[str]) -> list[IdentityStatement | None]:
    """``X (Y)``, ``X（又称Y）``, ``X (abbr. Y)``: Y an alias of the name that ends the text before."""
    before = _PAREN.sub(lambda m: " " * len(m.group(0)), sentence[: match.start()])
    results: list[IdentityStatement | None] = []
    for segment in re.split(r"[;；]", match.group(1)):
        segment = segment.strip()
        cue, kind, rest = "()", None, segment
        zh = _ZH_CUE_RE.match(segment)
        if zh:
            cue, kind, rest = zh.group(0), ZH_CUES[zh.group(0)], segment[zh.end() :].lstrip("为是作:： ")
            if zh.group(0) in _ZH_SINGLE and rest[:1] and rest[0] in _ZH_SINGLE_BAD_NEXT[zh.group(0)]:
                continue
        else:
            for pattern, paren_kind in _PAREN_EN_RE:
                cued = pattern.match(segment)
                if cued:
                    cue, kind, rest = cued.group(0), paren_kind, segment[cued.end() :]
                    break
        aliases = split_aliases(rest)
        if not aliases or not all(looks_like_name(a) for a in aliases):
            continue
        hint = aliases[0] if is_acronym(aliases[0]) else None
        name = name_tail(before, names=known, acronym=hint, person=kind in ("courtesy_name", "art_name"))
        for alias in aliases:
            alias = name_head(alias, names=known) or alias
            results.append(_statement(name, alias, cue, kind or classify_pair(name or "", alias), span, sentence))
    return results


def _zh_alias_region(region: str) -> list[str]:
    """The aliases after a Chinese cue; modifiers before a 的 are dropped ("1898年创办的京师大学堂" → 京师大学堂)."""
    region = region.strip().lstrip("为是作有:： ")
    region = re.split(r"[。（(]", region)[0]
    return [alias.split("的")[-1] if "的" in alias and not alias.endswith("的") else alias for alias in split_aliases(region)]


def _chinese_clauses(sentence: str, masked: str, span: tuple[int, int], known: list[str], subject: str | None) -> list[IdentityStatement | None]:
    """Chinese cues clause by clause; a clause that starts with a cue refers to the sentence's current name."""
    results: list[IdentityStatement | None] = []
    current = subject
    for index, clause_match in enumerate(_ZH_CLAUSE.finditer(masked)):
        clause = clause_match.group(0).strip()
        if not clause:
            continue
        cue_match = next((c for c in _ZH_CUE_RE.finditer(clause) if _zh_cue_fits(clause, c, known)), None)
        if cue_match is None:
            current = _zh_clause_topic(clause, known, index, current)
            continue
        name, current = _zh_cue_name(clause, cue_match, known, index, current)
        cue = cue_match.group(0)
        for alias in _zh_alias_region(clause[cue_match.end() :]):
            alias = name_head(alias, names=known) or alias
            if cue in _ZH_SINGLE and len(alias) > 6:
                continue
            results.append(_statement(name, alias, cue, ZH_CUES[cue], span, sentence))
    return results


def _zh_clause_topic(clause: str, known: list[str], index: int, current: str | None) -> str | None:
    """The sentence's current name after a clause without a cue: its topic when it starts the
    sentence or a new referent."""
    topic = _zh_topic(clause, known)
    starts_new = _ZH_NEW_REFERENT.match(clause) is not None or (topic is not None and topic in known)
    if topic and (index == 0 or starts_new) and looks_like_name(topic) and not topic.endswith(_ROLE_END):
        return topic
    return current


def _zh_cue_name(clause: str, cue_match: re.Match[str], known: list[str], index: int,
                 current: str | None) -> tuple[str | None, str | None]:
    """(the name a cue's aliases belong to, the sentence's current name after this clause)."""
    kind = ZH_CUES[cue_match.group(0)]
    prefix = _ZH_TIME.sub("", clause[: cue_match.start()])
    if "被" in prefix:  # "李白被后人誉为…": passive, the name is before 被 (or the sentence's name)
        prefix = prefix.split("被")[0]
    prefix = prefix.removesuffix("的")  # "阿司匹林的化学名为…"
    name = name_tail(prefix, names=known, person=kind in ("courtesy_name", "art_name", "given_name")) if prefix.strip() else None
    if name is None or len(name) < 2 or _PRONOUN_SUBJECT.match(name):  # "清代称…": 清 is no name
        return current, current
    if index == 0 or clause.startswith("其") or name in known:
        return name, name
    return name, current


def _zh_topic(clause: str, known: list[str]) -> str | None:
    """The name a Chinese clause is about: a known name followed by a predicate, else the name before its predicate ("复方蒿甲醚由…组成" →
    复方蒿甲醚), or, without one, the name that ends it ("北宋文学家苏轼" → 苏轼, "曹丕之弟曹植" → 曹植)."""
    starting = [n for n in known if clause.startswith(n) and _ZH_PREDICATE.match(clause, len(n))]
    if starting:
        return max(starting, key=len)
    predicate = _ZH_PREDICATE.search(clause)
    region = clause[: predicate.start()] if predicate and predicate.start() >= 2 else clause
    return name_tail(region.split("的")[-1], names=known, person=True)


def _zh_cue_fits(clause: str, match: re.Match[str], known: list[str]) -> bool:
    """A single-character cue counts at the clause start or right after a short name (刘备字玄德)."""
    cue = match.group(0)
    after = clause[match.end() : match.end() + 1]
    if not after or not (is_han(after) or after in "“「《\"" or after.isalnum()):
        return False
    if cue not in _ZH_SINGLE:
        return True
    if after in _ZH_SINGLE_BAD_NEXT[cue]:
        return False
    prefix = clause[: match.start()].strip()
    if not prefix:
        return True
    if cue == "今":
        return False
    if any(prefix.endswith(n) for n in known):
        return True
    if cue == "名" and prefix[-1] in "著知闻有命成出得莫驰盛齐排报点提签姓署实匿冒化学":
        return False  # 著名, 命名, 报名, 化学名…
    return 2 <= len(prefix) <= 4 and all(is_han(ch) for ch in prefix) and prefix[0] not in "这那一每该此其某是为很最较极颇"


_EN_RENAMES = (_EN_FROM, _EN_RENAMED_TO, _EN_RENAMED_FROM)


def _english_cues(sentence: str, masked: str, span: tuple[int, int], known: list[str], subject: str | None) -> list[IdentityStatement | None]:
    results: list[IdentityStatement | None] = []
    for pattern in _EN_RENAMES:
        for match in pattern.finditer(masked):
            results.append(_statement(name_head(match.group("a"), names=known), name_head(match.group("b"), names=known),
                                      "renamed", "formerly", span, sentence))
    taken = [m.span() for p in _EN_RENAMES for m in p.finditer(masked)]
    cues = sorted(((m, kind) for pattern, kind in _EN_CUE_RE for m in pattern.finditer(masked)),
                  key=lambda item: (item[0].start(), -item[0].end()))
    for match, kind in cues:  # where cues overlap ("historically romanized as"), the longest at the first place wins
        if any(a <= match.start() < b or match.start() <= a < match.end() for a, b in taken):
            continue
        taken.append(match.span())
        name, aliases = _english_cue(masked, match, known, subject)
        for alias in aliases:
            results.append(_statement(name, alias, match.group(0), kind, span, sentence))
    return results


def _english_cue(masked: str, match: re.Match[str], known: list[str], subject: str | None) -> tuple[str | None, list[str]]:
    """(name, aliases) of one English cue: the name ends the text before it, the aliases start the text after it."""
    prefix = _en_name_region(masked[: match.start()])
    region = re.split(r"[;)]|,\s+(?![A-Z][\w\-]*(?:\s|,|$))|\.\s|\.$", masked[match.end() :])[0]
    aliases = [a for a in (name_head(piece, names=known) for piece in split_aliases(region)) if a]
    hint = aliases[0] if aliases and is_acronym(aliases[0]) else None
    name = _en_name(prefix, known, hint)
    expansion = region.strip()
    if name and is_acronym(name) and len(expansion.split()) <= 8 and acronym_fits(name, expansion.split()):
        aliases = [expansion]  # "FAO stands for Food and Agriculture Organization": one name, not two
    if name is None or _PRONOUN_SUBJECT.match(name) or not prefix.strip():
        name = subject if not prefix.strip() or _PRONOUN_SUBJECT.match(prefix.strip().split(",")[-1].strip()) else name
    return name, aliases


def _en_name_region(before: str) -> str:
    """The text before a cue, without the copula and the appositives between the name and the cue."""
    prefix = re.sub(r"(?:,|\s+(?:is|was|are|were|has been|which is))\s*$", "", before)
    copula = re.match(r"^(.*?\S)\s+(?:is|was|are|were)\s+(?:the|a|an)\s+[a-z][a-z\s\-]*$", prefix.split(",")[-1])
    if copula:  # "X is the compound commonly called Y": the name is X
        prefix = ",".join(prefix.split(",")[:-1] + [copula.group(1)])
    pieces = prefix.split(",")
    while len(pieces) > 1 and _APPOSITIVE.match(pieces[-1]):
        pieces.pop()  # "Guangzhou, a city in Guangdong, also known as …": the name is Guangzhou
    return ",".join(pieces)


def _en_name(prefix: str, known: list[str], hint: str | None) -> str | None:
    name = name_tail(prefix, names=known, acronym=hint)
    segment = re.sub(r"^(?:the|a|an|in|on|at)\s+", "", prefix.split(",")[-1].strip(), flags=re.IGNORECASE)
    words = segment.split()
    if (name is None or (name.islower() and " " not in name)) and 1 < len(words) <= 4 and words[0][:1].isupper():
        return segment  # "Rice blast, aka …": a sentence-initial name in lower case after its first word
    return name


def description_aliases(name: str, description: str, *, names: Iterable[str] = ()) -> list[IdentityStatement]:
    """Statements in ``name``'s own description that give it another name, oriented ``name → alias``.

    "刘备，字玄德" for 刘备 → alias 玄德; "Mumbai, formerly Bombay" for Bombay → alias Mumbai.
    """
    result: list[IdentityStatement] = []
    for statement in find_identity_statements(description, names=[name, *names], subject=name):
        if same_name(statement.name, name):
            result.append(statement)
        elif same_name(statement.alias, name):
            result.append(IdentityStatement(name, statement.name, statement.cue, statement.kind,
                                            statement.start, statement.end, statement.sentence))
    return result


def pair_evidence(a: str, b: str, texts: Iterable[str], *, subject: str | None = None) -> PairEvidence:
    """What ``texts`` say about ``a`` and ``b``: identity statements linking them, and negative cues."""
    same: list[IdentityStatement] = []
    against: list[NegativeStatement] = []
    for text in texts:
        for statement in find_identity_statements(text, names=[a, b], subject=subject):
            if {_loose(statement.name), _loose(statement.alias)} == {_loose(a), _loose(b)}:
                same.append(statement)
        against.extend(negative_evidence(a, b, text, subject=subject))
    return PairEvidence(a, b, tuple(same), tuple(against))


def description_evidence(name: str, description: str, other: str) -> PairEvidence:
    """Does ``name``'s description call ``other`` the same thing, or hold a cue that they differ?"""
    return pair_evidence(name, other, [description], subject=name)
