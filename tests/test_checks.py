"""The first checks and the verdict, on acquisitions written by hand (as a crafted or damaged one
from another tool could be)."""

from __future__ import annotations

import json

import pytest

from inspector.acquisition import Acquisition
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack, SignaturePackError


@pytest.fixture(scope="module")
def pack():
    return SignaturePack.load()


def _acq(tmp_path, packages=None, files=None):
    acq = Acquisition.create(tmp_path / "a", platform="android", tool_version="t", signature_pack_version="t")
    if packages is not None:
        acq.write_json("packages.json", packages)
    if files is not None:
        acq.write_json("files.json", files)
    acq.finish()
    return acq


def _pkg(name, uninstalled=False):
    return {"name": name, "files": [], "installer": "com.android.vending", "uid": 10100, "disabled": False,
            "system": False, "third_party": True, "uninstalled": uninstalled}


def _file(path, mtime=1763431200):
    return {"path": path, "size": 10, "mode": "-rw-rw----", "type": "file", "modified_time": mtime,
            "access_time": mtime, "changed_time": mtime}


def test_pack_loads_with_identity(pack):
    assert pack.version and len(pack.sha256) == 64
    assert {"bxaq", "mfsocket", "cellebrite", "residentbat"} <= set(pack.families)


def test_clean_phone_is_nothing_found(tmp_path, pack):
    result = analyze(_acq(tmp_path, [_pkg("org.demo.notes")], [_file("/sdcard/DCIM/a.jpg")]), pack)
    assert result["verdict"] == "nothing_found"
    assert result["findings"] == []
    statuses = {c["check"]: c["status"] for c in result["coverage"]}
    # the socket tables were not collected in this hand-made acquisition: shown, but the verdict stands
    assert statuses == {"known_packages": "ran", "leftover_files": "ran", "target_files": "skipped",
                        "indicators": "ran", "device_state": "ran", "listening_ports": "failed",
                        "apk_rules": "skipped"}


def test_installed_implant_is_implant_found(tmp_path, pack):
    result = analyze(_acq(tmp_path, [_pkg("com.fiberhome.wifiserver")], []), pack)
    assert result["verdict"] == "implant_found"
    (finding,) = result["findings"]
    assert finding["rule_id"] == "bxaq.package" and finding["severity"] == "critical"
    assert finding["title"] == "finding.known_package.installed.title"
    assert json.loads(finding["evidence"][0]["excerpt"])["name"] == "com.fiberhome.wifiserver"


def test_kept_data_package_is_reported_one_step_lower(tmp_path, pack):
    result = analyze(_acq(tmp_path, [_pkg("com.fiberhome.wifiserver", uninstalled=True)], []), pack)
    (finding,) = result["findings"]
    assert finding["title"] == "finding.known_package.kept_data.title" and finding["severity"] == "high"
    assert result["verdict"] == "implant_found"


def test_case_insensitive_rule_only_where_declared(tmp_path, pack):
    result = analyze(_acq(tmp_path, [_pkg("com.android.mfsocket"), _pkg("COM.FIBERHOME.WIFISERVER")], []), pack)
    assert [f["rule_id"] for f in result["findings"]] == ["mfsocket.package"]


def test_bxaq_leftovers_under_every_shared_storage_name(tmp_path, pack):
    files = [_file("/sdcard/Android/cjlog.txt"), _file("/storage/emulated/0/CJLOG_PLAIN.txt"),
             _file("/sdcard/qzj/qzj.log"), _file("/sdcard/Download/cjlog.txt"),
             {**_file("/sdcard/Android/cjlog.txt"), "type": "directory"}]
    result = analyze(_acq(tmp_path, [], files), pack)
    rules = sorted(f["rule_id"] for f in result["findings"])
    assert rules == ["bxaq.leftover.cjlog", "bxaq.leftover.cjlog_plain", "bxaq.leftover.qzj_log"]
    cjlog = next(f for f in result["findings"] if f["rule_id"] == "bxaq.leftover.cjlog")
    assert cjlog["time"] == "2025-11-18T02:00:00Z" and cjlog["params"]["path"] == "/sdcard/Android/cjlog.txt"
    assert result["verdict"] == "implant_found"


def test_weak_leftover_only_needs_review(tmp_path, pack):
    result = analyze(_acq(tmp_path, [], [_file("/sdcard/Download/JWWS.zip")]), pack)
    assert result["verdict"] == "needs_review"


def test_missing_or_damaged_artifacts_make_it_incomplete_not_clean(tmp_path, pack):
    acq = _acq(tmp_path, [_pkg("org.demo.notes")])
    (acq.path / "packages.json").write_text("[{broken")
    result = analyze(acq, pack)
    assert result["verdict"] == "incomplete"
    by_check = {c["check"]: c for c in result["coverage"]}
    assert by_check["known_packages"]["status"] == "failed" and "damaged" in by_check["known_packages"]["reason"]
    assert by_check["leftover_files"]["status"] == "failed" and "not collected" in by_check["leftover_files"]["reason"]


def test_hostile_json_shapes_do_not_crash(tmp_path, pack):
    result = analyze(_acq(tmp_path, [1, None, {"name": 5}, _pkg("x")], {"not": "a list"}), pack)
    assert result["verdict"] == "incomplete"


def test_malformed_pack_names_the_file_and_field(tmp_path):
    folder = tmp_path / "sig"
    (folder / "implants").mkdir(parents=True)
    (folder / "pack.yaml").write_text("name: t\nversion: 1\n")
    (folder / "implants" / "x.yaml").write_text(
        "family: x\nname: X\npackages:\n  - id: x.p\n    name: a.b\n    severity: huge\n    confidence: high\n"
        "    source: s\n")
    with pytest.raises(SignaturePackError, match=r"x\.yaml: x\.p: severity"):
        SignaturePack.load(folder)
