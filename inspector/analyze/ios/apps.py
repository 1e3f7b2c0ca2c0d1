"""Where each app came from: the App Store, TestFlight, an enterprise certificate, a developer
certificate. Read from a live scan's ``apps.json`` (installation_proxy Browse: ``SignerIdentity``,
``ProfileValidated``, ``iTunesMetadata``) or a backup's ``Info.plist``/``Manifest.plist``
(``Applications``: an App Store or TestFlight app carries its purchase record, ``iTunesMetadata``).

An enterprise or developer app needs the owner (or someone holding the unlocked phone) to trust its
certificate in Settings › VPN & Device Management: that is how tools installed at a border get on an
iPhone without the App Store.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass
from typing import Any

APP_STORE_SIGNER = "Apple iPhone OS Application Signing"
ENTERPRISE_SIGNERS = ("iPhone Distribution", "Apple Distribution")
DEVELOPER_SIGNERS = ("iPhone Developer", "Apple Development")


@dataclass(frozen=True)
class AppRecord:
    bundle_id: str
    name: str
    version: str
    source: str  # app_store | testflight | enterprise | developer | unknown
    signer: str
    profile_validated: bool
    locator: str


def _metadata(value: Any) -> dict[str, Any]:
    """iTunesMetadata: plist bytes (backup) or their hex (JSON-safe live artifact)."""
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value)
        except ValueError:
            return {}
    if not isinstance(value, bytes):
        return value if isinstance(value, dict) else {}
    try:
        parsed = plistlib.loads(value)
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _source_of_metadata(meta: dict[str, Any]) -> str | None:
    source_app = meta.get("sourceApp")
    if source_app == "com.apple.TestFlight" or meta.get("betaExternalVersionIdentifier"):
        return "testflight"
    if meta:
        return "app_store"
    return None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def from_installation_proxy(entries: Any) -> list[AppRecord]:
    out = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("CFBundleIdentifier"), str):
            continue
        if entry.get("ApplicationType") in ("System", "Internal", "Hidden"):
            continue
        signer = _str(entry.get("SignerIdentity"))
        source = _source_of_metadata(_metadata(entry.get("iTunesMetadata")))
        if signer.startswith(ENTERPRISE_SIGNERS):
            source = "enterprise"
        elif signer.startswith(DEVELOPER_SIGNERS):
            source = "developer"
        elif signer == APP_STORE_SIGNER:
            source = source or "app_store"
        elif entry.get("ProfileValidated"):
            source = "enterprise"
        out.append(AppRecord(entry["CFBundleIdentifier"], _str(entry.get("CFBundleDisplayName"))
                             or _str(entry.get("CFBundleName")), _str(entry.get("CFBundleShortVersionString")),
                             source or "unknown", signer, bool(entry.get("ProfileValidated")), f"/{index}"))
    return out


def from_backup(info: dict[str, Any], manifest: dict[str, Any]) -> list[AppRecord]:
    """Apps named in a backup. Only the purchase record tells the source, so an app without one is
    "unknown" (an enterprise, developer or removed App Store app), never called sideloaded outright."""
    apps: dict[str, AppRecord] = {}
    listed = info.get("Applications") if isinstance(info.get("Applications"), dict) else {}
    for bundle, entry in listed.items():
        if not isinstance(bundle, str):
            continue
        entry = entry if isinstance(entry, dict) else {}
        meta = _metadata(entry.get("iTunesMetadata"))
        apps[bundle] = AppRecord(bundle, _str(meta.get("itemName")), _str(meta.get("bundleShortVersionString")),
                                 _source_of_metadata(meta) or "unknown", "", False, f"Info.plist Applications/{bundle}")
    installed = info.get("Installed Applications")
    for bundle in installed if isinstance(installed, list) else []:
        if isinstance(bundle, str) and bundle not in apps:
            apps[bundle] = AppRecord(bundle, "", "", "unknown", "", False, "Info.plist Installed Applications")
    in_manifest = manifest.get("Applications")
    for bundle in in_manifest if isinstance(in_manifest, dict) else {}:
        if isinstance(bundle, str) and bundle not in apps:
            apps[bundle] = AppRecord(bundle, "", "", "unknown", "", False, "Manifest.plist Applications")
    return sorted(apps.values(), key=lambda a: a.bundle_id)
