"""The store's tables: which phones were seen, the helpdesk's cases, the acquisitions, each scan of
an acquisition and its findings. The raw artifacts stay in the acquisition folders; the store only
indexes them.

The schema is owned by the Alembic migrations in ``inspector/store/migrations`` (docs/store.md): a
change here needs a new migration, and tests/test_store_migrations.py checks that the two agree.

Strings have no length limit (VARCHAR without length on PostgreSQL): device text can be any size.
Times are stored as naive UTC (portable across SQLite and PostgreSQL) and read back as aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime in Python, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Case(Base):
    """A helpdesk case: the phones of one person or one delegation, checked together."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    acquisitions: Mapped[list[Acquisition]] = relationship(back_populates="case")


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String)
    # SHA-256 of the serial number (never the serial itself); see Store.record_scan for phones
    # whose serial could not be read.
    fingerprint: Mapped[str] = mapped_column(String, unique=True, index=True)
    model: Mapped[str | None] = mapped_column(String)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())

    acquisitions: Mapped[list[Acquisition]] = relationship(back_populates="device")


class Acquisition(Base):
    __tablename__ = "acquisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    acq_id: Mapped[str] = mapped_column(String, unique=True, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    operator: Mapped[str | None] = mapped_column(String)
    hashes_csv_sha256: Mapped[str | None] = mapped_column(String)
    # The case the acquisition belongs to (None: recorded without --case). A case cannot be
    # deleted while acquisitions refer to it.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", name="fk_acquisitions_case_id_cases"), index=True)
    # What the phone's owner agreed to (free text the helpdesk writes down).
    consent_note: Mapped[str | None] = mapped_column(Text)

    device: Mapped[Device] = relationship(back_populates="acquisitions")
    case: Mapped[Case | None] = relationship(back_populates="acquisitions")
    scans: Mapped[list[Scan]] = relationship(back_populates="acquisition")


class Scan(Base):
    """One analysis of one acquisition. Re-running the analysis (a new signature pack) adds a scan."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisitions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    verdict: Mapped[str] = mapped_column(String)
    tool_version: Mapped[str | None] = mapped_column(String)
    signature_pack_version: Mapped[str | None] = mapped_column(String)
    # The whole result document (docs/result-schema.md) as JSON, ASCII-escaped so that any device
    # string, even one that is not valid Unicode, round-trips exactly.
    result_json: Mapped[str] = mapped_column(Text)

    acquisition: Mapped[Acquisition] = relationship(back_populates="scans")
    findings: Mapped[list[FindingRow]] = relationship(back_populates="scan", cascade="all, delete-orphan")


class FindingRow(Base):
    """One finding of a scan: the columns one filters on, plus the whole finding as JSON."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String, index=True)
    family: Mapped[str] = mapped_column(String, index=True)
    severity: Mapped[str] = mapped_column(String)
    confidence: Mapped[str] = mapped_column(String)
    subject: Mapped[str] = mapped_column(Text)
    time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    data: Mapped[str] = mapped_column(Text)
    # The signature pack that produced this finding (revision 0003; older rows: the scan's pack).
    signature_pack_version: Mapped[str | None] = mapped_column(String)

    scan: Mapped[Scan] = relationship(back_populates="findings")


class ApkRecord(Base):
    """The extracted features of one APK, by SHA-256 (revision 0003): ``inspector rescan`` re-matches
    them against a new signature pack without reading the APK again, and the same app on many
    phones is stored once."""

    __tablename__ = "apks"

    sha256: Mapped[str] = mapped_column(String, primary_key=True)
    package: Mapped[str | None] = mapped_column(String, index=True)
    features_version: Mapped[int] = mapped_column(Integer)
    # The feature record of inspector.analyze.apk.features as JSON (ASCII-escaped).
    features: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class Job(Base):
    """A unit of work any ``inspector worker`` may do (revision 0004): today, extracting the features
    of one APK (``kind`` "apk_features", ``key`` its SHA-256). Claimed under a lease: a worker that
    dies lets the lease run out and another worker takes the job again (``attempts`` counts)."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    key: Mapped[str] = mapped_column(String)
    payload: Mapped[str] = mapped_column(Text)  # JSON: what the worker needs (e.g. the APK's path)
    status: Mapped[str] = mapped_column(String, index=True)  # queued, running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
