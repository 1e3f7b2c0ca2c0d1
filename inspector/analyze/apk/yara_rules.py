"""YARA rules of the signature pack (``signatures/iocs/**/*.yar``, e.g. Echap's ``rules.yar``), run with
yara-python over every ``classes*.dex`` and native library of an APK while its features are read.

YARA needs the raw bytes, which the feature record does not keep; so its hits are stored in the
record with the SHA-256 of the rule sources that produced them (``yara.rules_sha256``). A record made
with other rules has only its YARA tier re-run (the DEX and library entries re-read); every other
tier stays cached."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCAN_TIMEOUT_S = 20  # per file; YARA stops a pathological rule/file pair itself
MAX_STRINGS_SHOWN = 8


class YaraRulesError(Exception):
    """A YARA file of the pack does not compile; the message names the file and the line."""


@dataclass
class YaraRules:
    sha256: str
    files: tuple[str, ...]
    compiled: Any  # yara.Rules

    def scan(self, data: bytes, name: str) -> list[dict[str, Any]]:
        """Hits of the rules on one file's bytes: rule name, namespace (the .yar file), file, and the
        identifiers of the strings that matched (never the matched bytes of a DEX: they are code)."""
        import yara

        try:
            matches = self.compiled.match(data=data, timeout=SCAN_TIMEOUT_S)
        except yara.TimeoutError:
            return [{"rule": None, "file": name, "error": f"YARA stopped after {SCAN_TIMEOUT_S} s"}]
        except yara.Error as exc:
            return [{"rule": None, "file": name, "error": f"YARA failed: {exc}"}]
        hits = []
        for match in matches:
            idents = sorted({s.identifier for s in match.strings})
            hits.append({"rule": match.rule, "namespace": match.namespace, "file": name,
                         "tags": list(match.tags), "strings": idents[:MAX_STRINGS_SHOWN],
                         "strings_matched": len(idents), "ref": str(match.meta.get("ref", ""))[:300]})
        return hits


def load_yara(*folders: Path) -> YaraRules | None:
    """All ``*.yar`` / ``*.yara`` files under ``folders`` (the pack's ``iocs/``, then the imported ones),
    compiled together; None if there are none. Raises YaraRulesError naming the file that does not
    compile."""
    found = [(folder, path) for folder in folders if Path(folder).is_dir()
             for path in sorted([*Path(folder).rglob("*.yar"), *Path(folder).rglob("*.yara")])]
    if not found:
        return None
    try:
        import yara
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise YaraRulesError(f"yara-python is not installed: {exc}") from None
    digest = hashlib.sha256()
    sources: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for index, (folder, path) in enumerate(found):
        raw = path.read_bytes()
        rel = path.relative_to(folder).as_posix()
        name = rel if rel not in sources else f"{rel}#{index}"
        digest.update(name.encode() + b"\0" + raw + b"\0")
        sources[name], paths[name] = raw.decode("utf-8", "replace"), path
    try:
        compiled = yara.compile(sources=sources)
    except yara.SyntaxError as exc:
        # Only now, to name the culprit: the file that does not compile alone, or else a clash between files.
        for name, source in sources.items():
            try:
                yara.compile(source=source)
            except yara.SyntaxError as alone:
                raise YaraRulesError(f"{paths[name]}: this YARA rule file does not compile: {alone}") from None
        raise YaraRulesError(f"the YARA files do not compile together (a rule name used twice?): {exc}") from None
    return YaraRules(sha256=digest.hexdigest(), files=tuple(sources), compiled=compiled)


_CACHE: dict[tuple[str, str], YaraRules | None] = {}


def yara_for(folders: list[Path], version: str = "") -> YaraRules | None:
    """``load_yara`` once per process and pack ``version`` (the pack's SHA-256: a changed pack reloads)."""
    key = ("\0".join(map(str, folders)), version)
    if key not in _CACHE:
        _CACHE[key] = load_yara(*folders)
    return _CACHE[key]


def pack_yara(pack) -> tuple[YaraRules | None, tuple[Path, ...]]:
    """A signature pack's YARA rules (its ``iocs`` folders, then the imported ones; compiled once per
    process and pack version) and those folders, which pool workers load them from.
    Raises YaraRulesError."""
    folders = tuple(pack.folders("iocs"))
    return yara_for(list(folders), pack.sha256), folders
