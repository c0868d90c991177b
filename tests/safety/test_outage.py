"""A Neo4j outage is found within ~15 s and reported once, in one line."""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlparse

import pytest

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import Neo4jUnavailable
from graphgen_neo4j.settings import Neo4jSettings


class Proxy:
    """A TCP forwarder to Neo4j's Bolt port that can be cut like a dead server."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass

    def stop(self) -> None:
        self.cut = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() so the port really closes
        except OSError:
            pass
        self.listener.close()  # new connections are refused, like a stopped server
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass


@pytest.fixture
def proxied(neo4j_settings: Neo4jSettings):
    parsed = urlparse(neo4j_settings.uri)
    proxy = Proxy(parsed.hostname or "127.0.0.1", parsed.port or 7687)
    settings = neo4j_settings.model_copy(update={"uri": f"bolt://127.0.0.1:{proxy.port}"})
    graph = Graph.connect(settings)
    yield graph, proxy
    proxy.stop()
    graph.close()


def test_an_outage_is_one_error_within_20_seconds(proxied, caplog) -> None:
    """The driver's schedule is ~7 s of retries plus a 5 s connect timeout; the bound leaves
    room for a loaded machine (the real-model lane runs beside this test: 15.2 s once)."""
    graph, proxy = proxied
    assert graph.query("RETURN 1 AS one") == [{"one": 1}]
    proxy.stop()
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    with pytest.raises(Neo4jUnavailable) as caught:
        graph.write_transaction(lambda tx: tx.run("ingest/counts"))
    assert time.monotonic() - started < 20
    assert "\n" not in str(caught.value) and "lost the connection to Neo4j" in str(caught.value)
    assert not [r for r in caplog.records if "will be retried" in r.getMessage()]
    started = time.monotonic()
    with pytest.raises(Neo4jUnavailable):  # the other workers stop at once, not after another wait
        graph.query("RETURN 1")
    assert time.monotonic() - started < 1
