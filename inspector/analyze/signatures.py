"""The signature pack: YAML data in ``signatures/`` (see docs/signatures.md), loaded and validated.

The pack's identity is its version plus the SHA-256 over every file in it, so a finding can always
say exactly which data produced it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from inspector.analyze.decoders import DECODERS
from inspector.analyze.findings import CONFIDENCES, SEVERITIES
from inspector.analyze.iocs import IndicatorSet
from inspector.analyze.iocs import load as load_indicators
from inspector.analyze.shared_storage import shared_relative
from inspector.analyze.targets import TargetList, TargetListError
from inspector.resources import signatures_dir
from inspector.yaml_safe import safe_load


class SignaturePackError(Exception):
    """A rule file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Family:
    id: str
    name: str
    summary_key: str
    takes: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class PackageIndicator:
    id: str
    family: str
    name: str
    case_insensitive: bool
    severity: str
    confidence: str
    source: str

    def matches(self, package: str) -> bool:
        return package.casefold() == self.name.casefold() if self.case_insensitive else package == self.name


@dataclass(frozen=True)
class LeftoverFile:
    """A file an implant leaves behind. ``shared_path`` is relative to shared storage (/sdcard);
    ``file_name`` matches that name anywhere on shared storage."""

    id: str
    family: str
    severity: str
    confidence: str
    source: str
    shared_path: str | None = None
    file_name: str | None = None
    decode: str | None = None  # a decoder of the file's contents (inspector/analyze/decoders.py)

    def matches(self, relative: str) -> bool:
        """``relative``: a path relative to shared storage. Shared storage is case-insensitive on
        Android (sdcardfs / FUSE), so names compare without case."""
        if self.shared_path is not None:
            return relative.casefold() == self.shared_path.casefold()
        return relative.rsplit("/", 1)[-1].casefold() == (self.file_name or "").casefold()


@dataclass(frozen=True)
class ListeningPort:
    """A TCP port an implant listens on (read from /proc/net/tcp and tcp6)."""

    id: str
    family: str
    port: int
    severity: str
    confidence: str
    source: str


_INDICATORS_LOCK = threading.Lock()


@dataclass
class SignaturePack:
    name: str
    version: str
    sha256: str
    families: dict[str, Family] = field(default_factory=dict)
    packages: list[PackageIndicator] = field(default_factory=list)
    leftover_files: list[LeftoverFile] = field(default_factory=list)
    target_lists: list[TargetList] = field(default_factory=list)
    listening_ports: list[ListeningPort] = field(default_factory=list)
    folder: Path | None = None
    imported: Path | None = None  # the user's imported bundles and rules (``inspector signatures import``)
    _indicators: IndicatorSet | None = field(default=None, repr=False)

    def folders(self, part: str) -> list[Path]:
        """``part`` (``iocs``, ``apk-rules``) of the pack, then of the imported overlay if any."""
        roots = [self.folder or signatures_dir(), *([self.imported] if self.imported else [])]
        return [root / part for root in roots if (root / part).is_dir()]

    @property
    def indicators(self) -> IndicatorSet:
        """MVT STIX2 and Echap indicators from signatures/iocs/, loaded on first use (once, even when
        several threads ask at the same moment: a batch's phones)."""
        if self._indicators is None:
            with _INDICATORS_LOCK:
                if self._indicators is None:
                    indicators = IndicatorSet()
                    for folder in self.folders("iocs"):
                        try:
                            load_indicators(folder, into=indicators)
                        except (OSError, ValueError, yaml.YAMLError) as exc:
                            raise SignaturePackError(f"{folder}: an indicator bundle cannot be read: {exc}") from None
                    self._indicators = indicators
        return self._indicators

    @classmethod
    def load(cls, folder: Path | None = None, include_demo: bool = False) -> SignaturePack:
        """``include_demo`` adds the target-list entries that exist only for the built-in demo phone."""
        folder = Path(folder) if folder else signatures_dir()
        meta = _yaml(folder / "pack.yaml")
        meta_path = folder / "pack.yaml"
        imported = imported_signatures_dir()
        imported = imported if (imported / IMPORTED_MANIFEST).is_file() else None
        sha256 = _folder_sha256(folder)
        if imported is not None:  # the pack in use is the shipped one plus what the user imported
            sha256 = hashlib.sha256(f"{sha256}+{_folder_sha256(imported)}".encode()).hexdigest()
        pack = cls(name=_str(meta, "name", meta_path), version=_str(meta, "version", meta_path),
                   sha256=sha256, folder=folder, imported=imported)
        seen: set[str] = set()
        for path in sorted((folder / "implants").glob("*.yaml")):
            pack._add_family(path, _yaml(path), seen)
        for path in sorted((folder / "target-lists").glob("*.yaml")):
            meta = _yaml(path)
            for key in ("id", "family", "name", "data"):
                _str(meta, key, path)
            if meta["family"] not in pack.families:
                raise SignaturePackError(f"{path}: family {meta['family']!r} has no file in implants/")
            try:
                pack.target_lists.append(TargetList.load(path, meta, include_demo=include_demo))
            except TargetListError as exc:
                raise SignaturePackError(f"{path}: {exc}") from None
        return pack

    def _add_family(self, path: Path, data: dict, seen: set[str]) -> None:
        family_id = _str(data, "family", path)
        self.families[family_id] = Family(
            id=family_id,
            name=_str(data, "name", path),
            summary_key=str(data.get("summary_key") or f"family.{family_id}.summary"),
            takes=tuple(data.get("takes") or ()),
            references=tuple(data.get("references") or ()),
        )
        for item in data.get("packages") or ():
            rule_id = _rule_id(item, path, seen)
            match = item.get("match", "exact")
            if match not in ("exact", "case_insensitive"):
                raise SignaturePackError(f"{path}: {rule_id}: match must be exact or case_insensitive, not {match!r}")
            self.packages.append(PackageIndicator(
                id=rule_id, family=family_id, name=_str(item, "name", path),
                case_insensitive=match == "case_insensitive", **_grading(item, path, rule_id)))
        for item in data.get("listening_ports") or ():
            rule_id = _rule_id(item, path, seen)
            port = item.get("port")
            if not isinstance(port, int) or not 0 < port < 65536:
                raise SignaturePackError(f"{path}: {rule_id}: port must be a number from 1 to 65535")
            self.listening_ports.append(ListeningPort(id=rule_id, family=family_id, port=port,
                                                      **_grading(item, path, rule_id)))
        for item in data.get("leftover_files") or ():
            rule_id = _rule_id(item, path, seen)
            shared, name = item.get("shared_path"), item.get("file_name")
            if bool(shared) == bool(name):
                raise SignaturePackError(f"{path}: {rule_id}: give exactly one of shared_path or file_name")
            if shared and (shared.startswith("/") or ".." in shared.split("/")):
                raise SignaturePackError(f"{path}: {rule_id}: shared_path is relative to shared storage")
            decode = item.get("decode")
            if decode is not None and decode not in DECODERS:
                raise SignaturePackError(
                    f"{path}: {rule_id}: unknown decoder {decode!r} (known: {', '.join(DECODERS)})")
            self.leftover_files.append(LeftoverFile(
                id=rule_id, family=family_id, shared_path=shared, file_name=name, decode=decode,
                **_grading(item, path, rule_id)))

    def family(self, family_id: str) -> Family:
        return self.families[family_id]

    def identity(self) -> dict[str, object]:
        identity: dict[str, object] = {"name": self.name, "version": self.version, "sha256": self.sha256,
                                       "target_lists": [t.identity() for t in self.target_lists]}
        if self.imported is not None:
            identity["imported"] = imported_entries(self.imported)
        return identity

    def leftover_path_filter(self):
        """``device path -> bool``: files worth copying as evidence (small leftover files)."""
        rules = list(self.leftover_files)

        def wanted(path: str) -> bool:
            relative = shared_relative(path)
            return relative is not None and any(rule.matches(relative) for rule in rules)

        return wanted

    def md5_size_filter(self) -> tuple[tuple[str, ...], object]:
        """The storage roots the lists cover and a ``size -> bool`` predicate: which files are worth
        hashing during collection (the rest can never match)."""
        roots = tuple(sorted({root for t in self.target_lists for root in t.roots}))
        sizes = frozenset().union(*(t.size_set() for t in self.target_lists))
        return roots, sizes.__contains__


def _yaml(path: Path) -> dict:
    try:
        data = safe_load(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SignaturePackError(f"{path} is missing") from None
    except yaml.YAMLError as exc:
        raise SignaturePackError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SignaturePackError(f"{path} must hold a mapping")
    return data


def _str(data: dict, key: str, path: Path) -> str:
    value = data.get(key)
    if not isinstance(value, str | int | float) or str(value) == "":
        raise SignaturePackError(f"{path}: {key!r} is missing or not a string")
    return str(value)


def _rule_id(item: object, path: Path, seen: set[str]) -> str:
    if not isinstance(item, dict):
        raise SignaturePackError(f"{path}: every indicator must be a mapping")
    rule_id = _str(item, "id", path)
    if rule_id in seen:
        raise SignaturePackError(f"{path}: duplicate rule id {rule_id!r}")
    seen.add(rule_id)
    return rule_id


def _grading(item: dict, path: Path, rule_id: str) -> dict[str, str]:
    severity, confidence = item.get("severity"), item.get("confidence")
    if severity not in SEVERITIES:
        raise SignaturePackError(f"{path}: {rule_id}: severity must be one of {', '.join(SEVERITIES)}")
    if confidence not in CONFIDENCES:
        raise SignaturePackError(f"{path}: {rule_id}: confidence must be one of {', '.join(CONFIDENCES)}")
    return {"severity": severity, "confidence": confidence, "source": _str(item, "source", path)}


def pack_files(folder: Path) -> list[Path]:
    """The files of a pack folder that make up its identity (all but Python's caches), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _folder_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in pack_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


IMPORTED_MANIFEST = "imported.json"


def imported_signatures_dir() -> Path:
    """Where ``inspector signatures import`` keeps what the user added to the pack."""
    from inspector.paths import data_dir

    return data_dir() / "signatures-imported"


def imported_entries(folder: Path) -> list[dict]:
    import json

    try:
        entries = json.loads((folder / IMPORTED_MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []
