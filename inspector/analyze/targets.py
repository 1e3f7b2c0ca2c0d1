"""Target lists: files (size + MD5) an implant searches a phone for, such as BXAQ's 73,315 entries.

Stored in ``signatures/target-lists/`` as a compact binary (scripts/build_target_list.py): sorted
sizes, then MD5s in the same order. Loading copies two arrays (no per-entry objects: ~2 MB for
BXAQ's list). Size lookups use a set of the distinct sizes, built on first use, so filtering 100,000
files takes milliseconds; an MD5 lookup is a binary search among the entries of that size. Only the
files of a listed size are ever hashed.
"""

from __future__ import annotations

import hashlib
import struct
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"INSPTGT1"
_HEADER = struct.Struct("<8sII")


class TargetListError(Exception):
    """The list's data file is missing, damaged, or not what its YAML says."""


@dataclass
class TargetList:
    id: str
    family: str
    name: str
    algorithm: str
    sizes: array  # array("Q"), ascending
    md5s: bytes  # 16 bytes per entry, same order as ``sizes``
    roots: tuple[str, ...] = ("/sdcard/", "/storage/")
    references: tuple[str, ...] = ()
    source: str = ""
    data_sha256: str = ""
    demo: bool = False  # the demo entries were added
    extra: set[tuple[int, bytes]] = field(default_factory=set)  # entries added after loading (demo, tests)
    _size_set: frozenset[int] | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        return len(self.sizes) + len(self.extra)

    @classmethod
    def from_bytes(cls, data: bytes, **meta: object) -> TargetList:
        if len(data) < _HEADER.size:
            raise TargetListError("target list data is truncated")
        magic, count, _zero = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise TargetListError("target list data has the wrong format (bad magic)")
        if len(data) != _HEADER.size + count * 24:
            raise TargetListError(f"target list data should hold {count} entries but its size does not match")
        sizes = array("Q")
        sizes.frombytes(data[_HEADER.size:_HEADER.size + count * 8])
        if struct.pack("<H", 1)[0] != 1:  # big-endian host: the file is little-endian
            sizes.byteswap()
        md5s = data[_HEADER.size + count * 8:]
        if any(sizes[i] > sizes[i + 1] for i in range(0, count - 1, max(1, count // 64))):
            raise TargetListError("target list data is not sorted")
        return cls(sizes=sizes, md5s=md5s, **meta)  # type: ignore[arg-type]

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[int, str]], **meta: object) -> TargetList:
        """A list made in memory from (size, MD5 hex) pairs (tests, demo entries)."""
        pairs = sorted({(int(size), bytes.fromhex(md5)) for size, md5 in entries})
        sizes = array("Q", (s for s, _ in pairs))
        meta.setdefault("id", "test.targets")
        meta.setdefault("family", "test")
        meta.setdefault("name", "test list")
        meta.setdefault("algorithm", "md5")
        return cls(sizes=sizes, md5s=b"".join(m for _, m in pairs), **meta)  # type: ignore[arg-type]

    @classmethod
    def load(cls, yaml_path: Path, meta: dict, include_demo: bool = False) -> TargetList:
        data_path = yaml_path.with_name(str(meta["data"]))
        try:
            data = data_path.read_bytes()
        except OSError as exc:
            raise TargetListError(f"{data_path}: {exc.strerror}") from None
        digest = hashlib.sha256(data).hexdigest()
        if meta.get("data_sha256") and digest != meta["data_sha256"]:
            raise TargetListError(f"{data_path} does not match the SHA-256 recorded in {yaml_path.name}")
        target = cls.from_bytes(
            data, id=str(meta["id"]), family=str(meta["family"]), name=str(meta["name"]),
            algorithm=str(meta.get("algorithm", "md5")), roots=tuple(meta.get("roots") or ("/sdcard/",)),
            references=tuple(meta.get("references") or ()), source=str(meta.get("source") or ""),
            data_sha256=digest)
        if meta.get("entries") is not None and int(meta["entries"]) != len(target.sizes):
            raise TargetListError(
                f"{yaml_path.name} says {meta['entries']} entries, the data holds {len(target.sizes)}")
        if include_demo:
            for entry in meta.get("demo_entries") or ():
                target.add(int(entry["size"]), str(entry["md5"]))
            target.demo = True
        return target

    def add(self, size: int, md5_hex: str) -> None:
        self.extra.add((size, bytes.fromhex(md5_hex)))
        self._size_set = None

    def size_set(self) -> frozenset[int]:
        """The distinct sizes (built on first use, ~4 MB for BXAQ's 68,140): constant-time lookups,
        so filtering 100,000 files takes milliseconds (bench/targets.py)."""
        if self._size_set is None:
            self._size_set = frozenset(self.sizes).union(s for s, _ in self.extra)
        return self._size_set

    def has_size(self, size: int) -> bool:
        return size in self.size_set()

    def matches(self, size: int, md5_hex: str) -> bool:
        try:
            wanted = bytes.fromhex(md5_hex)
        except ValueError:
            return False
        if (size, wanted) in self.extra:
            return True
        lo, hi = bisect_left(self.sizes, size), bisect_right(self.sizes, size)
        return any(self.md5s[i * 16:(i + 1) * 16] == wanted for i in range(lo, hi))

    def identity(self) -> dict[str, object]:
        return {"id": self.id, "entries": self.count, "data_sha256": self.data_sha256, "demo": self.demo}
