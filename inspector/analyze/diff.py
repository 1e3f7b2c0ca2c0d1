"""Two acquisitions of the same phone compared (``inspector diff A B``): e.g. before and after a border
crossing. What changed is returned as findings (family ``device_change``), so that the terminal, the
JSON and the store show it like any other finding:

- apps added, removed, updated (version), and an app whose signing certificate changed between the
  two (same package name, another signer: the app was replaced — how an implant can hide inside a
  familiar name);
- computers newly trusted for USB debugging (ADB keys), leaving out the keys of the computers that
  made the two acquisitions;
- accessibility services, device admins, device/profile owners and notification listeners that are
  new in B;
- security settings that changed (USB debugging, wireless debugging, unknown sources, app
  verification, developer options);
- on iPhones (live scans and iTunes/Finder backups, :mod:`inspector.analyze.diff_ios`): apps added,
  removed, updated or signed by someone else, configuration profiles installed (with their root
  certificates, VPN, proxy and MDM payloads when a backup holds them), MDM enrolment, backup
  encryption switched on.

Certificates come from the APK engine's feature records (cached by APK SHA-256; the APK is read only
if its features were never extracted), falling back to the signature hashes of ``dumpsys package``
when no APK was copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector.acquisition import Acquisition
from inspector.analyze.android_state import AndroidState
from inspector.analyze.apk import cache as apk_cache
from inspector.analyze.findings import Evidence, Finding

FAMILY = "device_change"
SCHEMA_VERSION = "1.0"

# Settings whose change matters for the phone's security: namespace, key, the value that is weaker.
SECURITY_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("global", "adb_enabled", "1"),
    ("global", "adb_wifi_enabled", "1"),
    ("global", "development_settings_enabled", "1"),
    ("global", "package_verifier_enable", "0"),
    ("global", "verifier_verify_adb_installs", "0"),
    ("global", "package_verifier_user_consent", "-1"),
    ("secure", "install_non_market_apps", "1"),
)


class DiffError(Exception):
    """The two acquisitions cannot be compared (not the same phone, not Android…), with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class _Side:
    acq: Acquisition
    state: AndroidState
    packages: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, acq: Acquisition) -> _Side:
        try:
            listed = json.loads(acq.artifact_path("packages.json").read_text("utf-8"))
        except (OSError, ValueError):
            listed = []
        packages = {p["name"]: p for p in listed if isinstance(p, dict) and isinstance(p.get("name"), str)
                    and not p.get("uninstalled")} if isinstance(listed, list) else {}
        return cls(acq, AndroidState.of(acq), packages)

    def ev(self, artifact: str, excerpt: str, locator: str | None = None) -> Evidence:
        digest = (self.acq.artifact(artifact) or {}).get("sha256")
        return Evidence(artifact=artifact, excerpt=excerpt[:500], sha256=digest, locator=locator)

    def base_apk(self, package: str) -> dict[str, Any] | None:
        files = self.packages.get(package, {}).get("files") or []
        for entry in files:
            if isinstance(entry, dict) and str(entry.get("path", "")).endswith("base.apk"):
                return entry
        return files[0] if files and isinstance(files[0], dict) else None

    def certificates(self, package: str) -> tuple[list[str], str]:
        """SHA-256 digests of the signing certificates ("apk"), or dumpsys's signature hashes
        ("dumpsys") when the APK was not copied; empty when neither is known."""
        entry = self.base_apk(package)
        sha = entry.get("sha256") if entry else None
        if isinstance(sha, str) and sha:
            record = apk_cache.load(sha)
            local = entry.get("local_name")
            if record is None and isinstance(local, str) and self.acq.is_complete(local):
                try:
                    record, _cached = apk_cache.features(self.acq.artifact_path(local), sha256=sha)
                except Exception:  # noqa: BLE001 - an unreadable APK: fall back to dumpsys
                    record = None
            if record and record.get("certificates"):
                digests = {c["sha256"] for c in record["certificates"] if isinstance(c, dict) and c.get("sha256")}
                return sorted(digests), "apk"
        dump = self.state.package_dump()
        found = dump.by_name().get(package) if dump else None
        if found is not None and found.signatures:
            return sorted(found.signatures), "dumpsys"
        return [], ""


def finding(kind: str, subject: str, severity: str, confidence: str, evidence: list[Evidence],
            **params: Any) -> Finding:
    return Finding(rule_id=f"diff.{kind}", family=FAMILY, severity=severity, confidence=confidence,
                   title=f"finding.diff.{kind}.title", explanation=f"finding.diff.{kind}.explanation",
                   subject=subject, evidence=tuple(evidence), params={k: v for k, v in params.items() if v is not None})


def _serial(acq: Acquisition) -> str | None:
    return (acq.manifest.get("device") or {}).get("serial_sha256")


def compare(before: Acquisition, after: Acquisition, *, same_phone: bool = True,
            backup_passwords: tuple[str | None, str | None] = (None, None)) -> dict[str, Any]:
    """The diff document: both acquisitions, the phone, and the findings of what changed from
    ``before`` to ``after``. Raises :class:`DiffError` when they are not two Android or two iPhone
    acquisitions of one phone (``same_phone=False`` compares two phones anyway).
    ``backup_passwords``: of the encrypted iPhone backups behind ``before`` and ``after``, if any."""
    platforms = {acq.manifest.get("platform") for acq in (before, after)}
    if len(platforms) != 1 or not platforms <= {"android", "ios"}:
        raise DiffError(f"{before.path} and {after.path} are not two Android or two iPhone acquisitions "
                        f"({', '.join(sorted(str(p) for p in platforms))})",
                        hint="diff compares two acquisitions of one phone.")
    if platforms == {"ios"}:
        from inspector.analyze.diff_ios import check_comparable

        check_comparable(before, "A")
        check_comparable(after, "B")
    if same_phone and (_serial(before) is None or _serial(before) != _serial(after)):
        raise DiffError(f"{before.path} and {after.path} are not acquisitions of the same phone "
                        "(their hashed serial numbers differ or are unknown)",
                        hint="Give two acquisitions of one phone, or add --any-phones to compare two phones.")
    if platforms == {"ios"}:
        from inspector.analyze.diff_ios import compare_ios

        findings, problems = compare_ios(before, after, backup_passwords)
        return _document(before, after, findings, problems)
    a, b = _Side.of(before), _Side.of(after)
    findings: list[Finding] = []
    _packages(a, b, findings)
    _adb_keys(a, b, findings)
    _components(a, b, findings)
    _settings(a, b, findings)
    problems = {f"{side}: {key}": reason
                for side, s in (("before", a), ("after", b)) for key, reason in s.state.errors.items()}
    return _document(before, after, findings, problems)


def _label(acq: Acquisition) -> dict[str, Any]:
    m = acq.manifest
    return {"id": m.get("id"), "path": str(acq.path), "started_at": m.get("started_at"), "complete": acq.complete}


def _document(before: Acquisition, after: Acquisition, findings: list[Finding],
              problems: dict[str, str]) -> dict[str, Any]:
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    findings.sort(key=lambda f: (order[f.severity], f.rule_id, f.subject))
    return {
        "schema_version": SCHEMA_VERSION,
        "platform": after.manifest.get("platform"),
        "device": {k: (after.manifest.get("device") or {}).get(k) for k in ("model", "os_version", "serial_sha256")},
        "before": _label(before),
        "after": _label(after),
        "findings": [f.to_dict() for f in findings],
        "not_compared": problems,
    }


def _packages(a: _Side, b: _Side, out: list[Finding]) -> None:
    for name in sorted(set(b.packages) - set(a.packages)):
        p = b.packages[name]
        certs, _source = b.certificates(name)
        out.append(finding("package_added", name, "low" if p.get("system") else "medium", "verified",
                            [b.ev("packages.json", json.dumps({"name": name, "installer": p.get("installer")}))],
                            package=name, installer=p.get("installer"), version_code=p.get("version_code"),
                            system=bool(p.get("system")), certificates=certs or None))
    for name in sorted(set(a.packages) - set(b.packages)):
        p = a.packages[name]
        out.append(finding("package_removed", name, "info", "verified",
                            [a.ev("packages.json", json.dumps({"name": name}))],
                            package=name, version_code=p.get("version_code")))
    for name in sorted(set(a.packages) & set(b.packages)):
        old, new = a.packages[name], b.packages[name]
        certs_a, src_a = a.certificates(name)
        certs_b, src_b = b.certificates(name)
        if certs_a and certs_b and src_a == src_b and certs_a != certs_b:
            out.append(finding("package_signer_changed", name, "high", "high" if src_a == "apk" else "medium",
                                [a.ev("packages.json", name), b.ev("packages.json", name)],
                                package=name, certificates_before=certs_a, certificates_after=certs_b,
                                source=src_a, version_before=old.get("version_code"),
                                version_after=new.get("version_code")))
        elif old.get("version_code") != new.get("version_code"):
            out.append(finding("package_updated", name, "info", "verified",
                                [b.ev("packages.json", json.dumps({"name": name,
                                                                    "version_code": new.get("version_code")}))],
                                package=name, version_before=old.get("version_code"),
                                version_after=new.get("version_code")))


def _scanner_keys(*sides: _Side) -> set[str]:
    keys = set()
    for side in sides:
        key = (side.acq.manifest.get("scanner") or {}).get("adb_public_key")
        if isinstance(key, str) and key.split():
            keys.add(key.split()[0])
    return keys


def _adb_keys(a: _Side, b: _Side, out: list[Finding]) -> None:
    dump_a, dump_b = a.state.adb(), b.state.adb()
    if dump_b is None:
        return
    before = {k.key.split()[0] for k in dump_a.keys if k.key.split()} if dump_a else set()
    ours = _scanner_keys(a, b)
    for key in dump_b.keys:
        word = key.key.split()[0] if key.key.split() else ""
        if not word or word in before or word in ours:
            continue
        out.append(finding("adb_key_added", key.comment or key.fingerprint or "?", "medium", "high",
                            [b.ev("dumpsys.txt", f"{key.comment or ''} {key.fingerprint or ''}",
                                  f"adb, line {key.line}")],
                            host=key.comment, fingerprint=key.fingerprint,
                            last_connection=key.last_connection.time if key.last_connection else None))


def _component_sets(side: _Side) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"accessibility": set(), "device_admin": set(), "notification_listener": set(),
                                  "device_owner": set()}
    access = side.state.accessibility()
    for user in access.users if access else []:
        found["accessibility"] |= {c.raw for c in user.enabled}
    secure = side.state.settings("secure")
    if secure:
        found["accessibility"] |= {c.raw for c in secure.components("enabled_accessibility_services")}
    policy = side.state.device_policy()
    if policy:
        found["device_admin"] |= {a.component.raw if a.component else a.raw for a in policy.admins}
        owners = [policy.device_owner, *policy.profile_owners]
        found["device_owner"] |= {f"{o.kind}:{o.admin.raw if o.admin else o.package or o.name}" for o in owners if o}
    listeners = side.state.notification()
    if listeners:
        found["notification_listener"] |= {c.component.raw if c.component else c.entry for c in listeners.allowed}
        found["notification_listener"] |= {f"{c.package}/{c.class_name}" for c in listeners.enabled}
    return found


def _normal(component: str) -> str:
    text = component.strip()
    if text.startswith("ComponentInfo{") and text.endswith("}"):
        text = text[len("ComponentInfo{"):-1]
    package, _, cls = text.partition("/")
    if cls.startswith("."):
        cls = package + cls
    return f"{package}/{cls}" if cls else package


_COMPONENT_SEVERITY = {"accessibility": "medium", "device_admin": "medium", "notification_listener": "medium",
                       "device_owner": "high"}


def _components(a: _Side, b: _Side, out: list[Finding]) -> None:
    sets_a, sets_b = _component_sets(a), _component_sets(b)
    for kind, severity in _COMPONENT_SEVERITY.items():
        old = {_normal(c) for c in sets_a[kind]}
        for component in sorted({_normal(c) for c in sets_b[kind]} - old):
            package = component.split(":", 1)[-1].split("/", 1)[0]
            out.append(finding(f"{kind}_added", component, severity, "high",
                                [b.ev("dumpsys.txt", component)], component=component, package=package,
                                new_app=package not in a.packages))


def _settings(a: _Side, b: _Side, out: list[Finding]) -> None:
    for namespace, key, weaker in SECURITY_SETTINGS:
        sa, sb = a.state.settings(namespace), b.state.settings(namespace)
        if sa is None or sb is None:
            continue
        old, new = sa.values.get(key), sb.values.get(key)
        if old == new:
            continue
        weakened = new == weaker
        shown = f"{key}: {old if old is not None else '-'} → {new if new is not None else '-'}"
        out.append(finding("setting_changed", shown, "low" if weakened else "info", "verified",
                            [b.ev(f"settings_{namespace}.txt", f"{key}={new}")],
                            namespace=namespace, setting=key, value_before=old, value_after=new, weakened=weakened))
