"""The acquisition folder: the hinge between collection and analysis.

Every artifact is written to a temporary file in the same folder and renamed into place when it is
done (complete, or partial after a timeout or a dropped cable), and ``acquisition.json`` and
``hashes.csv`` are rewritten atomically after every artifact. A crash therefore always leaves a valid,
readable acquisition whose manifest says what is complete, partial, failed or was interrupted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

FORMAT_VERSION = 1
MANIFEST = "acquisition.json"
HASHES = "hashes.csv"
_TMP_PREFIX = ".partial-"

STATUSES = ("complete", "partial", "failed", "pending")


class AcquisitionError(Exception):
    """The folder is not an acquisition, or cannot be written as one."""


class UnsafeArtifactName(AcquisitionError):
    """An artifact name would land outside the acquisition folder."""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_name(name: str) -> PurePosixPath:
    """Artifact names are relative POSIX paths we choose ourselves; refuse anything that could escape."""
    pure = PurePosixPath(name)
    if (
        not name
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
        or "\\" in name
        or "\x00" in name
        or name in (MANIFEST, HASHES)
        or any(part.startswith(_TMP_PREFIX) for part in pure.parts)
    ):
        raise UnsafeArtifactName(f"refusing artifact name {name!r}")
    return pure


@dataclass
class ArtifactWriter:
    """A file being written: hashes and counts bytes as they stream through."""

    stream: BinaryIO
    sha256: Any
    size: int = 0

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


class Acquisition:
    """One acquisition folder: ``acquisition.json``, ``hashes.csv`` and the raw artifacts."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._hashes_saved: bytes | None = None  # hashes.csv as this object last wrote it

    # -- creating and opening -------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path,
        *,
        platform: str,
        tool_version: str,
        signature_pack_version: str,
        operator: str | None = None,
    ) -> Acquisition:
        path = Path(path)
        if (path / MANIFEST).exists():
            raise AcquisitionError(
                f"{path} already holds an acquisition; use --resume to complete it or choose another folder"
            )
        path.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format_version": FORMAT_VERSION,
            "id": str(uuid.uuid4()),
            "platform": platform,
            "tool": {"name": "inspector", "version": tool_version},
            "signature_pack": {"version": signature_pack_version},
            "operator": operator,
            "device": {},
            "started_at": utc_now(),
            "finished_at": None,
            "complete": False,
            "artifacts": {},
        }
        acq = cls(path.resolve(), manifest)
        acq.save()
        return acq

    @classmethod
    def open(cls, path: Path) -> Acquisition:
        path = Path(path)
        try:
            manifest = json.loads((path / MANIFEST).read_text("utf-8"))
        except FileNotFoundError:
            raise AcquisitionError(f"{path} is not an acquisition: it has no {MANIFEST}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise AcquisitionError(f"{path / MANIFEST} is damaged: {exc}") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("artifacts"), dict):
            raise AcquisitionError(f"{path / MANIFEST} is not an inspector acquisition manifest")
        acq = cls(path.resolve(), manifest)
        # An artifact left "pending" was being written when the previous run stopped.
        for record in acq.manifest["artifacts"].values():
            if record.get("status") == "pending":
                record["status"] = "failed"
                record["error"] = record.get("error") or "interrupted: the run stopped while collecting it"
        return acq

    # -- artifacts --------------------------------------------------------------------------------
    def artifact_path(self, name: str) -> Path:
        return self.path.joinpath(*_check_name(name).parts)

    def status(self, name: str) -> str | None:
        record = self.manifest["artifacts"].get(name)
        return record.get("status") if record else None

    def is_complete(self, name: str) -> bool:
        return self.status(name) == "complete" and self.artifact_path(name).is_file()

    def artifact(self, name: str) -> dict[str, Any] | None:
        return self.manifest["artifacts"].get(name)

    @contextmanager
    def writer(self, name: str, **details: Any) -> Iterator[ArtifactWriter]:
        """Stream an artifact into place. On an exception the bytes received so far are kept as a
        *partial* artifact (if any arrived) or the artifact is marked *failed*; the exception goes on."""
        final = self.artifact_path(name)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f"{_TMP_PREFIX}{final.name}")
        started = utc_now()
        self._record(name, status="pending", error=None, started_at=started, **details)
        self.save()
        out = ArtifactWriter(stream=open(tmp, "wb"), sha256=hashlib.sha256())
        try:
            yield out
        except BaseException as exc:
            out.stream.close()
            if out.size and tmp.exists():
                os.replace(tmp, final)
                self._record(name, status="partial", error=_describe(exc), size=out.size,
                             sha256=out.sha256.hexdigest(), finished_at=utc_now())
            else:
                tmp.unlink(missing_ok=True)
                final.unlink(missing_ok=True)
                self._record(name, status="failed", error=_describe(exc), size=0, sha256=None,
                             finished_at=utc_now())
            self.save()
            raise
        else:
            out.stream.flush()
            os.fsync(out.stream.fileno())
            out.stream.close()
            os.replace(tmp, final)
            self._record(name, status="complete", error=None, size=out.size, sha256=out.sha256.hexdigest(),
                         finished_at=utc_now())
            self.save()

    def write_bytes(self, name: str, data: bytes, **details: Any) -> None:
        with self.writer(name, **details) as out:
            out.write(data)

    def write_json(self, name: str, value: Any, **details: Any) -> None:
        self.write_bytes(name, json.dumps(value, indent=1, ensure_ascii=False).encode("utf-8"), **details)

    def mark(self, name: str, status: str, error: str | None = None, **details: Any) -> None:
        """Change an artifact's status after the fact (e.g. complete bytes, but a command error)."""
        if status not in STATUSES:
            raise ValueError(status)
        self._record(name, status=status, error=error, **details)
        self.save()

    def adopt_file(self, name: str, source: Path, sha256: str, **details: Any) -> None:
        """Place an already-verified file (e.g. an APK from the local cache) as an artifact."""
        final = self.artifact_path(name)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f"{_TMP_PREFIX}{final.name}")
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError:
            with open(source, "rb") as src, open(tmp, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        os.replace(tmp, final)
        self._record(name, status="complete", error=None, size=final.stat().st_size, sha256=sha256,
                     finished_at=utc_now(), **details)
        self.save()

    def _record(self, name: str, **fields: Any) -> None:
        _check_name(name)
        record = self.manifest["artifacts"].setdefault(name, {"status": "pending", "error": None})
        record.update(fields)

    # -- manifest ---------------------------------------------------------------------------------
    def set_device(self, device: dict[str, Any]) -> None:
        self.manifest["device"] = device
        self.save()

    def finish(self, interrupted: str | None = None) -> None:
        """Close the acquisition. ``interrupted`` says why collection stopped before its end (then it
        is incomplete even if every artifact written so far is complete)."""
        records = self.manifest["artifacts"].values()
        self.manifest["interrupted"] = interrupted
        self.manifest["complete"] = (interrupted is None and bool(records)
                                     and all(r.get("status") == "complete" for r in records))
        self.manifest["finished_at"] = utc_now()
        self.save()

    @property
    def complete(self) -> bool:
        return bool(self.manifest.get("complete"))

    def save(self) -> None:
        """Rewrite hashes.csv and acquisition.json atomically (hashes first: the manifest names it).

        The manifest is rewritten twice per artifact while collecting; until :meth:`finish` it is
        written in one line (json's C encoder: indenting goes through json's pure-Python encoder, which
        was a fifth of a batch's CPU), then indented for people to read."""
        hashes = self._hashes_csv()
        if hashes != self._hashes_saved:  # unchanged by e.g. an artifact's "pending" mark
            self._atomic_write(HASHES, hashes)
            self._hashes_saved = hashes
        body = (json.dumps(self.manifest, indent=1, ensure_ascii=False) if self.manifest.get("finished_at")
                else json.dumps(self.manifest, ensure_ascii=False, separators=(",", ":")))
        self._atomic_write(MANIFEST, body.encode("utf-8"))

    def _hashes_csv(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["path", "sha256", "size"])
        for name, record in sorted(self.manifest["artifacts"].items()):
            if record.get("sha256") and record.get("status") in ("complete", "partial"):
                writer.writerow([name, record["sha256"], record.get("size", "")])
        return buf.getvalue().encode("utf-8")

    def _atomic_write(self, name: str, data: bytes) -> None:
        final = self.path / name
        tmp = self.path / f"{_TMP_PREFIX}{name}"
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, final)

    def remove_leftover_temp_files(self) -> None:
        for tmp in self.path.rglob(f"{_TMP_PREFIX}*"):
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink()

    def hashes_csv_sha256(self) -> str:
        return hashlib.sha256((self.path / HASHES).read_bytes()).hexdigest()

    def verify_hashes(self) -> list[str]:
        """Names of artifacts whose bytes on disk no longer match hashes.csv (chain of custody)."""
        bad = []
        with open(self.path / HASHES, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                try:
                    path = self.artifact_path(row["path"])
                except UnsafeArtifactName:
                    bad.append(row["path"])
                    continue
                if not path.is_file() or sha256_file(path) != row["sha256"]:
                    bad.append(row["path"])
        return bad


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by the user"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if str(exc) else text
