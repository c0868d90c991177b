"""Which language a text is in: Chinese ("zh") or English ("en").

Prompts, summaries and QA follow the language of their material, so one rule is
used everywhere: a text is Chinese when Han characters are at least a third of its
letters, counting Latin letters as they come (a Latin word is several letters, a
Chinese word one or two characters). Chinese with gene names in Latin letters stays
Chinese; an English text quoting one Chinese name stays English.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def detect_language(text: str) -> Language:
    han = sum(1 for ch in text if _is_han(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if han == 0:
        return "en"
    return "zh" if han * 3 >= latin else "en"
