"""Live Android collection: runs the fixed commands, lists storage, pulls APKs, writes an Acquisition.

Read-only: nothing is installed on the phone and no setting is changed. Each artifact has a time and
size limit; a command that passes it keeps what it sent (status *partial*) and the collection goes on.
A lost connection stops the collection with everything so far saved; ``resume=True`` on the same
folder later skips what is complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from inspector.acquire.android import commands as C
from inspector.acquire.android import errors
from inspector.acquire.android.apks import ApkHashMismatch, device_sha256, fetch
from inspector.acquire.android.connection import AndroidConnection
from inspector.acquire.android.file_hashes import hash_files
from inspector.acquire.android.files import WalkLimits, walk
from inspector.acquisition.device import device_identity, parse_getprop
from inspector.acquire.android.packages import (
    PackageRecord,
    merge,
    parse_pm_list,
    parse_pm_names,
    parse_pm_path,
    parse_pm_users,
)
from inspector.acquisition import Acquisition
from inspector.acquisition.names import keep_raw_bytes, printable, raw_bytes, safe_component
from inspector.paths import apk_cache_dir

DUMPSYS_SEPARATOR = b"-" * 79 + b"\n"
_PEEK = 4096


class Reporter(Protocol):
    """What the collector tells whoever is watching (the CLI draws progress bars from it)."""

    def stage(self, label: str, total: int | None = None, unit: str = "items") -> None: ...
    def advance(self, amount: int = 1) -> None: ...
    def warn(self, text: str) -> None: ...


class SilentReporter:
    def stage(self, label: str, total: int | None = None, unit: str = "items") -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def warn(self, text: str) -> None:
        pass


@dataclass
class CollectOptions:
    pull_apks: bool = True
    command_timeout_s: float = 120.0
    big_command_timeout_s: float = 600.0  # logcat, dumpsys package and batterystats on a busy phone
    max_text_bytes: int = 64 << 20
    max_big_bytes: int = 512 << 20
    walk_limits: WalkLimits = field(default_factory=WalkLimits)
    # Files to fingerprint (MD5, on the phone) for target lists: under these roots, of a size the
    # predicate accepts. None: no fingerprints.
    md5_size_filter: Callable[[int], bool] | None = None
    md5_roots: tuple[str, ...] = ("/sdcard/", "/storage/")
    # Small files to copy as evidence (an implant's leftover logs): which device paths, and up to what size.
    evidence_file_filter: Callable[[str], bool] | None = None
    max_evidence_file_bytes: int = 1 << 20


@dataclass
class CollectStats:
    bytes_received: int = 0
    apks_pulled: int = 0
    apks_from_cache: int = 0
    apks_skipped_done: int = 0


class AndroidCollector:
    def __init__(
        self,
        conn: AndroidConnection,
        acquisition: Acquisition,
        reporter: Reporter | None = None,
        options: CollectOptions | None = None,
    ) -> None:
        self.conn = conn
        self.acq = acquisition
        self.reporter = reporter or SilentReporter()
        self.options = options or CollectOptions()
        self.stats = CollectStats()

    # -- the whole run ----------------------------------------------------------------------------
    def run(self) -> CollectStats:
        self.acq.remove_leftover_temp_files()
        try:
            self._identity()
            packages = self._packages()
            for name, argv in C.TEXT_ARTIFACTS:
                fallbacks = [argv, C.PROCESSES_FALLBACK] if name == "processes.txt" else [argv]
                self._text_artifact(name, fallbacks, self.options.command_timeout_s, self.options.max_text_bytes,
                                    min_lines=2 if name == "processes.txt" else 0)
            self._files()
            if self.options.evidence_file_filter is not None:
                self._evidence_files()
            if self.options.md5_size_filter is not None:
                self._file_hashes()
            self._dumpsys()
            self._text_artifact("logcat.txt", [C.LOGCAT, C.LOGCAT_FALLBACK],
                                self.options.big_command_timeout_s, self.options.max_big_bytes)
            if self.options.pull_apks:
                self._apks(packages)
        finally:
            self.stats.bytes_received = self.conn.bytes_received
        self.acq.finish()
        return self.stats

    # -- identity ---------------------------------------------------------------------------------
    def _identity(self) -> None:
        if self.acq.is_complete("getprop.txt"):
            # Resuming: the stored identity must be this phone's, so ask the phone again.
            text = self.conn.shell(C.command("getprop"), timeout_s=self.options.command_timeout_s)
            props = parse_getprop(text.decode("utf-8", "replace"))
        else:
            self._text_artifact("getprop.txt", [("getprop",)], self.options.command_timeout_s,
                                self.options.max_text_bytes)
            path = self.acq.artifact_path("getprop.txt")
            props = parse_getprop(path.read_text("utf-8", "replace")) if path.is_file() else {}
        identity = device_identity(props, self.conn.serial)
        identity["transport"] = self.conn.transport
        previous = self.acq.manifest.get("device") or {}
        if previous.get("serial_sha256") and previous["serial_sha256"] != identity["serial_sha256"]:
            raise errors.DeviceError(
                "This acquisition folder belongs to another phone.",
                hint="Plug in the phone this folder was started with, or scan into a new folder.",
            )
        self.acq.set_device(identity)

    # -- plain command outputs --------------------------------------------------------------------
    def _text_artifact(
        self, name: str, candidates: list[tuple[str, ...]], timeout_s: float, max_bytes: int, min_lines: int = 0
    ) -> None:
        if self.acq.is_complete(name):
            return
        self.reporter.stage(f"Collecting {name}", unit="bytes")
        try:
            with self.acq.writer(name, command=None) as out:
                used = self._stream_first_supported(candidates, out, timeout_s, max_bytes, min_lines)
            self.acq.mark(name, "complete", command=" ".join(used))
        except (errors.CommandTimeout, errors.OutputTooLarge) as exc:
            self.reporter.warn(f"{name}: {exc}; keeping what the phone sent")

    def _stream_first_supported(
        self, candidates: list[tuple[str, ...]], out, timeout_s: float, max_bytes: int, min_lines: int = 0
    ) -> tuple[str, ...]:
        """Stream the first variant the phone supports. Refusals are short, so the first few KiB are
        held back to tell "Unknown option" (or, with ``min_lines``, a bare header) from real output
        before anything is written."""

        def refused(head: bytes) -> bool:
            return C.looks_unsupported(head) or len([x for x in head.split(b"\n") if x.strip()]) < min_lines

        for i, argv in enumerate(candidates):
            decided = i == len(candidates) - 1
            head = bytearray()
            stream = self.conn.stream_shell(C.command(*argv), timeout_s=timeout_s, max_bytes=max_bytes)
            unsupported = False
            try:
                for chunk in stream:
                    if decided:
                        out.write(chunk)
                        self.reporter.advance(len(chunk))
                        continue
                    head += chunk
                    if len(head) >= _PEEK:
                        if refused(bytes(head)):
                            stream.close()
                            unsupported = True
                            break
                        out.write(bytes(head))
                        self.reporter.advance(len(head))
                        decided = True
            except BaseException:
                if not decided and head:
                    out.write(bytes(head))  # stopped while deciding: keep what arrived
                raise
            if unsupported or (not decided and refused(bytes(head))):
                continue
            if not decided:
                out.write(bytes(head))
                self.reporter.advance(len(head))
            return argv
        return candidates[-1]

    # -- dumpsys ----------------------------------------------------------------------------------
    def _dumpsys(self) -> None:
        name = "dumpsys.txt"
        if self.acq.is_complete(name):
            return
        self.reporter.stage("Collecting system service dumps", total=len(C.DUMPSYS_SERVICES))
        problems: dict[str, str] = {}
        with self.acq.writer(name, services=list(C.DUMPSYS_SERVICES)) as out:
            for service in C.DUMPSYS_SERVICES:
                out.write(DUMPSYS_SEPARATOR + f"DUMP OF SERVICE {service}:\n".encode())
                big = service in ("package", "batterystats", "usagestats", "appops")
                try:
                    for chunk in self.conn.stream_shell(
                        C.command("dumpsys", service),
                        timeout_s=self.options.big_command_timeout_s if big else self.options.command_timeout_s,
                        max_bytes=self.options.max_big_bytes if big else self.options.max_text_bytes,
                    ):
                        out.write(chunk)
                except (errors.CommandTimeout, errors.OutputTooLarge) as exc:
                    problems[service] = str(exc)
                    self.reporter.warn(f"dumpsys {service}: {exc}; keeping what the phone sent")
                out.write(b"\n")
                self.reporter.advance(1)
        if problems:
            detail = "; ".join(f"{k}: {v}" for k, v in problems.items())
            self.acq.mark(name, "partial", error=detail, service_errors=problems)

    # -- packages ---------------------------------------------------------------------------------
    def _packages(self) -> list[dict]:
        name = "packages.json"
        if self.acq.is_complete(name):
            return json.loads(self.acq.artifact_path(name).read_text("utf-8"))
        self.reporter.stage("Listing apps")
        users = parse_pm_users(self._raw("raw/pm_list_users.txt", C.PM_LIST_USERS))
        records: dict[bytes, PackageRecord] = {}
        for user in users:
            all_out = b""
            for argv in C.pm_list_all(user):
                all_out = self._raw(f"raw/pm_list_packages_all_user{user}.txt", argv)
                if not C.looks_unsupported(all_out):
                    break
            lists = {}
            for key, flag in (("installed", None), ("system", "-s"), ("third_party", "-3"), ("disabled", "-d")):
                out = self._raw(f"raw/pm_list_packages_{key}_user{user}.txt", C.pm_list_flag(flag, user))
                lists[key] = None if C.looks_unsupported(out) else parse_pm_names(out)
            merge(user, parse_pm_list(all_out), lists["installed"], lists["system"], lists["third_party"],
                  lists["disabled"], records)

        self.reporter.stage("Hashing apps on the phone", total=len(records))
        result = []
        for record in records.values():
            if not record.uninstalled:
                user = record.installed_users[0] if record.installed_users else "0"
                try:
                    paths = parse_pm_path(self.conn.shell(C.command("pm", "path", record.name, "--user", user),
                                                          timeout_s=60, max_bytes=1 << 20))
                except (errors.CommandTimeout, errors.OutputTooLarge) as exc:
                    self.reporter.warn(f"pm path {printable(record.name)}: {exc}")
                    paths = []
                if paths:
                    record.apk_paths = paths
            result.append(self._package_json(record))
            self.reporter.advance(1)
        self.acq.write_json(name, result, users=users)
        return result

    def _package_json(self, record: PackageRecord) -> dict:
        files = []
        for path in record.apk_paths:
            entry = {"path": printable(path), "local_name": "", "md5": "", "sha1": "", "sha256": "",
                     "sha512": "", "error": ""}
            keep_raw_bytes(entry, "path", path)
            if not record.uninstalled:
                digest = device_sha256(self.conn, path)
                if digest:
                    entry["sha256"] = digest
            files.append(entry)
        data = {
            "name": printable(record.name),
            "files": files,
            "installer": printable(record.installer) if record.installer else "null",
            "uid": record.uid,
            "disabled": record.disabled,
            "system": record.system,
            "third_party": record.third_party,
            "uninstalled": record.uninstalled,
            "version_code": record.version_code,
            "users": record.users,
            "installed_users": record.installed_users,
        }
        keep_raw_bytes(data, "name", record.name)
        return data

    def _raw(self, name: str, argv: tuple[str, ...]) -> bytes:
        """A small command whose exact output is kept under raw/ as evidence."""
        output = self.conn.shell(C.command(*argv), timeout_s=self.options.command_timeout_s,
                                 max_bytes=self.options.max_text_bytes)
        self.acq.write_bytes(name, output, command=" ".join(argv))
        return output

    # -- storage listing --------------------------------------------------------------------------
    def _files(self) -> None:
        name = "files.json"
        if self.acq.is_complete(name):
            return
        self.reporter.stage("Listing shared storage")
        result = walk(self.conn, limits=self.options.walk_limits, on_entry=self.reporter.advance)
        self.acq.write_json(name, result.records, truncated=result.truncated, entries=len(result.records))
        if result.truncated or result.errors:
            why = "listing cut at the depth or count limit" if result.truncated else "; ".join(result.errors[:5])
            self.acq.mark(name, "partial", error=why)

    # -- copies of small leftover files -----------------------------------------------------------
    def _evidence_files(self) -> None:
        if not self.acq.artifact_path("files.json").is_file():
            return
        wanted = self.options.evidence_file_filter
        records = json.loads(self.acq.artifact_path("files.json").read_text("utf-8"))
        chosen = [r for r in records if r.get("type") == "file" and r["size"] <= self.options.max_evidence_file_bytes
                  and wanted(r["path"])]
        if not chosen:
            return
        self.reporter.stage("Copying files left behind by known implants", total=len(chosen))
        for record in chosen:
            raw = raw_bytes(record, "path")
            name = "files/" + "/".join(safe_component(part.decode("utf-8", "surrogateescape"))
                                       for part in raw.strip(b"/").split(b"/"))
            if self.acq.is_complete(name):
                continue
            try:
                with self.acq.writer(name, device_path=record["path"]) as out:
                    self.conn.pull(raw, out)
            except FileNotFoundError as exc:
                self.reporter.warn(f"{record['path']}: {exc}")
            self.reporter.advance(1)

    # -- fingerprints of selected files ----------------------------------------------------------
    def _file_hashes(self) -> None:
        name = "file_hashes.json"
        if self.acq.is_complete(name) or not self.acq.artifact_path("files.json").is_file():
            return
        wanted = self.options.md5_size_filter
        records = json.loads(self.acq.artifact_path("files.json").read_text("utf-8"))
        candidates = [
            (raw_bytes(r, "path"), r["size"]) for r in records
            if r.get("type") == "file" and r["path"].startswith(self.options.md5_roots) and wanted(r["size"])
        ]
        self.reporter.stage("Fingerprinting files of listed sizes", total=len(candidates))
        hashes = hash_files(self.conn, candidates, on_file=self.reporter.advance)
        failed = [h for h in hashes if h.error]
        self.acq.write_json(name, {"algorithm": "md5", "candidates": len(candidates),
                                   "records": [h.to_dict() for h in hashes]},
                            candidates=len(candidates), failed=len(failed))
        if failed:
            self.acq.mark(name, "partial", error=f"{len(failed)} of {len(candidates)} files could not be hashed")

    # -- APKs -------------------------------------------------------------------------------------
    def _apks(self, packages: list[dict]) -> None:
        todo = [(pkg, f) for pkg in packages if not pkg.get("uninstalled") for f in pkg["files"]]
        self.reporter.stage("Copying apps from the phone", total=len(todo))
        cache = apk_cache_dir()
        used_names: set[str] = set()
        try:
            for pkg, entry in todo:
                local = _apk_local_name(pkg, entry, used_names)
                if self.acq.is_complete(local) and entry.get("local_name") == local:
                    self.stats.apks_skipped_done += 1
                    self.reporter.advance(1)
                    continue
                raw_path = raw_bytes(entry, "path")
                try:
                    got = fetch(self.conn, raw_path, cache, expected_sha256=entry.get("sha256") or None)
                except (FileNotFoundError, ApkHashMismatch) as exc:
                    entry["error"] = str(exc)
                    self.acq.mark(local, "failed", error=str(exc), device_path=entry["path"])
                    self.reporter.warn(f"{entry['path']}: {exc}")
                    self.reporter.advance(1)
                    continue
                if got.pulled:
                    self.stats.apks_pulled += 1
                else:
                    self.stats.apks_from_cache += 1
                entry["sha256"] = got.sha256
                entry["local_name"] = local
                entry["error"] = ""
                self.acq.adopt_file(local, got.cached_path, got.sha256, device_path=entry["path"],
                                    package=pkg["name"], from_cache=not got.pulled)
                self.reporter.advance(1)
        finally:
            self.acq.write_json("packages.json", packages)


def _apk_local_name(pkg: dict, entry: dict, used: set[str]) -> str:
    base = raw_bytes(entry, "path").rsplit(b"/", 1)[-1].decode("utf-8", "surrogateescape")
    stem = f"apks/{safe_component(pkg['name'])}_{safe_component(base)}"
    local, n = stem, 1
    while local in used:
        n += 1
        local = f"{stem}.{n}"
    used.add(local)
    return local


def iter_package_names(packages: Iterable[dict]) -> list[str]:
    return [p["name"] for p in packages]
