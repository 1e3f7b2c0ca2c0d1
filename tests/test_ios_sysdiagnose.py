"""Hostile sysdiagnose archives: traversal names, links, a decompression bomb, a damaged archive."""

from __future__ import annotations

import gzip
import io
import tarfile
from datetime import datetime
from pathlib import Path

import pytest
from ios_backup_builder import build_sysdiagnose, shutdown_log

from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.sources.detect import open_for_check
from inspector.sources.ios import sysdiagnose
from inspector.sources.ios.sysdiagnose import UnsafeArchive, members

LOG = shutdown_log(["/private/var/db/x/evil"], datetime(2026, 11, 18, 9)).encode()


def test_traversal_and_link_members_are_skipped_and_nothing_is_written(tmp_path):
    archive = tmp_path / "sysdiagnose_x.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("sysdiagnose_x/../../evil/shutdown.log", LOG), ("/etc/shutdown.log", LOG),
                           ("sysdiagnose_x/system_logs.logarchive/Extra/shutdown.log", LOG)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("sysdiagnose_x/crashes_and_spins/a.ips")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    report = sysdiagnose.ReadReport()
    got = list(members(archive, report))
    assert [m.name for _, m in got] == ["sysdiagnose_x/system_logs.logarchive/Extra/shutdown.log"]
    assert set(report.skipped_unsafe) == {"sysdiagnose_x/../../evil/shutdown.log", "/etc/shutdown.log",
                                          "sysdiagnose_x/crashes_and_spins/a.ips"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sysdiagnose_x.tar.gz"]
    assert not (tmp_path.parent / "evil").exists()


def test_decompression_bomb_is_stopped(tmp_path):
    # 300 MiB of zeros in one member, written as a stream: the archive is ~300 kB, a ~1000× expansion,
    # far past what a real sysdiagnose (logs: 10-30×) has. Reading stops at the limit, not at the end.
    archive = tmp_path / "sysdiagnose_bomb.tar.gz"
    size = 300 << 20
    with gzip.open(archive, "wb", compresslevel=1) as out:
        info = tarfile.TarInfo("sysdiagnose_bomb/logs/big.log")
        info.size = size
        out.write(info.tobuf(format=tarfile.USTAR_FORMAT))
        zeros = bytes(1 << 20)
        for _ in range(size >> 20):
            out.write(zeros)
        out.write(bytes(1024))  # end of archive
    assert archive.stat().st_size < 2_000_000
    with pytest.raises(UnsafeArchive, match="decompression bomb"):
        list(members(archive))


def test_bomb_and_damage_show_in_coverage(tmp_path):
    pack = SignaturePack.load()
    damaged = build_sysdiagnose(tmp_path / "sysdiagnose_d.tar.gz", {
        "system_logs.logarchive/Extra/shutdown.log": LOG})
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    acq, kind = open_for_check(damaged, tmp_path / "acq")
    assert kind == "sysdiagnose"
    doc = analyze(acq, pack)
    cover = {c["check"]: c for c in doc["coverage"]}
    assert cover["ios_shutdown_log"]["status"] == "failed"
    assert "damaged" in cover["ios_shutdown_log"]["reason"]
    assert doc["verdict"] == "incomplete"


def test_member_larger_than_the_limit_is_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(sysdiagnose, "MAX_MEMBER_BYTES", 1000)
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_l.tar.gz", {"logs/a.log": b"x" * 5000})
    (kind, member), = list(members(archive))
    assert kind == "text_log" and member.truncated and len(member.data) == 1000


def test_not_a_sysdiagnose(tmp_path: Path):
    other = tmp_path / "photos.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        info = tarfile.TarInfo("holiday/1.jpg")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    assert not sysdiagnose.looks_like_sysdiagnose(other)
    (tmp_path / "fake.tar.gz").write_bytes(b"\x1f\x8bnot really")
    assert not sysdiagnose.looks_like_sysdiagnose(tmp_path / "fake.tar.gz")
