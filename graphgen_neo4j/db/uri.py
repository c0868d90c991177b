"""What a ``NEO4J_URI`` says (scheme, routing, encryption, local or remote) and what to do when
it does not answer (pure, no network).

Schemes, as the Neo4j drivers take them:

=============  =========  ==============================================
scheme         routing    encryption
=============  =========  ==============================================
``bolt``       no         none
``bolt+s``     no         TLS, certificate checked against the system CAs
``bolt+ssc``   no         TLS, any certificate (self-signed)
``neo4j``      yes        none
``neo4j+s``    yes        TLS, certificate checked (Aura: always this one)
``neo4j+ssc``  yes        TLS, any certificate (self-signed)
=============  =========  ==============================================

A routing URI (``neo4j…``) asks the server for its routing table and sends reads to readers
and writes to the leader; a direct URI (``bolt…``) sends everything to the one server named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from graphgen_neo4j.errors import ConfigError

SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})
AURA_DOMAIN = ".databases.neo4j.io"
LOCAL_HINT = (
    "start one with `graphgen-neo4j neo4j start` (local, no Docker) or "
    "`docker compose up -d neo4j`, and set NEO4J_URI / NEO4J_PASSWORD"
)

Encryption = Literal["none", "verified", "self-signed"]


@dataclass(frozen=True)
class Neo4jAddress:
    """A parsed ``NEO4J_URI``."""

    uri: str
    scheme: str
    host: str
    port: int

    @property
    def routing(self) -> bool:
        return self.scheme.startswith("neo4j")

    @property
    def encryption(self) -> Encryption:
        if self.scheme.endswith("+ssc"):
            return "self-signed"
        return "verified" if self.scheme.endswith("+s") else "none"

    @property
    def local(self) -> bool:
        return self.host.lower() in LOCAL_HOSTS

    @property
    def aura(self) -> bool:
        return self.host.lower().endswith(AURA_DOMAIN)

    def describe(self) -> str:
        """``routing (reads to readers, writes to the leader), TLS verified`` and the like."""
        route = "routing (reads to readers, writes to the leader)" if self.routing else "direct (one server)"
        tls = {"none": "not encrypted", "verified": "TLS, certificate verified",
               "self-signed": "TLS, any certificate"}[self.encryption]
        return f"{route}, {tls}"


def parse_uri(uri: str) -> Neo4jAddress:
    """``ConfigError`` naming the allowed schemes when the URI is not one the driver takes."""
    try:
        parts = urlsplit(uri)
        port = parts.port or 7687
    except ValueError as exc:
        raise ConfigError(f"bad NEO4J_URI {uri!r} ({exc}): write it as neo4j+s://host:7687 or bolt://127.0.0.1:7687") from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise ConfigError(
            f"bad NEO4J_URI {uri!r}: the scheme must be one of {', '.join(SCHEMES)} followed by a host "
            "(neo4j+s://<id>.databases.neo4j.io for Aura, bolt://127.0.0.1:7687 for the local server)"
        )
    return Neo4jAddress(uri=uri, scheme=scheme, host=parts.hostname, port=port)


def _messages(error: BaseException | None, depth: int = 0) -> list[str]:
    """The texts of an error, its causes and (for the routing driver's exception groups) its members."""
    if error is None or depth > 6:
        return []
    texts = [f"{type(error).__name__} {error}"]
    for member in getattr(error, "exceptions", ()) or ():
        texts += _messages(member, depth + 1)
    return texts + _messages(error.__cause__ or error.__context__, depth + 1)


def _tls_trouble(error: BaseException | None) -> bool:
    """Whether the error (or its causes) comes from TLS: a certificate or handshake failure."""
    return any(word in text.lower() for text in _messages(error) for word in ("ssl", "certificate", "tls"))


def unreachable_hint(address: Neo4jAddress, error: BaseException | None = None) -> str:
    """What to do when the server at ``address`` does not answer."""
    if address.aura and address.encryption == "none":
        return f"Aura takes only encrypted connections: set NEO4J_URI=neo4j+s://{address.host}"
    if _tls_trouble(error):
        if address.encryption == "verified":
            return (f"the TLS handshake with {address.host} failed: if the server has a self-signed certificate "
                    f"use {address.scheme.split('+')[0]}+ssc://, if it has no TLS at all use {address.scheme.split('+')[0]}://")
        if address.encryption == "none":
            return f"the server wants TLS: use {address.scheme}+s:// (or +ssc:// for a self-signed certificate)"
        return f"the TLS handshake with {address.host} failed: if the server has no TLS, use {address.scheme.split('+')[0]}://"
    if address.local:
        return LOCAL_HINT
    aura = " (an Aura instance may be paused: resume it in the Aura console)" if address.aura else ""
    return (f"check the host and port in NEO4J_URI, that the server is running{aura} "
            f"and that this machine may connect to {address.host}:{address.port}")
