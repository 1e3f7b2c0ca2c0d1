"""A folder's indicator bundles (``iocs.bundle_files``) parsed once and kept as ``index.json`` beside
them, so that every run does not parse 2 MB of STIX2, YAML and CSV again (~30 ms of each
``inspector check``). The shipped pack carries one (``python scripts/build_pack_index.py`` writes it;
a test checks that it equals parsing the bundles).

The index names the SHA-256 of every bundle it was made from. It is used only when the folder holds
exactly those files with exactly those hashes; an edited, added or removed bundle makes it stale, and
the bundles are parsed as if there were no index. It is data only (JSON), never code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from inspector.analyze.iocs import Indicator, IndicatorSet, bundle_files, load

INDEX = "index.json"
FORMAT = 1


def _hashes(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in bundle_files(folder)}


def build(folder: Path) -> dict:
    """The index document of ``folder``'s bundles (parsed, never from an older index)."""
    parsed = load(folder, use_index=False)
    strings: dict[str, int] = {}

    def ref(text: str) -> int:
        return strings.setdefault(text, len(strings))

    indicators = {kind: [[i.value, ref(i.campaign), ref(i.threat), ref(i.source)]
                         for items in values.values() for i in items]
                  for kind, values in sorted(parsed.by_kind.items())}
    return {"format": FORMAT,
            "about": "Generated from the indicator bundles of this folder by scripts/build_pack_index.py; "
                     "used only while every bundle has the SHA-256 listed here.",
            "bundles": _hashes(folder), "sources": parsed.sources, "unsupported": parsed.unsupported,
            "strings": list(strings), "indicators": indicators}


def write(folder: Path) -> Path:
    target = folder / INDEX
    target.write_text(json.dumps(build(folder), ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    return target


def is_current(folder: Path, document: object) -> bool:
    return (isinstance(document, dict) and document.get("format") == FORMAT
            and document.get("bundles") == _hashes(folder))


def read_into(folder: Path, into: IndicatorSet) -> bool:
    """Add the indexed indicators of ``folder`` to ``into``; False (nothing added) when there is no
    usable index: missing, unreadable, of another format, stale, or malformed."""
    path = folder / INDEX
    if not path.is_file():
        return False
    try:
        document = json.loads(path.read_text("utf-8"))
        if not is_current(folder, document):
            return False
        strings = document["strings"]
        staged = IndicatorSet()
        for kind, rows in document["indicators"].items():
            for value, campaign, threat, source in rows:
                staged.add(Indicator(kind, value, strings[campaign], strings[threat], strings[source]))
        sources, unsupported = list(document["sources"]), int(document["unsupported"])
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return False
    for kind, values in staged.by_kind.items():
        target = into.by_kind[kind]
        for key, items in values.items():
            target.setdefault(key, []).extend(items)
    into.sources.extend(sources)
    into.unsupported += unsupported
    return True
