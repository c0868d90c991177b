"""Text helpers shared by the identity and negative cue finders (``evidence``, ``negative_cues``).

Everything here is plain string work, no database and no LLM:

* ``sentences`` splits a text into sentences with their offsets (Chinese ``。！？；`` and
  English ``. ! ? ;``, without cutting at ``a.k.a.``, ``abbr.``, ``e.g.``, initials);
* ``name_tail`` finds the name that *ends* a stretch of text ("北宋文学家苏轼" → "苏轼",
  "the enzyme polymerase chain reaction" + hint "PCR" → "polymerase chain reaction");
* ``name_head`` finds the name that *starts* a stretch of text ("Lipitor among others" → "Lipitor");
* ``split_aliases`` cuts "A、B" / "A or B" into single names;
* ``looks_like_name`` rejects what a parenthesis or a cue may hold that is no name: dates,
  numbers with units, definitions ("a genus of …", "一种…").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{HAN}]")
_LATIN_RE = re.compile(r"[A-Za-z]")
QUOTES = "\"'“”‘’「」『』《》〈〉«»＂＇【】"

# Where an English sentence does not end although a full stop is there.
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b(?:a\.k\.a|abbr|approx|e\.g|i\.e|etc|vs|cf|no|St|Mt|Dr|Mr|Mrs|Ms|Prof|Jr|Sr|Inc|Ltd|Co|U\.S|U\.K|c|ca|fl|b|d)|\b[A-Z])$"
)
_BREAK = re.compile(r"[。！？；!?;]+[”’」』）)]*|\.(?=\s|$)")

# Grammatical characters that end a name when reading a stretch of Chinese backwards (few: names hold
# many common characters — 成都, 共和国, 粮食及农业组织).
_ZH_BOUNDARY_CHARS = "的是在由被从为于了其该这把"
_ZH_ROLE_SUFFIXES = ("家", "帝", "王", "将", "相", "者", "人", "士", "官", "臣", "侯", "公主", "皇后", "太子")
# Lower-case English words that may sit inside a name ("Academy of Sciences", "Ho Chi Minh City").
_NAME_CONNECTORS = frozenset("of for and de du la le van von der the al".split())
_LEADING_STOP = frozenset(
    "a an the this that these those its his her their our in on at by for from with as and or but is "
    "was are were it he she they which who whose when while after before since".split()
)
_HEAD_STOP = frozenset(
    "in by among outside for since until from when because who which that is was are were has have "
    "had and or as at on to with after before during whose where while its his her their".split()
)
_LATIN_EPITHET = re.compile(r"^[a-z]{4,}(?:a|ae|i|ii|um|us|is|ensis|oides)$")
_NOT_ALIAS_WORDS = frozenset(
    "left right above below ibid sic pictured approx approximately see e.g i.e etc figure fig table "
    "plural singular adj noun verb".split()
)
_UNIT = r"(?:mg|g|kg|µg|μg|mcg|ml|mL|l|L|%|km|m|cm|mm|nm|°C|°F|K|h|hr|min|s|mmHg|IU|mol|mM|µM|μM|ha|mu|亩|年|月|日|岁|世纪|公里|千克|毫克|克|米|厘米|度)"
_NUMBER_OR_DATE = re.compile(
    rf"^(?:c\.|ca\.|约|公元前?|AD|BC|BCE|CE|b\.|d\.|born|died|卒于|生于)?\s*[\d０-９][\d０-９.,:/\-–—~～年月日\s]*(?:{_UNIT}\b|{_UNIT})?"
    rf"(?:\s*[-–—~～至]\s*[\d０-９][\d０-９.,:/\s]*(?:{_UNIT}\b|{_UNIT})?)?\s*(?:年|BC|BCE|AD|CE)?\s*$"
)
_STARTS_WITH_DIGIT = re.compile(r"^\s*(?:c\.\s*|ca\.\s*|约)?[\d０-９]")
_ZH_DEFINITION_WORDS = re.compile(r"一种|一类|之一|属于|位于|今属|隶属")
_ZH_DEFINITION = re.compile(r"是|为|的|在|有|由|指")
_EN_DEFINITION_START = frozenset(
    "a an the one any some which who that see e.g i.e usually mainly mostly often also formerly now "
    "here there its his her their it he she they this these those used".split()
)
_EN_VERBS = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|does|do|did|can|may|which|that)\b")


def is_han(text: str) -> bool:
    """True when ``text`` holds a Chinese character."""
    return _HAN_RE.search(text) is not None


def is_latin(text: str) -> bool:
    """True when ``text`` holds a Latin letter and no Chinese character."""
    return _LATIN_RE.search(text) is not None and not is_han(text)


def clean(name: str) -> str:
    """A name with white space collapsed and quotes, brackets and trailing punctuation removed."""
    text = " ".join(name.split())
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(QUOTES).strip(" ,，、;；:：.。!！?？").strip()
    return text


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``; line breaks also end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BREAK.finditer(text):
        if match.group(0) == "." and _NO_BREAK_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for begin, end in spans:
        offset = begin
        for line in text[begin:end].split("\n"):
            stripped = line.strip()
            if stripped:
                first = offset + line.index(stripped)
                result.append((first, first + len(stripped)))
            offset += len(line) + 1
    return result


def _snap(region: str, names: Iterable[str], *, at_end: bool) -> str | None:
    """The longest known name that ends (or starts) ``region``, ignoring quotes and spaces."""
    core = region.rstrip(QUOTES + " ").strip() if at_end else region.lstrip(QUOTES + " ").strip()
    folded = core.casefold()
    best: str | None = None
    for name in names:
        key = name.casefold()
        if name and (folded.endswith(key) if at_end else folded.startswith(key)) and (best is None or len(name) > len(best)):
            if at_end and is_latin(name) and len(core) > len(name) and core[-len(name) - 1].isalnum():
                continue  # "Beijing" must not end "Nanjing"
            if not at_end and is_latin(name) and len(core) > len(name) and core[len(name)].isalnum():
                continue
            best = name
    return best


def acronym_fits(acronym: str, words: list[str]) -> bool:
    """Schwartz–Hearst style: the acronym's first letter starts the first word and its letters
    appear in order in the words ("AIDS" ← "Acquired immunodeficiency syndrome")."""
    letters = [c.lower() for c in acronym if c.isalnum()]
    if not letters or not words or words[0][0].lower() != letters[0]:
        return False
    text = " ".join(words).lower()
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def name_tail(region: str, *, names: Iterable[str] = (), acronym: str | None = None, person: bool = False) -> str | None:
    """The name that ends ``region`` (the text just before a cue or a parenthesis), or None.

    ``names`` (known entity names) win when one of them ends the region. An ``acronym``
    that follows the region picks as many words as it has letters when their initials
    match ("World Health Organization (WHO)"). ``person`` trims Chinese role words before
    a personal name ("北宋文学家苏轼" → "苏轼").
    """
    snapped = _snap(region, names, at_end=True)
    if snapped:
        return snapped
    region = region.rstrip(QUOTES + " ,，:：")
    if not region:
        return None
    if is_han(region[-1]) or region[-1] in QUOTES:
        return _han_tail(region, person)
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9\-'’.]*", region)
    if not words or not region.rstrip()[-1:].isalnum() and region.rstrip()[-1:] not in ").'’":
        return None
    words = [w.strip(",;:") for w in re.findall(r"\S+", region.rstrip())]
    if acronym:
        expansion = _acronym_expansion(words, acronym)
        if expansion:
            return expansion
    picked = _capitalized_tail(words)
    if picked:
        return clean(" ".join(picked))
    return _lowercase_tail(words)


def _han_tail(region: str, person: bool) -> str | None:
    """The Chinese name ending the region: after the last boundary character; a person's name
    without the role words before it."""
    han = re.search(f"[{HAN}A-Za-z0-9·\\-]+$", region)
    if not han:
        return None
    piece = han.group(0)
    cut = max((piece.rfind(ch) for ch in _ZH_BOUNDARY_CHARS), default=-1)
    piece = piece[cut + 1 :]
    if person and len(piece) > 4:
        for suffix in sorted(_ZH_ROLE_SUFFIXES, key=len, reverse=True):
            at = piece.rfind(suffix)
            if at >= 0 and 2 <= len(piece) - at - len(suffix) <= 4:
                piece = piece[at + len(suffix) :]
                break
    return clean(piece) or None


def _acronym_expansion(words: list[str], acronym: str) -> str | None:
    """The fewest last words whose initials the acronym follows ("World Health Organization (WHO)")."""
    letters = [c for c in acronym if c.isalpha()]
    for n in range(1, min(len(words), len(letters) + 2) + 1):
        pick = [w.strip("\"'“”()") for w in words[-n:]]
        if pick[0] and pick[0].lower() not in _NAME_CONNECTORS | _LEADING_STOP and acronym_fits(acronym, pick):
            return clean(" ".join(pick))
    return None


def _capitalized_tail(words: list[str]) -> list[str]:
    """The capitalized words (with connectors between them) ending the region, without a leading
    "The" or "In" — but "WHO" stays."""
    picked: list[str] = []
    for word in reversed(words):
        bare = word.strip("\"'“”()")
        if not bare:
            break
        if bare[0].isupper() or any(c.isupper() for c in bare[1:]) or (bare.lower() in _NAME_CONNECTORS and picked):
            picked.insert(0, bare)
        else:
            break
    while picked and (picked[0].lower() in _NAME_CONNECTORS or picked[0].lower() in _LEADING_STOP) and not (
        len(picked[0]) > 1 and picked[0].isupper()
    ):
        picked.pop(0)
    return picked


def _lowercase_tail(words: list[str]) -> str | None:
    """A binomial ("Artemisia annua") or one lower-case name word ending the region."""
    last = words[-1].strip("\"'“”()")
    if len(words) >= 2 and _LATIN_EPITHET.match(last):
        genus = words[-2].strip("\"'“”()")
        if re.match(r"^[A-Z][a-z]{2,}$", genus) and genus.lower() not in _LEADING_STOP:
            return f"{genus} {last}"  # a binomial: "Artemisia annua", "Plasmodium falciparum"
    if last.lower() in _LEADING_STOP or last.lower() in _HEAD_STOP or not re.match(r"^[a-z][a-z0-9\-]+$", last):
        return None
    return clean(last)


def name_head(region: str, *, names: Iterable[str] = ()) -> str | None:
    """The name that starts ``region`` (the text just after a cue), or None."""
    snapped = _snap(region, names, at_end=False)
    if snapped:
        return snapped
    region = region.strip().lstrip(":：").strip()
    if not region:
        return None
    if is_han(region[0]) or region[0] in QUOTES:
        quoted = re.match(f"^[{re.escape(QUOTES)}]([^{re.escape(QUOTES)}]{{1,30}})[{re.escape(QUOTES)}]", region)
        if quoted:
            return clean(quoted.group(1))
        han = re.match(f"^[{HAN}A-Za-z0-9·\\-]+", region)
        return clean(han.group(0)) if han else None
    words: list[str] = []
    for word in region.split():
        bare = word.strip("\"'“”")
        if not bare or (bare.islower() and bare in _HEAD_STOP):
            break
        words.append(bare)
        if len(words) >= 6:
            break
    return clean(" ".join(words)) or None


def split_aliases(region: str) -> list[str]:
    """One alias region cut into names: "A、B和C" / "A, B or C" / "A/B"."""
    parts = re.split(r"\s*(?:[、/]|\s+or\s+|,\s*or\s+|,\s+(?=[A-Z\"“])|\s+and\s+(?=[A-Z])|以及|或者|和|或|及)\s*", region)
    return [clean(part) for part in parts if clean(part)]


def looks_like_name(text: str) -> bool:
    """False for what is no name: empty, a date or number (with a unit), a definition, a remark."""
    text = clean(text)
    if not text or len(text) > 60:
        return False
    if _NUMBER_OR_DATE.match(text) or _STARTS_WITH_DIGIT.match(text):
        return False
    if is_han(text):
        han_chars = len(_HAN_RE.findall(text))
        if han_chars > 12 or re.search(r"[，。；：]", text):
            return False
        return _ZH_DEFINITION_WORDS.search(text) is None and (len(text) < 3 or _ZH_DEFINITION.search(text[1:]) is None)
    words = text.split()
    if len(words) > 6 or (words[0].islower() and words[0].rstrip(".,:") in _EN_DEFINITION_START):
        return False
    if words[0].lower() in _NOT_ALIAS_WORDS or _EN_VERBS.search(text):
        return False
    return bool(_LATIN_RE.search(text))
