"""``dumpsys package`` → packages, package changes and install sessions.

Printed by ``Settings.dumpPackageLPr`` / ``dumpPackagesLPr`` (frameworks/base, services/core/java/com/
android/server/pm/Settings.java), the ``Package Changes`` block of PackageManagerService's dump and
``PackageInstallerService.dump``. What moved between versions, all read here:

- Android 8–12: ``userId=``, package-level ``firstInstallTime=``; 11 adds
  ``installInitiatingPackageName=`` / ``installOriginatingPackageName=``, 12 ``installerAttributionTag=``.
- Android 13: per-user ``installReason=`` / ``firstInstallTime=`` / ``uninstallReason=`` lines under
  ``User N:``, ``packageSource=``.
- Android 14–16 (and Samsung One UI on them): ``appId=``, always ``installerPackageName=``,
  ``installerPackageUid=``, ``initiatingPackageName=``, ``originatingPackageName=``,
  ``privatePkgFlags=``, ``deDataInode=`` and ``quarantined=`` on the user line.
- Unknown ``key=value`` lines (vendor additions) are kept in ``PackageRecord.extras``.

Public API: :func:`parse_dumpsys_package` ``(data, tz=None) -> PackageDump`` with

- ``packages``: list[:class:`PackageRecord`] from ``Packages:``;
- ``hidden_system_packages``: the factory versions of updated system apps (``Hidden system packages:``);
- ``package_changes``: list[:class:`PackageChange`] (``Package Changes:``: user, seq, package; the
  packages installed, updated or removed since boot);
- ``install_sessions``: list[:class:`InstallSession`] (``Active``/``Historical install sessions:``);
- ``warnings``.

A package uninstalled with "keep data" (``pm uninstall -k``) stays listed with ``pkg=null``
(``PackageRecord.pkg_loaded`` False) and ``installed=false`` for every user
(``PackageRecord.uninstalled_with_data``).

``signatures`` are the 32-bit ``Signature.hashCode()`` values printed in ``PackageSignatures{…}``,
not certificate digests: dumpsys package prints no digest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import (
    DUMPSYS_ERRORS,
    Input,
    Stamp,
    TimeContext,
    Warnings,
    bounded_lines,
    none_if_null,
    stamp_epoch,
    stamp_local,
    time_context,
    to_int,
)

ARTIFACT = "dumpsys package"


@dataclass(slots=True)
class PermissionGrant:
    name: str
    granted: bool | None
    flags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PackageUserState:
    user: int
    installed: bool | None = None
    hidden: bool | None = None
    suspended: bool | None = None
    stopped: bool | None = None
    not_launched: bool | None = None
    enabled: int | None = None  # COMPONENT_ENABLED_STATE_*: 0 default, 1 enabled, 2 disabled, 3 by user
    instant: bool | None = None
    ce_data_inode: int | None = None
    install_reason: int | None = None
    uninstall_reason: int | None = None
    first_install_time: Stamp | None = None  # Android 13+
    data_dir: str | None = None
    last_disabled_caller: str | None = None
    gids: list[int] = field(default_factory=list)
    runtime_permissions: list[PermissionGrant] = field(default_factory=list)
    disabled_components: list[str] = field(default_factory=list)
    enabled_components: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # every key=value of the user line, raw


@dataclass(slots=True)
class PackageRecord:
    name: str
    line: int  # 1-based line of "Package [name]" in the input
    compat_name: str | None = None
    app_id: int | None = None  # userId= (≤13) / appId= (14+)
    shared_user: str | None = None
    pkg_loaded: bool | None = None  # False for "pkg=null": settings kept, no APK (e.g. uninstalled -k)
    code_path: str | None = None
    resource_path: str | None = None
    data_dir: str | None = None
    version_code: int | None = None
    version_name: str | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    splits: list[str] = field(default_factory=list)
    apk_signing_version: int | None = None
    flags: list[str] = field(default_factory=list)
    private_flags: list[str] = field(default_factory=list)
    pkg_flags: list[str] = field(default_factory=list)
    timestamp: Stamp | None = None  # timeStamp=: last modification of the APK
    first_install_time: Stamp | None = None  # package level (≤12), else the earliest user's
    last_update_time: Stamp | None = None
    installer_package_name: str | None = None
    installer_package_uid: int | None = None
    install_initiating_package_name: str | None = None
    install_originating_package_name: str | None = None
    update_owner_package_name: str | None = None
    installer_attribution_tag: str | None = None
    package_source: int | None = None  # PackageInstaller.PACKAGE_SOURCE_*: 2 store, 3 local file, 4 downloaded
    signatures: list[str] = field(default_factory=list)
    past_signatures: list[str] = field(default_factory=list)
    signature_scheme_version: int | None = None
    requested_permissions: list[str] = field(default_factory=list)
    install_permissions: list[PermissionGrant] = field(default_factory=list)
    declared_permissions: list[str] = field(default_factory=list)
    users: list[PackageUserState] = field(default_factory=list)
    hidden_system: bool = False  # from "Hidden system packages:"
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def debuggable(self) -> bool:
        return "DEBUGGABLE" in self.flags or "DEBUGGABLE" in self.pkg_flags

    @property
    def system(self) -> bool:
        return "SYSTEM" in self.flags or "SYSTEM" in self.pkg_flags

    @property
    def installed_users(self) -> list[int]:
        return [u.user for u in self.users if u.installed]

    @property
    def uninstalled_with_data(self) -> bool:
        """Known to every user as not installed, yet still in the package settings."""
        return bool(self.users) and all(u.installed is False for u in self.users)

    @property
    def granted_permissions(self) -> list[str]:
        """Install permissions and runtime permissions of any user that are granted, in order."""
        names: dict[str, None] = {}
        for grant in self.install_permissions:
            if grant.granted:
                names.setdefault(grant.name)
        for user in self.users:
            for grant in user.runtime_permissions:
                if grant.granted:
                    names.setdefault(grant.name)
        return list(names)


@dataclass(slots=True)
class PackageChange:
    user: int
    seq: int
    package: str


@dataclass(slots=True)
class InstallSession:
    session_id: int
    historical: bool
    user: int | None = None
    app_package_name: str | None = None
    installer_package_name: str | None = None
    install_initiating_package_name: str | None = None
    install_originating_package_name: str | None = None
    installer_uid: int | None = None
    original_installer_uid: int | None = None
    original_installer_package_name: str | None = None
    created: Stamp | None = None
    updated: Stamp | None = None
    committed: Stamp | None = None
    stage_dir: str | None = None
    install_flags: int | None = None
    install_reason: int | None = None
    size_bytes: int | None = None
    is_committed: bool | None = None
    final_status: int | None = None
    final_message: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class PackageDump:
    packages: list[PackageRecord] = field(default_factory=list)
    hidden_system_packages: list[PackageRecord] = field(default_factory=list)
    package_changes: list[PackageChange] = field(default_factory=list)
    install_sessions: list[InstallSession] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_name(self) -> dict[str, PackageRecord]:
        return {p.name: p for p in self.packages}


_PACKAGE = re.compile(r"^\s*Package \[(?P<name>.*)\] \((?P<hash>[0-9a-fA-F]*)\):\s*$")
_USER = re.compile(r"^User (?P<user>-?\d+):\s*(?P<rest>.*)$")
_PAIR = re.compile(r"(\w+)=(\[[^\]]*\]|\S*)")
_MORE_PAIRS = re.compile(r"^(?P<first>\S*)(?P<rest>(?: \w+=\S*)+)$")
_SESSION = re.compile(r"^\s*(?:Active |Historical )?Session (?P<id>-?\d+):\s*$")
_SEQ = re.compile(r"^seq=(?P<seq>-?\d+), package=(?P<pkg>.*)$")
_HEX = re.compile(r"\b[0-9a-fA-F]{1,16}\b")
_FLAG_WORD = re.compile(r"[A-Z][A-Z0-9_]*")

# Top-level headers (column 0) after which the parser reads its records.
_PACKAGE_SECTIONS = {"Packages:", "Hidden system packages:"}
_SESSION_SECTIONS = {"Active install sessions:", "Historical install sessions:", "Staged sessions:"}
_MARKERS = ("Database versions:", "Packages:", "Package Changes:", "Key Set Manager:", "Activity Resolver Table:",
            "Hidden system packages:", "Shared users:", "Dexopt state:", "Verifiers:", "Libraries:", "Features:")


def _bool(value: str | None) -> bool | None:
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _flags(value: str) -> list[str]:
    return _FLAG_WORD.findall(value.replace("|", " "))


def _list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [item.strip() for item in value.split(",") if item.strip()]


def _grant(text: str) -> PermissionGrant:
    # "android.permission.CAMERA: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED]"
    name, _, rest = text.partition(":")
    granted = True if "granted=true" in rest else False if "granted=false" in rest else None
    flags: list[str] = []
    at = rest.find("flags=[")
    if at >= 0:
        close = rest.find("]", at)
        flags = _flags(rest[at + 7:close if close >= 0 else len(rest)])
    return PermissionGrant(name=name.strip(), granted=granted, flags=flags)


def _signatures(record: PackageRecord, value: str) -> None:
    # PackageSignatures{30657b version:3, signatures:[5f3c2a1b], past signatures:[]}  (Android 9+)
    # PackageSignatures{42ae0b6 [41f1d3ec]}                                           (Android 8)
    if m := re.search(r"version:(\d+)", value):
        record.signature_scheme_version = int(m.group(1))
    m = re.search(r"(?<!past )signatures:\[([^\]]*)\]", value) or re.search(r"\{\S+ \[([^\]]*)\]", value)
    if m:
        record.signatures = _HEX.findall(m.group(1))
    if m := re.search(r"past signatures:\[([^\]]*)\]", value):
        record.past_signatures = [h for h in _HEX.findall(m.group(1).split("flags:")[0])]


class _PackageParser:
    def __init__(self, ctx: TimeContext, warnings: Warnings) -> None:
        self.ctx = ctx
        self.warnings = warnings
        self.result = PackageDump()
        self.package: PackageRecord | None = None
        self.package_indent = 0
        self.user: PackageUserState | None = None
        self.user_indent = 0
        self.list_name: str | None = None
        self.list_indent = 0
        self.list_owner: str = "package"
        self.section: str | None = None
        self.change_user: int | None = None
        self.session_lines: list[str] | None = None
        self.session_id = 0
        self.session_indent = 0
        self.recognised = False
        self.saw_text = False
        self.unavailable: str | None = None
        self.stamps: dict[str, Stamp] = {}

    # -- driving ---------------------------------------------------------------------------------
    def feed(self, number: int, line: str) -> None:
        body = line.lstrip(" \t")
        if not body:
            return
        stripped = body.rstrip()
        if not stripped:
            return
        self.saw_text = True
        if stripped.startswith(DUMPSYS_ERRORS):
            self.unavailable = self.unavailable or stripped
            return
        indent = len(line) - len(body)
        if indent == 0 and stripped[-1] == ":" and not stripped.startswith("Package ["):
            self._close_package()
            self._close_session()
            self.section = stripped
            self.change_user = None
            if stripped in _MARKERS or stripped in _SESSION_SECTIONS:
                self.recognised = True
            return
        section = self.section
        if section is None or section in _PACKAGE_SECTIONS:
            if self.package is not None and indent > self.package_indent:
                self._package_line(number, indent, stripped)
                return
            if stripped.startswith("Package ["):
                match = _PACKAGE.match(line)
                if match:
                    self._open_package(number, match.group("name"), indent)
                    return
            # A line at the package's level that is neither a package nor a header is damage: skip it.
        elif section == "Package Changes:":
            self._change_line(number, stripped)
        elif section in _SESSION_SECTIONS:
            self._session_line(line, indent, stripped)

    def finish(self) -> PackageDump:
        self._close_package()
        self._close_session()
        if not self.saw_text:
            self.warnings.add("empty input")
        elif not self.recognised and self.unavailable:
            self.warnings.add(f"service unavailable: {self.unavailable[:200]}")
        elif not self.recognised:
            raise ParseError(ARTIFACT, "no package dump structure found (no 'Package [' block or known section)")
        self.result.warnings = self.warnings.as_list()
        return self.result

    # -- packages --------------------------------------------------------------------------------
    def _open_package(self, number: int, name: str, indent: int) -> None:
        self._close_package()
        self.recognised = True
        if not name or len(name) > 512:
            self.warnings.add(f"line {number}: package name empty or too long")
        self.package = PackageRecord(name=name, line=number,
                                     hidden_system=self.section == "Hidden system packages:")
        self.package_indent = indent
        self.user = None
        self.list_name = None

    def _close_package(self) -> None:
        package = self.package
        if package is None:
            return
        if package.first_install_time is None:
            user_times = [u.first_install_time for u in package.users if u.first_install_time is not None]
            dated = [s for s in user_times if s.time]
            if dated:
                package.first_install_time = min(dated, key=lambda s: s.time or "")
            elif user_times:
                package.first_install_time = user_times[0]
        target = self.result.hidden_system_packages if package.hidden_system else self.result.packages
        target.append(package)
        self.package = None
        self.user = None
        self.list_name = None

    def _package_line(self, number: int, indent: int, text: str) -> None:
        if self.list_name is not None:
            if indent > self.list_indent:
                self._list_item(text)
                return
            self.list_name = None
        user = self.user
        if user is not None and indent <= self.user_indent:
            self.user = user = None
        if text[0] == "U" and text.startswith("User "):
            match = _USER.match(text)
            if match:
                self._open_user(number, match, indent)
                return
        eq = text.find("=")
        key = text[:eq] if eq > 0 else ""
        if eq <= 0 or (" " in key and key != "compat name"):
            if text[-1] == ":":
                self.list_name, self.list_indent = text[:-1].strip(), indent
                self.list_owner = "user" if user is not None else "package"
                return
            key, sep, value = text.partition(": ")
            if not sep:
                assert self.package is not None
                self.package.extras.setdefault(f"line {number}", text[:200])
                return
        else:
            value = text[eq + 1:]
        if user is not None:
            handler = _USER_FIELDS.get(key)
            if handler is None:
                user.fields.setdefault(key, value[:1000])
            else:
                handler(self, user, value.strip())
        else:
            handler = _PACKAGE_FIELDS.get(key)
            assert self.package is not None
            if handler is None:
                more = _MORE_PAIRS.match(value)
                if more:
                    # Android ≤ 8 prints several flags on one line ("installPermissionsFixed=true
                    # installStatus=1", "permissionsFixed=true haveGids=true installStatus=1"), as real
                    # captures of Android 4.3–7 show (tests/fixtures/android/captured/).
                    self.package.extras[key] = more.group("first")[:1000]
                    self.package.extras.update((k, v[:1000]) for k, v in _PAIR.findall(more.group("rest")))
                else:
                    self.package.extras[key] = value[:1000]
            else:
                handler(self, self.package, value.strip(), number)

    def _stamp(self, value: str) -> Stamp:
        # Thousands of packages share a handful of times (system apps: the build's fixed timestamp).
        value = value.strip()
        stamp = self.stamps.get(value)
        if stamp is None:
            stamp = stamp_local(value, self.ctx)
            if len(self.stamps) < 100_000:
                self.stamps[value] = stamp
        return stamp

    def _app_id(self, p: PackageRecord, value: str, number: int) -> None:
        first, _, rest = value.partition(" ")
        p.app_id = to_int(first)
        if p.app_id is None:
            self.warnings.add(f"line {number}: app id {value[:40]!r} is not a number")
        if rest:
            p.extras.update(dict(_PAIR.findall(rest)))

    def _version_code(self, p: PackageRecord, value: str, number: int) -> None:
        first, _, rest = value.partition(" ")
        p.version_code = to_int(first)
        if rest:
            pairs = dict(_PAIR.findall(rest))
            p.min_sdk = to_int(pairs.get("minSdk"))
            p.target_sdk = to_int(pairs.get("targetSdk"))

    def _shared_user(self, p: PackageRecord, value: str, number: int) -> None:
        # SharedUserSetting{2e98f1d5 com.google.uid.shared/10012}
        match = re.search(r"\{\S+ ([^/}]+)", value)
        p.shared_user = match.group(1) if match else value

    def _open_user(self, number: int, match: re.Match[str], indent: int) -> None:
        package = self.package
        assert package is not None
        state = PackageUserState(user=int(match.group("user")))
        pairs = dict(_PAIR.findall(match.group("rest")))
        state.fields = pairs
        state.installed = _bool(pairs.get("installed"))
        # Android 4.4 called the state "blocked" ("pm block"); Android 5 renamed it "hidden" (real
        # Android 4.4 capture in tests/fixtures/android/captured/).
        state.hidden = _bool(pairs.get("hidden", pairs.get("blocked")))
        state.suspended = _bool(pairs.get("suspended"))
        state.stopped = _bool(pairs.get("stopped"))
        state.not_launched = _bool(pairs.get("notLaunched"))
        state.instant = _bool(pairs.get("instant"))
        state.enabled = to_int(pairs.get("enabled"))
        state.ce_data_inode = to_int(pairs.get("ceDataInode"))
        if state.installed is None:
            self.warnings.add(f"line {number}: user {state.user} of {package.name}: no installed= value")
        package.users.append(state)
        self.user = state
        self.user_indent = indent

    def _list_item(self, text: str) -> None:
        package = self.package
        assert package is not None
        name = self.list_name
        if self.list_owner == "user" and self.user is not None:
            if name == "runtime permissions":
                self.user.runtime_permissions.append(_grant(text))
            elif name == "disabledComponents":
                self.user.disabled_components.append(text)
            elif name == "enabledComponents":
                self.user.enabled_components.append(text)
            return
        if name == "requested permissions":
            package.requested_permissions.append(re.split(r"[:,]", text, maxsplit=1)[0].strip())
        elif name == "install permissions":
            package.install_permissions.append(_grant(text))
        elif name == "declared permissions":
            package.declared_permissions.append(text.partition(":")[0].strip())
        elif name == "runtime permissions" and package.users:
            # Android 9 prints runtime permissions at the user's indent, not deeper.
            package.users[-1].runtime_permissions.append(_grant(text))

    # -- package changes ---------------------------------------------------------------------------
    def _change_line(self, number: int, text: str) -> None:
        if text.startswith("User "):
            self.change_user = to_int(text[5:].rstrip(":"))
            return
        match = _SEQ.match(text)
        if match and self.change_user is not None:
            self.result.package_changes.append(
                PackageChange(user=self.change_user, seq=int(match.group("seq")), package=match.group("pkg").strip()))
        elif text.startswith("seq="):
            self.warnings.add(f"line {number}: package change not understood")

    # -- install sessions --------------------------------------------------------------------------
    def _session_line(self, line: str, indent: int, text: str) -> None:
        match = _SESSION.match(line)
        if match:
            self._close_session()
            self.session_lines = []
            self.session_id = int(match.group("id"))
            self.session_indent = indent
            return
        if self.session_lines is not None:
            if indent <= self.session_indent:
                self._close_session()
            elif len(self.session_lines) < 200:
                self.session_lines.append(text)

    def _close_session(self) -> None:
        if self.session_lines is None:
            return
        # IndentingPrintWriter wraps session dumps at 120 columns between key=value pairs.
        pairs: dict[str, str] = {}
        for key, value in _PAIR.findall(" ".join(self.session_lines)):
            pairs.setdefault(key, value)
        historical = "Historical" in (self.section or "")
        session = InstallSession(session_id=self.session_id, historical=historical, fields=pairs)
        session.user = to_int(pairs.get("userId"))
        session.app_package_name = none_if_null(pairs.get("appPackageName"))
        session.installer_package_name = none_if_null(pairs.get("installerPackageName")
                                                      or pairs.get("mInstallerPackageName"))
        session.install_initiating_package_name = none_if_null(pairs.get("installInitiatingPackageName"))
        session.install_originating_package_name = none_if_null(pairs.get("installOriginatingPackageName"))
        session.installer_uid = to_int(pairs.get("mInstallerUid") or pairs.get("installerUid"))
        session.original_installer_uid = to_int(pairs.get("mOriginalInstallerUid"))
        session.original_installer_package_name = none_if_null(pairs.get("mOriginalInstallerPackageName"))
        for attribute, key in (("created", "createdMillis"), ("updated", "updatedMillis"),
                               ("committed", "committedMillis")):
            if key in pairs:
                setattr(session, attribute, stamp_epoch(pairs[key], pairs[key], "ms"))
        session.stage_dir = none_if_null(pairs.get("stageDir"))
        session.install_flags = to_int(pairs.get("installFlags"))
        session.install_reason = to_int(pairs.get("installReason"))
        session.size_bytes = to_int(pairs.get("sizeBytes"))
        session.is_committed = _bool(pairs.get("mCommitted"))
        session.final_status = to_int(pairs.get("mFinalStatus"))
        session.final_message = none_if_null(pairs.get("mFinalMessage"))
        self.result.install_sessions.append(session)
        self.session_lines = None



def _set(attribute: str, convert: Callable[[str], object] = str) -> Callable[..., None]:
    def handler(parser: _PackageParser, record: object, value: str, number: int = 0) -> None:
        setattr(record, attribute, convert(value))
    return handler


def _set_stamp(attribute: str) -> Callable[..., None]:
    def handler(parser: _PackageParser, record: object, value: str, number: int = 0) -> None:
        setattr(record, attribute, parser._stamp(value))
    return handler


def _gids(value: str) -> list[int]:
    return [g for g in (to_int(x) for x in _list(value)) if g is not None]


def _set_signatures(parser: _PackageParser, record: PackageRecord, value: str, number: int = 0) -> None:
    _signatures(record, value)


_PACKAGE_FIELDS: dict[str, Callable[..., None]] = {
    "userId": _PackageParser._app_id,
    "appId": _PackageParser._app_id,
    "versionCode": _PackageParser._version_code,
    "sharedUser": _PackageParser._shared_user,
    "versionName": _set("version_name"),
    "compat name": _set("compat_name"),
    "pkg": _set("pkg_loaded", lambda v: v != "null"),
    "codePath": _set("code_path"),
    "resourcePath": _set("resource_path"),
    "dataDir": _set("data_dir"),
    "splits": _set("splits", _list),
    "apkSigningVersion": _set("apk_signing_version", to_int),
    "flags": _set("flags", _flags),
    "privateFlags": _set("private_flags", _flags),
    "privatePkgFlags": _set("private_flags", _flags),
    "pkgFlags": _set("pkg_flags", _flags),
    "timeStamp": _set_stamp("timestamp"),
    "firstInstallTime": _set_stamp("first_install_time"),
    "lastUpdateTime": _set_stamp("last_update_time"),
    "installerPackageName": _set("installer_package_name", none_if_null),
    "installerPackageUid": _set("installer_package_uid", to_int),
    "installInitiatingPackageName": _set("install_initiating_package_name", none_if_null),
    "initiatingPackageName": _set("install_initiating_package_name", none_if_null),
    "installOriginatingPackageName": _set("install_originating_package_name", none_if_null),
    "originatingPackageName": _set("install_originating_package_name", none_if_null),
    "updateOwnerPackageName": _set("update_owner_package_name", none_if_null),
    "installerAttributionTag": _set("installer_attribution_tag", none_if_null),
    "packageSource": _set("package_source", to_int),
    "signatures": _set_signatures,
}

_USER_FIELDS: dict[str, Callable[..., None]] = {
    "firstInstallTime": _set_stamp("first_install_time"),
    "installReason": _set("install_reason", to_int),
    "uninstallReason": _set("uninstall_reason", to_int),
    "dataDir": _set("data_dir"),
    "gids": _set("gids", _gids),
    "lastDisabledCaller": _set("last_disabled_caller"),
}


def parse_dumpsys_package(data: Input, tz: str | None = None) -> PackageDump:
    """Parse the output of ``dumpsys package`` (see the module docstring)."""
    warnings = Warnings()
    ctx = time_context(tz, warnings=warnings)
    parser = _PackageParser(ctx, warnings)
    for number, line in enumerate(bounded_lines(data, warnings), 1):
        parser.feed(number, line)
    return parser.finish()
