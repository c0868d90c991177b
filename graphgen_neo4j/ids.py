"""Identifiers: content hashes for text, hashes of normalized names for graph items.

The same input always gives the same ids, which is what makes every stage
resumable and re-runs free: an id already in the graph is work already done.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Quote characters trimmed from the ends of names (LLMs like to quote names).
_QUOTES = "\"'`“”‘’「」『』《》〈〉«»＂＇"
_SPACES = re.compile(r"\s+")
# Invisible characters that split one name into two keys: zero-width space, non-joiner
# and joiner, soft hyphen, byte-order mark / zero-width no-break space, word joiner.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u00ad\ufeff\u2060"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_id(prefix: str, text: str) -> str:
    """``doc-…`` / ``chunk-…``: prefix + SHA-256 of the exact text (32 hex digits)."""
    return f"{prefix}-{sha256_hex(text)[:32]}"


def normalize_key(name: str) -> str:
    """The key two names must share to be the same entity name.

    Unicode NFKC (full-width letters and digits become ASCII), invisible characters
    (zero-width space/joiners, soft hyphen, BOM) removed, case-folded, inner whitespace
    collapsed to one space, surrounding whitespace and quotes removed.
    """
    key = unicodedata.normalize("NFKC", name).translate(_INVISIBLE).casefold()
    key = _SPACES.sub(" ", key)
    previous = None
    while key != previous:  # strip nested quoting such as '"《稻瘟病》"'
        previous = key
        key = key.strip().strip(_QUOTES)
    return key


def entity_id(key: str) -> str:
    """``ent-…`` from the normalized key the entity was first created under."""
    return f"ent-{sha256_hex(key)[:24]}"


def relation_id(source_id: str, target_id: str) -> str:
    """``rel-…`` of the directed pair (source entity id, target entity id)."""
    return f"rel-{sha256_hex(source_id + '->' + target_id)[:24]}"
