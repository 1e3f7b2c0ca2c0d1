"""Configuration profiles and MDM enrolment.

Two sources: a backup's ``SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles`` domain
(``Library/ConfigurationProfiles/profile-*.stub``: the whole profile, with its payloads, and
``CloudConfigurationDetails.plist``), and a live scan's ``profiles.json`` (mobile_config GetProfileList:
names and organisations, no payloads; plus the cloud configuration). Payload types that matter at a
border: MDM enrolment, root certificates (they let a proxy read HTTPS), VPN and global HTTP proxies
(they route the phone's traffic elsewhere).
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass, field
from typing import Any

from inspector.analyze.ios.times import from_datetime

MDM = "com.apple.mdm"
ROOT_CERT_TYPES = {"com.apple.security.root", "com.apple.security.pem", "com.apple.security.pkcs1"}
VPN_TYPES = {"com.apple.vpn.managed", "com.apple.vpn.managed.applayer", "com.apple.vpn.managed.appmapping"}
PROXY_TYPES = {"com.apple.proxy.http.global"}
MAX_PROFILE_BYTES = 8 << 20


class ProfileUnreadable(ValueError):
    pass


@dataclass
class Profile:
    uuid: str
    identifier: str
    name: str
    organization: str
    installed: str | None
    payload_types: list[str] = field(default_factory=list)
    source: str = ""  # where it was read: a backup path or profiles.json

    @property
    def kinds(self) -> list[str]:
        """What the profile does that the report names: mdm, root_certificate, vpn, proxy."""
        types = set(self.payload_types)
        out = []
        if MDM in types:
            out.append("mdm")
        if types & ROOT_CERT_TYPES:
            out.append("root_certificate")
        if types & VPN_TYPES:
            out.append("vpn")
        if types & PROXY_TYPES:
            out.append("proxy")
        return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_profile(data: bytes, source: str) -> Profile:
    """A profile plist (a ``.stub`` of a backup, or a ``.mobileconfig`` that is not signed)."""
    if len(data) > MAX_PROFILE_BYTES:
        raise ProfileUnreadable(f"{source}: {len(data)} bytes, too large for a profile")
    try:
        value = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError) as exc:
        raise ProfileUnreadable(f"{source}: not a plist ({exc})") from None
    if not isinstance(value, dict):
        raise ProfileUnreadable(f"{source}: a {type(value).__name__}, not a dictionary")
    content = value.get("PayloadContent")
    payloads = content if isinstance(content, list) else []
    types = [p["PayloadType"] for p in payloads if isinstance(p, dict) and isinstance(p.get("PayloadType"), str)]
    return Profile(uuid=_text(value.get("PayloadUUID")), identifier=_text(value.get("PayloadIdentifier")),
                   name=_text(value.get("PayloadDisplayName")), organization=_text(value.get("PayloadOrganization")),
                   installed=from_datetime(value.get("InstallDate")), payload_types=types, source=source)


def from_profile_list(result: Any) -> list[Profile]:
    """mobile_config GetProfileList, as kept in profiles.json."""
    if not isinstance(result, dict):
        return []
    metadata = result.get("ProfileMetadata")
    out = []
    for identifier, meta in (metadata.items() if isinstance(metadata, dict) else []):
        if not isinstance(meta, dict):
            continue
        out.append(Profile(uuid=_text(meta.get("PayloadUUID")), identifier=str(identifier),
                           name=_text(meta.get("PayloadDisplayName")),
                           organization=_text(meta.get("PayloadOrganization")), installed=None,
                           source="profiles.json"))
    return out


def mdm_enrolment(cloud: Any) -> dict[str, Any] | None:
    """The MDM cloud configuration if the phone is enrolled (supervised, or told to enrol)."""
    if not isinstance(cloud, dict):
        return None
    if not any(cloud.get(k) for k in ("IsSupervised", "IsMDMUnremovable", "ConfigurationURL")):
        return None
    return {k: cloud.get(k) for k in ("OrganizationName", "IsSupervised", "IsMDMUnremovable", "ConfigurationURL")
            if isinstance(cloud.get(k), str | bool)}
