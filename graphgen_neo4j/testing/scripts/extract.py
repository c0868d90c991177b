"""Entity and relation extraction (tasks ``extract`` and ``glean``), by fixed rules.

The reply is derived from the passage between the last ``<text>`` and ``</text>`` of the
first user message that has one, so a given text always yields the same graph. The rules:

**Sentences.** The passage is split at line breaks and after ``。！？；!?`` or a ``.``
followed by white space. Everything below happens within one sentence.

**Entities (Latin script).** A maximal run of words that start with a capital letter or
mix letters and digits (``OsDT11``, ``IR8``), joined only by spaces, by ``of`` or ``for`` between two
such words, or followed by a number (``Yungeng 26``, ``Project 523``); a capitalised genus
followed by a Latin species name (lower case, 5+ letters, ending in -a -ae -i -um -us -is)
is one name (``Plasmodium falciparum``). Leading words from
a small stop list (``The``, ``In``, ``This``…) and a trailing ``'s`` are dropped; a word
that starts with a digit is a name only with a capital in it (not ``2015``, ``1980s``). A run
that is a lone all-capital word of 2–5 letters (``IRRI``, ``WHO``) is an *abbreviation*:
it is never listed as an entity, only used as a relation endpoint — so the pipeline has
to create it (typed UNKNOWN) or route it through an alias.

**Entities (Chinese).** (1) Terms in 《》“”「」. (2) Runs of Han characters, cut at
punctuation, at common function characters (的 是 在 和 与 及 由 对 将 被 从 为 于 了 …, see
``BOUNDARY``) and common verbs (引起 导致 育成 提取 …, ``BOUNDARY_WORDS``), that end in a listed suffix (``SUFFIX_TYPES``: 病 菌 虫 基因 素 省 县
研究所 科学院 大学 稻 奖 …) and are longer than it, minus a few generic words
(``GENERIC``). (3) Every other place in the passage where a Chinese name found by (1)–(4)
occurs. (4) A person: a run that starts with a title (科学家, 药学家…) or ends with
one (院士, 教授, 团队…), the title dropped (after a leading title the name is the next
three characters). A run starting with a type noun (品种, 植物,
基因…) loses it and takes its type (植物黄花蒿 → 黄花蒿, PLANT). Quoted text holding
punctuation is a quotation, not a name. Latin words inside Chinese follow the Latin rules.

**Types.** From the word just before the name when it is a type noun (``the gene
OsDT11`` → GENE, ``pharmacologist Tu Youyou`` → PERSON, 品种“南粳9108” → VARIETY), else from
the name's first word when it is one (``Project 523``) or its ending (``…Institute`` →
ORGANIZATION, ``…病`` → DISEASE), else CONCEPT
(《》: WORK). The same name may so get different types in different sentences, which
the merge settles by majority vote.

**Aliases.** ``X (also known as Y)``, ``X (also called Y)``, ``X, also known as Y``,
``X (Y)`` with Y a capitalised run or an abbreviation; ``X（又名Y）`` ``X（又称Y）``
``X（别名Y）`` ``X（俗称Y）`` ``X（简称Y）`` ``X，又称Y`` ``X，字Y``: Y becomes an alias of X and
is not an entity or endpoint of its own in that sentence.

**Descriptions.** An entity's description is ``[canned] `` + the first sentence of the
passage that names it. A relation links every pair of distinct entities (and
abbreviations) named in one sentence, the first named as source: description
``[canned] `` + the sentence; keyword the first content word between the two names
(Chinese: up to four characters between them), ``related``/``相关`` when there is none;
strength 10 minus one per 10 characters between them (at least 1).

**Gleaning.** With two sentences or more, the ``extract`` reply leaves out the last
sentence: the entities first named there and its relations. The first ``glean`` reply
returns exactly those; later ``glean`` replies are empty.

**Table replies.** With the server knob ``extraction_replies`` — a mapping from a passage
(its text, or ``passage_key(text)``, the SHA-256 of the stripped text) to an extraction
(``{"entities": [...], "relations": [...]}``) — a passage found there gets that extraction
instead of the rules' (its descriptions marked ``[canned] ``, names left as they are), and
its ``glean`` replies are empty. Passages not in the table get the rules' reply.
``set_extraction_replies`` on the server fills the knob.

**Messy text.** With the server knob ``extract_style="messy"`` the reply is JSON as a
careless model writes it: prose around it, full-width ``｛｝［］：，`` outside strings,
curly-quoted keys, trailing commas, names in 「」 or quotes, keywords and aliases as one
string, strength as ``"8/10"``. (The server fault ``text_mode`` adds a code fence.)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from graphgen_neo4j.testing.scripts import CANNED_PREFIX, ScriptedRequest, canned, message_text, responder

_TEXT = re.compile(r"<text>\s*(.*?)\s*</text>", re.DOTALL)
_SENTENCE = re.compile(r"[^\n]*?(?:[。！？；!?]+[”’」』）)]*|\.(?=\s)|$)")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-']*")
_HAN = re.compile(r"[\u4e00-\u9fff]+")

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


@dataclass
class Item:
    kind: str  # "entity" or "relation"
    sentence: int
    data: dict


def passage(request: ScriptedRequest) -> str:
    for message in request.messages:
        if message.get("role") == "user":
            matches = _TEXT.findall(message_text(message))
            if matches:
                return matches[-1]  # the prompt may name the tags before the passage
    raise ValueError("no <text>…</text> passage in the user messages")


def sentences(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        for match in _SENTENCE.finditer(line):
            piece = match.group(0).strip()
            if piece:
                found.append(piece)
    return found


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
    han_before = _HAN.findall(sentence[max(0, start - 4) : start])
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


def latin_occurrences(sentence: str) -> list[Occurrence]:
    words = [(m.start(), m.end(), m.group(0).removesuffix("'s")) for m in _WORD.finditer(sentence)]
    found: list[Occurrence] = []
    i = 0
    while i < len(words):
        if not _is_proper(words[i][2]):
            i += 1
            continue
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
                j += 1
                break
            elif word in ("of", "for") and words[j - 1][2][0].isupper() and j + 1 < len(words) and _is_proper(words[j + 1][2]) and not sentence[words[j][1] : words[j + 1][0]].strip():
                run.extend([j, j + 1])
                j += 2
            else:
                break
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
    for match in _HAN.finditer(plain):
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
    for name in sorted(lexicon or {}, key=len, reverse=True):
        for match in re.finditer(re.escape(name), sentence):
            if all(match.end() <= o.start or match.start() >= o.end for o in kept):
                kept.append(Occurrence(match.start(), match.end(), name, (lexicon or {})[name]))
    kept.sort(key=lambda o: o.start)
    for pattern in (_ZH_ALIAS, _EN_ALIAS):
        for match in pattern.finditer(sentence):
            alias = _clean(next(g for g in match.groups() if g))
            before = [o for o in kept if o.end <= match.start() and not sentence[o.end : match.start()].strip("”」》 ")]
            if not before or not alias:
                continue
            owner = before[-1]
            if pattern is _EN_ALIAS and match.group("y3") and not _is_proper(alias.split()[0]):
                continue
            owner.aliases.append(alias)
            if owner.type is None:  # an abbreviation named with its alias is an entity after all
                owner.type = _latin_type(sentence, owner.start, owner.name)
            kept = [o for o in kept if not (match.start() <= o.start < match.end())]
    return kept


def _keyword(between: str) -> str:
    between = re.sub(r"[（(][^）)]*[）)]", " ", between)  # an aside, such as an alias
    han = "".join(_HAN.findall(between))
    verbs = [(han.find(v), v) for v in BOUNDARY_WORDS if v in han]
    if verbs:
        return min(verbs)[1]
    pieces = [p for run in _HAN.findall(between) for p in re.split("[" + "".join(sorted(BOUNDARY)) + "]", run) if len(p) >= 2]
    if pieces:
        return pieces[0][:4]
    for word in re.findall(r"[A-Za-z]{3,}", between):
        if word.islower() and word not in STOP_WORDS:
            return word
    return "相关" if _HAN.search(between) else "related"


def analyse(text: str) -> list[Item]:
    """Every item the rules find, tagged with the sentence it comes from."""
    items: list[Item] = []
    described: dict[str, dict] = {}
    lexicon: dict[str, str] = {}
    for sentence in sentences(text):
        for occurrence in occurrences(sentence):
            if occurrence.type and len(occurrence.name) >= 2 and _HAN.search(occurrence.name):
                lexicon.setdefault(occurrence.name, occurrence.type)
    for index, sentence in enumerate(sentences(text)):
        found = occurrences(sentence, lexicon)
        for occurrence in found:
            if occurrence.type is None:
                continue
            key = occurrence.name.casefold()
            if key in described:
                if occurrence.aliases:  # an alias given later: reported with that sentence
                    items.append(Item("entity", index, {
                        "name": occurrence.name, "type": occurrence.type, "description": "",
                        "aliases": list(occurrence.aliases),
                    }))
                continue
            entity = {
                "name": occurrence.name, "type": occurrence.type,
                "description": CANNED_PREFIX + sentence, "aliases": list(occurrence.aliases),
            }
            described[key] = entity
            items.append(Item("entity", index, entity))
        distinct: list[Occurrence] = []
        for occurrence in found:
            if all(o.name.casefold() != occurrence.name.casefold() for o in distinct):
                distinct.append(occurrence)
        for a in range(len(distinct)):
            for b in range(a + 1, len(distinct)):
                source, target = distinct[a], distinct[b]
                between = sentence[source.end : target.start]
                items.append(Item("relation", index, {
                    "source": source.name, "target": target.name,
                    "description": CANNED_PREFIX + sentence,
                    "keywords": [_keyword(between)],
                    "strength": max(1, 10 - len(between) // 10),
                }))
    return items


def first_pass(text: str) -> list[Item]:
    items = analyse(text)
    last = len(sentences(text)) - 1
    return items if last < 1 else [item for item in items if item.sentence < last]


def glean_pass(text: str) -> list[Item]:
    items = analyse(text)
    last = len(sentences(text)) - 1
    return [] if last < 1 else [item for item in items if item.sentence == last]


def reply(items: list[Item], style: str = "json") -> str:
    entities = [item.data for item in items if item.kind == "entity"]
    relations = [item.data for item in items if item.kind == "relation"]
    if style == "messy":
        return messy(entities, relations)
    return json.dumps({"entities": entities, "relations": relations}, ensure_ascii=False)


def messy(entities: list[dict], relations: list[dict]) -> str:
    """The same content, written the way a careless model writes JSON (see the module docstring)."""
    chinese = any(_HAN.search(e["name"]) for e in entities + [{"name": r["source"]} for r in relations])

    def obj(pairs: list[tuple[str, str]]) -> str:
        return "｛" + "，".join(f"“{k}”：{v}" for k, v in pairs) + "，｝"

    def string(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    def quoted(name: str) -> str:
        return string(f"「{name}」" if chinese else f'"{name}"')

    sep = "、" if chinese else ", "
    entity_texts = [obj([("name", quoted(e["name"])), ("type", string(e["type"].lower())),
                         ("description", string(e["description"])), ("aliases", string(sep.join(e["aliases"])))])
                    for e in entities]
    relation_texts = [obj([("source", quoted(r["source"])), ("target", quoted(r["target"])),
                           ("description", string(r["description"])), ("keywords", string(sep.join(r["keywords"]))),
                           ("strength", string(f"{r['strength']}/10"))])
                      for r in relations]
    body = "｛“entities”：［" + "，".join(entity_texts) + "，］，“relations”：［" + "，".join(relation_texts) + "］｝"
    opening = "[canned] 好的，抽取结果如下：" if chinese else "[canned] Sure, here are the entities and relations:"
    return f"{opening}\n{body}\n（以上）" if chinese else f"{opening}\n{body}\nHope this helps."


def passage_key(text: str) -> str:
    """The key of a passage in the ``extraction_replies`` knob: SHA-256 of its stripped text."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def table_reply(request: ScriptedRequest) -> dict | None:
    """The extraction the ``extraction_replies`` knob holds for this passage, descriptions marked canned."""
    table: Mapping[str, Mapping] | None = request.knobs.get("extraction_replies")
    if not table:
        return None
    text = passage(request).strip()
    entry = table.get(text) or table.get(passage_key(text))
    if entry is None:
        return None

    def marked(item: Mapping) -> dict:
        description = item.get("description")
        return {**item, "description": description if not description else canned(str(description))}

    return {"entities": [marked(e) for e in entry.get("entities", [])],
            "relations": [marked(r) for r in entry.get("relations", [])]}


@responder("extract")
def extract(request: ScriptedRequest) -> str:
    table = table_reply(request)
    if table is not None:
        return json.dumps(table, ensure_ascii=False)
    return reply(first_pass(passage(request)), request.knobs.get("extract_style", "json"))


@responder("glean")
def glean(request: ScriptedRequest) -> str:
    if table_reply(request) is not None:
        return json.dumps({"entities": [], "relations": []})
    done = sum(1 for m in request.messages if m.get("role") == "assistant")
    items = glean_pass(passage(request)) if done <= 1 else []
    return reply(items, request.knobs.get("extract_style", "json"))
