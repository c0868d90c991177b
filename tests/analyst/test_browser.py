"""Neo4j Browser, driven as an analyst would: connect, open the project's guide, run queries.

Headless Debian Chromium through Playwright (no browser download). The test connects
through the Browser's own form (bolt URL, user, password), opens the guide that
`graphgen-neo4j guide` serves (`:guide http://localhost:<port>/graphgen.html`), loads the
style with one click, and runs every explore query with one click each (▶ before its
block), then a curate one. It checks what is drawn: one circle per entity, coloured by its
type (a type the style does not know gets a colour of its own), relations coloured by
their loss band with readable captions, short Chinese names in full. Screenshots go to the
test's tmp_path; with GRAPHGEN_DOC_SCREENSHOTS=<dir> they are also copied there (that is
how docs/img/ is made).

Skipped when Chromium or Playwright is missing — except under CI (``CI`` set), where
that is a failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from neo4j.graph import Node

from graphgen_neo4j.analyst.curation import library_queries, load_query, run_query
from graphgen_neo4j.analyst.guide import (
    GUIDE_PATH,
    GuideServer,
    browser_origins,
    cypher_literal,
    guide_html,
    read_picks,
    slug,
)
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
        self._mark_newest_frame()
        self.page.click(".monaco-editor >> nth=0")
        self.page.evaluate("text => navigator.clipboard.writeText(text)", command)
        self.page.keyboard.press("Control+V")
        self.page.click("[data-testid=editor-Run]")
        self._wait_for_new_frame()

    def _mark_newest_frame(self) -> None:
        self.page.evaluate("() => document.querySelector('[data-testid=frame]')?.setAttribute('data-seen', '1')")

    def _wait_for_new_frame(self) -> None:
        """A new frame on top (Browser keeps at most 15: counting them does not do)."""
        try:
            self.page.wait_for_function(
                "() => { const f = document.querySelector('[data-testid=frame]'); return f && !f.hasAttribute('data-seen') }"
            )
        except Exception:
            self.page.screenshot(path=str(self.shots / "failure.png"))
            raise

    def open_guide(self, url: str) -> None:
        """``:guide <url>`` opens the guide in the sidebar (no frame)."""
        self.page.click(".monaco-editor >> nth=0")
        self.page.evaluate("text => navigator.clipboard.writeText(text)", f":guide {url}")
        self.page.keyboard.press("Control+V")
        self.page.click("[data-testid=editor-Run]")
        self.page.wait_for_selector("pre[data-query=style]")
        self.guide_url = url

    def _show_slide(self, name: str) -> Any:
        block = self.page.locator(f'pre[data-query="{name}"]')
        if not block.count():  # start again from the first slide, then step through
            self.open_guide(self.guide_url)
            while not block.count():
                self.page.click("[data-testid=guideNextSlide]")
        return block

    def set_param(self, query: str, name: str, literal: str) -> None:
        """Type a value into a parameter's box: Browser writes it into the block."""
        box = self._show_slide(query).page.locator(f'input[value-for="{slug(query)}-{name}"]')
        box.fill(literal)
        box.press("End")  # Browser copies the box on keyup

    def click_run(self, name: str) -> str:
        """Press ▶ before a block: one click runs it. Returns the text the block held."""
        block = self._show_slide(name)
        text = block.inner_text()
        self._mark_newest_frame()
        block.locator("i.fa-play-circle-o").click()
        self._wait_for_new_frame()
        return text

    def frame_text(self) -> str:
        self.page.wait_for_timeout(800)
        return self.page.locator("[data-testid=frame]").first.inner_text()

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
              const relations = [...svg.querySelectorAll('svg g.relationship')].map(r => {
                  const text = r.querySelector('text');
                  return {caption: r.textContent.trim(), fill: r.querySelector('path').getAttribute('fill'),
                          font: text ? parseFloat(getComputedStyle(text).fontSize) : 0}; });
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


@pytest.fixture
def guide_url(graph: Graph, neo4j_settings: Neo4jSettings) -> Iterator[str]:
    """`graphgen-neo4j guide` in a thread: the page is built from the graph at each load."""
    style = (queries.cypher_dir() / "style.grass").read_text(encoding="utf-8")
    port = int(os.environ.get("GRAPHGEN_NEO4J_HTTP_PORT", "7474"))
    server = GuideServer(lambda: guide_html(library_queries(), style=style, picks=read_picks(graph)),
                         port=0, allow_origins=browser_origins(port))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}{GUIDE_PATH}"
    finally:
        server.shutdown()
        server.server_close()


def graph_nodes(rows: list[list[Any]]) -> set[str]:
    return {value.element_id for row in rows for value in row if isinstance(value, Node)}


def check_drawn(drawn: dict[str, Any], style: dict[str, dict[str, str]], type_of: dict[str, str]) -> None:
    """Entities in their type's colour, relations in a band colour, captions readable."""
    assert not drawn["crashed"]
    for node in drawn["nodes"]:
        rule = style.get(f"node.{type_of.get(node['caption'], '')}")
        if rule:
            assert node["fill"] == rgb(rule["color"]), node
    band_colours = {style[f"relationship.{band}"]["color"].upper() for band in BANDS}
    assert {r["fill"].upper() for r in drawn["relations"]} <= band_colours
    assert all(r["font"] >= 11 for r in drawn["relations"] if r["caption"]), "loss captions readable"


def test_an_analyst_runs_every_query_from_the_guide(
    graph: Graph, example: dict[str, Any], neo4j_settings: Neo4jSettings, browser_page, tmp_path: Path, guide_url: str
) -> None:
    context, page = browser_page
    analyst = Analyst(context, page, browser_url(neo4j_settings), tmp_path)
    analyst.connect(neo4j_settings)
    analyst.open_guide(guide_url)
    style = read_grass((queries.cypher_dir() / "style.grass").read_text(encoding="utf-8"))
    analyst.click_run("style")  # one click loads the project's style

    # a type the style has no rule for, and the alias review queue (names only: no LLM here)
    graph.query("MATCH (e:Entity {name: 'Tricyclazole'}) SET e.type = 'PESTICIDE'")
    names_only = ResolveConfig(methods=["same_key", "shared_alias", "containment", "edit_distance"])
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, resolve(graph, None, names_only)).result()
    type_of = {r["name"]: r["type"] for r in graph.query("MATCH (e:Entity) RETURN e.name AS name, e.type AS type")}

    drawings: dict[str, dict[str, Any]] = {}
    for source in [q for q in library_queries() if q.name.startswith("explore/")]:
        expected = run_query(graph, source, source.examples)[0]
        assert expected.rows, f"{source.name} returns nothing on the example graph"
        block = analyst.click_run(source.name)
        assert "$" not in block.replace("'$", "")  # the block ran as shown: no parameter left
        nodes = graph_nodes(expected.rows)
        if nodes:
            drawings[source.name] = drawn = analyst.drawn_graph(len(nodes))
            assert not drawn["crashed"] and len(drawn["nodes"]) >= len(nodes)
        else:  # a table: the first row's text is on screen
            first = next(str(v) for v in expected.rows[0] if isinstance(v, str) and v)
            assert first[:30] in analyst.frame_text(), source.name
        short = source.name.split("/")[1].replace("_", "-")
        assert is_png(analyst.screenshot(f"browser-{short}.png"))

    for name in ("explore/neighbourhood", "explore/highest_loss_relations", "explore/batch"):
        check_drawn(drawings[name], style, type_of)
    blind_spots = drawings["explore/highest_loss_relations"]
    assert style["relationship.LOSS_HIGH"]["color"].upper() in {r["fill"].upper() for r in blind_spots["relations"]}
    assert "2.9" in {r["caption"] for r in blind_spots["relations"]}  # captioned by loss
    pesticide = next(n["fill"] for n in blind_spots["nodes"] if n["caption"] == "Tricyclazole")
    colour = style[f"node.Colour{hashlib.md5(b'PESTICIDE').hexdigest()[0].upper()}"]["color"]
    assert pesticide == rgb(colour), "a type without a rule takes its palette colour, not grey"
    batch = run_query(graph, load_query("explore/batch"), {"batch_id": None})[0]
    assert len(drawings["explore/batch"]["relations"]) == len(batch.rows)  # exactly the batch's relations
    same_as = style["relationship.SAME_AS"]["color"].upper()
    pairs = run_query(graph, load_query("explore/same_as_queue"), {"status": "proposed", "limit": 50})[0].rows
    assert len([r for r in drawings["explore/same_as_queue"]["relations"] if r["fill"].upper() == same_as]) == len(pairs)

    # a parameter typed into its box: the Chinese side of the graph, names in full
    analyst.set_param("explore/neighbourhood", "entity", "'稻瘟病'")
    analyst.set_param("explore/neighbourhood", "hops", "1")
    assert "'稻瘟病'" in analyst.click_run("explore/neighbourhood")
    drawn = analyst.drawn_graph(4)
    check_drawn(drawn, style, type_of)
    assert {"稻瘟病", "稻瘟病菌", "三环唑", "水稻"} <= {n["caption"] for n in drawn["nodes"]}
    assert is_png(analyst.screenshot("browser-neighbourhood-zh.png"))

    # a curate query, one click with the values picked from the graph; then drawn as excluded
    entity = read_picks(graph)["entity"]
    analyst.click_run("curate/exclude_entity")
    analyst.frame_text()
    assert graph.query("MATCH (e:Entity {name: $n}) RETURN e.excluded AS x", {"n": entity})[0]["x"] is True
    analyst.set_param("explore/neighbourhood", "entity", cypher_literal(entity))
    analyst.set_param("explore/neighbourhood", "hops", "1")
    analyst.click_run("explore/neighbourhood")
    expected = run_query(graph, load_query("explore/neighbourhood"), {"entity": entity, "hops": 1, "limit": 100})[0]
    drawn = analyst.drawn_graph(len(graph_nodes(expected.rows)))
    excluded = style["relationship.EXCLUDED"]["color"].upper()
    assert drawn["relations"] and all(r["fill"].upper() == excluded for r in drawn["relations"])
    assert next(n["fill"] for n in drawn["nodes"] if n["caption"] == entity) == rgb(style["node.Excluded"]["color"])
    assert is_png(analyst.screenshot("browser-excluded.png"))
