"""``inspector export`` / ``inspector import``: a case of two real simulated-phone acquisitions
exported from a real store (SQLite and PostgreSQL) and imported into another; redacted and sealed
bundles; and hostile bundles (damaged, tampered, truncated, traversal names, links, wrong key), none
of which may leave anything behind."""

# ruff: noqa: F811 - pytest fixtures imported from tests/postgres.py are used as parameter names

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from inspector.acquisition import Acquisition
from inspector.exchange.bundle import (
    AlreadyImported,
    BundleCorrupt,
    BundleError,
    UnsafeBundle,
    export_case,
    export_folder,
    import_bundle,
)
from inspector.exchange.sealed import SealedCorrupt, WrongKey, new_keypair
from inspector.store import Store
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 - fixtures
from test_store_rescan import _scan

EXE = Path(sys.executable).parent / "inspector"


@pytest.fixture
def case_store(store_url: str, tmp_path: Path):
    with Store.open(store_url) as store:
        store.create_case("trip", note="delegation back from the trip")
    _scan("clean", tmp_path / "phones" / "clean", store_url, case="trip")
    _scan("bxaq-installed", tmp_path / "phones" / "bxaq", store_url, case="trip")
    with Store.open(store_url) as store:
        yield store


@pytest.fixture
def other(tmp_path: Path):
    with Store.open(f"sqlite:///{tmp_path / 'other.sqlite3'}") as store:
        yield store


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")} if folder.exists() else set()


def test_round_trip_of_a_case(case_store: Store, other: Store, tmp_path: Path) -> None:
    done = export_case(case_store, "trip", tmp_path / "trip.zip")
    assert (done.acquisitions, done.scans, done.sealed, done.redacted) == (2, 2, False, False)
    imported = import_bundle(other, tmp_path / "trip.zip", tmp_path / "into")
    assert imported.case == "trip" and len(imported.folders) == 2 and len(imported.scan_ids) == 2
    for folder in imported.folders:
        acq = Acquisition.open(folder)
        assert acq.verify_hashes() == []  # every artifact exactly as collected
        assert (folder / "apks").is_dir() and list((folder / "apks").iterdir())
    info = other.get_case("trip")
    assert (info.acquisition_count, info.device_count, info.note) == (2, 2, "delegation back from the trip")
    shown = other.case_acquisitions("trip")
    assert sorted(a.verdict for a in shown) == ["implant_found", "nothing_found"]
    assert {a.path for a in shown} == {str(f) for f in imported.folders}
    # The same bundle again: refused, nothing added.
    with pytest.raises(AlreadyImported):
        import_bundle(other, tmp_path / "trip.zip", tmp_path / "into")
    assert len(other.case_acquisitions("trip")) == 2
    assert not any(p.name.startswith(".import-") for p in (tmp_path / "into").iterdir())


def test_redacted_bundle_has_no_raw_evidence(case_store: Store, other: Store, tmp_path: Path) -> None:
    export_case(case_store, "trip", tmp_path / "r.zip", redact=True)
    with zipfile.ZipFile(tmp_path / "r.zip") as bundle:
        names = bundle.namelist()
        manifest = json.loads(bundle.read("manifest.json"))
    assert not any(n.startswith("acquisitions/") for n in names)
    assert manifest["redacted"] is True and manifest["case"]["note"] is None
    imported = import_bundle(other, tmp_path / "r.zip", tmp_path / "into", case="trip-redacted")
    assert imported.redacted and imported.case == "trip-redacted"
    scans = [json.loads(p.read_text()) for f in imported.folders for p in f.glob("scan-*.json")]
    assert len(scans) == 2 and all(s["redaction"]["redacted"] for s in scans)


def test_sealed_bundle(case_store: Store, other: Store, tmp_path: Path) -> None:
    new_keypair(tmp_path / "helpdesk.key", tmp_path / "helpdesk.pub")
    new_keypair(tmp_path / "someone.key", tmp_path / "someone.pub")
    assert stat.S_IMODE((tmp_path / "helpdesk.key").stat().st_mode) == 0o600
    done = export_case(case_store, "trip", tmp_path / "trip.sealed", recipient=tmp_path / "helpdesk.pub")
    assert done.sealed
    data = (tmp_path / "trip.sealed").read_bytes()
    assert not data.startswith(b"PK") and b"manifest.json" not in data and b"org.demo" not in data
    with pytest.raises(BundleError, match="sealed"):
        import_bundle(other, tmp_path / "trip.sealed", tmp_path / "into")
    with pytest.raises(WrongKey):
        import_bundle(other, tmp_path / "trip.sealed", tmp_path / "into", identity=tmp_path / "someone.key")
    cut = tmp_path / "cut.sealed"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SealedCorrupt):
        import_bundle(other, cut, tmp_path / "into", identity=tmp_path / "helpdesk.key")
    assert other.list_cases() == [] and _tree(tmp_path / "into") == set()
    imported = import_bundle(other, tmp_path / "trip.sealed", tmp_path / "into", identity=tmp_path / "helpdesk.key")
    assert len(imported.folders) == 2


def _rewrite(source: Path, target: Path, change) -> None:
    """Copy a bundle, passing each (name, data) through ``change`` (which may return None to drop it
    or a list of (name, data) to add more)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            out = change(info.filename, old.read(info.filename))
            for name, data in out if isinstance(out, list) else [] if out is None else [out]:
                new.writestr(name, data)


def _bad(other: Store, bundle: Path, into: Path, error: type[Exception], match: str | None = None) -> None:
    with pytest.raises(error, match=match):
        import_bundle(other, bundle, into)
    assert other.list_cases() == [] and _tree(into) == set()  # nothing imported half-way


def test_hostile_bundles(case_store: Store, other: Store, tmp_path: Path) -> None:
    export_case(case_store, "trip", tmp_path / "good.zip")
    into = tmp_path / "into"
    into.mkdir()

    tampered = tmp_path / "tampered.zip"
    _rewrite(tmp_path / "good.zip", tampered,
             lambda n, d: (n, d.replace(b"org.demo.passwordsafe", b"org.demo.passwordsaff")) if n.endswith(
                 "packages.json") else (n, d))
    _bad(other, tampered, into, BundleCorrupt, "SHA-256 differs")

    traversal = tmp_path / "traversal.zip"

    def add_evil(name: str, data: bytes):
        if name != "manifest.json":
            return name, data
        manifest = json.loads(data)
        manifest["files"]["acquisitions/01/../../../evil.txt"] = {"sha256": "0" * 64, "size": 4}
        return [(name, json.dumps(manifest)), ("acquisitions/01/../../../evil.txt", b"evil")]

    _rewrite(tmp_path / "good.zip", traversal, add_evil)
    _bad(other, traversal, into, UnsafeBundle, "outside")
    assert not (tmp_path / "evil.txt").exists()

    absolute = tmp_path / "absolute.zip"
    _rewrite(tmp_path / "good.zip", absolute,
             lambda n, d: [(n, d), ("/tmp/evil.txt", b"x")] if n == "manifest.json" else (n, d))
    _bad(other, absolute, into, UnsafeBundle)

    unlisted = tmp_path / "unlisted.zip"
    _rewrite(tmp_path / "good.zip", unlisted,
             lambda n, d: [(n, d), ("acquisitions/01/extra.txt", b"x")] if n == "manifest.json" else (n, d))
    _bad(other, unlisted, into, BundleCorrupt, "does not list")

    dropped = tmp_path / "dropped.zip"
    _rewrite(tmp_path / "good.zip", dropped, lambda n, d: None if n.endswith("getprop.txt") else (n, d))
    _bad(other, dropped, into, BundleCorrupt, "missing")

    link = tmp_path / "link.zip"
    with zipfile.ZipFile(tmp_path / "good.zip") as old, zipfile.ZipFile(link, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename.endswith("getprop.txt"):
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            new.writestr(info, data)
    _bad(other, link, into, UnsafeBundle, "not a plain file")

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes((tmp_path / "good.zip").read_bytes()[:5000])
    _bad(other, truncated, into, BundleCorrupt)
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"this is not a zip at all")
    _bad(other, garbage, into, BundleCorrupt)


def test_a_store_failure_keeps_nothing(case_store: Store, other: Store, tmp_path: Path) -> None:
    export_case(case_store, "trip", tmp_path / "good.zip")
    other.create_case("trip")
    other.close_case("trip")  # the store refuses the scans: the folders must go too
    with pytest.raises(Exception, match="was closed"):
        import_bundle(other, tmp_path / "good.zip", tmp_path / "into")
    assert _tree(tmp_path / "into") == set()
    assert other.get_case("trip").acquisition_count == 0


def test_cli_traveller_seals_one_acquisition(tmp_path: Path, isolated_user_dirs: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    _scan("clean", tmp_path / "scan", url)
    env = {**os.environ, "INSPECTOR_DB": f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"}
    for var in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{var}_DIR"] = str(isolated_user_dirs / var.lower())

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)

    assert cli("keys", "new", "helpdesk").returncode == 0
    assert cli("keys", "new", "helpdesk").returncode == 2  # never overwrites a key
    sealed = cli("export", "--folder", str(tmp_path / "scan"), "--recipient", "helpdesk.pub", "--out", "scan.sealed")
    assert sealed.returncode == 0 and "sealed to" in sealed.stdout, sealed.stdout + sealed.stderr
    assert cli("export").returncode == 2
    refused = cli("import", "scan.sealed")
    assert refused.returncode == 2 and "--identity" in refused.stdout
    done = cli("import", "scan.sealed", "--identity", "helpdesk.key", "--into", "incoming")
    assert done.returncode == 0 and "Imported 1 acquisition(s) and 1 scan(s)" in done.stdout, done.stdout
    (folder,) = (tmp_path / "incoming").iterdir()
    assert Acquisition.open(folder).verify_hashes() == []
    with Store.open(env["INSPECTOR_DB"]) as store:
        assert [s.verdict for s in store.latest_scans()] == ["nothing_found"]
    assert export_folder  # also importable from Python


def test_sealed_stream(tmp_path: Path) -> None:
    import io

    from inspector.exchange.sealed import CHUNK, NotSealed, load_private_key, load_public_key, seal, unseal

    new_keypair(tmp_path / "k.key", tmp_path / "k.pub")
    new_keypair(tmp_path / "x.key", tmp_path / "x.pub")
    public, private = load_public_key(tmp_path / "k.pub"), load_private_key(tmp_path / "k.key")
    for size in (0, 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17):
        plain = os.urandom(size)
        sealed_bytes = io.BytesIO()
        seal(io.BytesIO(plain), sealed_bytes, public)
        out = io.BytesIO()
        unseal(io.BytesIO(sealed_bytes.getvalue()), out, private)
        assert out.getvalue() == plain
    data = sealed_bytes.getvalue()
    header, body = data[:60], data[60:]
    block = CHUNK + 16
    flipped = bytearray(data)
    flipped[60 + block + 5] ^= 1  # a bit of the second chunk
    swapped = header + body[block:2 * block] + body[:block] + body[2 * block:]
    extended = data + data[60:60 + block]
    dropped_last = data[:60 + 3 * block]
    for broken in (bytes(flipped), swapped, extended, dropped_last):
        with pytest.raises((SealedCorrupt, WrongKey)):
            unseal(io.BytesIO(broken), io.BytesIO(), private)
    with pytest.raises(SealedCorrupt):
        unseal(io.BytesIO(bytes(flipped)), io.BytesIO(), private)
    with pytest.raises(WrongKey):
        unseal(io.BytesIO(data), io.BytesIO(), load_private_key(tmp_path / "x.key"))
    with pytest.raises(NotSealed):
        unseal(io.BytesIO(b"PK\x03\x04 a zip"), io.BytesIO(), private)
