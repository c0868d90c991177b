"""Graph-quality figures: pure on hand-made graphs with known answers, then from Neo4j."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.runs.kg_quality import MAX_DEGREE_BINS, components, degree_distribution, graph_quality, measure
from graphgen_neo4j.runs.report import build_report, render_html
from graphgen_neo4j.tokens import count_tokens


def test_components_are_found_undirected_largest_first() -> None:
    nodes = ["a", "b", "c", "d", "e", "f", "g"]
    edges = [("a", "b"), ("c", "b"), ("d", "e"), ("e", "d"), ("f", "f")]
    assert components(nodes, edges) == [3, 2, 1, 1]
    assert components([], []) == []
    assert components(["x"], [("x", "unknown")]) == [1]  # an end outside the node list is ignored


def test_measure_on_a_graph_with_known_answers() -> None:
    # A-B, A-C, A-D (a star), E-F, and G, H isolated: 8 entities, 4 relations.
    nodes = list("ABCDEFGH")
    edges = [("A", "B"), ("A", "C"), ("D", "A"), ("E", "F")]
    quality = measure(nodes, edges, [4, 6, 8, 10])
    assert (quality.entities, quality.relations) == (8, 4)
    assert (quality.isolated, quality.isolated_share) == (2, 0.25)
    assert (quality.components, quality.largest_component, quality.largest_component_share) == (4, 4, 0.5)
    assert quality.average_degree == 1.0
    assert [(low, count) for low, _, count in quality.degree.bins] == [(0.0, 2), (1.0, 5), (2.0, 0), (3.0, 1)]
    assert quality.degree.maximum == 3
    assert (quality.description_tokens.count, quality.description_tokens.mean) == (4, 7.0)


def test_an_empty_graph_has_no_shares() -> None:
    quality = measure([], [], [])
    assert (quality.isolated_share, quality.largest_component_share, quality.average_degree) == (None, None, None)
    assert quality.degree.bins == [] and quality.components == 0


def test_high_degrees_fall_back_to_ranges() -> None:
    many = degree_distribution([0, 1, MAX_DEGREE_BINS + 10])
    assert len(many.bins) == 12 and sum(c for _, _, c in many.bins) == 3
    few = degree_distribution([2, 2, 0])
    assert [c for _, _, c in few.bins] == [1, 0, 2]


def test_the_html_report_draws_the_degree_histogram() -> None:
    quality = measure(list("ABC"), [("A", "B")], [5])
    page = render_html(build_report([], source="x.jsonl", graph_quality=quality))
    assert "Entity degree" in page and "Relation description length" in page
    assert "graph: isolated entities" in page and "1 (33.3%)" in page
    assert "Knowledge graph" not in render_html(build_report([], source="x.jsonl"))


def test_graph_quality_from_neo4j_leaves_excluded_out(build_graph, graph) -> None:
    build_graph(
        entities=[("A", "GENE", "A."), ("B", "TRAIT", "B."), ("C", "TRAIT", "C."), ("D", "TRAIT", "D."),
                  ("X", "TRAIT", "X.", {"excluded": True})],
        relations=[
            ("A", "B", "A controls B in rice.", {"description_tokens": 99, "description_tokens_of": "stale text"}),
            ("B", "C", "B relates to C.", {"description_tokens": 7, "description_tokens_of": "B relates to C."}),
            ("C", "X", "C and the excluded X."),
            ("A", "D", "A affects D.", {"excluded": True}),
        ],
    )
    quality = graph_quality(graph)
    assert (quality.entities, quality.relations, quality.isolated) == (4, 2, 1)  # D lost its only relation
    assert (quality.components, quality.largest_component, quality.largest_component_share) == (2, 3, 0.75)
    assert quality.average_degree == 1.0
    counted = count_tokens("A controls B in rice.")  # the stale cached count (99) is not used; 7 is current
    assert (quality.description_tokens.minimum, quality.description_tokens.maximum) == tuple(sorted((counted, 7.0)))


@pytest.mark.neo4j
def test_stats_json_carries_the_graph_quality(build_graph, graph, tmp_path) -> None:
    from typer.testing import CliRunner

    from graphgen_neo4j.cli import app

    build_graph(entities=[("A", "GENE", "A."), ("B", "TRAIT", "B."), ("C", "TRAIT", "C.")],
                relations=[("A", "B", "A controls B.")])
    result = CliRunner().invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    quality = json.loads(result.output)["graph_quality"]
    assert (quality["entities"], quality["isolated"], quality["largest_component"]) == (3, 1, 2)
