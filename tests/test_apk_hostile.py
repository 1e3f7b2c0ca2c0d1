"""Hostile and broken APKs: an error entry or a partial record for that APK, never a crash, and
nothing written anywhere (entries are never extracted)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from inspector.analyze.apk.dex_tables import read_dex
from inspector.analyze.apk.engine import check_apk, rules_for
from inspector.analyze.apk.features import extract
from inspector.analyze.signatures import SignaturePack
from inspector.resources import signatures_dir

APKS = Path(__file__).parent / "fixtures" / "apks"
BXAQ = APKS / "bxaq_lookalike.apk"
APKSIG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "apks" / "apksig"


@pytest.fixture(scope="module")
def rules():
    return rules_for(signatures_dir() / "apk-rules", set(SignaturePack.load().families))


def absurd_dex() -> bytes:
    header = bytearray(0x70)
    header[:8] = b"dex\n035\0"
    struct.pack_into("<I", header, 32, 0x70)
    struct.pack_into("<4I", header, 56, 0xFFFFFFF0, 0x70, 0xFFFFFFF0, 0x70)  # string_ids, type_ids
    struct.pack_into("<2I", header, 96, 0x7FFFFFFF, 0x70)  # class_defs
    return bytes(header)


def test_dex_with_absurd_table_sizes():
    tables = read_dex(absurd_dex())
    assert tables.strings == [] and "string_ids declares" in tables.error
    past_end = bytearray(absurd_dex())
    struct.pack_into("<4I", past_end, 56, 1000, 0x70, 0, 0)
    assert "runs past the end" in read_dex(bytes(past_end)).error
    assert read_dex(b"PK\3\4 not a dex").error.startswith("not a DEX")


def test_dex_string_offset_past_end_gives_partial_tables():
    data = bytearray(0x70 + 8)
    data[:8] = b"dex\n035\0"
    struct.pack_into("<4I", data, 56, 2, 0x70, 0, 0)
    struct.pack_into("<2I", data, 0x70, 0x70 + 8, 10**6)  # second string points far past the end
    data += b"\x02ok\0"
    struct.pack_into("<I", data, 0x70, 0x78)
    tables = read_dex(bytes(data))
    assert tables.strings == ["ok"] and "past the end" in tables.error


def _with_entries(tmp_path: Path, name: str, extra: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    out = tmp_path / name
    with zipfile.ZipFile(BXAQ) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in drop and info.filename not in extra:
                dst.writestr(info.filename, src.read(info))
        for entry, data in extra.items():
            dst.writestr(entry, data)
    return out


def test_apk_with_absurd_dex_is_a_partial_record(tmp_path, rules):
    apk = _with_entries(tmp_path, "absurd.apk", {"classes.dex": absurd_dex()})
    rec = extract(apk)
    assert rec["package"] == "com.fiberhome.wifiserver"  # the manifest tier still read
    assert rec["dex"][0]["strings"] == [] and any("string_ids declares" in e for e in rec["errors"])
    entry = check_apk(apk, rules, use_cache=False)
    assert entry["matches"]  # still caught by what could be read (package, asset, label)


def test_zip_bomb_entries_are_not_read(tmp_path, rules):
    bomb = b"\0" * (24 << 20)  # 24 MiB of zeros: a ratio of ~1000 once deflated
    apk = _with_entries(tmp_path, "bomb.apk", {"classes2.dex": bomb, "assets/bomb.bin": bomb})
    rec = extract(apk)
    assert sum("ZIP bomb" in e for e in rec["errors"]) == 2
    assert [d["name"] for d in rec["dex"]] == ["classes.dex"]
    assert {"name": "assets/bomb.bin", "kind": "asset", "size": 24 << 20, "sha256": None} in rec["files"]
    assert check_apk(apk, rules, use_cache=False)["matches"]


def test_path_traversal_names_write_nothing(tmp_path, rules):
    inner = tmp_path / "inner"
    inner.mkdir()
    names = {"../../evil.txt": b"x", "assets/../../../escape.so": b"y", "/etc/evil": b"z",
             "lib/../../../pwn.so": b"w", "assets/ok.bin": b"ok"}
    apk = _with_entries(inner, "traversal.apk", names)
    before = sorted(p for p in tmp_path.rglob("*"))
    entry = check_apk(apk, rules)
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert entry["package"] == "com.fiberhome.wifiserver"
    assert not (tmp_path / "evil.txt").exists() and not Path("/etc/evil").exists()


def test_truncated_and_non_zip_apks(tmp_path, rules):
    truncated = tmp_path / "truncated.apk"
    truncated.write_bytes(BXAQ.read_bytes()[: BXAQ.stat().st_size // 2])
    not_zip = tmp_path / "notzip.apk"
    not_zip.write_text("this is not an APK\n")
    empty = tmp_path / "empty.apk"
    empty.write_bytes(b"")
    for apk in (truncated, not_zip, empty):
        entry = check_apk(apk, rules)
        assert entry["sha256"] and entry["errors"] and entry["matches"] == [], apk.name
        assert "not a readable ZIP/APK" in entry["errors"][0]


def test_duplicate_entries_are_reported(tmp_path):
    apk = tmp_path / "dup.apk"
    with zipfile.ZipFile(BXAQ) as src, zipfile.ZipFile(apk, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with pytest.warns(UserWarning):
            dst.writestr("classes.dex", b"dex\n035\0")
    rec = extract(apk)
    assert any("duplicate ZIP entries: classes.dex" in e for e in rec["errors"])


@pytest.mark.skipif(not APKSIG.is_dir(), reason="../shared/corpus/apks/apksig is not present")
def test_every_apksig_edge_case(rules):
    files = sorted(p for p in APKSIG.iterdir() if p.is_file())
    assert len(files) > 100
    for path in files:
        entry = check_apk(path, rules)
        assert entry["sha256"], path.name
        assert not [m for m in entry["matches"] if m["severity"] in ("critical", "high")], path.name


@pytest.mark.parametrize("manifest", [
    b"\x03\x00\x08\x00" + b"\xff" * 60,  # an AXML header whose chunk sizes are nonsense
    b"\x03\x00\x08\x00\x10\x00\x00\x00",  # a header and nothing after it
    b"<?xml version='1.0'?><manifest package='x'/>",  # text XML, not binary
    b"",
])
def test_malformed_binary_manifest_gives_a_partial_record(tmp_path, rules, manifest):
    apk = _with_entries(tmp_path, "badmanifest.apk", {"AndroidManifest.xml": manifest})
    rec = extract(apk)
    # the manifest tier fails with a message, the DEX tier still reads BXAQ's code
    assert rec["package"] is None and rec["errors"]
    assert "CellHunter Reporter" in rec["dex"][0]["strings"]
    entry = check_apk(apk, rules, use_cache=False)
    assert [(m["rule_id"], m["severity"]) for m in entry["matches"]] == [("bxaq.apk.traits", "critical")]
    assert entry["unreadable"] is False


def _dex_of_raw(items: list[tuple[int, bytes]]) -> bytes:
    """A DEX whose string table holds these (UTF-16 length, MUTF-8 bytes) items, laid out in order."""
    n = len(items)
    data_off = 0x70 + 4 * n
    blob, offsets = b"", []
    for length, raw in items:
        offsets.append(data_off + len(blob))
        blob += bytes([length]) + raw + b"\0"
    header = bytearray(0x70)
    header[:8] = b"dex\n035\0"
    struct.pack_into("<4I", header, 56, n, 0x70, 0, 0)
    return bytes(header) + struct.pack(f"<{n}I", *offsets) + blob


def test_modified_utf8_strings_read_the_same_on_both_paths(monkeypatch):
    from inspector.analyze.apk import dex_tables

    items = [(0, b""),  # the empty string: its length byte is itself a NUL
             (3, b"a\xc0\x80b"),  # NUL inside a string, as modified UTF-8 writes it
             (2, b"\xed\xa0\xbd\xed\xb8\x80"),  # U+1F600 as a CESU-8 surrogate pair
             (5, b"plain"), (2, "蜂采".encode())]
    dex = _dex_of_raw(items)
    fast = read_dex(dex)
    assert fast.strings == ["", "a\x00b", "\U0001F600", "plain", "蜂采"] and fast.error is None
    monkeypatch.setattr(dex_tables, "_contiguous_strings", lambda *a: None)  # the careful loop
    assert read_dex(dex).strings == fast.strings
