"""Two iPhone acquisitions of one phone compared (``inspector diff``): live scans (docs/acquisition.md,
iPhone layout), backup-only acquisitions (``inspector check BACKUP``), or one of each. Findings use the
same ``diff.<kind>`` rules as Android where the change is the same (an app added, removed, updated,
signed by someone else; the phone put under management), plus ``profile_added`` and
``backup_encryption_on``.

Each side gives what it holds, the live artifact first:

- apps: ``apps.json`` of a live scan (bundle id, versions, signer); of a backup, the bundle ids the
  acquisition recorded (``backup_info.json`` ``Installed Applications``), with versions from the
  backup's Info.plist ``Applications`` purchase records (``iTunesMetadata``) and Manifest.plist
  ``Applications`` (``CFBundleVersion``). A backup names no signer.
- profiles and MDM: ``profiles.json`` of a live scan (names, no payloads; the cloud configuration); of
  a backup, ``SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles`` (``profile-*.stub``
  with their payloads: root certificates, VPN, proxy, MDM; ``CloudConfigurationDetails.plist``), which
  needs the password of an encrypted backup.
- backup encryption: ``backup_settings.json`` ``WillEncrypt`` of a live scan, ``backup_manifest.json``
  ``IsEncrypted`` of a backup (both in the acquisition).

A backup-only acquisition records where the backup folder is, not a copy of it. iTunes and Finder write
every new backup of a phone into the same folder, so before anything is read from that folder again
its Manifest.plist is compared with the ``backup_manifest.json`` the acquisition recorded: another
backup there (or a damaged one) is named under ``not_compared`` and only what the acquisition itself
holds is compared. A profile file is also checked against the SHA-256 ``backup_files.csv`` recorded.

What cannot be compared is listed under ``not_compared`` (a piece one side lacks, app signers a backup
does not record, versions known on one side only), never taken as unchanged. When nothing at all can
be compared, :class:`DiffError` says why.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.acquisition import Acquisition
from inspector.analyze.diff import DiffError, finding
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.ios import apps as ios_apps
from inspector.analyze.ios import profiles as ios_profiles
from inspector.analyze.ios.evidence import IOSEvidence, IOSOptions
from inspector.sources.ios.backup import BackupError, read_plist

PROFILES_DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
PROFILES_FOLDER = "Library/ConfigurationProfiles/"
CLOUD_CONFIGURATION = "CloudConfigurationDetails.plist"
# Kept out of backup_manifest.json by the conversion (sources/ios/convert.py): compare without them.
_MANIFEST_NOT_RECORDED = ("BackupKeyBag", "ManifestKey", "Applications")
# Kinds of payload that let someone read or steer the phone's traffic or manage it.
_SERIOUS_PAYLOADS = {"mdm", "root_certificate", "proxy"}
_NOT_COMPARABLE_SOURCES = {"sysdiagnose": "a sysdiagnose", "ios-crash-logs": "a folder of crash logs"}


@dataclass
class _App:
    bundle_id: str
    short_version: str
    build_version: str
    source: str  # app_store | testflight | enterprise | developer | unknown
    signer: str
    evidence: list[Evidence]


@dataclass
class _Profiles:
    listed: list[tuple[ios_profiles.Profile, Evidence]]
    cloud: Any
    cloud_evidence: Evidence | None
    payloads_known: bool  # a backup's .stub files hold the payloads; profiles.json does not


@dataclass
class _Side:
    label: str  # "before" | "after"
    acq: Acquisition
    ev: IOSEvidence
    problems: dict[str, str]
    backup_checked: bool = False
    backup_problem: str | None = None  # why the backup folder is not read again
    _csv_digests: dict[str, str] | None = field(default=None, repr=False)

    @property
    def backup_only(self) -> bool:
        return (self.acq.manifest.get("source") or {}).get("kind") == "ios-backup"

    def note(self, what: str, reason: str) -> None:
        self.problems[f"{self.label}: {what}"] = reason

    def artifact_ev(self, artifact: str, excerpt: str, locator: str | None = None) -> Evidence:
        digest = (self.acq.artifact(artifact) or {}).get("sha256")
        return Evidence(artifact=artifact, excerpt=excerpt[:500], sha256=digest, locator=locator)

    def json(self, name: str) -> tuple[Any, str | None]:
        """(value, None) when the artifact is complete and parses; (None, why) otherwise."""
        if not self.acq.is_complete(name):
            return None, ("not collected" if self.acq.artifact(name) is None else "not complete")
        try:
            return json.loads(self.acq.artifact_path(name).read_text("utf-8")), None
        except (OSError, ValueError) as exc:
            return None, f"{name} is damaged: {exc}"

    # -- the backup folder behind the acquisition ---------------------------------------------------
    def usable_backup_root(self) -> Path | None:
        """The backup folder, once it is known to be the one this acquisition recorded; else None with
        ``backup_problem`` set."""
        root = self.ev.backup_root()
        if self.backup_checked:
            return root if self.backup_problem is None else None
        self.backup_checked = True
        if root is None:
            self.backup_problem = "the acquisition holds no backup"
            return None
        if root == self.acq.path / "backup":
            return root  # inside the acquisition folder, covered by its hashes.csv
        if not root.is_dir():
            self.backup_problem = f"the backup folder {root} is no longer there"
            return None
        try:
            manifest = read_plist(root / "Manifest.plist")
        except BackupError as exc:
            self.backup_problem = f"the backup folder {root} cannot be read again: {exc}"
            return None
        recorded, why = self.json("backup_manifest.json")
        if not isinstance(recorded, dict):
            self.backup_problem = f"backup_manifest.json: {why or 'not a dictionary'}"
            return None
        from inspector.sources.ios.convert import json_safe

        current = json.loads(json.dumps(json_safe({k: v for k, v in manifest.items()
                                                   if k not in _MANIFEST_NOT_RECORDED})))
        if current != recorded:
            self.backup_problem = (f"the backup folder {root} now holds another backup (Manifest.plist Date "
                                   f"{current.get('Date')}, the acquisition recorded {recorded.get('Date')}): "
                                   "keep a copy of each backup folder to compare them later")
            return None
        return root

    def recorded_digest(self, domain: str, relative_path: str) -> str | None:
        """The SHA-256 of a backup file's stored bytes as ``backup_files.csv`` recorded it."""
        if self._csv_digests is None:
            self._csv_digests = {}
            if self.acq.is_complete("backup_files.csv"):
                try:
                    with open(self.acq.artifact_path("backup_files.csv"), encoding="utf-8", newline="") as f:
                        for row in csv.DictReader(f):
                            if row.get("domain") == PROFILES_DOMAIN and row.get("sha256"):
                                self._csv_digests[row.get("relative_path") or ""] = row["sha256"]
                except (OSError, csv.Error, UnicodeDecodeError):
                    pass
        return self._csv_digests.get(relative_path) if domain == PROFILES_DOMAIN else None


def check_comparable(acq: Acquisition, label: str) -> None:
    """A sysdiagnose or a folder of crash logs holds no app list, profiles or backup settings."""
    kind = (acq.manifest.get("source") or {}).get("kind")
    if kind in _NOT_COMPARABLE_SOURCES:
        raise DiffError(f"{label} ({acq.path}) is {_NOT_COMPARABLE_SOURCES[kind]}: it holds no app list, "
                        "profiles or backup settings to compare",
                        hint="diff compares live iPhone scans (inspector scan --ios) and iTunes/Finder backups "
                             "(inspector check BACKUP).")


def compare_ios(before: Acquisition, after: Acquisition,
                backup_passwords: tuple[str | None, str | None] = (None, None)) -> tuple[list[Finding], dict[str, str]]:
    problems: dict[str, str] = {}
    out: list[Finding] = []
    for label, acq in (("A", before), ("B", after)):
        check_comparable(acq, label)
    sides = [_Side(label, acq, IOSEvidence(acq, IOSOptions(backup_password=password)), problems)
             for label, acq, password in (("before", before, backup_passwords[0]),
                                          ("after", after, backup_passwords[1]))]
    a, b = sides
    try:
        compared = 0
        apps_a, apps_b = _apps_of(a), _apps_of(b)
        if apps_a is not None and apps_b is not None:
            compared += 1
            _apps(a, b, apps_a, apps_b, out)
        profiles_a, profiles_b = _profiles_of(a), _profiles_of(b)
        if profiles_a is not None and profiles_b is not None:
            compared += 1
            _profiles(profiles_a, profiles_b, out)
        encryption_a, encryption_b = _encryption_of(a), _encryption_of(b)
        if encryption_a is not None and encryption_b is not None:
            compared += 1
            _encryption(encryption_a, encryption_b, out)
    finally:
        for side in sides:
            side.ev.close()
    if not compared:
        raise DiffError(f"nothing could be compared between {before.path} and {after.path}: "
                        + "; ".join(f"{k}: {v}" for k, v in problems.items()),
                        hint="Each side needs an app list, configuration profiles or backup settings "
                             "(a live scan, or a backup checked with inspector check BACKUP).")
    return out, problems


# -- apps ------------------------------------------------------------------------------------------------
def _apps_of(side: _Side) -> dict[str, _App] | None:
    listed, why = side.json("apps.json")
    if listed is not None:
        raw = listed if isinstance(listed, list) else []
        found = {}
        for app in ios_apps.from_installation_proxy(raw):
            entry = raw[int(app.locator[1:])]
            build = entry.get("CFBundleVersion") if isinstance(entry.get("CFBundleVersion"), str) else ""
            found[app.bundle_id] = _App(app.bundle_id, app.version, build, app.source, app.signer,
                                        [side.artifact_ev("apps.json", f"{app.bundle_id} {app.version} {app.signer}",
                                                          app.locator)])
        return found
    if side.ev.backup_root() is None:
        side.note("apps.json", why or "not collected")
        return None
    return _backup_apps(side)


def _plist_with_digest(path: Path) -> tuple[dict[str, Any], str]:
    value = read_plist(path)
    return value, hashlib.sha256(path.read_bytes()).hexdigest()


def _backup_apps(side: _Side) -> dict[str, _App] | None:
    """Apps of a backup: the bundle ids the acquisition recorded, completed from the backup's plists."""
    recorded, why = side.json("backup_info.json")
    installed = recorded.get("Installed Applications") if isinstance(recorded, dict) else None
    found: dict[str, _App] = {}
    for bundle in installed if isinstance(installed, list) else []:
        if isinstance(bundle, str):
            found[bundle] = _App(bundle, "", "", "unknown", "", [side.artifact_ev(
                "backup_info.json", bundle, "Installed Applications")])
    root = side.usable_backup_root()
    if root is None:
        if not found:
            side.note("apps (backup)", f"backup_info.json lists no Installed Applications ({why or 'none listed'}) "
                                       f"and {side.backup_problem}")
            return None
        side.note("app versions (backup)", side.backup_problem or "the backup cannot be read")
        return found
    try:
        info, info_sha = _plist_with_digest(root / "Info.plist")
        manifest, manifest_sha = _plist_with_digest(root / "Manifest.plist")
    except (BackupError, OSError) as exc:
        side.note("app versions (backup)", str(exc))
        return found or None
    where = "backup" if root == side.acq.path / "backup" else "source backup"
    in_manifest = manifest.get("Applications") if isinstance(manifest.get("Applications"), dict) else {}
    in_info = info.get("Applications") if isinstance(info.get("Applications"), dict) else {}
    for app in ios_apps.from_backup(info, manifest):
        entry = found.setdefault(app.bundle_id, _App(app.bundle_id, "", "", "unknown", "", []))
        entry.source = app.source
        entry.short_version = app.version
        meta = ios_apps._metadata((in_info.get(app.bundle_id) or {}).get("iTunesMetadata")
                                  if isinstance(in_info.get(app.bundle_id), dict) else None)
        listed = in_manifest.get(app.bundle_id) if isinstance(in_manifest.get(app.bundle_id), dict) else {}
        build = meta.get("bundleVersion") or listed.get("CFBundleVersion")
        entry.build_version = build if isinstance(build, str) else ""
        if app.bundle_id in in_info:
            entry.evidence.append(Evidence(
                artifact=f"{where}: Info.plist", sha256=info_sha, locator=f"Applications/{app.bundle_id}",
                excerpt=f"{app.bundle_id} {app.version} ({entry.build_version}) source={app.source}"))
        if listed:
            entry.evidence.append(Evidence(
                artifact=f"{where}: Manifest.plist", sha256=manifest_sha, locator=f"Applications/{app.bundle_id}",
                excerpt=json.dumps({k: v for k, v in listed.items() if isinstance(v, str)})))
    return found


def _version_change(was: _App, now: _App) -> tuple[str, str] | None | bool:
    """(before, after) when the versions differ, None when equal, False when not known on both sides.
    The marketing version (1.2.3) is compared when both have it, else the build number."""
    if was.short_version and now.short_version and was.short_version != now.short_version:
        return was.short_version, now.short_version
    if was.build_version and now.build_version:
        if was.build_version != now.build_version:
            return (f"{was.short_version or '?'} ({was.build_version})",
                    f"{now.short_version or '?'} ({now.build_version})")
        return None
    if was.short_version and now.short_version:
        return None
    return False


def _apps(a: _Side, b: _Side, old: dict[str, _App], new: dict[str, _App], out: list[Finding]) -> None:
    for bundle in sorted(set(new) - set(old)):
        app = new[bundle]
        severity = "high" if app.source in ("enterprise", "developer") else "medium"
        out.append(finding("package_added", bundle, severity, "verified", app.evidence[:2],
                           package=bundle, installer=app.source, version_code=app.short_version or app.build_version
                           or None, system=False, signer=app.signer or None))
    for bundle in sorted(set(old) - set(new)):
        app = old[bundle]
        out.append(finding("package_removed", bundle, "info", "verified", app.evidence[:1], package=bundle,
                           version_code=app.short_version or app.build_version or None))
    unknown_versions = []
    for bundle in sorted(set(old) & set(new)):
        was, now = old[bundle], new[bundle]
        if was.signer and now.signer and was.signer != now.signer:
            out.append(finding("package_signer_changed", bundle, "high", "high", now.evidence[:2],
                               package=bundle, certificates_before=[was.signer], certificates_after=[now.signer],
                               source="ios_signer", version_before=was.short_version, version_after=now.short_version))
            continue
        change = _version_change(was, now)
        if change is False:
            unknown_versions.append(bundle)
        elif change is not None:
            out.append(finding("package_updated", bundle, "info", "verified", [*was.evidence[:1], *now.evidence[:1]],
                               package=bundle, version_before=change[0], version_after=change[1]))
    if unknown_versions:
        shown = ", ".join(unknown_versions[:5]) + (", …" if len(unknown_versions) > 5 else "")
        a.problems["app versions"] = (f"{len(unknown_versions)} app(s) whose version is not known on both sides "
                                      f"(a backup records versions only in App Store purchase records and in "
                                      f"Manifest.plist): {shown}")
    unsigned = [side.label for side, listed in ((a, old), (b, new))
                if listed and not any(x.signer for x in listed.values())]
    if unsigned:
        a.problems["app signers"] = (f"not known on the {' and '.join(unsigned)} side: an iTunes/Finder backup does "
                                     "not record who signed an app, so an app replaced by a copy signed by someone "
                                     "else (same bundle id) is not seen")


# -- configuration profiles and MDM ---------------------------------------------------------------------
def _profiles_of(side: _Side) -> _Profiles | None:
    live, why = side.json("profiles.json")
    if isinstance(live, dict):
        listed = [(p, side.artifact_ev("profiles.json", f"{p.name} ({p.organization})", p.identifier))
                  for p in ios_profiles.from_profile_list(live.get("profiles"))]
        cloud = live.get("cloud_configuration")
        cloud_evidence = side.artifact_ev("profiles.json", json.dumps(cloud)[:300], "cloud_configuration")
        return _Profiles(listed, cloud, cloud_evidence, payloads_known=False)
    if side.ev.backup_root() is None:
        side.note("profiles.json", why or "not collected")
        return None
    return _backup_profiles(side)


def _backup_files(side: _Side) -> Iterator[tuple[str, bytes, Evidence]]:
    """(name, content, evidence) of each file in the backup's configuration-profiles folder."""
    for record, path in side.ev.backup_files(PROFILES_DOMAIN, PROFILES_FOLDER + "%"):
        stored = side.ev.backup.stored_path(record) if side.ev.backup else None
        digest: str | None = None
        try:
            with open(path, "rb") as plain:
                data = plain.read(ios_profiles.MAX_PROFILE_BYTES + 1)
            if stored is not None:
                with open(stored, "rb") as f:
                    digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            side.note(f"{record.domain}/{record.relative_path}", str(exc))
            continue
        recorded = side.recorded_digest(record.domain, record.relative_path)
        if recorded and digest and recorded != digest:
            side.note(f"{record.domain}/{record.relative_path}",
                      "changed since the acquisition was made (its SHA-256 differs from backup_files.csv)")
            continue
        where = "backup" if side.ev.backup_root() == side.acq.path / "backup" else "source backup"
        evidence = Evidence(artifact=where, excerpt="", sha256=recorded or digest,
                            locator=f"{record.domain}/{record.relative_path}")
        yield record.relative_path.rsplit("/", 1)[-1], data, evidence


def _backup_profiles(side: _Side) -> _Profiles | None:
    if side.usable_backup_root() is None:
        side.note("configuration profiles (backup)", side.backup_problem or "the backup cannot be read")
        return None
    if side.ev.backup is None:
        if side.ev.backup_problem_kind == "wrong_password":
            which = "A" if side.label == "before" else "B"
            raise DiffError(f"{which} ({side.acq.path}): the backup password is wrong",
                            hint=f"Give the password of {which}'s backup with --password-{which.lower()} (the one "
                                 "set in iTunes/Finder or by the tool that made it; not the phone's passcode).")
        side.note("configuration profiles (backup)", side.ev.backup_problem or "the backup cannot be opened")
        return None
    notes_before = len(side.ev.file_notes)
    listed: list[tuple[ios_profiles.Profile, Evidence]] = []
    cloud, cloud_evidence = None, None
    for name, data, evidence in _backup_files(side):
        if name == CLOUD_CONFIGURATION:
            import plistlib

            try:
                cloud = plistlib.loads(data)
            except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError) as exc:
                side.note(evidence.locator or name, f"not a readable plist: {exc}")
                continue
            cloud_evidence = Evidence(artifact=evidence.artifact, sha256=evidence.sha256, locator=evidence.locator,
                                      excerpt=json.dumps(ios_profiles.mdm_enrolment(cloud) or {}, default=str)[:300])
        elif name.startswith("profile-"):
            try:
                profile = ios_profiles.parse_profile(data, evidence.locator or name)
            except ios_profiles.ProfileUnreadable as exc:
                side.note(evidence.locator or name, str(exc))
                continue
            excerpt = f"{profile.name} ({profile.organization}) payloads: {', '.join(profile.payload_types)}"
            listed.append((profile, Evidence(artifact=evidence.artifact, sha256=evidence.sha256,
                                             locator=evidence.locator, excerpt=excerpt[:500])))
    for problem in side.ev.file_notes[notes_before:]:
        side.note("configuration profiles (backup)", problem)
    return _Profiles(listed, cloud, cloud_evidence, payloads_known=True)


def _key(profile: ios_profiles.Profile) -> str:
    return profile.identifier or profile.uuid


def _profiles(old: _Profiles, new: _Profiles, out: list[Finding]) -> None:
    known = {_key(p) for p, _ in old.listed}
    owners: set[str] = set()
    for profile, evidence in new.listed:
        if _key(profile) in known:
            continue
        kinds = profile.kinds
        severity = "high" if _SERIOUS_PAYLOADS & set(kinds) else "medium"
        name = profile.name or profile.identifier
        out.append(finding("profile_added", name, severity, "verified", [evidence],
                           profile=name, organization=profile.organization or None, identifier=profile.identifier,
                           uuid=profile.uuid or None, installed=profile.installed,
                           payloads=kinds if new.payloads_known else None,
                           payload_types=profile.payload_types if new.payloads_known else None,
                           payloads_known=new.payloads_known))
        if "mdm" in kinds:
            organization = profile.organization or profile.name
            owners.add(organization)
            out.append(finding("device_owner_added", f"mdm:{organization or '?'}", "high", "verified", [evidence],
                               component=f"mdm:{organization}", package=organization or None, new_app=False,
                               profile=name))
    was, now = ios_profiles.mdm_enrolment(old.cloud), ios_profiles.mdm_enrolment(new.cloud)
    if was is None and now is not None:
        organization = now.get("OrganizationName") if isinstance(now.get("OrganizationName"), str) else ""
        if organization not in owners or not organization:
            out.append(finding("device_owner_added", f"mdm:{organization or '?'}", "high", "verified",
                               [new.cloud_evidence] if new.cloud_evidence else [],
                               component=f"mdm:{organization}", package=organization or None, new_app=False))


# -- backup encryption --------------------------------------------------------------------------------------
def _encryption_of(side: _Side) -> tuple[bool, str, Evidence] | None:
    """(encrypted, which setting, evidence): WillEncrypt of a live scan, IsEncrypted of a backup."""
    settings, why = side.json("backup_settings.json")
    if isinstance(settings, dict) and isinstance(settings.get("WillEncrypt"), bool):
        value = settings["WillEncrypt"]
        return value, "WillEncrypt", side.artifact_ev("backup_settings.json", f"WillEncrypt={str(value).lower()}")
    if settings is not None:
        side.note("backup_settings.json", "WillEncrypt is missing or not a boolean")
        return None
    if not side.backup_only:
        if (side.acq.manifest.get("backup_encryption") or {}).get("temporary_password_set_by_inspector"):
            side.note("backup encryption", "backup_settings.json " + (why or "not collected") + ", and the backup in "
                      "this acquisition was encrypted with inspector's own temporary password")
        else:
            side.note("backup_settings.json", why or "not collected")
        return None
    recorded, why = side.json("backup_manifest.json")
    value = recorded.get("IsEncrypted") if isinstance(recorded, dict) else None
    if not isinstance(value, bool):
        side.note("backup_manifest.json", why or "IsEncrypted is missing or not a boolean")
        return None
    return value, "IsEncrypted", side.artifact_ev("backup_manifest.json", f"IsEncrypted={str(value).lower()}",
                                                  "IsEncrypted")


def _encryption(old: tuple[bool, str, Evidence], new: tuple[bool, str, Evidence], out: list[Finding]) -> None:
    (was, key_was, evidence_was), (now, key_now, evidence_now) = old, new
    if was is False and now is True:
        shown = f"{key_was}: false → true" if key_was == key_now else f"{key_was}: false → {key_now}: true"
        out.append(finding("backup_encryption_on", shown, "medium", "verified", [evidence_was, evidence_now],
                           value_before=was, value_after=now, setting_before=key_was, setting_after=key_now))
