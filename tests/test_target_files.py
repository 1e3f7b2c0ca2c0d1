"""Files on the traveller's phone against a target list, fingerprinted on the (simulated) phone through
the real ADB shell path; the same matcher on a folder of this computer (`inspector check-files`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tracemalloc

import pytest
from android_profiles import android_phone, start_phone

from inspector.acquire.android.connection import AndroidConnection
from inspector.acquire.android.file_hashes import Md5Hasher
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.targets import TargetList
from inspector.pipeline import acquire_android

LISTED = {
    "/sdcard/Download/report 2019.pdf": b"%PDF listed one" * 50,
    "/sdcard/Music/a'b\"c;$(rm -rf x).mp3": b"ID3 listed two" * 70,
    "/sdcard/Documents/new\nline.txt": b"listed three\n" * 33,
    b"/sdcard/Documents/\xff\xfenot-utf8.bin": b"listed four" * 21,
}
SAME_SIZE_OTHER = {"/sdcard/Download/same size.pdf": b"%PDF other one!" * 50}  # a listed size, other bytes
OTHERS = {f"/sdcard/DCIM/IMG_{i:04d}.jpg": os.urandom(1000 + i) for i in range(40)}
OUTSIDE_ROOTS = {"/data/local/tmp/report.pdf": b"%PDF listed one" * 50}  # listed bytes, not shared storage


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324


def _pack_with(entries) -> SignaturePack:
    pack = SignaturePack.load()
    pack.target_lists = [TargetList.from_entries(entries, id="bxaq.targets", family="bxaq",
                                                 name="test list", roots=("/sdcard/", "/storage/"))]
    return pack


@pytest.fixture
def pack():
    return _pack_with([(len(data), _md5(data)) for data in LISTED.values()])


def _scan(phone, folder, pack, **kwargs):
    host, port = phone.address.rsplit(":", 1)
    with AndroidConnection.connect_tcp(host, int(port)) as conn:
        return acquire_android(conn, folder, resume=False, operator=None, pack=pack, **kwargs)


def _files():
    return {**LISTED, **SAME_SIZE_OTHER, **OTHERS, **OUTSIDE_ROOTS}


def test_listed_files_are_found_by_size_then_md5_on_the_phone(tmp_path, pack):
    phone = start_phone(android_phone(tmp_path, [], _files()))
    try:
        acq, _stats, lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    assert lost is None and phone.violations == []
    result = analyze(acq, pack)
    matches = sorted(f["params"]["size"] for f in result["findings"] if f["rule_id"] == "bxaq.targets.match")
    assert matches == sorted(len(d) for d in LISTED.values())
    subjects = {f["subject"] for f in result["findings"]}
    assert "/sdcard/Documents/new\nline.txt" in subjects and "/sdcard/Documents/\\xff\\xfenot-utf8.bin" in subjects
    coverage = next(c for c in result["coverage"] if c["check"] == "target_files")
    assert coverage["status"] == "ran" and coverage["reason"] is None
    assert coverage["counts"]["size_candidates"] == 5 and coverage["counts"]["hashed"] == 5
    assert coverage["counts"]["matches"] == 4 and coverage["counts"]["files_listed"] == 45
    # Only the files of a listed size were hashed, on the phone, and none left it.
    hashed = [argv for argv in phone.commands_seen if argv[0] == "md5sum"]
    assert len(hashed) == 5
    assert not any(argv[1].startswith("/data/local/tmp") for argv in hashed)
    assert not (tmp_path / "acq" / "files").exists()
    assert result["verdict"] == "needs_review"  # no implant: listed files alone ask for a closer look
    doc = json.loads((tmp_path / "acq" / "file_hashes.json").read_text())
    assert {r["method"] for r in doc["records"]} == {"device"}


def test_vanished_unreadable_and_missing_md5sum(tmp_path, pack):
    phone = start_phone(android_phone(tmp_path, [], _files()))
    # one file vanished between listing and hashing; one cannot be read
    phone.set_command(("md5sum", "/sdcard/Download/report 2019.pdf"),
                      b"md5sum: /sdcard/Download/report 2019.pdf: No such file or directory\n")
    phone.set_command(("md5sum", "/sdcard/Download/same size.pdf"),
                      b"md5sum: /sdcard/Download/same size.pdf: Permission denied\n")
    try:
        acq, _stats, _lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    result = analyze(acq, pack)
    coverage = next(c for c in result["coverage"] if c["check"] == "target_files")
    assert coverage["counts"]["failed"] == 2 and coverage["counts"]["matches"] == 3
    assert "could not be fingerprinted" in coverage["reason"]
    assert acq.artifact("file_hashes.json")["status"] == "partial"
    records = {r["path"]: r for r in json.loads((tmp_path / "acq" / "file_hashes.json").read_text())["records"]}
    assert "No such file" in records["/sdcard/Download/report 2019.pdf"]["error"]


def test_old_phone_without_md5sum_streams_and_hashes_on_this_computer(tmp_path, pack):
    phone = start_phone(android_phone(tmp_path, [], _files()))
    for path in list(LISTED) + list(SAME_SIZE_OTHER):
        text = path if isinstance(path, str) else path.decode("utf-8", "surrogateescape")
        phone.set_command(("md5sum", text), b"/system/bin/sh: md5sum: inaccessible or not found\n")
    try:
        acq, _stats, _lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    result = analyze(acq, pack)
    assert sum(f["rule_id"] == "bxaq.targets.match" for f in result["findings"]) == 4
    records = json.loads((tmp_path / "acq" / "file_hashes.json").read_text())["records"]
    assert {r["method"] for r in records} == {"host-stream"}
    # streamed into a hash, never kept: no copy of any of those files anywhere in the acquisition
    sizes = {len(d) for d in LISTED.values()}
    assert not [p for p in (tmp_path / "acq").rglob("*") if p.is_file() and p.stat().st_size in sizes]


def test_a_2gb_file_of_a_listed_size_is_hashed_streaming_or_reported_past_its_budget(tmp_path):
    bxaq = SignaturePack.load()
    size = max(bxaq.target_lists[0].sizes)  # 2,054,074,368 bytes: the largest file on BXAQ's list
    profile, overrides = android_phone(tmp_path, [], {"/sdcard/Movies/big.mkv": b""})
    with open(profile.root / "fs" / "sdcard" / "Movies" / "big.mkv", "r+b") as f:
        f.truncate(size)  # sparse: no disk space used
    phone = start_phone((profile, overrides))
    try:
        host, port = phone.address.rsplit(":", 1)
        with AndroidConnection.connect_tcp(host, int(port)) as conn:
            tracemalloc.start()
            done = Md5Hasher(conn).hash(b"/sdcard/Movies/big.mkv", size)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            over = Md5Hasher(conn, device_timeout_s=0.05).hash(b"/sdcard/Movies/big.mkv", size)
            stream_over = Md5Hasher(conn, host_budget_s=0.05)
            stream_over.device_has_md5sum = False
            streamed = stream_over.hash(b"/sdcard/Movies/big.mkv", size)
    finally:
        phone.stop()
    # MD5 of 2,054,074,368 zero bytes (python3 -c: hashlib.md5 over that many zeros)
    assert done.md5 == "a4dff2ee4ffd6bbd01bcc71edde4ae50"
    assert done.method == "device" and peak < 20 << 20
    assert over.md5 is None and "did not finish" in over.error
    assert streamed.md5 is None and "more than" in streamed.error


def test_check_files_on_a_folder_of_this_computer(tmp_path):
    folder = tmp_path / "trip"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "book (scan).pdf").write_bytes(b"%PDF listed one" * 50)
    (folder / "other.txt").write_bytes(b"hello")
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF listed one" * 50)
    (folder / "link.pdf").symlink_to(outside)  # not followed out of the folder
    listed = b"%PDF listed one" * 50
    pack_dir = _pack_dir_with(tmp_path, [(len(listed), _md5(listed))])
    exe = os.path.join(os.path.dirname(sys.executable), "inspector")
    out = subprocess.run([exe, "check-files", str(folder), "--json"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "INSPECTOR_SIGNATURES_DIR": str(pack_dir)})
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert [f["subject"] for f in doc["findings"]] == [str(folder / "sub" / "book (scan).pdf")]
    assert doc["coverage"][0]["counts"]["files_listed"] == 2
    clean = subprocess.run([exe, "check-files", str(folder / "sub"), "--json"], capture_output=True, text=True,
                           timeout=60, env=os.environ)
    assert clean.returncode == 0 and json.loads(clean.stdout)["findings"] == []


def _pack_dir_with(tmp_path, entries):
    """A copy of the shipped pack whose BXAQ list is replaced by ``entries`` (size, md5)."""
    import importlib.util
    import shutil
    from pathlib import Path

    import yaml

    from inspector.resources import signatures_dir

    copy = tmp_path / "signatures"
    shutil.copytree(signatures_dir(), copy)
    script = Path(__file__).resolve().parents[1] / "scripts" / "build_target_list.py"
    spec = importlib.util.spec_from_file_location("build_target_list", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    (copy / "target-lists" / "bxaq.bin").write_bytes(build.encode([(s, bytes.fromhex(m)) for s, m in entries]))
    meta = yaml.safe_load((copy / "target-lists" / "bxaq.yaml").read_text())
    meta.update(entries=len(entries), data_sha256=None)
    (copy / "target-lists" / "bxaq.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    return copy
