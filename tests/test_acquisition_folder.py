"""The acquisition folder: atomic artifacts, statuses, hashes, and what a crash leaves behind."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest

from inspector.acquisition import Acquisition, AcquisitionError, UnsafeArtifactName


def _new(tmp_path):
    return Acquisition.create(tmp_path / "acq", platform="android", tool_version="0.1.0",
                              signature_pack_version="test", operator="helpdesk-1")


def _hashes(acq):
    with open(acq.path / "hashes.csv", newline="") as f:
        return {row["path"]: row["sha256"] for row in csv.DictReader(f)}


def test_complete_artifact_is_hashed_and_listed(tmp_path):
    acq = _new(tmp_path)
    acq.write_bytes("getprop.txt", b"[ro.product.model]: [X]\n", command="getprop")
    manifest = json.loads((acq.path / "acquisition.json").read_text())
    record = manifest["artifacts"]["getprop.txt"]
    assert record["status"] == "complete" and record["error"] is None
    assert record["sha256"] == hashlib.sha256(b"[ro.product.model]: [X]\n").hexdigest()
    assert _hashes(acq) == {"getprop.txt": record["sha256"]}
    assert manifest["operator"] == "helpdesk-1" and manifest["started_at"].endswith("Z")


def test_interrupted_stream_keeps_partial_bytes(tmp_path):
    acq = _new(tmp_path)
    with pytest.raises(ConnectionError), acq.writer("logcat.txt") as out:
        out.write(b"line 1\n")
        raise ConnectionError("cable pulled")
    assert (acq.path / "logcat.txt").read_bytes() == b"line 1\n"
    record = acq.artifact("logcat.txt")
    assert record["status"] == "partial" and "cable pulled" in record["error"]
    assert "logcat.txt" in _hashes(acq)


def test_failure_before_any_byte_is_marked_failed_and_leaves_no_file(tmp_path):
    acq = _new(tmp_path)
    with pytest.raises(TimeoutError), acq.writer("dumpsys.txt"):
        raise TimeoutError("phone silent")
    assert not (acq.path / "dumpsys.txt").exists()
    assert acq.status("dumpsys.txt") == "failed"
    assert not list(acq.path.glob(".partial-*"))


def test_crash_mid_artifact_leaves_valid_manifest_marked_interrupted(tmp_path):
    acq = _new(tmp_path)
    acq.write_bytes("getprop.txt", b"x")
    gen = acq.writer("files.json")
    out = gen.__enter__()
    out.write(b"[")  # the process "dies" here: the context manager never exits
    reopened = Acquisition.open(acq.path)
    assert reopened.status("getprop.txt") == "complete"
    assert reopened.status("files.json") == "failed"
    assert "interrupted" in reopened.artifact("files.json")["error"]
    reopened.remove_leftover_temp_files()
    assert not list(acq.path.rglob(".partial-*"))
    out.stream.close()


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "apks/../../x", "a\\b", "", "acquisition.json",
                                  "apks/./x", "x\x00y"])
def test_artifact_names_cannot_escape_or_clobber(tmp_path, name):
    acq = _new(tmp_path)
    with pytest.raises(UnsafeArtifactName):
        acq.write_bytes(name, b"evil")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["acquisition.json", "hashes.csv"]


def test_create_refuses_existing_acquisition(tmp_path):
    _new(tmp_path)
    with pytest.raises(AcquisitionError, match="--resume"):
        _new(tmp_path)


def test_open_rejects_non_acquisitions(tmp_path):
    with pytest.raises(AcquisitionError, match="no acquisition.json"):
        Acquisition.open(tmp_path)
    (tmp_path / "acquisition.json").write_text("{not json")
    with pytest.raises(AcquisitionError, match="damaged"):
        Acquisition.open(tmp_path)


def test_finish_and_verify_hashes_detects_tampering(tmp_path):
    acq = _new(tmp_path)
    acq.write_bytes("a.txt", b"a")
    acq.write_bytes("apks/x.apk", b"PK")
    acq.finish()
    assert acq.complete and acq.verify_hashes() == []
    (acq.path / "a.txt").write_bytes(b"changed")
    assert acq.verify_hashes() == ["a.txt"]


def test_finish_is_incomplete_when_any_artifact_is_not_complete(tmp_path):
    acq = _new(tmp_path)
    acq.write_bytes("a.txt", b"a")
    acq.mark("a.txt", "partial", error="cut")
    acq.finish()
    assert not acq.complete
    assert json.loads((acq.path / "acquisition.json").read_text())["finished_at"]


def test_manifest_is_one_line_while_collecting_and_indented_once_finished(tmp_path):
    acq = _new(tmp_path)
    acq.write_bytes("a.txt", b"a")
    during = (acq.path / "acquisition.json").read_text()
    assert "\n" not in during and json.loads(during)["artifacts"]["a.txt"]["status"] == "complete"
    acq.finish()
    after = (acq.path / "acquisition.json").read_text()
    assert after.count("\n") > 10
    assert json.loads(after) == acq.manifest == Acquisition.open(acq.path).manifest


def test_hashes_csv_is_rewritten_only_when_its_content_changes(tmp_path):
    acq = _new(tmp_path)
    acq.write_bytes("a.txt", b"a")
    before = (acq.path / "hashes.csv").stat().st_ino
    with acq.writer("b.txt") as out:  # the "pending" mark changes the manifest, not the hashes
        assert (acq.path / "hashes.csv").stat().st_ino == before
        assert json.loads((acq.path / "acquisition.json").read_text())["artifacts"]["b.txt"]["status"] == "pending"
        out.write(b"b")
    assert (acq.path / "hashes.csv").stat().st_ino != before
    assert set(_hashes(acq)) == {"a.txt", "b.txt"}
