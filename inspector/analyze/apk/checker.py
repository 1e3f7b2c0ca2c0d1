"""Checking many APKs with the whole pack: the tiered features of each (cached, in a bounded process
pool), matched against the APK rules and the rest of the pack; then, for the APKs that matched (or all,
with ``deep="all"``), androguard's full analysis, whose evidence says which methods use each string.

Used by ``inspector check X.apk | DIR`` and by the ``apk_rules`` check of an acquisition."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.analyze.apk.deep import enrich, rule_needles
from inspector.analyze.apk.engine import entry_for, rules_for
from inspector.analyze.apk.pool import DEFAULT_LIMITS, Limits, features_many
from inspector.analyze.apk.rules import ApkRule, ApkRuleError
from inspector.analyze.apk.yara_rules import YaraRules, pack_yara

DEEP_MODES = ("flagged", "all", "none")


@dataclass
class ApkChecker:
    rules: list[ApkRule]
    pack: Any  # SignaturePack
    yara: YaraRules | None
    yara_folders: tuple[Path, ...]

    @classmethod
    def for_pack(cls, pack) -> ApkChecker:
        """Raises ApkRuleError / YaraRulesError / SignaturePackError with a message naming the file."""
        pack.indicators  # noqa: B018 - load (and validate) the indicator bundles now, not mid-run
        rules: list[ApkRule] = []
        for folder in pack.folders("apk-rules"):  # the pack's, then the imported ones
            more = rules_for(folder, set(pack.families), pack.sha256)
            if clash := {r.id for r in rules} & {r.id for r in more}:
                raise ApkRuleError(f"{folder}: rule id(s) already in the pack: {', '.join(sorted(clash))}")
            rules += more
        yara, folders = pack_yara(pack)
        return cls(rules=rules, pack=pack, yara=yara, yara_folders=folders)

    def check(self, paths: Iterable[Path], *, jobs: int | None = None, limits: Limits = DEFAULT_LIMITS,
              deep: str = "flagged", use_cache: bool = True, skip: frozenset[str] = frozenset(),
              on_done: Callable[[str, Path], None] | None = None) -> list[dict[str, Any]]:
        """One entry per APK, in the order given. ``skip``: kinds of pack match to leave out (see
        ``match_pack``). ``on_done(stage, path)`` after each APK of each stage ("features", "deep")."""
        if deep not in DEEP_MODES:
            raise ValueError(f"deep must be one of {', '.join(DEEP_MODES)}")
        paths = [Path(p) for p in paths]
        entries: dict[Path, dict[str, Any]] = {}

        def tiered(path: Path, record: dict, cached: bool) -> None:  # match at once, keep no record
            entries[path] = self._entry(path, record, cached, skip)
            if on_done:
                on_done("features", path)

        features_many(paths, jobs=jobs, limits=limits, yara=self.yara, yara_folders=self.yara_folders,
                      use_cache=use_cache, on_done=tiered, keep=False)
        wanted = [p for p in paths if deep == "all" or (deep == "flagged" and entries[p]["matches"])]

        def deeper(path: Path, record: dict, _cached: bool) -> None:
            deep_part = record.get("deep")
            if not deep_part or "error" in deep_part or record.get("incomplete"):
                why = (deep_part or {}).get("error") or "; ".join(record.get("errors", []))[:300]
                entries[path]["deep"] = {"error": why or "full analysis failed"}
            else:
                entry = self._entry(path, record, entries[path]["from_cache"], skip)
                enrich(entry, record)
                entry["deep"] = {k: deep_part[k] for k in ("engine", "seconds", "api_calls")}
                entries[path] = entry
            if on_done:
                on_done("deep", path)

        if wanted:
            features_many(wanted, jobs=jobs, limits=limits, yara=self.yara, yara_folders=self.yara_folders,
                          deep=rule_needles(self.rules), on_done=deeper, keep=False)
        return [entries[p] for p in paths]

    def _entry(self, path: Path, record: dict, cached: bool, skip: frozenset[str]) -> dict[str, Any]:
        return entry_for(path, record, self.rules, self.pack, cached, skip=skip)
