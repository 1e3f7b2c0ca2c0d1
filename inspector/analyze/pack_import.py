"""``inspector signatures import PATH``: indicator bundles and rules added to the pack in use, offline.

What is imported is copied (never linked) into the user's overlay folder
(``<data>/signatures-imported``, see ``signatures.imported_signatures_dir``), checked first exactly as the
pack loader will read it, and listed in ``imported.json`` (file, kind, source, SHA-256, time, counts).
The pack's SHA-256 then covers the overlay too, so every result says which imports produced it.

Kinds, recognised by content, not only by name:
- ``stix2``: a STIX2 bundle (MVT's indicator files) → ``iocs/stix2/<name>.stix2``
- ``echap_ioc``: Echap's ``ioc.yaml`` (a list of apps with packages, certificates, c2) → ``iocs/<name>/ioc.yaml``
- ``samples_csv``: Echap's ``samples.csv`` (SHA256 column) → ``iocs/<name>/samples.csv``
- ``yara``: YARA rules (``.yar``/``.yara``) → ``iocs/yara/<name>.yar``
- ``apk_rules``: inspector APK rules (a mapping with ``rules:``) → ``apk-rules/<name>.yaml``
A folder is imported file by file (recursively); files of no known kind are listed as skipped."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from inspector.analyze.signatures import IMPORTED_MANIFEST, imported_entries, imported_signatures_dir
from inspector.yaml_safe import safe_load

MAX_IMPORT_BYTES = 64 << 20  # one file; the largest public bundles are a few MB


class ImportRefused(Exception):
    """The file cannot be imported; the message says why and what to do."""


@dataclass
class ImportOutcome:
    imported: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def _name(path: Path, name: str | None) -> str:
    base = name or path.stem
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", base).strip("-.")[:80]
    if not slug:
        raise ImportRefused(f"{path}: cannot make a file name from {base!r}; give one with --name")
    return slug


def detect(path: Path, data: bytes) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".yar", ".yara"):
        return "yara"
    text = data.decode("utf-8", "replace")
    if suffix in (".stix2", ".json") or text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        return "stix2" if isinstance(doc, dict) and doc.get("type") == "bundle" else None
    if suffix == ".csv":
        header = text.splitlines()[0] if text else ""
        return "samples_csv" if "sha256" in header.casefold() else None
    if suffix in (".yaml", ".yml"):
        try:
            doc = safe_load(text)
        except yaml.YAMLError:
            return None
        if isinstance(doc, dict) and isinstance(doc.get("rules"), list):
            return "apk_rules"
        if isinstance(doc, list) and doc and all(isinstance(a, dict) and "name" in a for a in doc[:20]):
            return "echap_ioc"
    return None


def _target(kind: str, name: str) -> str:
    return {"stix2": f"iocs/stix2/{name}.stix2", "echap_ioc": f"iocs/{name}/ioc.yaml",
            "samples_csv": f"iocs/{name}/samples.csv", "yara": f"iocs/yara/{name}.yar",
            "apk_rules": f"apk-rules/{name}.yaml"}[kind]


def _validate(kind: str, staged: Path, pack) -> dict[str, int]:
    """Read the staged file as the pack will; ImportRefused with the reason if it cannot be used."""
    from inspector.analyze.iocs import IndicatorSet
    from inspector.analyze.iocs import load as load_indicators

    if kind in ("stix2", "echap_ioc", "samples_csv"):
        into = IndicatorSet()
        try:
            load_indicators(staged.parent, into=into)
        except (OSError, ValueError, yaml.YAMLError, csv.Error) as exc:
            raise ImportRefused(f"cannot be read as {kind}: {exc}") from None
        counts = into.counts()
        if not counts:
            raise ImportRefused(f"holds no indicator inspector understands "
                                f"({into.unsupported} patterns not understood)")
        return {**counts, **({"unsupported": into.unsupported} if into.unsupported else {})}
    if kind == "yara":
        from inspector.analyze.apk.yara_rules import YaraRulesError, load_yara

        try:
            rules = load_yara(*pack.folders("iocs"), staged.parent)
        except YaraRulesError as exc:
            raise ImportRefused(str(exc)) from None
        return {"yara_files": len(rules.files) if rules else 0}
    from inspector.analyze.apk.rules import ApkRuleError, load_rules

    try:
        rules = load_rules(staged.parent, set(pack.families))
    except ApkRuleError as exc:
        raise ImportRefused(str(exc)) from None
    existing = {r.id for folder in pack.folders("apk-rules") for r in load_rules(folder, set(pack.families))
                if folder.resolve() != (imported_signatures_dir() / "apk-rules").resolve()}
    if clash := existing & {r.id for r in rules}:
        raise ImportRefused(f"rule id(s) already in the pack: {', '.join(sorted(clash))}")
    return {"apk_rules": len(rules)}


def import_path(source: Path, pack, name: str | None = None) -> ImportOutcome:
    source = Path(source)
    outcome = ImportOutcome()
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    for path in files:
        try:
            outcome.imported.append(_import_file(path, pack, name if not source.is_dir() else None))
        except ImportRefused as exc:
            if not source.is_dir():
                raise
            outcome.skipped.append((str(path), str(exc)))
    return outcome


def _import_file(path: Path, pack, name: str | None) -> dict:
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportRefused(f"{path}: {size:,} bytes is more than an indicator file should be "
                                f"({MAX_IMPORT_BYTES >> 20} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"{path}: cannot be read: {exc}") from None
    kind = detect(path, data)
    if kind is None:
        raise ImportRefused(f"{path}: not a STIX2 bundle, Echap ioc.yaml or samples.csv, YARA file or "
                            "inspector APK rule file")
    root = imported_signatures_dir()
    rel = _target(kind, _name(path, name))
    with tempfile.TemporaryDirectory(dir=root.parent if root.parent.is_dir() else None) as tmp:
        staged = Path(tmp) / rel
        staged.parent.mkdir(parents=True)
        staged.write_bytes(data)
        try:
            counts = _validate(kind, staged, pack)
        except ImportRefused as exc:
            raise ImportRefused(f"{path}: {exc}") from None
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_target = target.with_name(target.name + f".{os.getpid()}.tmp")
    tmp_target.write_bytes(data)
    os.replace(tmp_target, target)
    entry = {"file": rel, "kind": kind, "source": str(path.resolve()), "sha256": hashlib.sha256(data).hexdigest(),
             "imported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "counts": counts}
    entries = [e for e in imported_entries(root) if e.get("file") != rel] + [entry]
    _write_manifest(root, entries)
    return entry


def remove(file: str) -> dict:
    """Take one imported file out of the pack again (by its ``file`` as listed)."""
    root = imported_signatures_dir()
    entries = imported_entries(root)
    entry = next((e for e in entries if e.get("file") == file), None)
    if entry is None:
        raise ImportRefused(f"{file!r} is not imported; `inspector signatures list` shows what is")
    target = (root / file).resolve()
    if root.resolve() not in target.parents:  # a hand-edited manifest never deletes outside the overlay
        raise ImportRefused(f"{file!r} is not inside {root}")
    target.unlink(missing_ok=True)
    _write_manifest(root, [e for e in entries if e is not entry])
    return entry


def _write_manifest(root: Path, entries: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / IMPORTED_MANIFEST
    if not entries:
        manifest.unlink(missing_ok=True)
        return
    tmp = manifest.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(entries, indent=2, ensure_ascii=False), "utf-8")
    os.replace(tmp, manifest)
