"""Live iPhone collection over lockdown: device values, the backup domain, apps, profiles and MDM
state, crash logs. Writes the iOS layout of docs/acquisition.md into an Acquisition.

Read-only: every service used only reads (the crash-report copy service's files are copied, never
erased). A service the phone refuses (locked, not available on this iOS) fails its own artifact and
the collection goes on; a lost cable or a phone that stops trusting this computer stops the
collection with everything so far saved, and ``--resume`` later skips what is complete.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector.acquire.android.collector import Reporter, SilentReporter
from inspector.acquire.ios import errors
from inspector.acquire.ios.connection import IPhone, connection_errors, open_lockdown
from inspector.acquire.ios.identity import ios_identity
from inspector.acquisition import Acquisition, utc_now
from inspector.acquisition.names import safe_component
from inspector.acquisition.plist_json import to_json_safe

if TYPE_CHECKING:
    from pymobiledevice3.lockdown import LockdownClient

INSTALLATION_PROXY = "com.apple.mobile.installation_proxy"
MCINSTALL = "com.apple.mobile.MCInstall"
CRASH_COPY = "com.apple.crashreportcopymobile"
BACKUP_DOMAIN = "com.apple.mobile.backup"
SYSDIAGNOSE = "sysdiagnose.tar.gz"
BACKUP = "backup"
# What a file of an iTunes/Finder backup is called: the plists and Manifest.db, or <id[:2]>/<40 hex id>.
_SAFE_BACKUP_NAME = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,80}|[0-9a-f]{2}/[0-9a-f]{40})$")
# Where the phone writes a sysdiagnose, inside the crash-report copy service's folder. While it is being
# written the name starts with IN_PROGRESS_; the finished archive has the same name without it.
SYSDIAGNOSE_DIR = "/DiagnosticLogs/sysdiagnose"


@dataclass
class IosCollectOptions:
    request_timeout_s: float = 120.0  # one lockdown or service request
    max_apps: int = 100_000  # a real phone has a few hundred; a hostile one may never stop
    crash_max_depth: int = 8
    crash_max_files: int = 20_000
    crash_max_file_bytes: int = 1 << 30  # a sysdiagnose archive the owner made can sit there
    crash_max_total_bytes: int = 8 << 30
    read_chunk_bytes: int = 1 << 20
    # --sysdiagnose: the person presses the button combination, the phone takes minutes to write it
    sysdiagnose: bool = False
    sysdiagnose_timeout_s: float = 900.0
    sysdiagnose_poll_s: float = 2.0
    sysdiagnose_max_bytes: int = 4 << 30
    # --backup: a full backup takes minutes to hours; the person agrees to a temporary password first
    backup: bool = False
    backup_timeout_s: float = 6 * 3600.0


@dataclass
class IosCollectStats:
    bytes_received: int = 0
    crash_files: int = 0
    crash_files_skipped_done: int = 0
    apps: int = 0
    backup_password: str | None = None  # the temporary backup password inspector set (never stored)


class IosCollector:
    """Collects one iPhone into ``acquisition``. ``lockdown`` must already hold a TLS session (see
    connection.open_lockdown); after a dropped service connection the collector reopens it once."""

    def __init__(self, lockdown: LockdownClient, phone: IPhone, acquisition: Acquisition,
                 reporter: Reporter | None = None, options: IosCollectOptions | None = None,
                 on_prompt: Callable[[str], None] | None = None,
                 confirm: Callable[[str], bool] | None = None) -> None:
        self.lockdown = lockdown
        self.phone = phone
        self.acq = acquisition
        self.reporter = reporter or SilentReporter()
        self.options = options or IosCollectOptions()
        self.stats = IosCollectStats()
        self.on_prompt = on_prompt or (lambda kind: None)
        self.confirm = confirm or (lambda question: False)  # no one to ask: change nothing
        self.locked = False  # a service answered "passcode protected": the person should unlock and resume

    # -- the whole run ----------------------------------------------------------------------------
    async def run(self) -> IosCollectStats:
        self.acq.remove_leftover_temp_files()
        self._identity()
        await self._artifact("device_info.json", "Reading device information", self._device_info)
        await self._artifact("backup_settings.json", "Reading backup settings", self._backup_settings)
        await self._artifact("apps.json", "Listing apps", self._apps)
        await self._artifact("profiles.json", "Reading configuration profiles and MDM state", self._profiles)
        await self._crash_logs()
        if self.options.sysdiagnose and not self.acq.is_complete(SYSDIAGNOSE):
            await self._sysdiagnose()
        if self.options.backup and self.acq.status(BACKUP) != "complete":
            await self._backup()
        self.acq.finish()
        return self.stats

    def _identity(self) -> None:
        identity = ios_identity(self.lockdown.all_values, self.phone.udid)
        identity["transport"] = "usb" if self.phone.connection_type == "USB" else "network"
        previous = self.acq.manifest.get("device") or {}
        if previous.get("serial_sha256") and previous["serial_sha256"] != identity["serial_sha256"]:
            raise errors.DeviceError(
                "This acquisition folder belongs to another phone.",
                hint="Plug in the iPhone this folder was started with, or scan into a new folder.")
        self.acq.set_device(identity)

    # -- one artifact, with the rules for what stops the run -------------------------------------
    async def _artifact(self, name: str, label: str, produce: Callable[[], Awaitable[Any]], **details: Any) -> None:
        if self.acq.is_complete(name):
            return
        self.reporter.stage(label)
        try:
            value = await self._guarded(produce())
        except _ArtifactFailed as failure:
            self.acq.mark(name, "failed", error=failure.reason, **details)
            self.reporter.warn(f"{name}: {failure.reason}")
            return
        cut = value.reason if isinstance(value, _Cut) else None
        self.acq.write_json(name, to_json_safe(value.value if isinstance(value, _Cut) else value), **details)
        if cut:
            self.acq.mark(name, "partial", error=cut)
            self.reporter.warn(f"{name}: {cut}")
        self.reporter.advance(1)

    async def _guarded(self, work: Awaitable[Any], timeout: float | None = None) -> Any:
        """Run one request; sort what goes wrong into "this artifact failed" (the run goes on) and
        "the phone is gone" (raised: the run stops, what is saved stays)."""
        from pymobiledevice3.exceptions import (
            AfcException,
            InvalidHostIDError,
            NotPairedError,
            PasswordRequiredError,
            PyMobileDevice3Exception,
        )

        try:
            return await asyncio.wait_for(work, timeout=timeout or self.options.request_timeout_s)
        except TimeoutError:
            raise _ArtifactFailed(f"the iPhone did not answer within {timeout or self.options.request_timeout_s:.0f} s"
                                  ) from None
        except PasswordRequiredError:
            self.locked = True
            raise _ArtifactFailed("the iPhone is locked (unlock it and run again with --resume)") from None
        except (InvalidHostIDError, NotPairedError):
            raise errors.DeviceUnpaired("The iPhone no longer trusts this computer.") from None
        except AfcException as exc:  # an OSError too, but about one file, not the link
            raise _ArtifactFailed(f"{type(exc).__name__}: {exc}") from None
        except connection_errors() as exc:
            await self._after_lost_connection(exc)
            raise _ArtifactFailed(f"the connection dropped ({type(exc).__name__}); reconnected") from None
        except PyMobileDevice3Exception as exc:
            raise _ArtifactFailed(f"{type(exc).__name__}: {exc}") from None
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeError, AssertionError) as exc:
            # what the phone sent did not have the expected shape
            raise _ArtifactFailed(f"the iPhone sent an unexpected answer ({type(exc).__name__}: {exc})") from None

    async def _after_lost_connection(self, exc: BaseException) -> None:
        """A service connection died: is the phone still there and does it still trust us?"""
        from inspector.acquire.ios.connection import list_iphones

        try:
            present = any(p.udid == self.phone.udid for p in await list_iphones())
        except errors.DeviceError:
            present = False
        if not present:
            raise errors.IPhoneDisconnected(f"The iPhone was disconnected ({type(exc).__name__}).") from None
        try:
            fresh = await open_lockdown(self.phone, allow_pairing=False)
        except errors.DeviceUnpaired:
            raise
        except errors.DeviceLocked:
            raise errors.DeviceUnpaired("The iPhone is locked and no longer trusts this computer.") from None
        except errors.DeviceError as again:
            raise errors.IPhoneDisconnected(f"The iPhone stopped answering ({again}).") from None
        old, self.lockdown = self.lockdown, fresh
        try:
            await old.close()
        except Exception:  # noqa: S110 - the old connection is already broken
            pass

    # -- lockdown values --------------------------------------------------------------------------
    async def _device_info(self) -> Any:
        values = await self.lockdown.get_value()
        if not isinstance(values, dict):
            raise TypeError(f"GetValue answered a {type(values).__name__}, not a dictionary")
        return values

    async def _backup_settings(self) -> Any:
        value = await self.lockdown.get_value(domain=BACKUP_DOMAIN)
        return value if value is not None else {}

    # -- apps -------------------------------------------------------------------------------------
    async def _apps(self) -> list[Any] | _Cut:
        """installation_proxy Browse of every app type. Bounded: a phone that keeps sending pages
        stops being read at ``max_apps`` entries (the artifact is then partial)."""
        from pymobiledevice3.services.installation_proxy import InstallationProxyService

        async with InstallationProxyService(self.lockdown) as proxy:
            await proxy.service.send_plist({"Command": "Browse", "ClientOptions": {
                "ApplicationType": "Any", "ShowLaunchProhibitedApps": True}})
            apps: list[Any] = []
            while len(apps) < self.options.max_apps:
                page = await proxy.service.recv_plist()
                if not isinstance(page, dict) or not page:
                    break
                if page.get("Error"):
                    detail = page.get("ErrorDescription") or ""
                    raise _ArtifactFailed(f"installation_proxy: {page.get('Error')} {detail}".strip())
                current = page.get("CurrentList")
                if isinstance(current, list):
                    apps.extend(current[: self.options.max_apps - len(apps)])
                if page.get("Status") == "Complete":
                    break
            else:
                self.stats.apps = len(apps)
                return _Cut(apps, f"the iPhone listed more than {self.options.max_apps} apps; the rest were not read")
        self.stats.apps = len(apps)
        return apps

    # -- configuration profiles and MDM ----------------------------------------------------------
    async def _profiles(self) -> dict[str, Any]:
        from pymobiledevice3.exceptions import ProfileError
        from pymobiledevice3.services.mobile_config import MobileConfigService

        async with MobileConfigService(self.lockdown) as config:
            profiles = await config.get_profile_list()
            try:
                cloud = await config.get_cloud_configuration()
            except ProfileError as exc:  # older iOS, or refused: the profile list still stands
                cloud = {"error": str(exc)}
        return {"profiles": profiles, "cloud_configuration": cloud}

    # -- crash logs -------------------------------------------------------------------------------
    async def _crash_logs(self) -> None:
        """Every file the crash-report copy service shows (its root is the phone's
        /var/mobile/Library/Logs/CrashReporter), each copied to crash_logs/<safe path>."""
        from pymobiledevice3.services.afc import AfcService

        self.reporter.stage("Listing crash and analytics logs", unit="files")
        listing_problems: list[str] = []
        afc = AfcService(self.lockdown, service_name=CRASH_COPY)
        try:
            await self._guarded(afc.__aenter__())
            try:
                files = await self._guarded(self._walk_crash_logs(afc, listing_problems))
                total = 0
                for device_path, size in files:
                    name = self._crash_name(device_path)
                    if name is None:
                        listing_problems.append(f"{device_path!r}: unsafe name, not copied")
                        continue
                    if self.acq.is_complete(name):
                        self.stats.crash_files_skipped_done += 1
                        continue
                    if size > self.options.crash_max_file_bytes:
                        listing_problems.append(f"{device_path}: {size} bytes, over the limit, not copied")
                        continue
                    if total + size > self.options.crash_max_total_bytes:
                        listing_problems.append("total size limit reached: the remaining files were not copied")
                        break
                    total += size
                    await self._copy_crash_file(afc, device_path, name, size, listing_problems)
            finally:
                await _close_quietly(afc)
        except _ArtifactFailed as failure:
            listing_problems.append(f"crash-report copy service: {failure.reason}")
            self.reporter.warn(f"crash logs: {failure.reason}")
        # One record for the whole folder, so coverage can say whether the crash logs were all seen.
        self.acq.mark("crash_logs", "partial" if listing_problems else "complete",
                      error="; ".join(listing_problems[:20]) or None, problems=len(listing_problems),
                      files=self.stats.crash_files + self.stats.crash_files_skipped_done)

    async def _walk_crash_logs(self, afc: Any, problems: list[str]) -> list[tuple[str, int]]:
        from pymobiledevice3.exceptions import AfcException

        found: list[tuple[str, int]] = []
        pending: list[tuple[str, int]] = [("/", 0)]
        while pending:
            folder, depth = pending.pop()
            try:
                entries = await afc.listdir(folder)
            except AfcException as exc:  # one unreadable folder does not hide the others
                problems.append(f"{folder}: not listed ({exc})")
                continue
            for entry in entries:
                if not isinstance(entry, str) or entry in ("", ".", ".."):
                    continue
                path = posixpath.join(folder, entry)
                if len(found) >= self.options.crash_max_files:
                    problems.append(f"more than {self.options.crash_max_files} files: the rest were not copied")
                    return found
                try:
                    info = await afc.stat(path)
                except AfcException as exc:
                    problems.append(f"{path}: not readable ({exc})")
                    continue
                kind = info.get("st_ifmt")
                if kind == "S_IFDIR":
                    if depth + 1 >= self.options.crash_max_depth:
                        problems.append(f"{path}: deeper than {self.options.crash_max_depth} levels, not read")
                    else:
                        pending.append((path, depth + 1))
                elif kind == "S_IFREG":
                    found.append((path, int(info.get("st_size") or 0)))
                # links and anything else are not followed: their targets are outside what the service shows
        found.sort()
        self.reporter.stage("Copying crash and analytics logs", total=len(found))
        return found

    @staticmethod
    def _crash_name(device_path: str) -> str | None:
        parts = [p for p in device_path.split("/") if p]
        if not parts or any(p in (".", "..") or "\x00" in p for p in parts):
            return None
        return "crash_logs/" + "/".join(safe_component(p) for p in parts)

    async def _copy_crash_file(self, afc: Any, device_path: str, name: str, size: int, problems: list[str]) -> None:
        try:
            await self._copy_file(afc, device_path, name, size)
        except _ArtifactFailed as failure:
            problems.append(f"{device_path}: {failure.reason}")
            self.reporter.warn(f"{device_path}: {failure.reason}")
        else:
            self.stats.crash_files += 1
        self.reporter.advance(1)

    async def _copy_file(self, afc: Any, device_path: str, name: str, size: int, advance_bytes: bool = False) -> None:
        """Stream one file of the AFC service into the artifact ``name`` (partial if it stops early)."""
        with self.acq.writer(name, device_path=device_path, device_size=size) as out:
            handle = await self._guarded(afc.fopen(device_path))
            try:
                remaining = size
                while remaining > 0:
                    want = min(self.options.read_chunk_bytes, remaining)
                    chunk = await self._guarded(afc.fread(handle, want))
                    if not chunk:
                        break
                    out.write(chunk)
                    self.stats.bytes_received += len(chunk)
                    remaining -= len(chunk)
                    if advance_bytes:
                        self.reporter.advance(len(chunk))
            finally:
                try:
                    await asyncio.wait_for(afc.fclose(handle), timeout=10)
                except Exception:  # noqa: S110 - closing a handle on a dropped connection
                    pass
            if remaining > 0:
                raise _ArtifactFailed(f"the file ended {remaining} bytes early")

    # -- sysdiagnose (opt-in) ---------------------------------------------------------------------
    async def _sysdiagnose(self) -> None:
        """Ask the person to start a sysdiagnose on the phone (lockdown cannot start one without
        developer tools), wait for the new archive to be finished, copy it. Nothing is erased."""
        from pymobiledevice3.services.afc import AfcService

        afc = AfcService(self.lockdown, service_name=CRASH_COPY)
        try:
            await self._guarded(afc.__aenter__())
            try:
                before = set(await self._guarded(self._sysdiagnose_names(afc)))
                self.on_prompt("sysdiagnose")
                self.reporter.stage("Waiting for the sysdiagnose (the phone takes a few minutes)")
                try:
                    path, size = await asyncio.wait_for(self._wait_for_sysdiagnose(afc, before),
                                                        timeout=self.options.sysdiagnose_timeout_s)
                except TimeoutError:
                    raise _ArtifactFailed(f"no finished sysdiagnose appeared within "
                                          f"{self.options.sysdiagnose_timeout_s:.0f} s") from None
                if size > self.options.sysdiagnose_max_bytes:
                    raise _ArtifactFailed(f"{path}: {size} bytes, over the {self.options.sysdiagnose_max_bytes} "
                                          "byte limit")
                self.reporter.stage("Copying the sysdiagnose", total=size, unit="bytes")
                await self._copy_file(afc, path, SYSDIAGNOSE, size, advance_bytes=True)
            finally:
                await _close_quietly(afc)
        except _ArtifactFailed as failure:
            if self.acq.status(SYSDIAGNOSE) in (None, "pending"):
                self.acq.mark(SYSDIAGNOSE, "failed", error=failure.reason)
            self.reporter.warn(f"sysdiagnose: {failure.reason}")

    async def _sysdiagnose_names(self, afc: Any) -> list[str]:
        from pymobiledevice3.exceptions import AfcException

        try:
            names = await afc.listdir(SYSDIAGNOSE_DIR)
        except AfcException:  # the folder appears with the first sysdiagnose
            return []
        return [n for n in names if isinstance(n, str) and n not in ("", ".", "..")]

    async def _wait_for_sysdiagnose(self, afc: Any, before: set[str]) -> tuple[str, int]:
        """The new finished archive and its size, once the phone has stopped writing it."""
        last: tuple[str, int] | None = None
        while True:
            names = await self._guarded(self._sysdiagnose_names(afc))
            in_progress = [n for n in names if n.startswith("IN_PROGRESS_") and n not in before]
            finished = sorted(n for n in names if n not in before and n.endswith(".tar.gz")
                              and not n.startswith("IN_PROGRESS_") and "/" not in n)
            if finished and not in_progress:
                path = posixpath.join(SYSDIAGNOSE_DIR, finished[-1])
                size = int((await self._guarded(afc.stat(path))).get("st_size") or 0)
                if last == (path, size):  # the same size on two looks in a row: written
                    return path, size
                last = (path, size)
            await asyncio.sleep(self.options.sysdiagnose_poll_s)


    # -- backup (opt-in) ---------------------------------------------------------------------------
    async def _backup(self) -> None:
        """A full iTunes/Finder-format backup into ``backup/`` through mobilebackup2. Backup encryption is
        never changed without the person's consent: if it is off and they agree, a temporary password is
        set for the backup (the phone then includes the keychain and health data) and removed again
        afterwards; if it is on, the owner's password is left alone."""
        import secrets
        import shutil

        from pymobiledevice3.services.mobilebackup2 import Mobilebackup2Service

        earlier = self.acq.manifest.get("backup_encryption") or {}
        if earlier.get("temporary_password_set_by_inspector") and not earlier.get("removed_at"):
            # The password is not stored, so a new backup would be encrypted with a password nobody here
            # knows, and the phone would keep it: refuse until the person has removed it.
            reason = ("the temporary backup password inspector set in the earlier run is still on the iPhone "
                      "(it was shown then); remove it first (Settings › General › Transfer or Reset iPhone › "
                      "Reset › Reset All Settings, or any backup tool with that password), then run again")
            self.acq.mark(BACKUP, "failed", error=reason)
            self.reporter.warn(f"backup: {reason}")
            return
        work = self.acq.path / ".partial-backup"
        shutil.rmtree(work, ignore_errors=True)  # an earlier attempt: a backup is never resumed midway
        shutil.rmtree(self.acq.path / BACKUP, ignore_errors=True)
        for name in [n for n in self.acq.manifest["artifacts"] if n == BACKUP or n.startswith(BACKUP + "/")]:
            del self.acq.manifest["artifacts"][name]
        work.mkdir()
        self.reporter.stage("Checking backup encryption")
        try:
            will_encrypt = await self._guarded(self.lockdown.get_value(BACKUP_DOMAIN, "WillEncrypt"))
            temporary = None
            if will_encrypt is not True and self.confirm("backup_encryption"):
                temporary = secrets.token_hex(10)
                await self._guarded(Mobilebackup2Service(self.lockdown).change_password(str(work), new=temporary))
                self.acq.manifest["backup_encryption"] = {"temporary_password_set_by_inspector": True,
                                                          "set_at": utc_now(), "removed_at": None}
                self.acq.save()
                self.stats.backup_password = temporary
            try:
                self.reporter.stage("Making a backup (the iPhone may ask for its passcode)", total=100, unit="%")
                done = [0.0]

                def progress(percent: float) -> None:
                    if isinstance(percent, (int, float)) and percent > done[0]:
                        self.reporter.advance(percent - done[0])
                        done[0] = percent

                await self._guarded(Mobilebackup2Service(self.lockdown).backup(
                    full=True, backup_directory=str(work), progress_callback=progress),
                    timeout=self.options.backup_timeout_s)
            finally:
                if temporary is not None:
                    await self._remove_temporary_password(work, temporary)
            self._adopt_backup(work, encrypted=will_encrypt is True or temporary is not None)
        except _ArtifactFailed as failure:
            self.acq.mark(BACKUP, "failed", error=failure.reason)
            self.reporter.warn(f"backup: {failure.reason}")
        except errors.DeviceError as exc:
            self.acq.mark(BACKUP, "failed", error=str(exc))  # the part received is not a usable backup
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)

    async def _remove_temporary_password(self, work: Any, temporary: str) -> None:
        from pymobiledevice3.services.mobilebackup2 import Mobilebackup2Service

        record = self.acq.manifest["backup_encryption"]
        try:
            await self._guarded(Mobilebackup2Service(self.lockdown).change_password(str(work), old=temporary))
        except (_ArtifactFailed, errors.DeviceError) as exc:
            record["remove_error"] = str(exc)
            self.acq.save()
            self.on_prompt("backup_password_left")
            raise
        record["removed_at"] = utc_now()
        self.acq.save()

    def _adopt_backup(self, work: Any, encrypted: bool) -> None:
        """Move the finished backup into ``backup/`` and record every file with its hash."""
        import os

        from inspector.acquisition import sha256_file

        folders = [p for p in work.iterdir() if p.is_dir() and not p.is_symlink()]
        if len(folders) != 1:
            raise _ArtifactFailed(f"the backup folder holds {len(folders)} device folders, not one")
        final = self.acq.path / BACKUP
        os.replace(folders[0], final)
        problems = []
        count = 0
        for path in sorted(final.rglob("*")):
            rel = path.relative_to(final).as_posix()
            if path.is_symlink() or not path.is_file():
                continue
            if not _SAFE_BACKUP_NAME.match(rel):
                problems.append(f"{rel!r}: not a backup file name, left out")
                path.unlink()
                continue
            self.acq.mark(f"{BACKUP}/{rel}", "complete", sha256=sha256_file(path), size=path.stat().st_size,
                          finished_at=utc_now())
            count += 1
        for required in ("Manifest.plist", "Manifest.db", "Info.plist", "Status.plist"):
            if not (final / required).is_file():
                problems.append(f"{required} is missing")
        self.acq.mark(BACKUP, "partial" if problems else "complete", error="; ".join(problems[:20]) or None,
                      files=count, encrypted=encrypted)


@dataclass
class _Cut:
    """A value read only in part (a limit was reached): written, then marked partial."""

    value: Any
    reason: str


class _ArtifactFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _close_quietly(service) -> None:
    """Close a device service whose connection may already be gone (never waits more than 10 s)."""
    try:
        await asyncio.wait_for(service.aclose(), timeout=10)
    except Exception:  # noqa: S110 - nothing is left to do with a service that cannot even close
        pass
