"""``inspector worker``: do the jobs of a shared store (``inspector.store.jobs``), today extracting
the features of APKs that a batch on any workstation queued. Run as many as there are cores, on as
many machines as share the store; each claims one job at a time, renews its lease while it works,
and writes the result in the same transaction that marks the job done.

An APK job names the APK's path; the worker must be able to read it (the acquisition folders on a
share every workstation mounts, docs/store.md). The file's SHA-256 is checked before it is read:
a path that now holds another file fails the job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inspector.analyze.apk.features import file_sha256
from inspector.analyze.apk.pool import features_many
from inspector.store import Store
from inspector.store.jobs import APK_FEATURES, DEFAULT_LEASE_S, ClaimedJob, JobQueue


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    lost: int = 0  # jobs finished too late: another worker had taken them over


class JobFailed(Exception):
    """The job cannot be done (and retrying would not help)."""


def apk_features_job(job: ClaimedJob) -> dict:
    path = job.payload.get("path")
    if not isinstance(path, str) or not path:
        raise JobFailed("the job names no APK path")
    apk = Path(path)
    if not apk.is_file():
        raise JobFailed(f"{path} cannot be read from this workstation (is the acquisitions share mounted?)")
    if file_sha256(apk) != job.key:
        raise JobFailed(f"{path} no longer holds the APK {job.key[:12]}… (its SHA-256 differs)")
    # The bounded pool's path: the time limit and memory guard apply (in this process on the main
    # thread; from a thread, in a worker process).
    yara, folders = _local_yara()
    [(record, _cached)] = features_many([apk], jobs=1, yara=yara, yara_folders=folders,
                                        known_sha256={apk: job.key}).values()
    if record.get("incomplete"):
        raise JobFailed("; ".join(record.get("errors") or ["the APK could not be read"]))
    return record


_YARA_MEMO: dict[str, tuple[tuple, tuple]] = {}  # "pack" → (the pack files' stamp, (rules, folders))


def _local_yara():
    """This workstation's pack's YARA rules and their folders, run while the DEX is read (a record whose
    rules differ from the pack that checks it later gets only its YARA tier run again); (None, ()) if
    they cannot be loaded. Loaded again only when a file of the pack (or of what the user imported) has
    changed since the last job: a long-running worker sees a new pack at its next job without loading
    the pack for every job."""
    from inspector.analyze.apk.yara_rules import YaraRulesError, pack_yara
    from inspector.analyze.signatures import SignaturePack, SignaturePackError

    stamp = _pack_stamp()
    memo = _YARA_MEMO.get("pack")
    if memo is not None and memo[0] == stamp:
        return memo[1]
    try:
        rules = pack_yara(SignaturePack.load())
    except (SignaturePackError, YaraRulesError):
        rules = (None, ())
    _YARA_MEMO["pack"] = (stamp, rules)
    return rules


def _pack_stamp() -> tuple:
    """Name, size and modification time of every file of the pack in use and of the user's imports."""
    from inspector.analyze.signatures import imported_signatures_dir, pack_files
    from inspector.resources import signatures_dir

    stamp = []
    for root in (signatures_dir(), imported_signatures_dir()):
        for path in pack_files(root) if root.is_dir() else ():
            info = path.stat()
            stamp.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(stamp)


class Worker:
    def __init__(self, store: Store, name: str | None = None, lease_s: float = DEFAULT_LEASE_S,
                 on_event: Callable[[str, ClaimedJob, str], None] | None = None) -> None:
        self.queue = JobQueue(store, name=name, lease_s=lease_s)
        self.lease_s = lease_s
        self.stats = WorkerStats()
        self.on_event = on_event or (lambda _what, _job, _detail: None)

    def run_one(self) -> bool:
        """Claim and do one job; False if there was none to claim."""
        job = self.queue.claim((APK_FEATURES,))
        if job is None:
            return False
        self.on_event("start", job, "")
        stop = threading.Event()

        def keep_lease() -> None:
            while not stop.wait(self.lease_s / 3):
                if not self.queue.renew(job):
                    return

        renewer = threading.Thread(target=keep_lease, name=f"lease-{job.id}", daemon=True)
        renewer.start()
        try:
            record = apk_features_job(job)
        except JobFailed as exc:
            stop.set()
            self.queue.fail(job, str(exc))
            self.stats.failed += 1
            self.on_event("failed", job, str(exc))
            return True
        except Exception as exc:  # noqa: BLE001 - an unexpected error: let another try
            stop.set()
            self.queue.fail(job, f"{type(exc).__name__}: {exc}", retry=True)
            self.stats.failed += 1
            self.on_event("failed", job, f"{type(exc).__name__}: {exc}")
            return True
        finally:
            stop.set()
            renewer.join()
        if self.queue.complete(job, record):
            self.stats.done += 1
            self.on_event("done", job, str(record.get("package") or ""))
        else:
            self.stats.lost += 1
            self.on_event("lost", job, "another worker took the job over")
        return True

    def run(self, stop: threading.Event | None = None, exit_when_idle: bool = False,
            poll_s: float = 1.0) -> WorkerStats:
        """Work until ``stop`` is set; with ``exit_when_idle``, until no job is queued or running
        (a job whose worker died counts as running until its lease runs out and it is done here)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            if self.run_one():
                continue
            if exit_when_idle and self.queue.pending() == 0:
                break
            stop.wait(poll_s)
        return self.stats


def features_through_jobs(store: Store, apks: dict[str, Path], timeout_s: float = 3600.0,
                          poll_s: float = 0.2) -> dict[str, dict]:
    """The features of these APKs (SHA-256 → path), through the job table: a job is queued for each
    APK whose features the store does not have; this process does jobs too while it waits, so the
    work finishes even when no other worker runs. Returns what the store has at the end."""
    queue = JobQueue(store)
    missing = sorted(set(apks) - queue.has_features(sorted(apks)))
    for sha in missing:
        queue.enqueue(APK_FEATURES, sha, {"path": str(Path(apks[sha]).resolve())})
    helper = Worker(store)
    deadline = time.monotonic() + timeout_s
    while missing and time.monotonic() < deadline:
        missing = sorted(set(missing) - queue.has_features(missing))
        if not missing:
            break
        if not helper.run_one():
            failed = {j.key for j in queue.jobs() if j.status == "failed"}
            missing = [sha for sha in missing if sha not in failed]
            time.sleep(poll_s)
    return store.apk_features(sorted(apks))
