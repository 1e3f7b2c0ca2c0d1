"""Result documents for the report tests and the report benchmark (bench/report.py), built here so
that no acquisition is needed: a small one like the demo phone's, one with a crossing window and a
timeline, one whose every device string is hostile, and a large synthetic one (300 apps, 50 findings).

The shapes follow docs/result-schema.md; findings are made by the analysis's own ``Finding`` class.
"""

from __future__ import annotations

import random
from typing import Any

from inspector.analyze.findings import Evidence, Finding

HOSTILE = "<script>alert(1)</script>\"'\n\udcff"
VERDICTS = ("implant_found", "needs_review", "nothing_found", "incomplete")


def make_result(verdict: str = "implant_found", findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if findings is None:
        findings = [
            Finding(
                rule_id="bxaq.package.installed",
                family="bxaq",
                severity="critical",
                confidence="verified",
                title="finding.known_package.installed.title",
                explanation="finding.known_package.installed.explanation",
                subject="com.fiberhome.wifiaudit",
                evidence=(Evidence("packages.json", '{"name": "com.fiberhome.wifiaudit"}', "1" * 64, "/3"),),
                references=("https://citizenlab.ca/2019/07/bxaq/",),
                params={"family_name": "BXAQ", "takes": ["contacts", "sms", "call_log", "new_kind_of_data"]},
            ).to_dict(),
            Finding(
                rule_id="bxaq.leftover.cjlog",
                family="bxaq",
                severity="high",
                confidence="high",
                title="finding.leftover_file.title",
                explanation="finding.leftover_file.explanation",
                subject="/sdcard/cjlog.txt",
                evidence=(Evidence("files.json", "/sdcard/cjlog.txt", "2" * 64),),
                time="2026-11-21T10:00:00Z",
                params={
                    "family_name": "BXAQ",
                    "path": "/sdcard/cjlog.txt",
                    "modified_time": "2026-11-21T10:00:00Z",
                    "check_time": "2026-11-21T09:58:00Z",
                },
            ).to_dict(),
        ]
    return {
        "schema_version": "1.0",
        "tool": {
            "name": "inspector",
            "version": "0.1.0",
            "signature_pack": {"version": "2026.11.0", "sha256": "a" * 64},
        },
        "generated_at": "2026-11-22T02:10:00Z",
        "verdict": verdict,
        "device": {
            "platform": "android",
            "manufacturer": "Xiaomi",
            "model": "Redmi Note 11",
            "os_version": "13",
            "build": "TKQ1.221114.001",
            "serial_sha256": "b" * 64,
        },
        "acquisition": {
            "path": "/home/helpdesk/acq/2026-11-22-redmi",
            "id": "acq-20261122-0100",
            "complete": True,
            "started_at": "2026-11-22T01:00:00Z",
            "finished_at": "2026-11-22T01:06:00Z",
            "operator": "helpdesk",
            "artifacts": [
                {"name": "packages.json", "status": "complete", "error": None},
                {"name": "files.json", "status": "complete", "error": None},
            ],
            "hashes_csv_sha256": "c" * 64,
        },
        "inventory": {
            "packages": 5,
            "packages_uninstalled_kept_data": 1,
            "apks_collected": 4,
            "apks_analyzed": 4,
            "files_listed": 52,
        },
        "coverage": [
            {"check": "known_packages", "status": "ran", "reason": None},
            {"check": "leftover_files", "status": "ran", "reason": None},
        ],
        "findings": findings,
    }


def hostile_result() -> dict[str, Any]:
    """Every device-supplied string in the document is hostile."""
    result = make_result(
        findings=[
            Finding(
                rule_id="bxaq.package.installed",
                family="bxaq",
                severity="critical",
                confidence="verified",
                title="finding.known_package.installed.title",
                explanation="finding.known_package.installed.explanation",
                subject=HOSTILE,
                evidence=(Evidence(HOSTILE, HOSTILE + "</pre></details><img src=http://x/a.png>", None, HOSTILE),),
                references=("javascript:alert(1)", HOSTILE),
                params={"family_name": HOSTILE, "path": HOSTILE, "modified_time": HOSTILE},
            ).to_dict(),
        ]
    )
    result["device"].update(
        manufacturer=HOSTILE, model="</style><script src=https://evil.example/x.js></script>", build=HOSTILE
    )
    result["acquisition"].update(path=HOSTILE, operator=HOSTILE, complete=False)
    result["acquisition"]["artifacts"].append(
        {"name": "<iframe src=https://evil.example>", "status": "failed", "error": HOSTILE}
    )
    result["coverage"].append({"check": HOSTILE, "status": "skipped", "reason": HOSTILE})
    return result


# Markup a package name, an app label or a file name can carry; the report must show it as text.
MARKUP_NAMES = (
    '"><img src=x onerror=alert(1)>',
    "<script>document.title='pwned'</script>",
    "<svg/onload=alert(1)>",
    "javascript:alert(document.domain)",
    "</style><style>*{display:none}</style>",
    '<a href="http://evil.example/">tap here</a>',
)


def markup_result() -> dict[str, Any]:
    """Package names, labels and file names made of markup, in every place the report shows them."""
    findings = []
    for i, name in enumerate(MARKUP_NAMES):
        findings.append(
            Finding(
                rule_id=f"bxaq.leftover.m{i}",
                family="bxaq",
                severity="high",
                confidence="high",
                title="finding.leftover_file.title",
                explanation="finding.leftover_file.explanation",
                subject=f"/sdcard/Download/{name}",
                evidence=(Evidence("files.json", f'{{"path": "/sdcard/Download/{name}"}}', "3" * 64, name),),
                time="2026-11-21T10:00:00Z",
                params={
                    "family_name": name,
                    "path": f"/sdcard/Download/{name}",
                    "modified_time": "2026-11-21T10:00:00Z",
                    "label": name,
                    "takes": [name],
                },
            ).to_dict()
        )
    result = make_result(findings=findings)
    result["device"]["model"] = MARKUP_NAMES[0]
    result["timeline"] = [
        {
            "time": "2026-11-21T10:00:00Z",
            "event": "package_installed",
            "subject": name,
            "artifact": name,
            "in_window": True,
            "finding_rule_id": None,
        }
        for name in MARKUP_NAMES
    ]
    result["window"] = {"start": "2026-11-21T08:00:00Z", "end": "2026-11-21T12:00:00Z", "timezone": "Asia/Urumqi"}
    return result


def timeline_result() -> dict[str, Any]:
    """A result with a crossing window and a timeline (optional 1.x fields, docs/result-schema.md):
    one finding during the crossing, one before it, one with no time."""
    result = make_result()
    result["findings"][1]["time"] = "2026-11-21T10:00:00Z"  # leftover file: in the window
    result["findings"].append(
        Finding(
            rule_id="bxaq.targets.match",
            family="bxaq",
            severity="low",
            confidence="verified",
            title="finding.target_file.title",
            explanation="finding.target_file.explanation",
            subject="/sdcard/Download/notes.pdf",
            evidence=(Evidence("file_hashes.json", '{"path": "/sdcard/Download/notes.pdf"}', "4" * 64),),
            time="2026-11-01T09:00:00Z",  # weeks before the crossing
            params={
                "family_name": "BXAQ",
                "list_name": "BXAQ list",
                "path": "/sdcard/Download/notes.pdf",
                "size": 48012,
                "md5": "691647CBEC3AE95B13E8874AD82D4441",
                "list_entries": 73315,
            },
        ).to_dict()
    )
    result["window"] = {"start": "2026-11-21T08:00:00Z", "end": "2026-11-21T12:00:00Z", "timezone": "Asia/Shanghai"}
    result["timeline"] = [
        {
            "time": "2026-11-01T09:00:00Z",
            "event": "file_modified",
            "subject": "/sdcard/Download/notes.pdf",
            "artifact": "files.json",
            "in_window": False,
            "finding_rule_id": "bxaq.targets.match",
        },
        {
            "time": "2026-11-21T09:12:00Z",
            "event": "usb_debugging_enabled",
            "subject": "",
            "artifact": "settings_global.txt",
            "in_window": True,
        },
        {
            "time": "2026-11-21T09:14:00Z",
            "event": "package_installed",
            "subject": "com.fiberhome.wifiaudit",
            "artifact": "packages.json",
            "in_window": True,
            "finding_rule_id": "bxaq.package.installed",
        },
        {
            "time": "2026-11-21T10:00:00Z",
            "event": "finding",
            "subject": "/sdcard/cjlog.txt",
            "artifact": "files.json",
            "in_window": True,
            "finding_rule_id": "bxaq.leftover.cjlog",
        },
        {
            "time": "2026-11-21T10:05:00Z",
            "event": "brand_new_event",
            "subject": "something",
            "artifact": "logcat.txt",
            "in_window": True,
        },
        {
            "time": "2026-11-22T01:00:00Z",
            "event": "usb_connected",
            "subject": "",
            "artifact": "logcat.txt",
            "in_window": False,
        },
    ]
    return result


def large_result(packages: int = 300, findings: int = 50, seed: int = 7) -> dict[str, Any]:
    """A synthetic phone with ``packages`` apps and ``findings`` findings of every kind the catalog
    knows, with realistic evidence sizes (for bench/report.py and the size tests)."""
    rng = random.Random(seed)
    kinds = [
        ("finding.known_package.installed", "critical", "verified"),
        ("finding.known_package.kept_data", "high", "verified"),
        ("finding.leftover_file", "high", "high"),
        ("finding.target_file", "low", "verified"),
        ("finding.indicator.app_named", "medium", "high"),
        ("finding.indicator.domain", "medium", "medium"),
    ]
    items = []
    for i in range(findings):
        key, severity, confidence = kinds[i % len(kinds)]
        package = f"com.example.app{rng.randrange(packages):03d}"
        path = f"/sdcard/Download/file_{i:03d}_{rng.randrange(10**6):06d}.pdf"
        excerpt = "\n".join(
            f"11-21 10:{m:02d}:00.000  1000  1234 I PackageManager: event {package} line {m}" for m in range(40)
        )
        items.append(
            Finding(
                rule_id=f"bench.{key.split('.', 1)[1]}.{i}",
                family="bxaq",
                severity=severity,
                confidence=confidence,
                title=f"{key}.title",
                explanation=f"{key}.explanation",
                subject=path if "file" in key else package,
                evidence=(
                    Evidence("logcat.txt", excerpt, f"{rng.getrandbits(256):064x}", f"line {i * 40}"),
                    Evidence(
                        "packages.json",
                        f'{{"name": "{package}", "uid": {10000 + i}}}',
                        f"{rng.getrandbits(256):064x}",
                        f"/{i}",
                    ),
                ),
                references=("https://example.org/report-one", "https://example.org/report-two"),
                time=f"2026-11-21T{8 + i % 6:02d}:{i % 60:02d}:00Z",
                params={
                    "family_name": "BXAQ / 蜂采",
                    "path": path,
                    "modified_time": f"2026-11-21T10:{i % 60:02d}:00Z",
                    "size": 1000 + i,
                    "md5": f"{rng.getrandbits(128):032X}",
                    "list_entries": 73315,
                    "list_name": "BXAQ list",
                    "mentions": i + 1,
                    "takes": ["contacts", "sms", "call_log"],
                },
            ).to_dict()
        )
    result = make_result("implant_found", items)
    result["inventory"].update(
        packages=packages, apks_collected=packages - 20, apks_analyzed=packages - 40, files_listed=25000
    )
    result["acquisition"]["artifacts"] = [
        {"name": f"apks/com.example.app{i:03d}_base.apk", "status": "complete", "error": None}
        for i in range(packages - 20)
    ] + [{"name": n, "status": "complete", "error": None} for n in ("packages.json", "files.json", "logcat.txt")]
    result["coverage"] = [
        {"check": "known_packages", "status": "ran", "reason": None, "counts": {"packages": packages}},
        {"check": "leftover_files", "status": "ran", "reason": None, "counts": {"files": 25000}},
        {"check": "indicators", "status": "ran", "reason": None, "counts": {"indicators": 12000, "text_artifacts": 6}},
    ]
    result["window"] = {"start": "2026-11-21T08:00:00Z", "end": "2026-11-21T14:00:00Z", "timezone": "Asia/Urumqi"}
    result["timeline"] = [
        {
            "time": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "event": "app_used",
            "subject": f"com.example.app{i % packages:03d}",
            "artifact": "dumpsys.txt",
            "in_window": False,
        }
        for i in range(400)
    ]
    return result
