"""The query library as files: readable headers, runnable examples, parameter binding."""

from __future__ import annotations

import re

import pytest

from graphgen_neo4j.analyst.curation import (
    QuerySource,
    bind_params,
    library_queries,
    load_query,
    parse_cypher_literal,
    parse_param,
    parse_params,
)
from graphgen_neo4j.db import queries
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.ids import normalize_key

LIBRARY = library_queries()
REQUIRED_EXPLORE = {
    "neighbourhood", "highest_loss_relations", "most_mentioned_entities", "chunk_output",
    "qa_for_entity", "uncovered_relations", "run_batches",
}
REQUIRED_CURATE = {
    "merge_entities", "add_alias", "remove_alias", "rename_entity", "retype_entity", "exclude_entity",
    "exclude_relation", "delete_relation", "fix_entity_description", "fix_relation_description",
    "review_same_as", "mark_stale",
}


def test_library_has_every_query_the_guide_promises() -> None:
    names = {q.name for q in LIBRARY}
    assert {f"explore/{n}" for n in REQUIRED_EXPLORE} <= names
    assert {f"curate/{n}" for n in REQUIRED_CURATE} <= names


@pytest.mark.parametrize("source", LIBRARY, ids=lambda q: q.name)
def test_each_file_is_one_statement_with_a_header_and_examples_for_its_parameters(source: QuerySource) -> None:
    assert len(source.statements) == 1, "one statement per file (a ';' at a line end splits it)"
    assert source.text.startswith("//") and len(source.summary) > 10, "a // header saying what it does"
    header = source.text.split("\n:param")[0]
    assert "Parameters" in header and "Returns" in header
    missing = [p for p in source.parameters if p not in source.examples]
    assert not missing, f":param example lines missing for {missing}"
    assert queries.load(source.name) == source.statements[0]  # what graph.run() would run


# choices, not data: values a query can take whatever the graph holds
ENUMERATED = {("curate/review_same_as", "status"), ("explore/same_as_queue", "status")}


@pytest.mark.parametrize("source", LIBRARY, ids=lambda q: q.name)
def test_no_default_points_at_data(source: QuerySource) -> None:
    """A name, text or path on a :param line would match only the graph it was written on:
    such defaults are null (explore queries then pick from the user's graph; curate ones ask)."""
    for name, value in source.examples.items():
        if isinstance(value, (str, list)) and (source.name, name) not in ENUMERATED:
            raise AssertionError(f"{source.name}: :param {name} => {value!r} names data; make it null")


def test_parameters_are_found_in_code_not_in_comments_or_strings() -> None:
    source = QuerySource("x", "// uses $not_this one's\n:param a => 1\nMATCH (n {x: $a}) // and $nor_this\nRETURN '$nor_that', $b")
    assert source.parameters == ["a", "b"]
    assert source.examples == {"a": 1}


@pytest.mark.parametrize(
    ("text", "value"),
    [("10", 10), ("2.5", 2.5), ("true", True), ("null", None), ("'稻瘟病'", "稻瘟病"), ('"x"', "x"),
     ("'it\\'s'", "it's"), ("['a', 'b']", ["a", "b"]), ("[1, 2]", [1, 2]), ("date()", "date()")],
)
def test_param_lines_are_read_as_cypher_literals(text: str, value: object) -> None:
    assert parse_cypher_literal(text) == value


@pytest.mark.parametrize(
    ("option", "expected"),
    [("limit=10", ("limit", 10)), ("excluded=false", ("excluded", False)), ("relation=null", ("relation", None)),
     ("entity=rice blast", ("entity", "rice blast")), ("name:str=2019", ("name", "2019")),
     ("ids=[\"a\",\"b\"]", ("ids", ["a", "b"])), ("text=a=b", ("text", "a=b")), ("score:float=1", ("score", 1.0)),
     ("flag:bool=TRUE", ("flag", True))],
)
def test_command_line_params_are_typed(option: str, expected: tuple[str, object]) -> None:
    assert parse_param(option) == expected


@pytest.mark.parametrize("option", ["novalue", "=3", "n:int=x", "n:json={bad", "n:bool=maybe"])
def test_bad_command_line_params_say_how_to_write_them(option: str) -> None:
    with pytest.raises(GraphGenError):
        parse_param(option)


def test_binding_fills_keys_defaults_and_nulls() -> None:
    source = load_query("curate/add_alias")
    bound = bind_params(source, parse_params(["entity=稻瘟病", "alias= «Rice  Blast» "]))
    assert bound.values["alias_key"] == normalize_key(" «Rice  Blast» ") == "rice blast"
    assert bound.derived == ["alias_key"]

    neighbourhood = bind_params(load_query("neighbourhood"), {"entity": "rice blast"})
    assert neighbourhood.values == {"entity": "rice blast", "hops": 2, "limit": 100}
    assert neighbourhood.defaults == ["hops", "limit"]

    # string examples are never defaults: a forgotten name is null, and the query says so
    merge = bind_params(load_query("curate/merge_entities"), {"keep": "稻瘟病"})
    assert merge.values == {"keep": "稻瘟病", "absorb": None} and merge.nulls == ["absorb"]

    given_key = bind_params(source, {"entity": "x", "alias": "Straße", "alias_key": "strasse"})
    assert given_key.values["alias_key"] == "strasse" and given_key.given == ["entity", "alias", "alias_key"]
    assert bind_params(source, {"entity": "x", "typo": 1}).unused == ["typo"]


def test_queries_are_found_by_path_short_name_or_library_name(tmp_path) -> None:
    own = tmp_path / "mine.cypher"
    own.write_text("// Mine.\nMATCH (n) RETURN count(n) AS n", encoding="utf-8")
    assert load_query(own).name == str(own)
    assert load_query("neighbourhood").name == "explore/neighbourhood"
    assert load_query("curate/merge_entities.cypher").name == "curate/merge_entities"
    with pytest.raises(GraphGenError, match="--list"):
        load_query("no_such_query")


def read_grass(text: str) -> dict[str, dict[str, str]]:
    """GraSS read the way Neo4j Browser 5 reads it: a quote-aware scan for `selector { … }`,
    then `key: value` pairs split at ';' and ':' (a pair with a second ':' is dropped)."""
    rules: dict[str, str] = {}
    in_quote = in_rule = False
    selector = body = ""
    for ch in text:
        if ch in "'\"":
            in_quote = not in_quote
            continue
        if ch == "{" and not in_quote:
            in_rule = True
            continue
        if ch == "}" and not in_quote:
            rules[selector], selector, body, in_rule = body, "", "", False
            continue
        if in_rule:
            body += ch
        elif not ch.isspace():
            selector += ch
    parsed = {}
    for name, raw in rules.items():
        pairs = [part.split(":") for part in raw.split(";")]
        parsed[name] = {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2}
        assert all(len(p) == 2 for p in pairs if "".join(p).strip()), f"{name}: a value with ':' is dropped"
    return parsed


def test_style_file_is_grass_the_browser_can_parse() -> None:
    text = (queries.cypher_dir() / "style.grass").read_text(encoding="utf-8")
    assert "/*" not in text and "//" not in text, "Browser's GraSS reader takes no comments"
    rules = read_grass(text)
    assert rules["node.Entity"]["caption"] == "{name}"
    for band in ("LOSS_HIGH", "LOSS_MID", "LOSS_LOW", "UNJUDGED", "EXCLUDED"):
        assert rules[f"relationship.{band}"]["color"].startswith("#")
    widths = [int(rules[f"relationship.{b}"]["shaft-width"].removesuffix("px")) for b in ("LOSS_LOW", "LOSS_MID", "LOSS_HIGH")]
    assert widths == sorted(widths) and widths[0] < widths[-1], "higher loss draws a thicker line"
    from graphgen_neo4j.ingest.extract import DEFAULT_ENTITY_TYPES, normalize_type

    colours = set()
    for entity_type in DEFAULT_ENTITY_TYPES:
        colours.add(rules[f"node.{normalize_type(entity_type)}"]["color"])
    assert len(colours) == len(DEFAULT_ENTITY_TYPES), "each default entity type has its own colour"


def test_the_guide_names_only_queries_and_pictures_that_exist() -> None:
    guide = (queries.cypher_dir().parent / "docs" / "analyst-guide.md").read_text(encoding="utf-8")
    names = {q.name for q in LIBRARY}
    mentioned = set(re.findall(r"`((?:explore|curate)/[a-z_]+)`", guide))
    assert mentioned and mentioned <= names, mentioned - names
    assert {f"explore/{n}" for n in REQUIRED_EXPLORE} | {f"curate/{n}" for n in REQUIRED_CURATE} <= mentioned
    for picture in re.findall(r"\]\((img/[^)]+\.png)\)", guide):
        assert (queries.cypher_dir().parent / "docs" / picture).is_file(), picture
