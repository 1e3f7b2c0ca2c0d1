"""Tiered feature extraction from one APK, cheapest first:

1. the file's SHA-256 and size;
2. androguard's ``APK()`` (manifest, resources, signing certificates): package, labels per locale,
   versions, SDK levels, debuggable, permissions, components and their intent actions, signers;
3. the raw string and class tables of every ``classes*.dex`` (``dex_tables``) and the names and
   SHA-256 of assets and native libraries, read through a bounded ZIP reader; the pack's YARA rules
   run over each DEX and native library while its bytes are in hand (``yara_rules``).

(The fourth tier, androguard's full ``AnalyzeAPK``, is ``deep.py``: only on request.)

The result is a plain JSON-able dict, versioned by ``FEATURES_VERSION``. Nothing is ever extracted to
disk; ZIP entry names are only recorded, so hostile names (``../x``) cannot write anywhere. A tier that
fails leaves its fields empty and adds a line to ``errors``: a hostile APK gives a partial record."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from inspector.acquisition.folder import sha256_file
from inspector.analyze.apk import arsc_labels
from inspector.analyze.apk.androguard_setup import prepare_androguard
from inspector.analyze.apk.dex_tables import read_dex

FEATURES_VERSION = 3  # 2: YARA hits; 3: printable strings of assets and native libraries
MAX_FILE_STRINGS_BYTES = 16 << 20  # assets / libraries larger than this keep only their hash
MAX_FILE_STRINGS = 20_000  # distinct strings kept per file
_PRINTABLE = re.compile(rb"[\x20-\x7e]{6,200}")
MAX_ENTRY_BYTES = 256 << 20  # one DEX / asset / library read at most
MAX_TOTAL_BYTES = 1 << 30  # everything read from one APK
MAX_RATIO = 200  # expansion past this (and past 1 MiB) is a ZIP bomb: the entry is not read
_DEX = re.compile(r"classes\d*\.dex")


def file_sha256(path: Path) -> str:
    return sha256_file(path)


def empty_record(sha256: str, size: int | None) -> dict[str, Any]:
    """A feature record with nothing read yet: every tier fills its own fields."""
    return {"features_version": FEATURES_VERSION, "sha256": sha256, "size": size, "errors": [], "package": None,
            "labels": {}, "version_name": None, "version_code": None, "min_sdk": None, "target_sdk": None,
            "debuggable": None, "permissions": [], "components": [], "certificates": [], "signature_schemes": [],
            "dex": [], "files": [], "yara": None}


def extract(path: Path, sha256: str | None = None, yara=None) -> dict[str, Any]:
    """The feature record of one APK; ``yara`` (a ``YaraRules``) adds the YARA tier."""
    path = Path(path)
    record = empty_record(sha256 or file_sha256(path), path.stat().st_size)
    record["yara"] = {"rules_sha256": yara.sha256, "hits": []} if yara is not None else None
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        record["errors"].append(f"not a readable ZIP/APK: {exc}")
        return record
    bombs = {i.filename for i in infos if _is_bomb(i)}
    for name in sorted(bombs):
        record["errors"].append(f"{name}: expands {_ratio(archive.getinfo(name))}x, not read (ZIP bomb)")
    duplicates = sorted(name for name, n in Counter(i.filename for i in infos).items() if n > 1)
    if duplicates:
        record["errors"].append(("duplicate ZIP entries: " + ", ".join(duplicates))[:300])
    if bombs & {"AndroidManifest.xml", "resources.arsc"}:
        record["errors"].append("manifest or resources not read (ZIP bomb)")
    elif not any(i.filename == "AndroidManifest.xml" for i in infos):
        record["errors"].append("no AndroidManifest.xml: not an app package (its other files are still checked)")
    else:
        _tier2(path, record)
    with archive:
        _tier3(archive, infos, bombs, record, yara)
    return record


def rescan_yara(path: Path, record: dict[str, Any], yara) -> dict[str, Any]:
    """Re-run only the YARA tier of a cached record (other rules than those that made it)."""
    record["yara"] = {"rules_sha256": yara.sha256, "hits": []}
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return record  # the record already says why the APK cannot be read
    budget = [MAX_TOTAL_BYTES]
    with archive:
        for info in infos:
            name = info.filename
            if info.is_dir() or _is_bomb(info) or not (_DEX.fullmatch(name) or name.startswith("lib/")):
                continue
            try:
                data = _read(archive, info, budget)
            except Exception:  # noqa: BLE001 - the record's errors already name unreadable entries
                continue
            record["yara"]["hits"].extend(yara.scan(data, name))
    return record


def _ratio(info: zipfile.ZipInfo) -> int:
    return info.file_size // max(info.compress_size, 1)


def _is_bomb(info: zipfile.ZipInfo) -> bool:
    return info.file_size > MAX_ENTRY_BYTES or (info.file_size > (1 << 20) and _ratio(info) > MAX_RATIO)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """The entry's bytes, never more than its declared size nor the APK's remaining budget."""
    limit = min(info.file_size, budget[0])
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError("entry larger than declared or over the read budget")
    budget[0] -= len(data)
    return data


def _tier3(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], bombs: set[str], record: dict, yara) -> None:
    budget = [MAX_TOTAL_BYTES]
    for info in infos:
        name = info.filename
        is_dex = bool(_DEX.fullmatch(name))
        kind = "asset" if name.startswith("assets/") else "native" if name.startswith("lib/") else None
        if not is_dex and kind is None or info.is_dir():
            continue
        if name in bombs:
            if kind:
                record["files"].append({"name": name, "kind": kind, "size": info.file_size, "sha256": None})
            continue
        try:
            data = _read(archive, info, budget)
        except Exception as exc:  # noqa: BLE001 - zlib, CRC, truncated file: an entry error, not a crash
            record["errors"].append(f"{name}: cannot be read: {exc}")
            if kind:
                record["files"].append({"name": name, "kind": kind, "size": info.file_size, "sha256": None})
            continue
        if kind:
            record["files"].append({"name": name, "kind": kind, "size": len(data),
                                    "sha256": hashlib.sha256(data).hexdigest(), "strings": _printable(data)})
        if yara is not None and (is_dex or kind == "native"):
            record["yara"]["hits"].extend(yara.scan(data, name))
        if is_dex:
            tables = read_dex(data)
            record["dex"].append({"name": name, "sha256": hashlib.sha256(data).hexdigest(),
                                  "strings": tables.strings, "classes": tables.classes, "error": tables.error})
            if tables.error:
                record["errors"].append(f"{name}: {tables.error}")


def _printable(data: bytes) -> list[str]:
    """Printable ASCII runs (6+ characters) of an asset or native library, like strings(1): what a
    scanner binary or a config file says ("MD5 Hitted state", "/bk_samples.bin"). Distinct, in order."""
    if len(data) > MAX_FILE_STRINGS_BYTES:
        return []
    seen: dict[str, None] = {}
    for match in _PRINTABLE.finditer(data):
        seen.setdefault(match.group(0).decode("ascii"), None)
        if len(seen) >= MAX_FILE_STRINGS:
            break
    return list(seen)


def _tier2(path: Path, record: dict) -> None:
    prepare_androguard()
    try:
        from androguard.core.apk import APK

        apk = APK(str(path))
    except Exception as exc:  # noqa: BLE001 - androguard raises anything on hostile input
        record["errors"].append(f"manifest/certificates not read: {type(exc).__name__}: {exc}"[:500])
        return
    steps = (("manifest", _manifest), ("labels", _labels), ("components", _components),
             ("certificates", _certificates))
    for what, step in steps:
        try:
            step(apk, record)
        except Exception as exc:  # noqa: BLE001
            record["errors"].append(f"{what} not read: {type(exc).__name__}: {exc}"[:500])


def _manifest(apk, record: dict) -> None:
    record["package"] = apk.get_package() or None
    record["version_name"] = apk.get_androidversion_name()
    record["version_code"] = apk.get_androidversion_code()
    record["min_sdk"] = apk.get_min_sdk_version()
    record["target_sdk"] = apk.get_target_sdk_version()
    record["debuggable"] = str(apk.get_attribute_value("application", "debuggable")).lower() == "true"
    record["permissions"] = sorted(set(apk.get_permissions()))


def _labels(apk, record: dict) -> None:
    """The app's label in every locale its resources hold ("default" = no locale): the label's resource
    id looked up directly in resources.arsc (``arsc_labels``), or, if that reader meets anything it does
    not expect, by androguard, which parses and resolves the whole table first (slow on large apps)."""
    labels: dict[str, str] = {}
    raw = apk.get_attribute_value("application", "label") or ""
    if raw and not raw.startswith("@"):  # a literal label in the manifest
        labels["default"] = raw
    res_id = None
    if raw.startswith("@"):
        try:
            res_id = int(raw[1:].split(":")[-1], 16)
        except ValueError:
            res_id = None
    if res_id is not None:
        try:
            found = arsc_labels.labels(apk.get_file("resources.arsc"), res_id)
        except Exception:  # noqa: BLE001 - ArscError, a missing table, anything: androguard decides
            found = _labels_by_androguard(apk, res_id)
        labels.update((k, v) for k, v in found.items() if isinstance(v, str) and v and not v.startswith("@"))
    record["labels"] = labels


def _labels_by_androguard(apk, res_id: int) -> dict[str, str]:
    found: dict[str, str] = {}
    arsc = apk.get_android_resources()
    if arsc is None:
        return found
    for config, value in arsc.get_resolved_res_configs(res_id):
        if isinstance(value, str) and value and not value.startswith("@"):
            locale = str(config.get_language_and_region() or "").replace("\x00", "") or "default"
            found.setdefault(locale, value)
    return found


def _components(apk, record: dict) -> None:
    components = []
    for kind, names in (("activity", apk.get_activities()), ("service", apk.get_services()),
                        ("receiver", apk.get_receivers()), ("provider", apk.get_providers())):
        for name in names:
            actions: list[str] = []
            if kind != "provider":
                filters = apk.get_intent_filters(kind, name) or {}
                actions = sorted(set(filters.get("action", [])))
            components.append({"kind": kind, "name": name, "actions": actions})
    # androguard gives some of these as sets: sorted, so a record is the same in every process
    record["components"] = sorted(components, key=lambda c: (c["kind"], c["name"]))


def _certificates(apk, record: dict) -> None:
    schemes = [f"v{n}" for n, signed in ((1, apk.is_signed_v1()), (2, apk.is_signed_v2()),
                                          (3, apk.is_signed_v3())) if signed]
    record["signature_schemes"] = schemes
    certs, seen = [], set()
    for cert in apk.get_certificates():
        der = cert.dump()
        sha256 = hashlib.sha256(der).hexdigest()
        if sha256 in seen:
            continue
        seen.add(sha256)
        certs.append({"sha256": sha256, "sha1": hashlib.sha1(der).hexdigest(),  # noqa: S324 - a fingerprint
                      "subject": cert.subject.human_friendly})
    record["certificates"] = certs
