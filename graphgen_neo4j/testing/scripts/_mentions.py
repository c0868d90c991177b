"""The mentions of one sentence for the scripted extractor (``extract``): entities in Latin
script and in Chinese, abbreviations, their types and their aliases, by the rules the
``extract`` module docstring states (**Entities**, **Types**, **Aliases**). Not a responder
module (its name starts with _), only the extractor's helper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-']*")


HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


STOP_WORDS = frozenset(
    "a an the this that these those it its in on at by for from with when while after before during since "
    "both each many most some such however because although if as unlike like also then there they he she we "
    "our his her their yet but and or to of today later early modern one two three first second every all "
    "under over between among within across into through against without about around near "
    "is are was were be been has have had can could may will would did does "
    "rice farmers breeders chemists treatment partial".split()
)


TYPE_NOUNS = {
    "gene": "GENE", "genes": "GENE", "protein": "PROTEIN", "variety": "VARIETY", "cultivar": "VARIETY",
    "disease": "DISEASE", "fungus": "PATHOGEN", "pathogen": "PATHOGEN", "parasite": "PATHOGEN",
    "drug": "DRUG", "compound": "COMPOUND", "medicine": "DRUG", "plant": "PLANT", "herb": "PLANT", "crop": "CROP",
    "scientist": "PERSON", "pharmacologist": "PERSON", "agronomist": "PERSON", "breeder": "PERSON",
    "researcher": "PERSON", "professor": "PERSON", "physician": "PERSON", "chemist": "PERSON",
    "province": "LOCATION", "county": "LOCATION", "city": "LOCATION", "country": "LOCATION",
    "institute": "ORGANIZATION", "university": "ORGANIZATION", "academy": "ORGANIZATION",
    "prize": "AWARD", "award": "AWARD", "book": "WORK", "handbook": "WORK", "project": "PROJECT",
    "programme": "PROJECT", "program": "PROJECT", "therapy": "THERAPY", "treatment": "THERAPY",
}


LATIN_SUFFIX_TYPES = {
    "institute": "ORGANIZATION", "university": "ORGANIZATION", "academy": "ORGANIZATION",
    "organization": "ORGANIZATION", "centre": "ORGANIZATION", "center": "ORGANIZATION",
    "sciences": "ORGANIZATION", "ministry": "ORGANIZATION", "province": "LOCATION", "county": "LOCATION",
    "river": "LOCATION", "valley": "LOCATION", "prize": "AWARD", "award": "AWARD", "disease": "DISEASE",
    "blast": "DISEASE", "malaria": "DISEASE", "therapy": "THERAPY", "therapies": "THERAPY", "rice": "CROP",
    "revolution": "EVENT", "project": "PROJECT",
}


ZH_TYPE_NOUNS = {
    "品种": "VARIETY", "基因": "GENE", "药物": "DRUG", "著作": "WORK", "古籍": "WORK", "医书": "WORK",
    "典籍": "WORK", "病害": "DISEASE", "项目": "PROJECT", "计划": "PROJECT", "奖项": "AWARD", "植物": "PLANT",
    "机构": "ORGANIZATION", "疗法": "THERAPY", "组合": "VARIETY",
}


# Longest suffix first.
SUFFIX_TYPES = {
    "研究中心": "ORGANIZATION", "研究所": "ORGANIZATION", "研究院": "ORGANIZATION", "科学院": "ORGANIZATION",
    "大学": "ORGANIZATION", "组织": "ORGANIZATION", "自治区": "LOCATION", "病菌": "PATHOGEN", "原虫": "PATHOGEN",
    "基因": "GENE", "蛋白": "PROTEIN", "疗法": "THERAPY", "中心": "ORGANIZATION", "省": "LOCATION",
    "市": "LOCATION", "县": "LOCATION", "菌": "PATHOGEN", "虫": "PEST", "虱": "PEST", "病": "DISEASE",
    "疾": "DISEASE", "素": "COMPOUND", "醚": "COMPOUND", "酯": "COMPOUND", "唑": "PESTICIDE", "稻": "CROP", "蒿": "PLANT", "奖": "AWARD",
}


GENERIC = frozenset(
    "疾病 发病 患病 防病 抗病 病害 细菌 真菌 害虫 成虫 若虫 幼虫 元素 因素 要素 毒素 激素 水稻 杂草 作物 城市 "
    "传染病 研究 课题 科研".split()
)


BOUNDARY = frozenset("的是在和与及由对将被从为于了等其该这把向以也都并或而如经使让给到至可能会要有不所之即因但则就又还已曾更最很均各每比")


# Common verbs that also end a run (two characters or more; matched before the single ones).
BOUNDARY_WORDS = (
    "提取出", "分离出", "筛选出", "培育出", "选育出", "包括", "其中", "筛选", "分离", "致死", "增产", "引起", "导致", "造成", "提取", "育成", "培育", "发现", "获得", "治疗", "感染", "侵染", "危害", "防治",
    "抑制", "属于", "位于", "含有", "称为", "通过", "利用", "采用", "推广", "种植", "选育", "分离", "证明", "来自",
    "用于", "研制", "主持", "荣获", "获颁", "杀灭", "攻克", "携带", "控制", "提高", "降低", "作为", "推荐", "宣布",
    "克隆", "传播", "命名",
)


_ZH_SPLIT = re.compile("|".join(BOUNDARY_WORDS) + "|[" + "".join(sorted(BOUNDARY)) + "]")


TITLE_PREFIXES = ("科学家", "药学家", "农学家", "育种家", "医学家", "研究员", "助手")


TITLE_SUFFIXES = ("院士", "教授", "研究员", "医生", "团队")


_ZH_ALIAS = re.compile(r"[（(](?:又名|又称|别名|俗称|简称|旧称)\s*(?P<y>[^）)]+)[）)]|[，,](?:又名|又称|俗称|简称|旧称|字)(?P<y2>[^，。；,;！？]{1,12})")


_EN_ALIAS = re.compile(
    r"\s*\((?:also known as|also called|formerly)\s+(?P<y>[^)]+)\)|,\s*also known as\s+(?P<y2>[^,.;]+)|\s*\((?P<y3>[A-Z][A-Za-z0-9\- ]*)\)"
)


_ZH_QUOTED = re.compile(r"《(?P<w>[^》]{1,30})》|“(?P<q>[^”]{1,30})”|「(?P<c>[^」]{1,30})」")


@dataclass
class Occurrence:
    start: int
    end: int
    name: str
    type: str | None  # None: an abbreviation (relation endpoint only)
    aliases: list[str] = field(default_factory=list)


def _is_proper(word: str) -> bool:
    if word[0].isdigit():  # 2015, 1980s, 4th: not names; 3D7 would be
        return any(c.isupper() for c in word)
    return word[0].isupper() or (any(c.isdigit() for c in word) and any(c.isalpha() for c in word))


def _is_epithet(word: str, genus: str) -> bool:
    """``falciparum`` after ``Plasmodium``: a Latin species name completes its genus."""
    return (
        word.islower() and len(word) >= 5 and re.search(r"(?:a|ae|i|um|us|is)$", word) is not None
        and len(genus) >= 4 and genus[0].isupper() and genus[1:].islower() and genus.lower() not in STOP_WORDS
    )


def _is_abbreviation(name: str) -> bool:
    return 2 <= len(name) <= 5 and name.isascii() and name.isalpha() and name.isupper()


def _latin_type(sentence: str, start: int, name: str) -> str:
    before = re.findall(r"[A-Za-z]+", sentence[:start])
    while before and before[-1].lower() in ("the", "a", "an"):
        before.pop()
    if before and before[-1].lower() in TYPE_NOUNS and before[-1].islower():
        return TYPE_NOUNS[before[-1].lower()]
    han_before = HAN_RUN.findall(sentence[max(0, start - 4) : start])
    if han_before and han_before[-1][-2:] in ZH_TYPE_NOUNS:
        return ZH_TYPE_NOUNS[han_before[-1][-2:]]
    first, last = name.split()[0], name.split()[-1].lower()
    if first.lower() in TYPE_NOUNS and first[0].isupper() and " " in name:  # Project 523, Academy of …
        return TYPE_NOUNS[first.lower()]
    if last in LATIN_SUFFIX_TYPES:
        return LATIN_SUFFIX_TYPES[last]
    if any(c.isdigit() for c in name):
        return "GENE" if re.match(r"^[A-Z][a-z][A-Z]+\d", name) else "VARIETY"
    return "CONCEPT"


_Word = tuple[int, int, str]  # start, end, the word without a trailing 's


def latin_occurrences(sentence: str) -> list[Occurrence]:
    words = [(m.start(), m.end(), m.group(0).removesuffix("'s")) for m in _WORD.finditer(sentence)]
    found: list[Occurrence] = []
    i = 0
    while i < len(words):
        if not _is_proper(words[i][2]):
            i += 1
            continue
        run, j = _latin_run(sentence, words, i)
        while run and (words[run[0]][2].lower() in STOP_WORDS or words[run[0]][2].isdigit()):
            run.pop(0)  # "In 1967 China" → "China"
        while run and words[run[-1]][2] in ("of", "for"):
            run.pop()
        if run and not (len(run) == 1 and words[run[0]][2].isdigit()):
            start, end = words[run[0]][0], words[run[-1]][0] + len(words[run[-1]][2])
            name = sentence[start:end]
            found.append(Occurrence(start, end, name, None if _is_abbreviation(name) else _latin_type(sentence, start, name)))
        i = j
    return found


def _latin_run(sentence: str, words: list[_Word], i: int) -> tuple[list[int], int]:
    """The words of the name starting at word ``i`` (proper words, numbers, an epithet, "of"/"for"
    between proper words), and the index after it."""
    run = [i]
    j = i + 1
    while j < len(words):
        gap = sentence[words[j - 1][1] : words[j][0]]
        if gap.strip() or words[j - 1][2] != sentence[words[j - 1][0] : words[j - 1][1]]:
            break  # punctuation between, or the previous word ended in 's
        word = words[j][2]
        if _is_proper(word) or word.isdigit():
            run.append(j)
            j += 1
        elif len(run) == 1 and _is_epithet(word, words[run[0]][2]):
            run.append(j)
            return run, j + 1
        elif _joins_names(sentence, words, j):
            run.extend([j, j + 1])
            j += 2
        else:
            break
    return run, j


def _joins_names(sentence: str, words: list[_Word], j: int) -> bool:
    """Word ``j`` is an "of" or "for" between two proper words ("Academy of Sciences")."""
    return (words[j][2] in ("of", "for") and words[j - 1][2][0].isupper() and j + 1 < len(words)
            and _is_proper(words[j + 1][2]) and not sentence[words[j][1] : words[j + 1][0]].strip())


def _zh_type(sentence: str, start: int, name: str, default: str) -> str:
    before = sentence[max(0, start - 2) : start]
    if before in ZH_TYPE_NOUNS:
        return ZH_TYPE_NOUNS[before]
    for suffix, kind in SUFFIX_TYPES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind
    return default


def chinese_occurrences(sentence: str) -> list[Occurrence]:
    found: list[Occurrence] = []
    masked = list(sentence)
    for match in _ZH_QUOTED.finditer(sentence):
        name = (match.group("w") or match.group("q") or match.group("c")).strip()
        if re.search(r"[，。、；！？,;!?]", name):
            continue  # a quotation, not a name
        default = "WORK" if match.group("w") else "CONCEPT"
        found.append(Occurrence(match.start(), match.end(), name, _zh_type(sentence, match.start(), name, default)))
        masked[match.start() : match.end()] = " " * (match.end() - match.start())
    plain = "".join(masked)
    for match in HAN_RUN.finditer(plain):
        position = match.start()
        for segment in _ZH_SPLIT.split(match.group(0)):
            start = plain.index(segment, position) if segment else position
            position = start + len(segment)
            occurrence = _han_segment(sentence, start, segment)
            if occurrence is not None:
                found.append(occurrence)
    return found


def _han_segment(sentence: str, start: int, segment: str) -> Occurrence | None:
    for noun, kind in ZH_TYPE_NOUNS.items():  # 植物黄花蒿 → 黄花蒿, a PLANT
        if segment.startswith(noun) and len(segment) - len(noun) >= 2:
            return Occurrence(start + len(noun), start + len(segment), segment[len(noun) :], kind)
    for title in TITLE_PREFIXES:  # 研究员屠呦呦受命… → 屠呦呦 (a name is three characters, or the two left)
        if segment.startswith(title) and len(segment) - len(title) >= 2:
            name = segment[len(title) : len(title) + 3]
            if name not in GENERIC:
                return Occurrence(start + len(title), start + len(title) + len(name), name, "PERSON")
    for title in TITLE_SUFFIXES:
        if segment.endswith(title) and 2 <= len(segment) - len(title) <= 4 and segment[: -len(title)] not in GENERIC:
            return Occurrence(start, start + len(segment) - len(title), segment[: -len(title)], "PERSON")
    if len(segment) > 14 or segment in GENERIC:
        return None
    for suffix, kind in SUFFIX_TYPES.items():
        if segment.endswith(suffix) and len(segment) > len(suffix):
            return Occurrence(start, start + len(segment), segment, _zh_type(sentence, start, segment, kind))
    return None


def _clean(name: str) -> str:
    return name.strip().strip("“”「」《》\"' ").strip()


def occurrences(sentence: str, lexicon: dict[str, str] | None = None) -> list[Occurrence]:
    """Entity and abbreviation mentions of one sentence, in order, aliases attached.

    ``lexicon`` ({Chinese name: type}) adds every other place where a name found
    elsewhere in the passage occurs (longest names first, never overlapping).
    """
    found = sorted(chinese_occurrences(sentence) + latin_occurrences(sentence), key=lambda o: (o.start, -o.end))
    kept: list[Occurrence] = []
    for occurrence in found:  # a quoted term wins over the Latin words inside it
        if kept and occurrence.start < kept[-1].end:
            continue
        kept.append(occurrence)
    kept += _lexicon_occurrences(sentence, lexicon or {}, kept)
    kept.sort(key=lambda o: o.start)
    for pattern in (_ZH_ALIAS, _EN_ALIAS):
        for match in pattern.finditer(sentence):
            kept = _attach_alias(sentence, kept, pattern, match)
    return kept


def _lexicon_occurrences(sentence: str, lexicon: dict[str, str], kept: list[Occurrence]) -> list[Occurrence]:
    """Every other place a lexicon name occurs, longest names first, overlapping nothing found."""
    added: list[Occurrence] = []
    for name in sorted(lexicon, key=len, reverse=True):
        for match in re.finditer(re.escape(name), sentence):
            if all(match.end() <= o.start or match.start() >= o.end for o in kept + added):
                added.append(Occurrence(match.start(), match.end(), name, lexicon[name]))
    return added


def _attach_alias(sentence: str, kept: list[Occurrence], pattern: re.Pattern[str], match: re.Match[str]) -> list[Occurrence]:
    """Give an alias (“又称…”, "(also known as …)") to the mention right before it; the mentions inside it go."""
    alias = _clean(next(g for g in match.groups() if g))
    before = [o for o in kept if o.end <= match.start() and not sentence[o.end : match.start()].strip("”」》 ")]
    if not before or not alias:
        return kept
    owner = before[-1]
    if pattern is _EN_ALIAS and match.group("y3") and not _is_proper(alias.split()[0]):
        return kept
    owner.aliases.append(alias)
    if owner.type is None:  # an abbreviation named with its alias is an entity after all
        owner.type = _latin_type(sentence, owner.start, owner.name)
    return [o for o in kept if not (match.start() <= o.start < match.end())]
