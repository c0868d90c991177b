"""Make ``llama_cpp_py_sync``'s prebuilt libraries load on glibc older than 2.38.

The wheels are tagged ``manylinux2014`` but were linked against glibc 2.38: besides
old symbols they import four C23 entry points that glibc 2.38 added,
``__isoc23_strtol``, ``__isoc23_strtoul``, ``__isoc23_strtoull`` and
``__isoc23_sscanf`` (C23's versions differ only in also reading ``0b…`` binary
literals). On Debian 12 (glibc 2.36) ``dlopen`` therefore fails with
"version `GLIBC_2.38' not found".

:func:`compat_library_dir` copies the package's ``.so`` files once into a cache
folder and edits each copy's dynamic-symbol tables (plain ELF64 byte edits, no tools):

* each of the four imports is renamed in ``.dynstr`` to its C99 twin, which every
  glibc has (``strtol``, ``strtoul``, ``strtoull``, ``__isoc99_sscanf``; each new name
  is no longer than the old one, so it is written in place);
* their entries in ``.gnu.version`` become "unversioned" (index 1), so they bind to
  the default version of the C99 symbol;
* the ``GLIBC_2.38`` requirement in ``.gnu.version_r`` is marked weak
  (``VER_FLG_WEAK``), which makes the loader accept its absence.

On glibc 2.38 or newer nothing is copied and the package's own files are used.
:func:`install` points the bindings at the edited copy before they load anything.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
from pathlib import Path

RENAMES = {
    b"__isoc23_strtol": b"strtol",
    b"__isoc23_strtoul": b"strtoul",
    b"__isoc23_strtoull": b"strtoull",
    b"__isoc23_sscanf": b"__isoc99_sscanf",
}
NEW_VERSION = b"GLIBC_2.38"
VER_FLG_WEAK = 0x2
SHT_DYNSYM, SHT_GNU_VERSYM, SHT_GNU_VERNEED = 11, 0x6FFFFFFF, 0x6FFFFFFE


def glibc_version() -> tuple[int, int] | None:
    """The running glibc's (major, minor), or None when not on glibc."""
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        return None
    if not text.startswith("glibc "):
        return None
    major, minor = text.split()[1].split(".")[:2]
    return int(major), int(minor)


def _cstr(data: bytes | bytearray, offset: int) -> bytes:
    return bytes(data[offset:data.index(b"\0", offset)])


_Section = tuple[int, int, int, int]  # sh_type, sh_offset, sh_size, sh_link


def _sections(data: bytearray) -> list[_Section]:
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = []
    for index in range(shnum):
        base = shoff + index * shentsize
        sh_type, = struct.unpack_from("<I", data, base + 4)
        sh_offset, sh_size = struct.unpack_from("<QQ", data, base + 0x18)
        sh_link, = struct.unpack_from("<I", data, base + 0x28)
        sections.append((sh_type, sh_offset, sh_size, sh_link))
    return sections


def patch_elf(data: bytearray) -> int:
    """Apply the edits described in the module docstring to an ELF64 image; returns symbols renamed."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    sections = _sections(data)
    dynsym = next((s for s in sections if s[0] == SHT_DYNSYM), None)
    if dynsym is None:
        return 0
    versym = next((s for s in sections if s[0] == SHT_GNU_VERSYM), None)
    renamed = _rename_symbols(data, dynsym, sections[dynsym[3]][1], versym)
    verneed = next((s for s in sections if s[0] == SHT_GNU_VERNEED), None)
    if verneed is not None:
        _weaken_new_version(data, verneed, sections[verneed[3]][1])
    return renamed


def _rename_symbols(data: bytearray, dynsym: _Section, dynstr_offset: int, versym: _Section | None) -> int:
    """Rename the symbols of ``RENAMES`` in place (their version index set to global)."""
    renamed = 0
    for index in range(dynsym[2] // 24):
        entry = dynsym[1] + index * 24
        name_offset, = struct.unpack_from("<I", data, entry)
        new = RENAMES.get(_cstr(data, dynstr_offset + name_offset))
        if new is None:
            continue
        at = dynstr_offset + name_offset
        data[at:at + len(new) + 1] = new + b"\0"
        if versym is not None:
            struct.pack_into("<H", data, versym[1] + index * 2, 1)
        renamed += 1
    return renamed


def _weaken_new_version(data: bytearray, verneed: _Section, strings: int) -> None:
    """Mark every need of ``NEW_VERSION`` weak."""
    need = verneed[1]
    while True:
        _, count, _, aux_offset, next_need = struct.unpack_from("<HHIII", data, need)
        aux = need + aux_offset
        for _ in range(count):
            _, flags, _, name_offset, next_aux = struct.unpack_from("<IHHII", data, aux)
            if _cstr(data, strings + name_offset) == NEW_VERSION:
                struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
            if not next_aux:
                break
            aux += next_aux
        if not next_need:
            break
        need += next_need


def compat_library_dir(package_dir: Path, cache_root: Path) -> Path:
    """A folder with edited copies of ``package_dir``'s ``.so`` files (made once, atomically)."""
    version = package_dir.joinpath("_version.py").read_bytes()
    import hashlib

    key = hashlib.sha256(version).hexdigest()[:12]
    target = cache_root / f"llama-glibc-compat-{key}"
    if (target / "DONE").exists():
        return target
    cache_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=cache_root))
    try:
        for source in sorted(package_dir.glob("*.so*")):
            data = bytearray(source.read_bytes())
            patch_elf(data)
            (work / source.name).write_bytes(bytes(data))
            (work / source.name).chmod(0o755)
        (work / "DONE").write_text("edited copies of llama_cpp_py_sync's libraries for glibc < 2.38\n")
        try:
            os.replace(work, target)
        except OSError:  # another process finished first
            if not (target / "DONE").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def install(cache_root: Path) -> Path | None:
    """On glibc < 2.38, make ``llama_cpp_py_sync`` load the edited libraries; returns their folder."""
    version = glibc_version()
    if version is None or version >= (2, 38):
        return None
    import llama_cpp_py_sync._cffi_bindings as bindings

    package_dir = Path(bindings.__file__).parent
    folder = compat_library_dir(package_dir, cache_root)
    library = str(folder / "libllama.so")
    bindings._find_library = lambda: library  # the bindings look this function up at load time
    return folder
