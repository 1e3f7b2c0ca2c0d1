"""What the simulated iPhone holds: lockdown values, the backup domain, apps, profiles, crash logs.

Synthetic, modelled on what an iPhone 13 on iOS 17.6 answers (key names and value types as Apple's
lockdownd, installation_proxy, MCInstall and crash-report copy services send them; see README.md).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

UDID = "00008110-001A2B3C4D5E801E"
SERIAL = "F2LXK0ABCDEF"

# Values lockdownd answers before a session exists (public ones); everything else needs a session.
PUBLIC_KEYS = ("BasebandVersion", "BuildVersion", "DeviceClass", "DeviceColor", "DevicePublicKey", "DeviceName",
               "HardwareModel", "ProductName", "ProductType", "ProductVersion", "UniqueChipID", "UniqueDeviceID",
               "WiFiAddress", "CPUArchitecture", "HostAttached", "ActivationState", "TimeZone")


def _ips(name: str, bug_type: str, body: dict[str, Any]) -> bytes:
    """An .ips crash/analytics report as iOS 15+ writes it: one JSON header line, then a JSON body."""
    header = {"bug_type": bug_type, "timestamp": "2026-11-18 10:15:32.00 +0600",
              "os_version": "iPhone OS 17.6.1 (21G93)", "name": name,
              "incident_id": "5A6B3C1D-9E2F-4A7B-8C0D-1E2F3A4B5C6D"}
    return (json.dumps(header) + "\n" + json.dumps(body, indent=2) + "\n").encode()


def default_apps() -> list[dict[str, Any]]:
    return [
        {"CFBundleIdentifier": "com.apple.mobilesafari", "ApplicationType": "System", "CFBundleDisplayName": "Safari",
         "CFBundleShortVersionString": "17.6", "CFBundleVersion": "8618.3.11.10.5",
         "Path": "/Applications/MobileSafari.app", "IsAppClip": False},
        {"CFBundleIdentifier": "ph.telegra.Telegraph", "ApplicationType": "User", "CFBundleDisplayName": "Telegram",
         "CFBundleShortVersionString": "11.2", "CFBundleVersion": "29311",
         "SignerIdentity": "Apple iPhone OS Application Signing", "ProfileValidated": False,
         "Path": "/private/var/containers/Bundle/Application/8E1C6A52-3B7D-4F2E-9C1A-7D5B3E9F1A2C/Telegram.app",
         "Container": "/private/var/mobile/Containers/Data/Application/1B2C3D4E-5F60-4718-92A3-B4C5D6E7F801",
         "EnvironmentVariables": {"HOME": "/private/var/mobile/Containers/Data/Application/1B2C"},
         "iTunesMetadata": b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>"},
        {"CFBundleIdentifier": "com.example.fieldtool", "ApplicationType": "User", "CFBundleDisplayName": "Field Tool",
         "CFBundleShortVersionString": "2.0.1", "CFBundleVersion": "201",
         "SignerIdentity": "iPhone Distribution: Example Border Tech Co., Ltd.", "ProfileValidated": True,
         "Path": "/private/var/containers/Bundle/Application/0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0/FieldTool.app",
         "Entitlements": {"application-identifier": "ABCDE12345.com.example.fieldtool",
                          "get-task-allow": False}},
        {"CFBundleIdentifier": "org.example.beta", "ApplicationType": "User", "CFBundleDisplayName": "Beta Notes",
         "CFBundleShortVersionString": "0.9", "CFBundleVersion": "90",
         "SignerIdentity": "Apple iPhone OS Application Signing", "ProfileValidated": False, "IsBeta": True,
         "Path": "/private/var/containers/Bundle/Application/77777777-8888-4999-AAAA-BBBBBBBBBBBB/BetaNotes.app"},
    ]


def default_profiles() -> dict[str, Any]:
    ident = "com.example.mdm.enrollment"
    return {
        "Status": "Acknowledged",
        "OrderedIdentifiers": [ident],
        "ProfileManifest": {ident: {"Description": "Device Management", "IsActive": True}},
        "ProfileMetadata": {ident: {"PayloadDisplayName": "Device Management",
                                    "PayloadDescription": "Installs the management certificate",
                                    "PayloadOrganization": "Example Border Tech",
                                    "PayloadUUID": "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
                                    "PayloadVersion": 1, "PayloadRemovalDisallowed": False,
                                    "InstallDate": datetime(2026, 11, 18, 4, 20, 0)}},
    }


def default_crash_logs() -> dict[str, bytes]:
    return {
        "JetsamEvent-2026-11-18-101532.ips": _ips("JetsamEvent", "298", {"largestProcess": "fieldtoold",
                                                                         "processes": [{"name": "fieldtoold"}]}),
        "fieldtoold-2026-11-18-101002.ips": _ips("fieldtoold", "309", {"procName": "fieldtoold",
                                                                       "procPath": "/private/var/tmp/fieldtoold"}),
        "Retired/Telegram-2026-10-02-081500.ips": _ips("Telegram", "309", {"procName": "Telegram"}),
        "Analytics-2026-11-18-000000.ips.ca.synced": _ips("Analytics", "211", {"events": []}),
    }


@dataclass
class FakeProfile:
    """One simulated iPhone. Change the fields to make another (a locked one, a hostile one...)."""

    udid: str = UDID
    values: dict[str, Any] = field(default_factory=lambda: {
        "ActivationState": "Activated", "BasebandVersion": "3.60.02", "BluetoothAddress": "a4:c3:f0:11:22:33",
        "BuildVersion": "21G93", "CPUArchitecture": "arm64e", "DeviceClass": "iPhone", "DeviceColor": "1",
        "DeviceName": "Aigerim's iPhone", "HardwareModel": "D17AP", "HostAttached": True,
        "InternationalMobileEquipmentIdentity": "356789104512345", "PasswordProtected": True,
        "PhoneNumber": "+996 555 123 456", "ProductName": "iPhone OS", "ProductType": "iPhone14,5",
        "ProductVersion": "17.6.1", "SerialNumber": SERIAL, "TimeZone": "Asia/Bishkek",
        "TimeZoneOffsetFromUTC": 21600.0, "UniqueChipID": 7331002233445566, "UniqueDeviceID": UDID,
        "WiFiAddress": "a4:c3:f0:11:22:34", "TrustedHostAttached": True,
    })
    backup_domain: dict[str, Any] = field(default_factory=lambda: {
        "WillEncrypt": True, "CloudBackupEnabled": False,
        "LastiTunesBackupDate": datetime(2026, 11, 18, 4, 31, 0), "LastiTunesBackupTZ": "Asia/Urumqi",
    })
    apps: list[dict[str, Any]] = field(default_factory=default_apps)
    profiles: dict[str, Any] = field(default_factory=default_profiles)
    cloud_configuration: dict[str, Any] | None = field(default_factory=lambda: {
        "IsSupervised": False, "IsMDMUnremovable": False, "ConfigurationWasApplied": False,
        "AllowPairing": True})
    crash_logs: dict[str, bytes] = field(default_factory=default_crash_logs)

    def copy(self) -> FakeProfile:
        return copy.deepcopy(self)
