"""Imported indicators (MVT STIX2, Echap) and our rules' package names, matched against what was
collected, including packages that are gone but still named in the phone's history."""

from __future__ import annotations

import json
import shutil

import pytest

from inspector.acquisition import Acquisition
from inspector.analyze.iocs import load
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.resources import signatures_dir


@pytest.fixture(scope="module")
def pack():
    return SignaturePack.load()


def _acq(tmp_path, packages=(), files=(), texts=None, processes=None):
    acq = Acquisition.create(tmp_path / "a", platform="android", tool_version="t", signature_pack_version="t")
    acq.write_json("packages.json", list(packages))
    acq.write_json("files.json", list(files))
    for name, text in (texts or {}).items():
        acq.write_bytes(name, text if isinstance(text, bytes) else text.encode())
    if processes:
        acq.write_bytes("processes.txt", processes.encode())
    acq.finish()
    return acq


def _pkg(name, uninstalled=False, sha256=""):
    return {"name": name, "files": [{"path": f"/data/app/{name}/base.apk", "sha256": sha256}], "installer": "null",
            "uid": 10100, "system": False, "third_party": True, "disabled": False, "uninstalled": uninstalled}


def _by_rule(result):
    return {(f["rule_id"], f["subject"]): f for f in result["findings"]}


def test_corpus_loads_completely(pack):
    counts = pack.indicators.counts()
    assert counts["app_id"] >= 600 and counts["domain"] >= 2000 and counts["sha256"] >= 90
    assert pack.indicators.unsupported == 0
    assert len([s for s in pack.indicators.sources if s.startswith("mvt/")]) == 11
    assert pack.indicators.lookup("app_id", "com.client.appA")[0].campaign == "Cellebrite"


def test_unsupported_patterns_are_counted_not_guessed(tmp_path):
    folder = tmp_path / "iocs"
    (folder / "mvt" / "x").mkdir(parents=True)
    bundle = {"type": "bundle", "objects": [
        {"type": "malware", "id": "malware--1", "name": "X"},
        {"type": "indicator", "id": "indicator--1", "pattern": "[domain-name:value = 'evil.example']"},
        {"type": "indicator", "id": "indicator--2", "pattern": "[domain-name:value LIKE '%.evil']"},
        {"type": "indicator", "id": "indicator--3", "pattern": "[x-custom:thing = 'a'] AND [y:z = 'b']"},
    ]}
    (folder / "mvt" / "x" / "x.stix2").write_text(json.dumps(bundle))
    loaded = load(folder)
    assert loaded.lookup("domain", "EVIL.example")[0].campaign == "X"
    assert loaded.unsupported == 2


def test_installed_spyware_and_stalkerware_ids(tmp_path, pack):
    result = analyze(_acq(tmp_path, [_pkg("com.client.appA"), _pkg("com.thetruth", uninstalled=True)]), pack)
    hits = _by_rule(result)
    cellebrite = hits[("ioc.app_id", "com.client.appA")]
    assert cellebrite["severity"] == "critical" and cellebrite["family"] == "ioc.cellebrite"
    assert cellebrite["title"] == "finding.indicator.app.title"
    assert hits[("ioc.app_id", "com.thetruth")]["severity"] == "medium"  # stalkerware, removed: two steps down
    assert result["verdict"] == "implant_found"


def test_border_implant_gone_but_named_in_history(tmp_path, pack):
    dumpsys = ("-" * 79 + "\nDUMP OF SERVICE usagestats:\n  time=\"2026-11-18 10:11:40\" type=ACTIVITY_RESUMED "
               "package=com.fiberhome.wifiserver class=com.fenghuo.qzj.WelcomeActivity\n")
    logcat = "11-18 10:52:20.145  1000  1532 I PackageManager: Removing package com.fiberhome.wifiserver\n"
    acq = _acq(tmp_path, [_pkg("org.demo.notes")], texts={"dumpsys.txt": dumpsys, "logcat.txt": logcat})
    result = analyze(acq, pack)
    named = [f for f in result["findings"] if f["rule_id"] == "bxaq.package.named"]
    assert {e["artifact"] for f in named for e in f["evidence"]} == {"dumpsys.txt", "logcat.txt"}
    assert all(f["severity"] == "high" and f["confidence"] == "high" for f in named)
    assert named[0]["evidence"][0]["locator"].startswith("line ")
    assert result["verdict"] == "implant_found"  # not "nothing found" although the app is gone


def test_named_in_history_is_silent_when_the_package_is_listed(tmp_path, pack):
    acq = _acq(tmp_path, [_pkg("com.fiberhome.wifiserver", uninstalled=True)],
               texts={"dumpsys.txt": "Package [com.fiberhome.wifiserver] (1a2b3c):\n"})
    rules = {f["rule_id"] for f in analyze(acq, pack)["findings"]}
    assert "bxaq.package" in rules and "bxaq.package.named" not in rules  # reported once, by known_packages


def test_domains_hashes_files_processes(tmp_path, pack):
    domain = sorted(pack.indicators.values("domain"))[0]
    sha = sorted(pack.indicators.values("sha256"))[0]
    path = sorted(pack.indicators.values("file_path"))[0]
    process = sorted(pack.indicators.values("process"))[0]
    logcat = (f"I Chromium: fetch https://cdn.{domain}/x.js\nI Net: lookalike not{domain}x.org\n").encode() \
        + b"\xff\xfe garbage \x00 line\n" + b"A" * (1 << 20) + b"\n"
    acq = _acq(tmp_path, [_pkg("org.ok", sha256=sha)], files=[{"path": path, "size": 1, "type": "file"}],
               texts={"logcat.txt": logcat},
               processes=f"USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 0 0 0 0 S {process}\n")
    hits = _by_rule(analyze(acq, pack))
    assert hits[("ioc.domain", f"cdn.{domain}")]["severity"] == "medium"
    assert not any(rule == "ioc.domain" and subject != f"cdn.{domain}" for rule, subject in hits)
    assert hits[("ioc.sha256", "org.ok")]["confidence"] == "verified"
    assert hits[("ioc.file_path", path)]["severity"] == "high"
    assert ("ioc.process", process) in hits


def test_missing_iocs_folder_means_no_indicators(tmp_path):
    copy = tmp_path / "sig"
    shutil.copytree(signatures_dir(), copy, ignore=shutil.ignore_patterns("iocs"))
    assert SignaturePack.load(copy).indicators.counts() == {}
