"""The job table: work that any ``inspector worker`` on any workstation sharing the store may do.

A job is claimed under a lease. On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED``:
several workers claim different jobs at the same moment without waiting for each other. On SQLite
(one workstation) the claim runs in a ``BEGIN IMMEDIATE`` transaction, so claims from several
processes simply take turns. A worker that dies stops renewing its lease; once the lease has run out
the job is claimed again (``attempts`` + 1), up to :data:`MAX_ATTEMPTS`, after which it is failed.
Finishing a job writes its result and marks it done in one transaction, and only if the lease is
still this worker's: a worker that was too slow and lost its job writes nothing.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspector.store.database import Store
from inspector.store.models import ApkRecord, Job

APK_FEATURES = "apk_features"
MAX_ATTEMPTS = 3
DEFAULT_LEASE_S = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempt: int
    worker: str


class JobQueue:
    """The job table of a store, seen by one worker (``name``)."""

    def __init__(self, store: Store, name: str | None = None, lease_s: float = DEFAULT_LEASE_S,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        self.store = store
        self.name = name or worker_name()
        self.lease = timedelta(seconds=lease_s)
        self.max_attempts = max_attempts

    def _session(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    def enqueue(self, kind: str, key: str, payload: Mapping[str, Any]) -> bool:
        """Add a job unless one of this kind and key exists (in any state); True if added. A job
        that failed for good is queued again (its attempts start over)."""
        try:
            with self.store.write_session() as session:
                job = session.scalars(select(Job).where(Job.kind == kind, Job.key == key)).one_or_none()
                if job is None:
                    session.add(Job(kind=kind, key=key, payload=json.dumps(dict(payload)), status="queued",
                                    attempts=0, created_at=datetime.now(UTC)))
                    return True
                if job.status == "failed":
                    job.status, job.attempts, job.error = "queued", 0, None
                    job.payload = json.dumps(dict(payload))
                    return True
                return False
        except IntegrityError:  # another process added the same job between our read and our insert
            return False

    def claim(self, kinds: tuple[str, ...] = (APK_FEATURES,)) -> ClaimedJob | None:
        """The oldest job that is queued, or whose worker's lease ran out; None if there is none."""
        now = datetime.now(UTC)
        with self.store.write_session() as session:
            # Jobs whose workers died too often: failed for good, with the reason.
            session.execute(
                update(Job)
                .where(Job.status == "running", Job.lease_until < now, Job.attempts >= self.max_attempts)
                .values(status="failed", finished_at=now, lease_until=None,
                        error=f"abandoned by {self.max_attempts} workers (each died or stalled)"))
            query = (
                select(Job)
                .where(Job.kind.in_(kinds), Job.attempts < self.max_attempts,
                       or_(Job.status == "queued", and_(Job.status == "running", Job.lease_until < now)))
                .order_by(Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            job = session.scalars(query).first()
            if job is None:
                return None
            job.status, job.worker = "running", self.name
            job.attempts += 1
            job.lease_until = now + self.lease
            return ClaimedJob(job.id, job.kind, job.key, json.loads(job.payload), job.attempts, self.name)

    def renew(self, job: ClaimedJob) -> bool:
        """Extend the lease (a worker calls this while it works); False if the job is no longer ours."""
        with self.store.write_session() as session:
            done = session.execute(
                update(Job).where(Job.id == job.id, Job.worker == self.name, Job.status == "running")
                .values(lease_until=datetime.now(UTC) + self.lease))
            return done.rowcount == 1

    def _own(self, session: Session, job: ClaimedJob) -> Job | None:
        row = session.get(Job, job.id, with_for_update=True)
        if row is None or row.status != "running" or row.worker != self.name or row.attempts != job.attempt:
            return None
        return row

    def complete(self, job: ClaimedJob, apk_features: Mapping[str, Any] | None = None) -> bool:
        """Record the result and mark the job done, in one transaction; False (nothing written) if
        the job was taken over by another worker meanwhile."""
        with self.store.write_session() as session:
            row = self._own(session, job)
            if row is None:
                return False
            if apk_features is not None:
                Store._add_apks(session, {job.key: apk_features})
            row.status, row.finished_at, row.lease_until, row.error = "done", datetime.now(UTC), None, None
            return True

    def fail(self, job: ClaimedJob, error: str, retry: bool = False) -> None:
        """The job could not be done: failed for good, or (``retry``) queued again for another try."""
        with self.store.write_session() as session:
            row = self._own(session, job)
            if row is None:
                return
            again = retry and row.attempts < self.max_attempts
            row.status = "queued" if again else "failed"
            row.error, row.lease_until = error[:2000], None
            row.finished_at = None if again else datetime.now(UTC)

    def counts(self) -> dict[str, int]:
        with self._session() as session:
            return {status: int(n) for status, n in
                    session.execute(select(Job.status, func.count(Job.id)).group_by(Job.status))}

    def pending(self) -> int:
        """Jobs not finished yet (queued or running, including those whose lease ran out)."""
        counts = self.counts()
        return counts.get("queued", 0) + counts.get("running", 0)

    def jobs(self, kind: str = APK_FEATURES) -> list[Job]:
        with self._session() as session:
            return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))

    def has_features(self, sha256s: list[str]) -> set[str]:
        """Which of these APKs already have their features in the store."""
        with self._session() as session:
            return set(session.scalars(select(ApkRecord.sha256).where(ApkRecord.sha256.in_(sha256s))))
