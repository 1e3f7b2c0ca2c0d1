"""Feature records cached by APK SHA-256 as JSON (``cache_dir()/apk-features/<sha256>.json``), so a
second run, a second phone with the same app or a new rule pack never re-reads the APK. A record of
another ``features_version`` is ignored and rebuilt."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from inspector.analyze.apk.features import FEATURES_VERSION, extract, file_sha256, rescan_yara
from inspector.paths import cache_dir

_SHA = re.compile(r"[0-9a-f]{64}")


def features_dir() -> Path:
    path = cache_dir() / "apk-features"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load(sha256: str) -> dict[str, Any] | None:
    if not _SHA.fullmatch(sha256):
        return None
    try:
        record = json.loads((features_dir() / f"{sha256}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("features_version") != FEATURES_VERSION:
        return None
    return record


def load_current(path: Path, sha256: str, yara=None) -> dict[str, Any] | None:
    """The cached record, its YARA tier re-run (and saved) first if other rules than ``yara`` made it."""
    record = load(sha256)
    if record is not None and yara is not None and (record.get("yara") or {}).get("rules_sha256") != yara.sha256:
        save(rescan_yara(path, record, yara))
    return record


def save(record: dict[str, Any]) -> None:
    sha256 = record.get("sha256", "")
    if not _SHA.fullmatch(sha256):
        return
    target = features_dir() / f"{sha256}.json"
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), "utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def features(path: Path, sha256: str | None = None, use_cache: bool = True,
             yara=None) -> tuple[dict[str, Any], bool]:
    """The APK's feature record and whether it came from the cache. A cached record whose YARA hits
    were made by other rules than ``yara`` has only that tier re-run."""
    sha256 = sha256 or file_sha256(path)
    if use_cache and (record := load_current(path, sha256, yara)) is not None:
        return record, True
    record = extract(path, sha256, yara=yara)
    if use_cache:
        save(record)
    return record, False
