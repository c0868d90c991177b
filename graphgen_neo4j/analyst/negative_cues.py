"""Hard-negative cues: sentences saying two names are *related but different* things.

"恶性疟原虫是疟原虫属的一种", "dihydroartemisinin is a derivative of artemisinin",
"广州是广东省的省会", "苏轼是苏洵之子", "HIV causes AIDS": names that look alike (one
contains the other, a shared surname, a translation) but must not be merged. The
resolver counts these against a merge.

A cue links names ``A`` and ``B`` in one sentence in one of two ways:

* **infix**: ``A … CUE [filler] B`` — the cue lies between them and ``B`` follows it after at
  most a little filler (three English words or four Chinese characters, no comma):
  "Guangzhou is the capital of Guangdong", "苏洵之子苏轼";
* **postfix**: ``A … B [属/省/市…] CUE`` — the cue comes right after ``B``:
  "恶性疟原虫是疟原虫属的一种", "双氢青蒿素是青蒿素的衍生物".

Both orders of ``A`` and ``B`` are tried. In an entity's own description the entity is
often not named ("a city in Guangdong province"); pass it as ``subject`` and it counts as
named at the start of each sentence that does not name it. An occurrence of ``A`` inside an
occurrence of ``B`` (青蒿素 inside 双氢青蒿素) is not an occurrence of ``A``, nor is a Latin-script
name followed by a capitalised word ("Madras" in "Madras University").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphgen_neo4j.analyst.evidence_text import is_latin, sentences

NEGATIVE_KINDS = ("taxonomy", "derivative", "part_of", "kinship", "causal", "distinct", "collective")

_I = re.IGNORECASE
# kind → (infix patterns, postfix patterns); the first kind that matches is reported, so "distinct" comes first and "taxonomy" (属于) after "part_of" (隶属于).
NEGATIVE_CUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "distinct": (
        (r"\bnot\s+(?:to\s+)?(?:be\s+)?confused\s+with\b", r"\b(?:is|are|was)\s+(?:not|different\s+from|distinct\s+from)\b",
         r"\bunlike\b", r"\bborders?\b", r"\bsuccessor\s+(?:state\s+)?(?:of|to)\b", r"不同于|有别于|区别于|并非|不是|而非"),
        (r"^(?:并)?不同", r"^(?:是)?(?:两|二)(?:个|所|种)不同"),
    ),
    "derivative": (
        (r"\b(?:semi-?synthetic\s+|synthetic\s+|active\s+|main\s+)?(?:derivative|metabolite|analogue|analog|prodrug|precursor|"
         r"ester|salt|enantiomer|isomer|ether|reduction\s+product)s?\s+of\b", r"\bderived\s+from\b", r"\bmade\s+from\b",
         r"\bsynthesi[sz]ed\s+from\b", r"\bmetaboli[sz]ed\s+(?:in)?to\b", r"\bconverted\s+(?:in)?to\b"),
        (r"^(?:的)?(?:衍生物|代谢物|代谢产物|类似物|前体|前药|酯|盐|异构体|还原产物|活性代谢物|改造产物)",
         r"^(?:经|通过)?(?:还原|衍生|改造|修饰|合成|转化|酯化|乙酰化|甲基化|乙基化|代谢)"),
    ),
    "part_of": (
        (r"\b(?:a|the)\s+(?:\w+\s+)?(?:city|town|county|district|capital|prefecture|port|village|province|state|region)\s+(?:of|in)\b",
         r"\b(?:capital|seat)\s+of\b", r"\blocated\s+in\b", r"\bpart\s+of\b",
         r"位于", r"隶属于?", r"地处", r"坐落于", r"今属", r"辖"),
        (r"^(?:省|市|县|自治区)?(?:的)?(?:省会|首府|首都|辖区|下辖|境内|一部分|属地|一个市|一个县|城市)",),
    ),
    "kinship": (
        (r"\b(?:(?:eldest|elder|older|younger|youngest|second|third|only)\s+)?(?:son|daughter|father|mother|brother|sister|"
         r"nephew|uncle|grandson|grandfather|wife|husband|heir|child|sibling|cousin)s?\s+of\b",
         r"['’]s\s+(?:(?:eldest|elder|older|younger|youngest|second|third)\s+)?(?:son|daughter|father|mother|brother|sister|wife|"
         r"husband|heir|nephew)\b", r"(?:之|的)(?:长|次|幼|三|四)?(?:子|父|兄|弟|女|妻|孙|侄|叔)", r"其(?:长|次|幼|三)?(?:子|父|兄|弟|女|妻)",
         r"父亲|儿子|兄长|哥哥|弟弟|长子|次子|幼子|胞弟|胞兄"),
        (r"^(?:之|的)(?:长|次|幼|三)?(?:子|父|兄|弟|女|妻|父亲|儿子|哥哥|弟弟)", r"^(?:两|二)?兄弟"),
    ),
    "causal": (
        (r"\bcaus(?:es|ed|ing)\b", r"\b(?:causative\s+agent|pathogen|agent)\s+of\b", r"\bleads?\s+to\b",
         r"引起|导致|引发|致病|病原(?:体|菌)?(?:为|是)"),
        (r"^(?:的)?(?:病原体|病原菌|病原|致病菌)",),
    ),
    "taxonomy": (
        (r"(?:\b(?:is|are|was|were)\s+|,\s*)(?:a|an|one|the)\s+(?:\w+\s+)?(?:species|subspecies|strain|variety|cultivar|"
         r"genus|member|kind|type|form|subtype|serotype|class|family|group|sort)\s+(?:of|in|within|belonging\s+to)\b",
         r"\bbelong(?:s|ing)?\s+to\b", r"\b(?:genus|family)\s+(?:that\s+)?(?:includes|contains|comprises)\b",
         r"\bspecies\s+(?:such\s+as|like|including)\b", r"属于", r"是一种", r"包括", r"包含", r"下的"),
        (r"^(?:属|科|目|类)?(?:的|中的)?(?:一种|一个种|一员|亚种|变种|品种|成员|一类|种之一|物种)", r"^属(?:植物|物种|病原)?"),
    ),
    "collective": (
        (r"\bcollectively\s+(?:known|called|referred\s+to)\s+as\b", r"合称|并称|统称|总称"),
        (r"^(?:等)?(?:的)?(?:合称|并称|统称|总称)",),
    ),
}
_COMPILED = {
    kind: ([re.compile(p, _I) for p in infix], [re.compile(p, _I) for p in postfix])
    for kind, (infix, postfix) in NEGATIVE_CUES.items()
}
_EN_FILLER = re.compile(r"^\s*(?:[\w\-]+\s+){0,3}$")
_ZH_FILLER = re.compile(r"^[^，,；;。、]{0,4}$")


@dataclass(frozen=True)
class NegativeStatement:
    """A sentence with a cue that ``a`` and ``b`` are different things (``kind`` in ``NEGATIVE_KINDS``)."""

    a: str
    b: str
    cue: str
    kind: str
    start: int
    end: int
    sentence: str


def occurrences(name: str, sentence: str, inside: str | None = None) -> list[tuple[int, int]]:
    """Where ``name`` occurs in ``sentence`` (whole words for Latin script), not within an occurrence of ``inside``."""
    if not name:
        return []
    flags = re.IGNORECASE
    # A Latin name followed by a capitalised word is part of a longer name ("Madras University").
    pattern = rf"(?<![\w]){re.escape(name)}(?![\w])(?!(?-i:\s+[A-Z]))" if is_latin(name) else re.escape(name)
    found = [m.span() for m in re.finditer(pattern, sentence, flags)]
    if inside and len(inside) > len(name) and name.casefold() in inside.casefold():
        blocked = occurrences(inside, sentence)
        found = [s for s in found if not any(b0 <= s[0] and s[1] <= b1 for b0, b1 in blocked)]
    return found


def _filler_ok(rest: str) -> bool:
    return bool(_EN_FILLER.match(rest) if rest.isascii() else _ZH_FILLER.match(rest.strip()))


def _cue_between(first: tuple[int, int], second: tuple[int, int], sentence: str) -> tuple[str, str] | None:
    between = sentence[first[1] : second[0]]
    after = sentence[second[1] : second[1] + 16]
    for kind, (infix, postfix) in _COMPILED.items():
        for pattern in infix:
            for match in pattern.finditer(between):
                if _filler_ok(between[match.end() :]):
                    return kind, match.group(0).strip()
        for pattern in postfix:
            head = pattern.match(after)
            if head and not re.search(r"[，,；;。]", between):
                return kind, head.group(0).strip()
    return None


def negative_evidence(a: str, b: str, text: str, *, subject: str | None = None) -> list[NegativeStatement]:
    """Cues in ``text`` that ``a`` and ``b`` are different things (see the module docstring)."""
    found: list[NegativeStatement] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        spots_a = occurrences(a, sentence, inside=b)
        spots_b = occurrences(b, sentence, inside=a)
        if subject is not None:
            if subject == a and not spots_a:
                spots_a = [(0, 0)]
            if subject == b and not spots_b:
                spots_b = [(0, 0)]
        hit = None
        for x in spots_a:
            for y in spots_b:
                first, second = (x, y) if x[0] <= y[0] else (y, x)
                if first[1] > second[0]:
                    continue
                hit = _cue_between(first, second, sentence)
                if hit:
                    break
            if hit:
                break
        if hit:
            found.append(NegativeStatement(a, b, hit[1], hit[0], start, end, sentence))
    return found
