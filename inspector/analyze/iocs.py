"""Imported indicator bundles: the MVT project's STIX2 corpus (MIT) and Echap's stalkerware
indicators (CC BY 4.0), in ``signatures/iocs/``. Loaded once per run, on first use: from the
folder's ``index.json`` while it is current (``ioc_index``, ~15 ms), else parsed (~35 ms).

STIX2 patterns in these corpora are single comparisons, ``[type:property = 'value']``; anything else
is counted as unsupported (``inspector signatures list`` shows the count) rather than guessed at.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from inspector.yaml_safe import safe_load

_PATTERN = re.compile(
    r"^\[\s*(?P<object>[a-z0-9-]+):(?P<property>[A-Za-z0-9_.'-]+)\s*=\s*'(?P<value>(?:[^'\\]|\\.)*)'\s*\]$")

# STIX object:property → our kind of indicator
KINDS = {
    ("app", "id"): "app_id",
    ("app", "cert.sha256"): "cert_sha256",
    ("domain-name", "value"): "domain",
    ("ipv4-addr", "value"): "ipv4",
    ("email-addr", "value"): "email",
    ("file", "path"): "file_path",
    ("file", "name"): "file_name",
    ("file", "hashes.sha256"): "sha256",
    ("file", "hashes.'SHA-256'"): "sha256",
    ("process", "name"): "process",
    ("configuration-profile", "id"): "config_profile",
}
# Case does not matter for these; app ids and file paths keep theirs.
_FOLD = {"domain", "email", "sha256", "cert_sha256", "cert_sha1"}


def slug(text: str) -> str:
    """A campaign or rule name as an id part: "WyrmSpy_DragonEgg" → "wyrmspy_dragonegg"."""
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "unknown"


class Indicator(NamedTuple):  # a tuple: ~7,000 are made on every load of the pack
    kind: str
    value: str
    campaign: str  # the malware or app family the source names, e.g. "Predator", "TheTruthSpy"
    threat: str  # "spyware" (MVT corpus) or "stalkerware" (Echap)
    source: str  # the file inside signatures/iocs/ it comes from


@dataclass
class IndicatorSet:
    by_kind: dict[str, dict[str, list[Indicator]]] = field(default_factory=lambda: defaultdict(dict))
    unsupported: int = 0
    sources: list[str] = field(default_factory=list)

    def add(self, indicator: Indicator) -> None:
        key = indicator.value.casefold() if indicator.kind in _FOLD else indicator.value
        self.by_kind[indicator.kind].setdefault(key, []).append(indicator)

    def lookup(self, kind: str, value: str) -> list[Indicator]:
        key = value.casefold() if kind in _FOLD else value
        return self.by_kind.get(kind, {}).get(key, [])

    def values(self, kind: str) -> dict[str, list[Indicator]]:
        return self.by_kind.get(kind, {})

    def counts(self) -> dict[str, int]:
        return {kind: len(values) for kind, values in sorted(self.by_kind.items())}


def bundle_files(folder: Path) -> list[Path]:
    """The indicator bundles under ``folder``, in the order they are loaded."""
    return [*sorted(folder.rglob("*.stix2")), *sorted(folder.rglob("ioc.yaml")), *sorted(folder.rglob("samples.csv"))]


def load(folder: Path, into: IndicatorSet | None = None, use_index: bool = True) -> IndicatorSet:
    """Every bundle under ``folder``: ``*.stix2`` (MVT), ``ioc.yaml`` and ``samples.csv`` (Echap).

    With ``use_index``, the folder's ``index.json`` (``ioc_index``) is read instead when it was made
    from exactly these files; otherwise, or when it is stale, the bundles themselves are parsed."""
    from inspector.analyze import ioc_index

    indicators = into if into is not None else IndicatorSet()
    if use_index and ioc_index.read_into(folder, indicators):
        return indicators
    loaders = {".stix2": _load_stix2, ".yaml": _load_echap, ".csv": _load_echap_samples}
    for path in bundle_files(folder):
        loaders[path.suffix](path, folder, indicators)
    return indicators


def _load_stix2(path: Path, root: Path, into: IndicatorSet) -> None:
    source = path.relative_to(root).as_posix()
    bundle = json.loads(path.read_text("utf-8"))
    objects = bundle.get("objects", []) if isinstance(bundle, dict) else []
    malware = {o["id"]: o.get("name", "?") for o in objects if isinstance(o, dict) and o.get("type") == "malware"}
    default = next(iter(malware.values()), path.stem)
    indicates = {o.get("source_ref"): malware.get(o.get("target_ref"), default) for o in objects
                 if isinstance(o, dict) and o.get("type") == "relationship"}
    into.sources.append(source)
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "indicator":
            continue
        match = _PATTERN.match(str(obj.get("pattern", "")).strip())
        kind = KINDS.get((match.group("object"), match.group("property"))) if match else None
        if not kind:
            into.unsupported += 1
            continue
        value = match.group("value").replace("\\'", "'").replace("\\\\", "\\").strip()
        into.add(Indicator(kind, value, indicates.get(obj.get("id"), default), "spyware", source))


def _load_echap(path: Path, root: Path, into: IndicatorSet) -> None:
    source = path.relative_to(root).as_posix()
    into.sources.append(source)
    for app in safe_load(path.read_text("utf-8")) or []:
        if not isinstance(app, dict):
            continue
        name = str(app.get("name", "?"))
        for package in app.get("packages") or []:
            into.add(Indicator("app_id", str(package), name, "stalkerware", source))
        for cert in app.get("certificates") or []:
            into.add(Indicator("cert_sha1", str(cert), name, "stalkerware", source))
        c2 = app.get("c2") or {}
        for domain in (c2.get("domains") or []) if isinstance(c2, dict) else []:
            into.add(Indicator("domain", str(domain), name, "stalkerware", source))
        for ip in (c2.get("ips") or []) if isinstance(c2, dict) else []:
            into.add(Indicator("ipv4", str(ip), name, "stalkerware", source))


_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def _load_echap_samples(path: Path, root: Path, into: IndicatorSet) -> None:
    """Echap's ``samples.csv``: ``SHA256,Package Name,Certificate,Version,App`` per known APK. Only the
    sample hashes are taken: the certificate column names whatever signed that sample, public test
    keys included (the AOSP test key signs hundreds of benign builds), so it is no indicator; the
    curated certificates are in ``ioc.yaml``. A malformed hash is counted as unsupported."""
    source = path.relative_to(root).as_posix()
    into.sources.append(source)
    rows = csv.reader(io.StringIO(path.read_text("utf-8", "replace")))
    header = [column.strip() for column in next(rows, [])]
    if "SHA256" not in header:
        return
    hash_at, app_at = header.index("SHA256"), header.index("App") if "App" in header else None
    for row in rows:
        sha256 = row[hash_at].strip() if len(row) > hash_at else ""
        name = (row[app_at].strip() if app_at is not None and len(row) > app_at else "") or "?"
        if _HEX64.fullmatch(sha256):
            into.add(Indicator("sha256", sha256, name, "stalkerware", source))
        elif sha256:
            into.unsupported += 1
