#!/usr/bin/env python3
"""Convert a target list (``MD5<TAB>SIZE`` per line) into the compact form shipped in signatures/.

    python scripts/build_target_list.py ../shared/intel/bxaq-targets/targets.tsv signatures/target-lists/bxaq.bin

Output (little-endian): magic ``INSPTGT1``, u32 entry count, u32 zero, the sizes as u64 sorted
ascending (ties by MD5), then the 16-byte MD5s in the same order. Loading it is two memory copies, and a
size lookup is a binary search: no per-entry Python objects. Prints the SHA-256s to record in the
list's YAML. Deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import struct
import sys
from pathlib import Path

MAGIC = b"INSPTGT1"
_LINE = re.compile(r"^([0-9A-Fa-f]{32})\t(\d+)$")


def parse(text: str) -> list[tuple[int, bytes]]:
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line.strip())
        if not match:
            raise SystemExit(f"line {number}: expected MD5<TAB>SIZE, got {line[:80]!r}")
        entries.append((int(match.group(2)), bytes.fromhex(match.group(1))))
    return entries


def encode(entries: list[tuple[int, bytes]]) -> bytes:
    entries = sorted(set(entries))
    sizes = struct.pack(f"<{len(entries)}Q", *(size for size, _ in entries))
    return MAGIC + struct.pack("<II", len(entries), 0) + sizes + b"".join(md5 for _, md5 in entries)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    raw = source.read_bytes()
    entries = parse(raw.decode("ascii"))
    data = encode(entries)
    target.write_bytes(data)
    print(f"entries: {len(set(entries))}")
    print(f"source_sha256: {hashlib.sha256(raw).hexdigest()}")
    print(f"data_sha256: {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
