"""Export bundles: a case (or one acquisition folder) as a zip another installation can import.

Layout of the zip::

    manifest.json                      format, case, acquisitions, and the SHA-256 and size of every file
    acquisitions/NN/<files>            each acquisition folder as it is (left out when redacted)
    scans/NN-K.json                    the result document of each scan (redacted when asked)

Export never changes the store or the folders. Import is all or nothing and treats the bundle as
hostile: every name must be one of the layout's (no absolute path, no ``..``, no backslash, no link,
no file that the manifest does not list), every file must have the size and SHA-256 the manifest
gives, and the whole must fit the limits below. Files are extracted into a hidden temporary folder
next to the destination, checked, then moved into place with one rename each; the scans are then
recorded in one store transaction. Any failure removes what was extracted and leaves the store as
it was.

A bundle may be sealed to a recipient's public key (:mod:`inspector.exchange.sealed`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import inspector
from inspector.exchange import sealed
from inspector.store import Store

FORMAT = "inspector-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Limits of what an import accepts: a bundle is someone else's file.
MAX_FILES = 200_000
MAX_TOTAL_BYTES = 64 << 30
MAX_MANIFEST_BYTES = 64 << 20
_NAME_RE = re.compile(r"^(?:acquisitions/\d{2,6}/[^\x00\\]+|scans/\d{2,6}-\d{1,6}\.json)$")
_COPY_CHUNK = 1 << 20


class BundleError(Exception):
    """A bundle that cannot be written or imported, with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class BundleCorrupt(BundleError):
    """The zip is damaged, or a file differs from the manifest."""


class UnsafeBundle(BundleError):
    """A name in the bundle would land outside the destination, or the bundle exceeds the limits."""


class AlreadyImported(BundleError):
    pass


@dataclass
class ExportResult:
    path: Path
    acquisitions: int
    scans: int
    files: int
    redacted: bool
    sealed: bool


@dataclass
class ImportResult:
    case: str | None
    folders: list[Path] = field(default_factory=list)
    scan_ids: list[int] = field(default_factory=list)
    redacted: bool = False


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _folder_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Regular files of an acquisition folder (relative POSIX name, path); links are left out."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not (Path(root) / d).is_symlink())
        for name in sorted(files):
            path = Path(root) / name
            if stat.S_ISREG(path.lstat().st_mode):
                yield path.relative_to(folder).as_posix(), path


# --- export --------------------------------------------------------------------------------------


def export_case(store: Store, case: str, out: Path, *, redact: bool = False,
                recipient: Path | None = None) -> ExportResult:
    info = store.get_case(case)
    entries = store.case_export(case)
    header = {"name": info.name, "note": None if redact else info.note,
              "created_at": info.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "closed_at": info.closed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if info.closed_at else None}
    acquisitions = [(acq_id, Path(path), [json.loads(r) for r in results]) for acq_id, path, results in entries]
    return _write(out, header, acquisitions, redact, recipient)


def export_folder(folder: Path, out: Path, *, redact: bool = False, recipient: Path | None = None) -> ExportResult:
    """One acquisition folder (no store needed), with its report.json as its scan when there is one."""
    try:
        manifest = json.loads((folder / "acquisition.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"{folder} is not an acquisition folder ({exc})") from None
    results = []
    try:
        report = json.loads((folder / "report.json").read_text("utf-8"))
        if isinstance(report, dict) and report.get("verdict"):
            results.append(report)
    except (OSError, ValueError):
        pass
    return _write(out, None, [(str(manifest.get("id") or folder.name), folder, results)], redact, recipient)


def _write(out: Path, case: dict[str, Any] | None, acquisitions: list[tuple[str, Path, list[dict[str, Any]]]],
           redact: bool, recipient: Path | None) -> ExportResult:
    from inspector.report.redact import redact_result

    public = sealed.load_public_key(recipient) if recipient else None
    out.parent.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    listed = []
    tmp_fd, tmp_name = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=out.parent)
    os.close(tmp_fd)
    tmp = Path(tmp_name)
    scans = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as bundle:
            for number, (acq_id, folder, results) in enumerate(acquisitions, 1):
                prefix = f"acquisitions/{number:02d}/"
                entry: dict[str, Any] = {"id": acq_id, "folder": prefix, "scans": [], "missing": False}
                if not redact:
                    if folder.is_dir():
                        for rel, path in _folder_files(folder):
                            name = prefix + rel
                            files[name] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
                            bundle.write(path, name)
                    else:
                        entry["missing"] = True  # the folder is gone: its scans still go
                for k, result in enumerate(results, 1):
                    document = redact_result(result) if redact else result
                    name = f"scans/{number:02d}-{k}.json"
                    data = json.dumps(document, ensure_ascii=True, indent=1).encode()
                    files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                    bundle.writestr(name, data)
                    entry["scans"].append(name)
                    scans += 1
                listed.append(entry)
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "tool": {"name": "inspector", "version": inspector.__version__},
                        "redacted": redact, "case": case, "acquisitions": listed, "files": files}
            bundle.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=True))
        if public is not None:
            sealed_tmp = tmp.with_suffix(".sealed")
            with open(tmp, "rb") as source, open(sealed_tmp, "wb") as target:
                sealed.seal(source, target, public)
            tmp.unlink()
            tmp = sealed_tmp
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_suffix(".sealed").unlink(missing_ok=True)
        raise
    return ExportResult(out, len(acquisitions), scans, len(files), redact, public is not None)


# --- import --------------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    pure = PurePosixPath(name)
    if (name != MANIFEST and not _NAME_RE.match(name)) or pure.is_absolute() \
            or any(part in ("", ".", "..") for part in name.split("/")):
        raise UnsafeBundle(f"the bundle holds a file named {name!r}, outside the bundle's layout",
                           hint="Do not import it: it may have been made to write files elsewhere.")


def _read_manifest(bundle: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = bundle.getinfo(MANIFEST)
    except KeyError:
        raise BundleCorrupt("the bundle has no manifest.json: it is not an inspector bundle") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise UnsafeBundle("the bundle's manifest is too large")
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise BundleCorrupt(f"the bundle's manifest cannot be read ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleCorrupt("manifest.json is not an inspector bundle's")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BundleError(f"bundle format {manifest.get('format_version')!r} is not one this inspector reads",
                          hint="Import it with the inspector version that made it, or a newer one.")
    if not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("acquisitions"), list):
        raise BundleCorrupt("the bundle's manifest is incomplete")
    return manifest


def _verify_layout(bundle: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    infos = bundle.infolist()
    if len(infos) > MAX_FILES:
        raise UnsafeBundle(f"the bundle holds {len(infos)} files (at most {MAX_FILES} are accepted)")
    names = set()
    for info in infos:
        _check_name(info.filename)
        if info.filename in names:
            raise UnsafeBundle(f"the bundle holds {info.filename!r} twice")
        names.add(info.filename)
        mode = info.external_attr >> 16
        if info.is_dir() or stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: written without a file type
            raise UnsafeBundle(f"{info.filename!r} in the bundle is not a plain file (a link or a folder)")
    listed = manifest["files"]
    for name in listed:
        _check_name(name)
    extra = names - set(listed) - {MANIFEST}
    missing = set(listed) - names
    if extra:
        raise BundleCorrupt(f"files in the bundle that its manifest does not list: {', '.join(sorted(extra)[:5])}")
    if missing:
        raise BundleCorrupt(f"files the manifest lists are missing from the bundle: {', '.join(sorted(missing)[:5])}")
    total = 0
    for name, record in listed.items():
        if not isinstance(record, dict) or not isinstance(record.get("size"), int) \
                or not re.fullmatch(r"[0-9a-f]{64}", str(record.get("sha256", ""))):
            raise BundleCorrupt(f"the manifest's entry for {name!r} is malformed")
        if bundle.getinfo(name).file_size != record["size"]:
            raise BundleCorrupt(f"{name}: its size differs from the manifest")
        total += record["size"]
    if total > MAX_TOTAL_BYTES:
        raise UnsafeBundle(f"the bundle would unpack to {total} bytes (more than {MAX_TOTAL_BYTES})")


def _extract(bundle: zipfile.ZipFile, manifest: dict[str, Any], staging: Path) -> None:
    for name, record in manifest["files"].items():
        target = staging.joinpath(*name.split("/"))
        if staging.resolve() not in target.resolve().parents:
            raise UnsafeBundle(f"{name!r} would be written outside the destination")
        digest, written = hashlib.sha256(), 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(name) as source, open(target, "xb") as out:
                while chunk := source.read(_COPY_CHUNK):
                    written += len(chunk)
                    if written > record["size"]:
                        raise BundleCorrupt(f"{name}: longer than the manifest says")
                    digest.update(chunk)
                    out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            if isinstance(exc, FileExistsError | NotADirectoryError):
                raise UnsafeBundle(f"{name!r} collides with another file of the bundle") from None
            raise BundleCorrupt(f"{name}: cannot be read from the bundle ({exc})") from None
        if written != record["size"] or digest.hexdigest() != record["sha256"]:
            raise BundleCorrupt(f"{name}: its SHA-256 differs from the manifest (the bundle was changed or damaged)")


def _open_zip(path: Path, identity: Path | None, scratch: Path) -> Path:
    """The plain zip: ``path`` itself, or the sealed bundle decrypted into ``scratch``."""
    if not sealed.is_sealed(path):
        return path
    if identity is None:
        raise BundleError(f"{path} is sealed to a recipient's key",
                          hint="Give the matching private key with --identity KEYFILE.")
    key = sealed.load_private_key(identity)
    plain = scratch / "bundle.zip"
    with open(path, "rb") as source, open(plain, "wb") as target:
        sealed.unseal(source, target, key)
    return plain


def import_bundle(store: Store, path: Path, into: Path, *, identity: Path | None = None,
                  case: str | None = None) -> ImportResult:
    """Import the bundle at ``path``: its acquisition folders into ``into`` (new subfolders), its
    scans into ``store`` (in case ``case``, default the bundle's own case name). All or nothing."""
    into.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=into))
    moved: list[Path] = []
    try:
        plain = _open_zip(path, identity, staging)
        try:
            with zipfile.ZipFile(plain) as bundle:
                manifest = _read_manifest(bundle)
                _verify_layout(bundle, manifest)
                unpacked = staging / "unpacked"
                unpacked.mkdir()
                _extract(bundle, manifest, unpacked)
        except zipfile.BadZipFile as exc:
            raise BundleCorrupt(f"{path} is not a readable zip ({exc})") from None
        results = _results(manifest, unpacked)
        acq_ids = [str(a.get("id")) for a in manifest["acquisitions"]]
        known = store.known_acquisitions(acq_ids)
        if known:
            raise AlreadyImported(f"the store already has {len(known)} of these acquisitions "
                                  f"({', '.join(sorted(known)[:3])})",
                                  hint="It was imported (or made) here before: nothing was imported.")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        for number, entry in enumerate(manifest["acquisitions"], 1):
            source = unpacked / "acquisitions" / f"{number:02d}"
            target = into / f"{_safe(str(entry.get('id')))}-{stamp}"
            if target.exists():
                raise BundleError(f"{target} already exists", hint="Import into another folder (--into).")
            if not source.is_dir():
                source.mkdir(parents=True)  # redacted, or the folder was missing at export: scans only
            for name in entry.get("scans") or []:
                shutil.copyfile(unpacked.joinpath(*name.split("/")), source / f"scan-{Path(name).name}")
            source.rename(target)
            moved.append(target)
            for result in results.get(number, []):
                result.setdefault("acquisition", {})["path"] = str(target)
        case_name = case or ((manifest.get("case") or {}).get("name"))
        note = (manifest.get("case") or {}).get("note")
        ordered = [r for number in sorted(results) for r in results[number]]
        scan_ids = store.import_scans(ordered, case=case_name, case_note=note) if ordered else []
    except BaseException:
        for folder in moved:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportResult(case_name, moved, scan_ids, bool(manifest.get("redacted")))


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "acquisition"


def _results(manifest: dict[str, Any], unpacked: Path) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for number, entry in enumerate(manifest["acquisitions"], 1):
        if not isinstance(entry, dict):
            raise BundleCorrupt("the manifest's acquisition list is malformed")
        for name in entry.get("scans") or []:
            if name not in manifest["files"] or not str(name).startswith("scans/"):
                raise BundleCorrupt(f"the manifest names a scan {name!r} that is not in the bundle")
            try:
                document = json.loads(unpacked.joinpath(*name.split("/")).read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise BundleCorrupt(f"{name}: not a result document ({exc})") from None
            if not isinstance(document, dict) or not document.get("verdict"):
                raise BundleCorrupt(f"{name}: not a result document (no verdict)")
            acquisition = document.setdefault("acquisition", {})
            if not isinstance(acquisition, dict):
                raise BundleCorrupt(f"{name}: its acquisition is malformed")
            acquisition["id"] = entry.get("id")  # the scans belong to the acquisition the manifest says
            found.setdefault(number, []).append(document)
    return found
