"""The fourth tier, on request (``--deep``): androguard's full bytecode analysis (``AnalyzeAPK``).

It rebuilds the DEX string and class tables from androguard's own DEX parser (so a verdict never
rests on our raw table reader alone: the benchmark checks that both give the same verdicts) and adds
what only a full analysis knows: which methods use each string a rule looks for (``string_xrefs``,
shown as "used by" in the evidence), and which Android framework APIs the app's code calls
(``api_calls``). Hundreds of times slower than the tiers before it, so it runs only when asked, under
the same time and memory limits (``pool.py``), and is never cached."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from inspector.analyze.apk.androguard_setup import prepare_androguard
from inspector.analyze.apk.features import extract

MAX_XREFS = 5
# Framework classes whose use says something about what an app can take (shown, never graded).
SENSITIVE_CLASSES = (
    "Landroid/telephony/SmsManager;", "Landroid/telephony/TelephonyManager;", "Landroid/content/ContentResolver;",
    "Landroid/net/wifi/WifiManager;", "Landroid/location/LocationManager;", "Landroid/media/MediaRecorder;",
    "Landroid/hardware/Camera;", "Landroid/content/pm/PackageManager;", "Ljava/lang/Runtime;",
    "Ljava/lang/ProcessBuilder;", "Ljava/net/HttpURLConnection;", "Landroid/accounts/AccountManager;",
)


def rule_needles(rules) -> set[str]:
    """Every ``dex_string`` value of the rules: the strings whose users deep mode looks up."""
    out: set[str] = set()

    def walk(cond) -> None:
        if cond.kind in ("any", "all", "at_least"):
            for child in cond.value:
                walk(child)
        elif cond.kind == "dex_string":
            out.add(cond.value)

    for rule in rules:
        for cond in rule.conditions:
            walk(cond)
    return out


def deep_record(path: Path, sha256: str, yara=None, needles: set[str] = frozenset()) -> dict[str, Any]:
    """The tiered record, with its DEX tables taken from androguard's analysis and a ``deep`` part."""
    record = extract(path, sha256, yara=yara)
    prepare_androguard()
    started = time.perf_counter()
    try:
        from androguard.misc import AnalyzeAPK

        apk, dexes, dx = AnalyzeAPK(str(path))
    except Exception as exc:  # noqa: BLE001 - androguard raises anything on hostile input
        record["deep"] = {"error": f"AnalyzeAPK failed: {type(exc).__name__}: {exc}"[:500]}
        record["errors"].append(record["deep"]["error"])
        return record
    names = [d["name"] for d in record["dex"]] or [f"classes{'' if i == 0 else i + 1}.dex" for i in range(len(dexes))]
    if len(names) == len(dexes):  # same DEX files, same order (both follow the APK's entry order)
        record["dex"] = [{"name": name, "sha256": old.get("sha256") if (old := _by_name(record, name)) else None,
                          "strings": list(dex.get_strings()),
                          "classes": [c.get_name() for c in dex.get_classes()], "error": None}
                         for name, dex in zip(names, dexes, strict=True)]
    xrefs: dict[str, list[str]] = {}
    for needle in sorted(needles):
        users: list[str] = []
        for analysis in dx.find_strings(_literal(needle)):
            for _cls, method in analysis.get_xref_from():
                users.append(f"{method.class_name}->{method.name}")
        if users:
            xrefs[needle] = sorted(set(users))[:MAX_XREFS]
    calls = sorted({f"{m.class_name}->{m.name}" for m in dx.get_external_methods()
                    if m.class_name in SENSITIVE_CLASSES})
    record["deep"] = {"engine": "androguard AnalyzeAPK", "seconds": round(time.perf_counter() - started, 3),
                      "string_xrefs": xrefs, "api_calls": calls}
    return record


def _by_name(record: dict, name: str) -> dict | None:
    return next((d for d in record["dex"] if d["name"] == name), None)


def _literal(text: str) -> str:
    import re

    return ".*" + re.escape(text) + ".*"


def enrich(entry: dict[str, Any], record: dict[str, Any]) -> None:
    """Add "used by METHOD" to the dex_string evidence of an entry's matches (deep records only)."""
    if "string_xrefs" not in (record.get("deep") or {}):
        return
    xrefs = record["deep"]["string_xrefs"]
    for match in entry.get("matches", []):
        for evidence in match.get("matched", []):
            if evidence.get("condition") == "dex_string":
                evidence["used_by"] = xrefs.get(evidence.get("value"), [])  # [] = no code uses it
