"""The binary unified log decoder (inspector/analyze/ios/tracev3.py, logarchive.py): a logarchive
written by tests/ios_logarchive.py is read by our decoder and by plaso's unified-logging parser (the
independent reader), which must agree; hostile files give specific errors and the other files still
decode; the device-activity check finds the extraction in a sysdiagnose holding only the binary log."""

from __future__ import annotations

import io
import os
import struct
import warnings
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lz4.block
import pytest
from ios_backup_builder import build_sysdiagnose
from ios_logarchive import (
    PROCESSES,
    LogLine,
    build_logarchive,
    chunkset,
    crossing_lines,
    image_uuid,
)

from inspector.analyze.ios import logarchive as logarchive_module
from inspector.analyze.ios.logarchive import LogArchive, LogEntry, member_kind
from inspector.analyze.ios.unified_log import watched_processes
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.sources.detect import kind_of, open_for_check

PERSIST = "Persist/0000000000000001.tracev3"
SPECIAL = "Special/0000000000000002.tracev3"
DAY = datetime(2026, 11, 18, tzinfo=UTC)


def special_lines() -> list[LogLine]:
    return [
        LogLine("lockdownd", DAY.replace(hour=2, minute=7), "%{public}s: %{public}s", ["ValidatePair", "success"],
                level=0x01),
        LogLine("afcd", DAY.replace(hour=2, minute=12, microsecond=250_000), "read %u bytes from %{public}s",
                [4_194_304, "/DCIM/100APPLE/IMG_0001.HEIC"], level=0x02),
        LogLine("afcd", DAY.replace(hour=2, minute=12, second=1), "house_arrest: vending %{public}s error %d",
                ["com.apple.mobile.house_arrest", -2], level=0x10),
    ]


def archive_files(**extra) -> dict[str, bytes]:
    return build_logarchive({PERSIST: crossing_lines(), SPECIAL: special_lines(), **extra})


def decode(files: dict[str, bytes], processes: frozenset[str] | None = None) -> tuple[list[LogEntry], LogArchive]:
    archive = LogArchive(processes)
    for name, data in files.items():
        if member_kind(name) in ("timesync", "uuidtext", "dsc"):
            archive.add(name, data)
    entries = []
    for name, data in sorted(files.items()):
        if member_kind(name) == "tracev3":
            entries += archive.entries(name, io.BytesIO(data))
    return entries, archive


def write(files: dict[str, bytes], root: Path) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def plaso_entries(path: Path) -> list:
    """plaso's reading of one tracev3 file of a logarchive folder (dfVFS, the operating system's files)."""
    from dfvfs.lib import definitions
    from dfvfs.path import factory
    from dfvfs.resolver import resolver
    from plaso.parsers import unified_logging

    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_OS, location=str(path))
    entry = resolver.Resolver.OpenFileEntry(spec)
    tracev3 = unified_logging.TraceV3File(file_system=entry.GetFileSystem())
    tracev3.Open(entry)
    try:
        return [e for e in tracev3.ReadLogEntries() if e.event_type == "logEvent"]
    finally:
        tracev3.Close()


# -- against plaso ----------------------------------------------------------------------------------------------
def test_plaso_reads_the_same_entries(tmp_path):
    try:
        with warnings.catch_warnings():  # importing one parser imports all of plaso's, some with old pyparsing calls
            warnings.simplefilter("ignore")
            import plaso.parsers.unified_logging  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":  # CI installs the test extra: plaso must be there
            raise
        pytest.skip("plaso is not installed (pip install '.[test]')")
    files = archive_files()
    root = write(files, tmp_path / "system_logs.logarchive")
    ours, archive = decode(files)
    assert archive.problems == []
    theirs = plaso_entries(root / PERSIST) + plaso_entries(root / SPECIAL)
    assert len(ours) == len(theirs) == len(crossing_lines()) + len(special_lines())
    ours_sorted = sorted(ours, key=lambda e: (e.time_ns, e.pid))
    theirs_sorted = sorted(theirs, key=lambda e: (e.timestamp, e.process_identifier))
    shared_cache = 0
    for mine, plasos in zip(ours_sorted, theirs_sorted, strict=True):
        assert mine.pid == plasos.process_identifier
        assert mine.process_path == plasos.process_image_path
        # plaso multiplies by the timebase as a float: the same instant to the microsecond
        assert abs(mine.time_ns - plasos.timestamp) < 1000
        assert mine.subsystem == plasos.sub_system
        assert mine.level == plasos.message_type
        assert mine.thread == plasos.thread_identifier
        if mine.message is None:  # shared cache: plaso finds no range in the (empty) dsc file either
            shared_cache += 1
            assert plasos.event_message == ""
            assert "shared cache" in mine.not_decoded
        else:
            assert mine.message == plasos.event_message
    assert shared_cache == 1


def test_messages_times_and_processes_as_written():
    entries, archive = decode(archive_files())
    by_text = {(e.process, e.message): e for e in entries}
    backup = by_text[("BackupAgent2", "Backup finished: 23456789012 bytes")]  # its values in an oversize chunk
    assert backup.time == "2026-11-18T02:31:00Z" and backup.pid == PROCESSES["BackupAgent2"][1]
    assert by_text[("lockdownd", "StartSessionWithHost: host 5C1E-FORENSIC (pid 4242)")].time == "2026-11-18T02:05:00Z"
    assert ("lockdownd", "Pairing: validating pair record for <private>") in by_text  # not recorded
    # recorded private value (private logging on): read from the firehose chunk's private data
    assert ("lockdownd", "spawning service com.apple.mobilebackup2 for 5C1E-FORENSIC") in by_text
    afc = by_text[("afcd", "read 4194304 bytes from /DCIM/100APPLE/IMG_0001.HEIC")]
    assert afc.time_ns % 1_000_000_000 == 250_000_000 and afc.level == "Debug"
    assert by_text[("afcd", "house_arrest: vending com.apple.mobile.house_arrest error -2")].level == "Error"
    # the clock was set 2 s forward an hour after boot: entries after it are on the new clock
    assert by_text[("SpringBoard", "Unlocked with passcode")].time == "2026-11-18T01:00:00Z"
    cached = [e for e in entries if e.message is None]
    assert [(e.process, e.time) for e in cached] == [("afcd", "2026-11-18T02:09:30Z")]
    assert archive.counts["entries"] == 13 and archive.counts["entries_in_shared_cache"] == 1
    assert "afcd: <message not decoded: its format string is in the shared cache" in cached[0].line()


def test_only_the_watched_processes_are_decoded():
    entries, archive = decode(archive_files(), watched_processes())
    assert {e.process for e in entries} == {"lockdownd", "afcd", "BackupAgent2"}
    assert archive.counts["skipped_chunks"] == 2  # SpringBoard's and locationd's firehose chunks
    kinds = {(a.kind, a.time) for a in logarchive_module.activities(iter(entries))}
    assert ("pairing", "2026-11-18T02:05:00Z") in kinds and ("backup", "2026-11-18T02:06:10Z") in kinds
    assert ("afc", "2026-11-18T02:09:30Z") in kinds  # message not decoded: the process says enough


def test_oversize_after_its_entry_and_a_stored_chunkset():
    lines = [LogLine("BackupAgent2", DAY.replace(hour=2, minute=40), "file list: %{public}s", ["x" * 3000],
                     oversize=True, oversize_after=True)]
    files = build_logarchive({PERSIST: lines})
    entries, archive = decode(files)
    assert [e.message for e in entries] == ["file list: " + "x" * 3000]
    assert archive.problems == []
    # chunksets stored without compression (bv4-) read the same
    entries, archive = decode(build_logarchive({PERSIST: crossing_lines()}, compress=False))
    assert len(entries) == len(crossing_lines()) and archive.problems == []
    compressed = decode(build_logarchive({PERSIST: crossing_lines()}))[0]
    assert [replace(e, chunk_offset=0) for e in entries] == [replace(e, chunk_offset=0) for e in compressed]


# -- hostile files --------------------------------------------------------------------------------------------
def _after_catalog(data: bytes) -> int:
    offset = 16 + struct.unpack_from("<Q", data, 8)[0]
    offset += -offset % 8
    return offset + 16 + struct.unpack_from("<Q", data, offset + 8)[0] + (-struct.unpack_from("<Q", data, offset + 8)[0]
                                                                          % 8)


def _insert(data: bytes, blob: bytes) -> bytes:
    at = _after_catalog(data)
    return data[:at] + blob + b"\x00" * (-len(blob) % 8) + data[at:]


def _special_still_decodes(entries: list[LogEntry]) -> None:
    assert {e.message for e in entries} >= {"ValidatePair: success",
                                            "read 4194304 bytes from /DCIM/100APPLE/IMG_0001.HEIC"}


def test_truncated_file(tmp_path):
    files = archive_files()
    files[PERSIST] = files[PERSIST][:-100]
    entries, archive = decode(files)
    _special_still_decodes(entries)
    assert len(entries) == len(crossing_lines()) + len(special_lines()) - 1  # all but the cut chunkset's
    assert any(p.startswith(f"{PERSIST} not decoded past offset") and "cut short" in p for p in archive.problems)


def test_chunk_claiming_four_gigabytes():
    files = archive_files()
    files[PERSIST] = _insert(files[PERSIST], struct.pack("<IIQ", 0x600D, 0, 4 << 30))
    entries, archive = decode(files)
    _special_still_decodes(entries)
    assert any("claims 4294967296 bytes, more than the 16 MiB" in p for p in archive.problems)


def test_lz4_bombs():
    bomb = lz4.block.compress(b"\x00" * (4 << 20), store_size=False)
    lying = struct.pack("<IIQ", 0x600D, 0, 12 + len(bomb) + 4) + b"bv41" + struct.pack("<II", 64, len(bomb)) \
        + bomb + b"bv4$"
    huge = struct.pack("<IIQ", 0x600D, 0, 12 + 4) + b"bv41" + struct.pack("<II", 0xFFFFFFFF, 0) + b"bv4$"
    files = archive_files()
    files[PERSIST] = _insert(_insert(files[PERSIST], lying), huge)
    entries, archive = decode(files)
    assert len(entries) == len(crossing_lines()) + len(special_lines())  # the bombs' chunksets are skipped
    problems = " | ".join(archive.problems)
    assert "does not decompress to its stated 64 bytes" in problems
    assert "claims 4294967295 bytes decompressed, more than the 16 MiB" in problems


def test_bad_offsets_and_wrong_magic():
    files = archive_files()
    # a firehose chunk whose tracepoint claims more than its chunk holds, in a chunkset of its own
    head = struct.pack("<QIBBHHHHBBQ", 0x1000 + 61, 61 * 3 + 1, 0, 0, 0, 16 + 24, 0x1000, 0, 0, 0, 0)
    point = struct.pack("<BBHIQIHH", 0x04, 0, 0x0002, 0x4000, 1, 0, 0, 0xFFFF)
    bad_firehose = chunkset([struct.pack("<IIQ", 0x6001, 0, len(head + point)) + head + point])
    bad_block = struct.pack("<IIQ", 0x600D, 0, 8) + b"xxxx\x00\x00\x00\x00"
    files[PERSIST] = _insert(_insert(files[PERSIST], bad_firehose), bad_block)
    uuid_hex = str(image_uuid("locationd")).replace("-", "").upper()
    files[f"{uuid_hex[:2]}/{uuid_hex[2:]}"] = b"\x11\x22\x33\x44" + b"\x00" * 40
    files["timesync/0000000000000002.timesync"] = b"Ts" + struct.pack("<H", 0) + b"\x00" * 28
    files["Persist/0000000000000003.tracev3"] = b"\x00\x60\x00\x00" + b"\x00" * 60
    entries, archive = decode(files)
    assert len(entries) == len(crossing_lines()) + len(special_lines())
    problems = " | ".join(archive.problems)
    assert "tracepoint at 32 claims 65535 bytes, past the public data's end" in problems
    assert "magic b'xxxx', expected bv41, bv4- or bv4$" in problems
    assert f"{uuid_hex[:2]}/{uuid_hex[2:]}: not a uuidtext file (magic 0x44332211" in problems
    assert "0000000000000002.timesync: sync record at offset 0 has size 0" in problems
    assert "Persist/0000000000000003.tracev3 not decoded past offset 16: not a tracev3 file" in problems
    # locationd's uuidtext is gone: its entry keeps its pid and time, named by its image UUID
    located = [e for e in entries if e.pid == PROCESSES["locationd"][1]]
    assert located[0].process == f"UUID {uuid_hex}" and located[0].time == "2026-11-18T02:10:00Z"


def test_value_outside_its_entry_is_named():
    lines = [LogLine("lockdownd", DAY.replace(hour=2), "host %{public}s", ["MAC"]),
             LogLine("lockdownd", DAY.replace(hour=2, minute=1), "pairing with %{public}s", ["PC"])]
    files = build_logarchive({PERSIST: lines}, compress=False)
    data = bytearray(files[PERSIST])
    item = data.find(struct.pack("<BBHH", 0x22, 4, 0, 4))  # the string item of "MAC\0"
    struct.pack_into("<H", data, item + 2, 0x7000)
    files[PERSIST] = bytes(data)
    entries, archive = decode(files)
    assert [e.message for e in entries] == [None, "pairing with PC"]
    assert entries[0].not_decoded == ("its values could not be read: value of type 0x22 at 28672+4 lies outside "
                                      "the entry's data")
    assert entries[0].time == "2026-11-18T02:00:00Z"


# -- the check, from a sysdiagnose holding only the binary log --------------------------------------------------
@pytest.fixture(scope="module")
def pack() -> SignaturePack:
    return SignaturePack.load()


def test_device_activity_from_the_binary_log(tmp_path, pack):
    members = {f"system_logs.logarchive/{name}": data for name, data in archive_files().items()}
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2026.11.18_10-15-32+0800_iPhone-OS_iPhone_21G93.tar.gz",
                                members)
    assert kind_of(archive) == "sysdiagnose"
    acq, _ = open_for_check(archive, tmp_path / "acq")
    doc = analyze(acq, pack, window="2026-11-18T09:00+08:00/2026-11-18T12:00+08:00")
    rules = {f["rule_id"]: f for f in doc["findings"]}
    pairing = rules["ios.activity.pairing"]
    # the pairing of the evening before (at home) is outside the window
    assert pairing["params"]["first"] == "2026-11-18T02:05:00Z" and pairing["severity"] == "medium"
    assert rules["ios.activity.backup"]["params"]["first"] == "2026-11-18T02:06:00Z"  # lockdownd spawning it
    assert rules["ios.activity.afc"]["params"]["lines"] == 4
    evidence = pairing["evidence"][0]
    assert evidence["artifact"] == "sysdiagnose.tar.gz"
    assert evidence["locator"].startswith("system_logs.logarchive/Persist/0000000000000001.tracev3 entry ")
    assert "(chunkset at offset " in evidence["locator"]
    assert "lockdownd: StartSessionWithHost: host 5C1E-FORENSIC" in evidence["excerpt"]
    assert {e["event"] for e in doc["timeline"]} >= {"ios_pairing", "ios_backup", "ios_afc"}
    cover = {c["check"]: c for c in doc["coverage"]}["ios_device_activity"]
    assert "binary unified log: 2 of 2 tracev3 files read" in cover["reason"]
    assert "1 of those entries keep their process and time but their message is not decoded" in cover["reason"]
    assert cover["counts"]["tracev3_files"] == 2
    # nothing of the logarchive was written anywhere
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".tracev3", ".timesync")]


def test_traversal_names_are_refused(tmp_path, pack):
    files = archive_files()
    members = {f"sysdiagnose_x/system_logs.logarchive/{name}": data for name, data in files.items()}
    members["sysdiagnose_x/../../evil.logarchive/Persist/0000000000000009.tracev3"] = files[PERSIST]
    members["/abs/system_logs.logarchive/Persist/0000000000000008.tracev3"] = files[PERSIST]
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_x.tar.gz", members, raw_names=True)
    acq, _ = open_for_check(archive, tmp_path / "acq")
    from inspector.analyze.ios.evidence import IOSEvidence
    ev = IOSEvidence(acq)
    try:
        log = ev.logarchive
        assert log is not None and log.tracev3_files == 2
        assert {m for m, _ in log.activities} <= {f"system_logs.logarchive/{PERSIST}",
                                                  f"system_logs.logarchive/{SPECIAL}"}
    finally:
        ev.close()
    assert not (tmp_path.parent / "evil.logarchive").exists()


def test_format_string_conversions():
    from inspector.analyze.ios.log_format import PRIVATE, Arg, render

    def num(value: int, size: int = 4) -> Arg:
        return Arg("int", value.to_bytes(size, "little", signed=value < 0))

    assert render("%x|%#x|%X|%5d|%-4d|%05d|%%|%c", [num(255), num(255), num(255), num(42), num(7), num(-42),
                                                    num(65)]) == "ff|0xff|FF|   42|7   |-0042|%|A"
    assert render("%{bool}d %{BOOL}d %p %lld %u", [num(1), num(0), num(0x1000, 8), num(-5, 8),
                                                   num(-1)]) == "true NO 0x1000 -5 4294967295"
    assert render("%{public}@ / %{private}s / %s", [Arg("str", b"obj\x00"), PRIVATE, Arg("str", None)]) == \
        "obj / <private> / (null)"
    assert render("%{public,uuid_t}.16P %{public}s", [Arg("bin", bytes(range(16)))]) == \
        "00010203-0405-0607-0809-0A0B0C0D0E0F <decode: missing data>"
