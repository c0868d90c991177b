"""Neo4j Browser, driven as an analyst would: connect, load the style, run explore queries.

Headless Debian Chromium through Playwright (no browser download). The test connects
through the Browser's own form (bolt URL, user, password), pastes `:style` with
cypher/style.grass, pastes each `:param` line and the query of a library file, and checks
what is drawn: one circle per entity, coloured by its type, and relations coloured by
their loss band. Screenshots go to the test's tmp_path; with GRAPHGEN_DOC_SCREENSHOTS=<dir>
they are also copied there (that is how docs/img/ is made).

Skipped when Chromium or Playwright is missing — except under CI (``CI`` set), where
that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from graphgen_neo4j.analyst.curation import QuerySource, load_query, run_query
from graphgen_neo4j.analyst.resolve import ResolveConfig, resolve
from graphgen_neo4j.db import queries
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.settings import Neo4jSettings

from .test_query_library import read_grass

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BANDS = ("LOSS_HIGH", "LOSS_MID", "LOSS_LOW", "UNJUDGED", "EXCLUDED")


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser_page(tmp_path: Path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not os.path.exists(CHROMIUM):
        unavailable(f"no {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
            headless=True, viewport={"width": 1280, "height": 860},
        )
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield context, page
        finally:
            context.close()


def browser_url(settings: Neo4jSettings) -> str:
    host = urlparse(settings.uri).hostname or "127.0.0.1"
    port = os.environ.get("GRAPHGEN_NEO4J_HTTP_PORT", "7474")
    url = f"http://{host}:{port}/browser/"
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            if reply.status == 200:
                return url
    except OSError as exc:
        unavailable(f"Neo4j Browser does not answer at {url} ({exc}); set GRAPHGEN_NEO4J_HTTP_PORT")
    unavailable(f"Neo4j Browser does not answer at {url}")
    raise AssertionError("unreachable")


class Analyst:
    """The few things a person does in Browser: connect, paste a command, run it, look."""

    def __init__(self, context: Any, page: Any, url: str, shots: Path):
        self.context, self.page, self.url, self.shots = context, page, url, shots
        origin = re.match(r"https?://[^/]+", url).group(0)  # type: ignore[union-attr]
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)

    def connect(self, settings: Neo4jSettings) -> None:
        page = self.page
        page.goto(self.url, wait_until="networkidle")
        parsed = urlparse(settings.uri)
        page.select_option("select >> nth=0", "bolt://")
        page.fill("[data-testid=boltaddress]", f"{parsed.hostname}:{parsed.port or 7687}")
        page.fill("[data-testid=username]", settings.user)
        page.fill("[data-testid=password]", settings.password.get_secret_value())
        page.click("[data-testid=connect]")
        page.wait_for_selector("text=You are connected as user", timeout=60_000)
        page.wait_for_selector("text=:play start")  # the Browser greets a new connection; then it is ready

    def run(self, command: str) -> None:
        """Paste into the editor (typing would let the editor close brackets itself) and press Run."""
        frames = self.page.locator("[data-testid=frame]").count()
        self.page.click(".monaco-editor >> nth=0")
        self.page.evaluate("text => navigator.clipboard.writeText(text)", command)
        self.page.keyboard.press("Control+V")
        self.page.click("[data-testid=editor-Run]")
        self.page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=frame]').length > n", arg=frames
        )

    def run_library_query(self, source: QuerySource, params: dict[str, str]) -> None:
        """As the guide says: run the file's :param lines (values changed where wanted), then the query."""
        for name in source.examples:
            value = params.get(name, re.search(rf":param {name} => (.*)", source.text).group(1))  # type: ignore[union-attr]
            self.run(f":param {name} => {value}")
        self.run(source.statements[0])

    def drawn_graph(self, nodes: int) -> dict[str, Any]:
        """What the newest frame draws, once it shows ``nodes`` circles."""
        try:
            self._wait_for_nodes(nodes)
        except Exception:
            self.page.screenshot(path=str(self.shots / "failure.png"))  # what the page showed instead
            raise
        self.page.wait_for_timeout(1500)  # let the force layout settle before the picture
        return self._read_graph()

    def _wait_for_nodes(self, nodes: int) -> None:
        self.page.wait_for_function(
            "n => { const frame = document.querySelector('[data-testid=frame]');"
            " return frame && frame.querySelectorAll('svg g.node').length >= n }",
            arg=nodes,
        )

    def _read_graph(self) -> dict[str, Any]:
        return self.page.evaluate(
            """() => {
              const svg = document.querySelector('[data-testid=frame]');
              const nodes = [...svg.querySelectorAll('svg g.node')].map(n => ({
                  caption: n.textContent.trim(), fill: [...n.querySelectorAll('circle')].map(c => getComputedStyle(c).fill).find(f => f !== 'none')}));
              const relations = [...svg.querySelectorAll('svg g.relationship')].map(r => ({
                  caption: r.textContent.trim(), fill: r.querySelector('path').getAttribute('fill')}));
              return {nodes, relations, crashed: !!document.body.innerText.match(/Something went wrong/)};
            }"""
        )

    def screenshot(self, name: str) -> Path:
        path = self.shots / name
        self.page.locator("[data-testid=frame]").first.screenshot(path=str(path))
        copy_to = os.environ.get("GRAPHGEN_DOC_SCREENSHOTS")
        if copy_to:
            Path(copy_to).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(copy_to) / name)
        return path


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i:i + 2], 16) for i in (0, 2, 4)))


def is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_an_analyst_explores_the_graph_in_browser(
    graph: Graph, example: dict[str, Any], neo4j_settings: Neo4jSettings, browser_page, tmp_path: Path
) -> None:
    url = browser_url(neo4j_settings)
    context, page = browser_page
    analyst = Analyst(context, page, url, tmp_path)
    analyst.connect(neo4j_settings)

    grass_text = (queries.cypher_dir() / "style.grass").read_text(encoding="utf-8")
    style = read_grass(grass_text)
    analyst.run(":style " + grass_text)

    # an entity's neighbourhood, two hops out
    source = load_query("explore/neighbourhood")
    analyst.run_library_query(source, {"entity": "'rice blast'", "hops": "2"})
    expected = run_query(graph, source, {"entity": "rice blast", "hops": 2, "limit": 100})[0]
    entities = {row[i]["name"]: row[i] for row in expected.rows for i in (0, 2) if row[i] is not None}
    drawn = analyst.drawn_graph(len(entities))
    assert not drawn["crashed"]
    assert len(drawn["nodes"]) == len(entities) and len(drawn["relations"]) == len(expected.rows)
    colour_of = {node["caption"]: node["fill"] for node in drawn["nodes"]}
    assert colour_of["rice blast"] == rgb(style["node.DISEASE"]["color"])
    assert colour_of["Pi-ta"] == rgb(style["node.GENE"]["color"])
    band_colours = {style[f"relationship.{band}"]["color"].upper() for band in BANDS}
    assert {r["fill"].upper() for r in drawn["relations"]} <= band_colours
    assert style["relationship.LOSS_HIGH"]["color"].upper() in {r["fill"].upper() for r in drawn["relations"]}
    assert "2.9" in {r["caption"] for r in drawn["relations"]}  # captioned by loss
    assert is_png(analyst.screenshot("browser-neighbourhood.png"))

    # the trainee's blind spots
    source = load_query("explore/highest_loss_relations")
    analyst.run_library_query(source, {"limit": "6"})
    expected = run_query(graph, source, {"limit": 6, "model": None})[0]
    drawn = analyst.drawn_graph(len({row[i]["name"] for row in expected.rows for i in (0, 2)}))
    assert len(drawn["relations"]) == 6
    assert is_png(analyst.screenshot("browser-highest-loss.png"))

    # the alias review queue after `resolve` (names only: no LLM here)
    names_only = ResolveConfig(methods=["same_key", "shared_alias", "containment", "edit_distance"])
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, resolve(graph, None, names_only)).result()
    source = load_query("explore/same_as_queue")
    analyst.run_library_query(source, {})
    pairs = run_query(graph, source, {"status": "proposed", "limit": 50})[0].rows
    drawn = analyst.drawn_graph(len({row[i].element_id for row in pairs for i in (0, 2)}))
    same_as_colour = style["relationship.SAME_AS"]["color"].upper()
    # Browser also draws the RELATED links between the entities shown ("connect result nodes")
    assert len([r for r in drawn["relations"] if r["fill"].upper() == same_as_colour]) == len(pairs)
    assert any(r["caption"].startswith("proposed 0.") for r in drawn["relations"])
    assert is_png(analyst.screenshot("browser-same-as-queue.png"))
