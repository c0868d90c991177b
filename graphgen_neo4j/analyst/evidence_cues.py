"""The cue tables of ``evidence``: which words and phrases state that two names are one.

Data only; ``evidence`` compiles and applies them. Every cue has a test case of its own in
``tests/analyst/test_evidence.py`` (``test_evidence_cues_needed`` checks that removing any
cue makes a case fail), so add a case with each new cue.
"""

from __future__ import annotations

# Chinese cue → kind. Longer cues are tried first; single characters only at a clause start
# or right after a short name (see ``_ZH_SINGLE``).
ZH_CUES: dict[str, str] = {
    "字": "courtesy_name", "表字": "courtesy_name",
    "号": "art_name", "自号": "art_name", "别号": "art_name", "晚号": "art_name", "道号": "art_name",
    "名": "given_name", "本名": "given_name", "小名": "also_known_as", "乳名": "also_known_as", "小字": "also_known_as",
    "化学名": "also_known_as", "化学名称": "also_known_as", "前身是": "formerly", "前身为": "formerly",
    "又称": "also_known_as", "又名": "also_known_as", "别名": "also_known_as", "别称": "also_known_as",
    "俗称": "also_known_as", "俗名": "also_known_as", "亦称": "also_known_as", "也称": "also_known_as",
    "亦名": "also_known_as", "或称": "also_known_as", "通称": "also_known_as", "世称": "also_known_as",
    "人称": "also_known_as", "誉为": "also_known_as", "尊称": "also_known_as", "美称": "also_known_as",
    "雅称": "also_known_as", "爱称": "also_known_as", "昵称": "also_known_as", "绰号": "also_known_as",
    "外号": "also_known_as", "时称": "formerly", "代称": "formerly", "间称": "formerly", "朝称": "formerly", "被称为": "also_known_as", "亦作": "also_known_as",
    "又作": "also_known_as", "一作": "also_known_as", "或作": "also_known_as", "即": "also_known_as",
    "简称": "abbreviation", "缩写": "abbreviation", "英文缩写": "abbreviation", "英文简称": "abbreviation",
    "全称": "full_name",
    "旧称": "formerly", "古称": "formerly", "旧名": "formerly", "曾名": "formerly", "原名": "formerly",
    "原称": "formerly", "曾用名": "formerly", "曾称": "formerly", "改名为": "formerly", "更名为": "formerly",
    "改称": "formerly", "易名为": "formerly", "即今": "formerly", "今称": "formerly", "今名": "formerly", "今": "formerly",
    "英文名称": "translation", "英文名": "translation", "英语名": "translation", "外文名": "translation",
    "拉丁学名": "translation", "学名": "translation", "英译": "translation",
    "商品名称": "brand_generic", "商品名": "brand_generic", "英文商品名": "brand_generic", "通用名": "brand_generic", "品牌名": "brand_generic",
}
_ZH_SINGLE = {"字", "号", "名", "即", "今"}
# What may not follow a single-character cue (文字 is not a courtesy name, 即使 not "namely").
_ZH_SINGLE_BAD_NEXT = {
    "字": "数母体句符典面", "号": "召称令码数称", "名": "为叫字单额义次声气人医将", "即": "使可便刻时将是将",
    "今": "天日年后已仍属为",
}

# English cue → kind, written as regular expressions; the name before is the subject and the
# name after the alias (``evidence._EN_FROM`` and ``evidence._EN_RENAMED_TO`` read both names from the match).
EN_CUES: tuple[tuple[str, str], ...] = (
    (r",?\s*(?:(?:is|was|are|were)\s+)?(?:also|otherwise|commonly|popularly|widely|sometimes|often|better)\s+"
     r"(?:known\s+as|called|referred\s+to\s+as|spelled|spelt|written\s+as|named)\b", "also_known_as"),
    (r",?\s*(?:(?:also\s+)?known\s+by\s+)?(?:(?:his|her|their|whose|the|with\s+the)\s+)?(?:courtesy|style)\s+name"
     r"(?:\s+(?:was|is))?\b", "courtesy_name"),
    (r",?\s*(?:(?:also\s+)?known\s+by\s+)?(?:(?:his|her|their|whose|the|with\s+the)\s+)?(?:art|pen|literary|sobriquet)\s+name"
     r"(?:\s+(?:was|is))?\b", "art_name"),
    (r",?\s*(?:(?:his|her|their|whose|the)\s+)?(?:given|birth|personal)\s+name(?:\s+(?:was|is))?\b", "given_name"),
    (r",?\s*(?:a\.k\.a\.|aka\b)", "also_known_as"),
    (r",?\s*(?:known|called)\s+in\s+(?:Chinese|English|Latin)\s+as\b", "translation"),
    (r",?\s*(?:(?:is|was)\s+)?known\s+(?:in|during|under|to)\s+[^,;()]{1,40}?\s+as\b", "also_known_as"),
    (r"(?:,\s*|\s+(?:is|was)\s+)(?:the|a|an)\s+(?:common|chemical|generic|systematic|usual|popular|scientific|official)\s+"
     r"name\s+(?:of|for)\b", "also_known_as"),
    (r",?\s*(?:(?:historically|formerly|also|once|often)\s+)?(?:romani[sz]ed|transliterated)\s+as\b", "translation"),
    (r",\s*styled\b", "courtesy_name"),
    (r",\s*born(?=\s+[A-Z][a-z])", "given_name"),
    (r",?\s*(?:(?:is|was|are|were)\s+)?(?:formerly|previously|once|originally|historically)"
     r"(?:\s+(?:known|called|named|spelled|classified|described|placed|listed)(?:\s+(?:as|in))?)?\b", "formerly"),
    (r"\s+(?:was|were|has\s+been|had\s+been|is)\s+renamed(?:\s+(?:to|as))?\b", "formerly"),
    (r",?\s*(?:(?:is|was|are|were)\s+)?(?:abbreviated|shortened)(?:\s+(?:as|to))?\b", "abbreviation"),
    (r",?\s*(?:abbr\.|abbrev\.)", "abbreviation"),
    (r"\s+(?:is|was)\s+(?:short|an\s+abbreviation|the\s+abbreviation|an\s+acronym|the\s+acronym)\s+for\b", "abbreviation"),
    (r"\s+stands\s+for\b", "abbreviation"),
    (r",?\s*(?:(?:is|are|was)\s+)?(?:sold|marketed|branded)\s+(?:(?:under|with)\s+the\s+(?:brand|trade)\s+names?|as)\b",
     "brand_generic"),
    (r"\s+(?:is|was)\s+(?:a|the)\s+(?:brand|trade)\s+name\s+(?:for|of)\b", "brand_generic"),
    (r",?\s*(?:whose|with\s+the|its)\s+(?:brand|trade|generic)\s+names?\s*(?:is|are)?\b", "brand_generic"),
    (r"\s+(?:is|was)\s+(?:the\s+)?(?:English|Chinese|Latin|pinyin)\s+(?:name|term|word|spelling)\s+for\b", "translation"),
)

# A cue at the start of a parenthesis: (also known as X), (abbr. X), (today X), (Chinese: X), (brand name X).
_PAREN_EN_CUES: tuple[tuple[str, str], ...] = (
    (r"(?:also|otherwise|commonly|better)\s+(?:known\s+as|called|spelled)|a\.k\.a\.|aka|or", "also_known_as"),
    (r"formerly(?:\s+(?:known\s+as|called))?|previously|once|then|now|today|renamed(?:\s+(?:to|from))?|old\s+name", "formerly"),
    (r"abbr\.|abbrev\.|abbreviated(?:\s+(?:as|to))?|short\s+for|acronym", "abbreviation"),
    (r"(?:brand|trade|generic|proprietary)\s+names?:?|sold\s+as|marketed\s+as", "brand_generic"),
    (r"(?:Chinese|English|Latin|pinyin|Japanese|simplified|traditional)\s*:", "translation"),
)
