"""Backup encryption switched on by someone else.

Forensic tools (Cellebrite, GrayKey, Magnet) turn on backup encryption with a password of their own
before they make a backup, because an encrypted backup holds more (saved passwords, Health, Wi-Fi).
If the owner never set a backup password, finding it on is a trace of such an extraction. Only the
owner knows, so: asked → a clear answer; not asked (batch) → "needs review".

Read from ``backup_settings.json`` (``WillEncrypt``, live scan) or the backup's ``Manifest.plist``
(``IsEncrypted``).
"""

from __future__ import annotations

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.ios_findings import artifact_evidence, ios_finding
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.signatures import SignaturePack
from inspector.sources.ios.backup import BackupError, read_plist

NAME = "ios_backup_encryption"


def run(ev: IOSEvidence, pack: SignaturePack) -> CheckOutcome:
    outcome = CheckOutcome(NAME, "ran")
    seen: tuple[bool, object, str] | None = None
    settings, problem = ev.json_artifact("backup_settings.json")
    if isinstance(settings, dict) and isinstance(settings.get("WillEncrypt"), bool):
        seen = (settings["WillEncrypt"], artifact_evidence(ev, "backup_settings.json",
                                                           f"WillEncrypt={settings['WillEncrypt']}"), "WillEncrypt")
    root = ev.backup_root()
    if seen is None and root is not None:
        try:
            manifest = read_plist(root / "Manifest.plist")
            value = manifest.get("IsEncrypted")
            if isinstance(value, bool):
                seen = (value, artifact_evidence(ev, ev.backup_artifact(), f"IsEncrypted={value}",
                                                 "Manifest.plist"), "IsEncrypted")
            else:
                problem = f"Manifest.plist IsEncrypted is a {type(value).__name__}, not a boolean"
        except BackupError as exc:
            problem = str(exc)
    if seen is None:
        outcome.status = "failed" if problem else "skipped"
        outcome.reason = problem or "no backup settings were collected and there is no backup"
        return outcome
    encrypted, evidence, key = seen
    outcome.counts = {"encrypted": int(encrypted)}
    answer = ev.options.owner_set_backup_password
    if not encrypted or answer is True:
        return outcome
    if answer is False:
        outcome.findings.append(ios_finding("backup_encryption.not_by_owner", f"{key}=true", "high", "medium",
                                            [evidence]))
    else:
        outcome.findings.append(ios_finding("backup_encryption.ask_owner", f"{key}=true", "medium", "low",
                                            [evidence]))
    return outcome
