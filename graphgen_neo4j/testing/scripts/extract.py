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
from dataclasses import dataclass

from graphgen_neo4j.testing.scripts import CANNED_PREFIX, ScriptedRequest, canned, message_text, responder
from graphgen_neo4j.testing.scripts._mentions import (
    BOUNDARY,
    BOUNDARY_WORDS,
    HAN_RUN,
    STOP_WORDS,
    Occurrence,
    occurrences,
)

_TEXT = re.compile(r"<text>\s*(.*?)\s*</text>", re.DOTALL)
_SENTENCE = re.compile(r"[^\n]*?(?:[。！？；!?]+[”’」』）)]*|\.(?=\s)|$)")


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


def _keyword(between: str) -> str:
    between = re.sub(r"[（(][^）)]*[）)]", " ", between)  # an aside, such as an alias
    han = "".join(HAN_RUN.findall(between))
    verbs = [(han.find(v), v) for v in BOUNDARY_WORDS if v in han]
    if verbs:
        return min(verbs)[1]
    pieces = [p for run in HAN_RUN.findall(between) for p in re.split("[" + "".join(sorted(BOUNDARY)) + "]", run) if len(p) >= 2]
    if pieces:
        return pieces[0][:4]
    for word in re.findall(r"[A-Za-z]{3,}", between):
        if word.islower() and word not in STOP_WORDS:
            return word
    return "相关" if HAN_RUN.search(between) else "related"


def analyse(text: str) -> list[Item]:
    """Every item the rules find, tagged with the sentence it comes from."""
    items: list[Item] = []
    described: dict[str, dict] = {}
    lexicon: dict[str, str] = {}
    for sentence in sentences(text):
        for occurrence in occurrences(sentence):
            if occurrence.type and len(occurrence.name) >= 2 and HAN_RUN.search(occurrence.name):
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
    chinese = any(HAN_RUN.search(e["name"]) for e in entities + [{"name": r["source"]} for r in relations])

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
