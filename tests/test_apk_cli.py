"""`inspector check` on APK files and folders, and `inspector scan --demo` analysing pulled APKs,
through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXE = Path(sys.executable).parent / "inspector"
APKS = Path(__file__).parent / "fixtures" / "apks"


def run(*args, timeout=180):
    env = {**os.environ, "COLUMNS": "160"}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_check_one_implant_apk():
    out = run("check", str(APKS / "bxaq_lookalike.apk"))
    assert out.returncode == 1, out.stderr
    assert "bxaq.apk.traits" in out.stdout and "critical" in out.stdout and "CellHunter Reporter" in out.stdout


def test_check_benign_apk_exits_0():
    out = run("check", str(APKS / "org.demo.notes.apk"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no rule matched" in out.stdout


def test_check_folder_json():
    out = run("check", str(APKS), "--json")
    assert out.returncode == 1, out.stderr
    document = json.loads(out.stdout)
    by_name = {Path(a["path"]).name: a for a in document["apks"]}
    assert len(by_name) == len(list(APKS.glob("*.apk")))
    assert [m["rule_id"] for m in by_name["bxaq_lookalike.apk"]["matches"]] == ["bxaq.apk.traits"]
    assert [m["rule_id"] for m in by_name["mfsocket_lookalike.apk"]["matches"]] == ["mfsocket.apk.traits"]
    evidence = by_name["bxaq_lookalike.apk"]["matches"][0]["matched"]
    hit = next(e for e in evidence if e["seen"] == "CellHunter Reporter")
    assert hit["condition"] == "dex_string" and hit["where"].startswith("classes.dex string #")
    assert all(not a["matches"] for n, a in by_name.items() if "lookalike" not in n)
    assert document["tool"]["signature_pack"]["sha256"]


def test_check_unreadable_apk_exits_2(tmp_path):
    bad = tmp_path / "bad.apk"
    bad.write_text("not a zip")
    out = run("check", str(bad), "--json")
    assert out.returncode == 2
    [entry] = json.loads(out.stdout)["apks"]
    assert "not a readable ZIP/APK" in entry["errors"][0]


def test_demo_scan_analyses_pulled_apks(tmp_path):
    out = run("scan", "--demo", "--json", "--no-store", "--out", str(tmp_path / "scan"))
    document = json.loads(out.stdout)
    assert document["inventory"]["apks_analyzed"] > 0
    assert document["inventory"]["apks_analyzed"] == document["inventory"]["apks_collected"]
    assert any(c["check"] == "apk_rules" and c["status"] == "ran" for c in document["coverage"])
