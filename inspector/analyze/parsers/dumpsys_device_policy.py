"""``dumpsys device_policy`` → active device admins, the device owner and profile owners.

Printed by ``DevicePolicyManagerService.dump``, ``Owners.dump`` / ``OwnerInfo.dump`` and
``ActiveAdmin.dump`` (frameworks/base, services/devicepolicy/java/com/android/server/devicepolicy/)::

    Current Device Policy Manager state:
      Device Owner:
        admin=ComponentInfo{com.x/com.x.AdminReceiver}
        name=Example MDM
        package=com.x
        User ID: 0
      Profile Owner (User 10):
        admin=ComponentInfo{…}
      Enabled Device Admins (User 0, provisioningState: 3):
        com.x/.AdminReceiver:
          uid=10123
          testOnlyAdmin=false
          policies:
            wipe-data
            reset-password

Public API: :func:`parse_dumpsys_device_policy` ``(data) -> DevicePolicyDump`` with ``admins``
(list[:class:`DeviceAdmin`]), ``device_owner`` (:class:`Owner` or None), ``profile_owners``
(list[:class:`Owner`]) and ``warnings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from inspector.analyze.parsers._common import (
    ServiceLines,
    ComponentName,
    Input,
    Warnings,
    none_if_null,
    parse_component,
    to_int,
)

ARTIFACT = "dumpsys device_policy"


@dataclass
class DeviceAdmin:
    user: int | None
    component: ComponentName | None
    raw: str
    uid: int | None = None
    provisioning_state: int | None = None
    test_only: bool | None = None
    policies: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def package(self) -> str | None:
        return self.component.package if self.component else None


@dataclass
class Owner:
    kind: str  # "device" or "profile"
    user: int | None
    admin: ComponentName | None = None
    name: str | None = None
    package: str | None = None
    line: int = 0


@dataclass
class DevicePolicyDump:
    admins: list[DeviceAdmin] = field(default_factory=list)
    device_owner: Owner | None = None
    profile_owners: list[Owner] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_ENABLED = re.compile(r"^Enabled Device Admins \(User (?P<user>-?\d+)(?:, provisioningState: (?P<ps>-?\d+))?\):$")
_PROFILE_OWNER = re.compile(r"^Profile Owner \(User (?P<user>-?\d+)\):?$")
_ADMIN_LINE = re.compile(r"^(?P<c>[^\s:/]+/[^\s:]+):$")


def parse_dumpsys_device_policy(data: Input) -> DevicePolicyDump:
    """Parse the output of ``dumpsys device_policy`` (see the module docstring)."""
    warnings = Warnings()
    result = DevicePolicyDump()
    owner: Owner | None = None
    owner_indent = 0
    admins_user: int | None = None
    admins_indent = -1
    provisioning: int | None = None
    admin: DeviceAdmin | None = None
    admin_indent = 0
    in_policies = False
    recognised = False
    lines = ServiceLines(data, warnings)
    for number, line, text in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        if text.startswith("Current Device Policy Manager state") or text.startswith("Device Owner Type"):
            recognised = True
            continue
        # Only a header ("…:") ends a block: a garbage line must not end the admin list it sits in.
        header = text.endswith(":")
        if owner is not None and indent <= owner_indent and header:
            owner = None
        if admin is not None and indent <= admin_indent and header:
            admin, in_policies = None, False
        if admins_user is not None and indent <= admins_indent and header:
            admins_user = None
        if text.rstrip(":").strip() == "Device Owner":
            recognised = True
            owner, owner_indent = Owner(kind="device", user=None, line=number), indent
            result.device_owner = owner
            continue
        if m := _PROFILE_OWNER.match(text):
            recognised = True
            owner, owner_indent = Owner(kind="profile", user=int(m.group("user")), line=number), indent
            result.profile_owners.append(owner)
            continue
        if m := _ENABLED.match(text):
            recognised = True
            admins_user, admins_indent = int(m.group("user")), indent
            provisioning = to_int(m.group("ps"))
            continue
        if owner is not None:
            key, sep, value = text.partition("=")
            if not sep:
                key, sep, value = text.partition(": ")
            key, value = key.strip(), value.strip()
            if key == "admin":
                owner.admin = parse_component(value)
            elif key == "name":
                owner.name = value or None
            elif key == "package":
                owner.package = none_if_null(value)
            elif key == "User ID" and owner.user is None:
                owner.user = to_int(value)
            continue
        if admins_user is None:
            continue
        if admin is None:
            if m := _ADMIN_LINE.match(text):
                admin = DeviceAdmin(user=admins_user, component=parse_component(m.group("c")), raw=m.group("c"),
                                    provisioning_state=provisioning, line=number)
                admin_indent, in_policies = indent, False
                result.admins.append(admin)
            continue
        if text == "policies:":
            in_policies = True
            continue
        if "=" in text:
            in_policies = False
            key, _, value = text.partition("=")
            if key == "uid":
                admin.uid = to_int(value)
            elif key == "testOnlyAdmin":
                admin.test_only = value.strip() == "true"
            continue
        if in_policies and re.fullmatch(r"[a-z][a-z0-9-_]*", text):
            admin.policies.append(text)
        elif text.endswith(":"):
            in_policies = False
    if result.device_owner and result.device_owner.package is None and result.device_owner.admin:
        result.device_owner.package = result.device_owner.admin.package
    for profile_owner in result.profile_owners:
        if profile_owner.package is None and profile_owner.admin:
            profile_owner.package = profile_owner.admin.package
    lines.finish(recognised, ARTIFACT, "no device policy state found")
    result.warnings = warnings.as_list()
    return result
