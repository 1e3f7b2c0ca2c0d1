"""What the iOS checks read from one iOS acquisition, opened once per analysis.

An iOS acquisition may hold (docs/acquisition.md): the live artifacts (``device_info.json``,
``backup_settings.json``, ``apps.json``, ``profiles.json``, ``crash_logs/``), a backup (``backup/``, or
for an offline backup the folder named in ``source.path``), a ``sysdiagnose.tar.gz``, and text logs
(``unified_log.txt``). The binary unified log inside a sysdiagnose (``system_logs.logarchive``) is decoded
in two streaming passes over the archive (``logarchive``): its support files first, then each tracev3
file as it is decompressed. Files the checks need from an encrypted backup are decrypted into a work folder
inside the acquisition folder and removed by ``close()``. Every problem is kept as a note, so that each
check's coverage can say what it could not read.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.acquisition import Acquisition
from inspector.analyze.ios import (
    crash_logs,
    local_clock,
    lockdownd_log,
    logarchive,
    mobile_installation,
    process_list,
    shutdown_log,
    unified_log,
)
from inspector.sources.ios.backup import Backup, BackupError, BackupFile, BackupFileError, PasswordNeeded
from inspector.sources.ios.keybag import WrongPassword
from inspector.sources.ios.sysdiagnose import MAX_MEMBER_BYTES, ReadReport, UnsafeArchive, members
from inspector.sources.ios.sysdiagnose_logarchive import DAMAGED, logarchive_members

TEXT_LOG_ARTIFACTS = ("unified_log.txt", "syslog.txt")
LOGARCHIVE = "system_logs.logarchive"
MAX_LOG_ACTIVITIES = 100_000  # a chatty lockdownd over weeks stays far below


@dataclass
class IOSOptions:
    """What the person running the check told us: the backup password, and whether they set a backup
    password themselves (None: not asked, e.g. in batch)."""

    backup_password: str | None = None
    owner_set_backup_password: bool | None = None


@dataclass
class SysdiagnoseContent:
    shutdown_clients: list[tuple[str, shutdown_log.DelayedClient]] = field(default_factory=list)
    crashes: list[tuple[str, crash_logs.CrashRecord]] = field(default_factory=list)
    activities: list[tuple[str, unified_log.Activity]] = field(default_factory=list)
    processes: list[tuple[str, process_list.RunningProcess]] = field(default_factory=list)
    shutdown_logs: int = 0
    text_logs: int = 0
    # lockdownd.log (its activities are in ``activities`` too) and MobileInstallation's log, by member name
    lockdownd_logs: list[tuple[str, lockdownd_log.LockdowndLog]] = field(default_factory=list)
    installation_logs: list[tuple[str, mobile_installation.InstallationLog]] = field(default_factory=list)
    # (member, event, UTC time or None): apps installed and removed, from MobileInstallation's log
    app_events: list[tuple[str, mobile_installation.AppEvent, str | None]] = field(default_factory=list)
    logd_logs: int = 0
    clock: local_clock.PhoneClock | None = None  # the phone's UTC offset, for the logs in local time
    untimed_local: int = 0  # entries in local time that got no UTC time: no offset known
    unsafe_names: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class LogArchiveContent:
    """What the binary unified log of the sysdiagnose gave: activities (by the tracev3 file's path
    in the archive), counts (logarchive.LogArchive's), problems, and an archive-level error."""

    activities: list[tuple[str, unified_log.Activity]] = field(default_factory=list)
    tracev3_files: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    error: str | None = None


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _place_local_times(content: SysdiagnoseContent, clock: local_clock.PhoneClock) -> None:
    """lockdownd's and MobileInstallation's entries in UTC, once every offset sample of the archive is
    known (logd.0.log may come after them in the archive)."""
    content.clock = clock

    def utc(local: object) -> str | None:
        when = clock.utc(local) if local is not None else None  # type: ignore[arg-type]
        if local is not None and when is None:
            content.untimed_local += 1
        return when

    for name, log in content.lockdownd_logs:
        content.activities += [(name, a) for a in lockdownd_log.activities(log, utc)]
    for name, install_log in content.installation_logs:
        content.app_events += [(name, e, utc(e.local_time)) for e in mobile_installation.app_events(install_log)]


def _support_kind(relative: str) -> str | None:
    kind = logarchive.member_kind(relative)
    return kind if kind in ("timesync", "uuidtext", "dsc", "tracev3") else None


def _tracev3_kind(relative: str) -> str | None:
    return "tracev3" if logarchive.member_kind(relative) == "tracev3" else None


class IOSEvidence:
    def __init__(self, acq: Acquisition, options: IOSOptions | None = None) -> None:
        self.acq = acq
        self.options = options or IOSOptions()
        for stale in acq.path.glob(".ios-work-*"):  # decrypted leftovers of a run that was killed
            shutil.rmtree(stale, ignore_errors=True)
        self._work = acq.path / f".ios-work-{uuid.uuid4().hex[:8]}"
        self._backup: Backup | None = None
        self._backup_tried = False
        self.backup_problem: str | None = None  # why the backup could not be opened
        self.backup_problem_kind: str | None = None  # needs_password | wrong_password | damaged
        self.file_notes: list[str] = []  # files of the backup that could not be read
        self._sysdiagnose: SysdiagnoseContent | None = None
        self._logarchive: LogArchiveContent | None = None
        self._extracted = 0

    # -- JSON artifacts of a live scan --------------------------------------------------------------
    def json_artifact(self, name: str) -> tuple[Any, str | None]:
        """(value, problem): value None when the artifact is absent or unreadable."""
        path = self.acq.artifact_path(name)
        if not path.is_file():
            return None, None
        try:
            return json.loads(path.read_text("utf-8")), None
        except (UnicodeDecodeError, ValueError) as exc:
            return None, f"{name} is damaged: {exc}"

    def evidence_sha(self, name: str) -> str | None:
        return (self.acq.artifact(name) or {}).get("sha256")

    # -- the backup -------------------------------------------------------------------------------------
    def backup_root(self) -> Path | None:
        own = self.acq.path / "backup"
        if (own / "Manifest.plist").is_file():
            return own
        source = self.acq.manifest.get("source") or {}
        if source.get("kind") == "ios-backup" and source.get("path"):
            return Path(source["path"])
        return None

    def backup_artifact(self) -> str:
        root = self.backup_root()
        return "backup" if root is not None and root == self.acq.path / "backup" else "source backup"

    @property
    def backup(self) -> Backup | None:
        if self._backup_tried:
            return self._backup
        self._backup_tried = True
        root = self.backup_root()
        if root is None:
            return None
        if not root.is_dir():
            self.backup_problem, self.backup_problem_kind = f"the backup folder {root} is no longer there", "damaged"
            return None
        try:
            self._backup = Backup.open(root, self.options.backup_password, self._work)
        except PasswordNeeded:
            self.backup_problem = "the backup is encrypted and no password was given"
            self.backup_problem_kind = "needs_password"
        except WrongPassword:
            self.backup_problem, self.backup_problem_kind = "the backup password is wrong", "wrong_password"
        except BackupError as exc:
            self.backup_problem, self.backup_problem_kind = str(exc), "damaged"
        return self._backup

    def backup_file(self, domain: str, relative_path: str) -> tuple[BackupFile, Path] | None:
        """One file of the backup, as a plain file in the work folder; None (with a note) if absent or
        unreadable."""
        backup = self.backup
        if backup is None:
            return None
        try:
            record = backup.find(domain, relative_path)
        except BackupError as exc:
            self.file_notes.append(str(exc))
            return None
        return self._extract(record) if record is not None else None

    def backup_files(self, domain: str | None = None, path_like: str | None = None) -> list[tuple[BackupFile, Path]]:
        backup = self.backup
        if backup is None:
            return []
        out = []
        try:
            records = [r for r in backup.files(domain=domain, path_like=path_like) if r.is_file]
        except BackupError as exc:
            self.file_notes.append(str(exc))
            return []
        for record in records:
            got = self._extract(record)
            if got:
                out.append(got)
        return out

    def _extract(self, record: BackupFile) -> tuple[BackupFile, Path] | None:
        assert self._backup is not None
        self._extracted += 1
        dest = self._work / f"{self._extracted:06d}-{record.file_id[:40]}"
        try:
            return record, self._backup.extract(record, dest)
        except BackupFileError as exc:
            self.file_notes.append(str(exc))
            return None

    # -- sysdiagnose and logs -----------------------------------------------------------------------------
    @property
    def sysdiagnose(self) -> SysdiagnoseContent | None:
        if self._sysdiagnose is not None:
            return self._sysdiagnose
        path = self.acq.artifact_path("sysdiagnose.tar.gz")
        if not path.is_file():
            return None
        content = SysdiagnoseContent()
        report = ReadReport()
        samples: list = []
        try:
            for kind, member in members(path, report):
                if len(samples) < 2 and (sample := local_clock.name_sample(member.name)) is not None:
                    samples.append(sample)  # the folder name's offset: the same for every member
                if kind == "lockdownd_log":
                    content.lockdownd_logs.append((member.name, lockdownd_log.parse(_text(member.data))))
                elif kind == "installation_log":
                    content.installation_logs.append((member.name, mobile_installation.parse(_text(member.data))))
                elif kind == "logd_log":
                    content.logd_logs += 1
                    samples += local_clock.logd_samples(_text(member.data).split("\n"))
                elif kind == "shutdown_log":
                    content.shutdown_logs += 1
                    text = member.data.decode("utf-8", "replace")
                    content.shutdown_clients += [(member.name, c) for c in shutdown_log.parse(text)]
                elif kind == "process_list":
                    text = member.data.decode("utf-8", "replace")
                    content.processes += [(member.name, p) for p in process_list.parse(text)]
                elif kind == "crash_log":
                    record = crash_logs.parse(member.data)
                    if record:
                        content.crashes.append((member.name, record))
                else:
                    content.text_logs += 1
                    lines = member.data.decode("utf-8", "replace").splitlines()
                    content.activities += [(member.name, a) for a in unified_log.parse(lines)]
        except UnsafeArchive as exc:
            content.error = str(exc)
        _place_local_times(content, local_clock.PhoneClock(samples[:local_clock.MAX_SAMPLES]))
        content.unsafe_names = report.skipped_unsafe or []
        self._sysdiagnose = content
        return content

    @property
    def logarchive(self) -> LogArchiveContent | None:
        """The binary unified log of the sysdiagnose; None without a sysdiagnose or a logarchive in it."""
        if self._logarchive is None:
            self._logarchive = self._read_logarchive()
        return self._logarchive if self._logarchive.tracev3_files else None

    def _read_logarchive(self) -> LogArchiveContent:
        """Two passes over the archive: the timesync and uuidtext files (only the watched processes'
        format strings are kept), then each tracev3 file streamed through the decoder; only the
        activities are kept."""
        content = LogArchiveContent()
        path = self.acq.artifact_path("sysdiagnose.tar.gz")
        if not path.is_file():
            return content
        archive = logarchive.LogArchive(unified_log.watched_processes())
        dropped = 0
        try:
            for kind, inside, handle, size in logarchive_members(path, _support_kind):
                if kind == "tracev3":
                    content.tracev3_files += 1
                elif kind == "dsc":
                    archive.add(inside, b"")
                elif size > MAX_MEMBER_BYTES:
                    archive.note(f"{inside}: {size} bytes, more than a real one; not read")
                else:
                    archive.add(inside, handle.read(MAX_MEMBER_BYTES))
            if content.tracev3_files:
                for _, inside, handle, _ in logarchive_members(path, _tracev3_kind):
                    for activity in logarchive.activities(archive.entries(inside, handle)):
                        if len(content.activities) < MAX_LOG_ACTIVITIES:
                            content.activities.append((f"{LOGARCHIVE}/{inside}", activity))
                        else:
                            dropped += 1
        except UnsafeArchive as exc:
            content.error = str(exc)
        except DAMAGED as exc:
            content.error = f"the archive is damaged: {exc}"
        if dropped:
            archive.note(f"{dropped} activity entries beyond the first {MAX_LOG_ACTIVITIES} were not kept")
        content.counts, content.problems = archive.counts, archive.problems
        return content

    def crash_log_artifacts(self) -> list[tuple[str, crash_logs.CrashRecord]]:
        out = []
        for name in sorted(self.acq.manifest.get("artifacts", {})):
            if not name.startswith("crash_logs/") or self.acq.status(name) not in ("complete", "partial"):
                continue
            path = self.acq.artifact_path(name)
            try:
                with open(path, "rb") as f:
                    record = crash_logs.parse(f.read(4 << 20))
            except OSError:
                continue
            if record:
                out.append((name, record))
        return out

    def text_log_activities(self) -> list[tuple[str, unified_log.Activity]]:
        out = []
        for name in TEXT_LOG_ARTIFACTS:
            path = self.acq.artifact_path(name)
            if path.is_file():
                with open(path, encoding="utf-8", errors="replace") as f:
                    out += [(name, a) for a in unified_log.parse(f)]
        return out

    def close(self) -> None:
        if self._backup is not None:
            self._backup.close()
            self._backup = None
        shutil.rmtree(self._work, ignore_errors=True)
