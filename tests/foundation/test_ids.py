"""Name keys: invisible characters must not split one entity into two."""

from __future__ import annotations

import pytest

from graphgen_neo4j.ids import entity_id, normalize_key


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff", "\u2060"])
def test_invisible_characters_do_not_split_names(invisible: str) -> None:
    assert normalize_key(f"稻{invisible}瘟病") == normalize_key("稻瘟病") == "稻瘟病"
    assert normalize_key(f"{invisible}Rice{invisible} Blast") == "rice blast"
    assert entity_id(normalize_key(f"Magna{invisible}porthe")) == entity_id(normalize_key("Magnaporthe"))


def test_visible_differences_still_count() -> None:
    assert normalize_key("rice-blast") != normalize_key("rice blast")
