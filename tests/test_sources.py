"""Other tools' inputs: androidqf folders and zips, Android bugreport zips, and hostile zips."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from inspector.acquisition import AcquisitionError
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.sources import androidqf
from inspector.sources.detect import UnknownInput, kind_of, open_for_check
from inspector.sources.zips import UnsafeZip, entries, safe_name

EXE = Path(sys.executable).parent / "inspector"
DEMO = Path(__file__).resolve().parents[1] / "inspector" / "simulator" / "profiles" / "demo" / "commands"


@pytest.fixture(scope="module")
def demo_acquisition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "acq"
    env = {**os.environ}
    for name in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{name}_DIR"] = str(out.parent / name.lower())
    result = subprocess.run([str(EXE), "scan", "--demo", "--out", str(out), "--no-store"], capture_output=True,
                            text=True, timeout=180, env=env)
    assert result.returncode == 1, result.stderr
    return out


def _androidqf_folder(demo: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for name in androidqf.KNOWN:
        if (demo / name).is_file():
            shutil.copy(demo / name, target / name)
    (target / "acquisition.json").write_text(json.dumps({"uuid": "7c1e…", "androidqf_version": "1.7.0",
                                                          "started": "2026-11-22T02:00:00Z"}))
    (target / "apks").mkdir()
    for apk in list((demo / "apks").iterdir())[:2]:
        shutil.copy(apk, target / "apks" / apk.name)
    return target


def _rules(acq) -> set[str]:
    return {f["rule_id"] for f in analyze(acq, SignaturePack.load())["findings"]}


def test_androidqf_folder_is_converted_and_checked(tmp_path, demo_acquisition):
    source = _androidqf_folder(demo_acquisition, tmp_path / "androidqf")
    (source / "logcat.txt").unlink()
    os.symlink("/etc/passwd", source / "logcat.txt")  # never followed out of the folder
    before = {p.name: p.stat().st_mtime for p in source.iterdir()}
    assert kind_of(source) == "androidqf"
    acq, kind = open_for_check(source, tmp_path / "converted")
    assert kind == "androidqf"
    assert {"bxaq.package", "bxaq.leftover.cjlog", "bxaq.leftover.cjlog_plain"} <= _rules(acq)
    assert acq.manifest["source"]["kind"] == "androidqf" and acq.manifest["device"]["model"] == "2201117TG"
    assert acq.status("logcat.txt") is None and acq.status("source/androidqf_acquisition.json") == "complete"
    assert len([n for n in acq.manifest["artifacts"] if n.startswith("apks/")]) == 2
    assert {p.name: p.stat().st_mtime for p in source.iterdir()} == before  # the original is untouched
    assert acq.verify_hashes() == []


def test_androidqf_zip(tmp_path, demo_acquisition):
    source = _androidqf_folder(demo_acquisition, tmp_path / "androidqf")
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as z:
        for path in source.rglob("*"):
            if path.is_file():
                z.write(path, f"7c1e/{path.relative_to(source)}")
    assert kind_of(bundle) == "androidqf-zip"
    acq, _ = open_for_check(bundle, tmp_path / "converted")
    assert "bxaq.package" in _rules(acq) and acq.status("files.json") == "complete"


def _bugreport(tmp_path: Path, extra_entries: dict | None = None) -> Path:
    def section(title: str, command: str, body: str) -> str:
        return f"------ {title} ({command}) ------\n{body}"

    services = ""
    for service in ("package", "usagestats", "adb", "wifi"):
        body = (DEMO / f"dumpsys_{service}.txt").read_text()
        services += ("-" * 79 + f"\nDUMP OF SERVICE {'CRITICAL ' if service == 'adb' else ''}{service}:\n" + body
                     + f"--------- 0.031s was the duration of dumpsys {service}, ending at: 2026-11-18 21:40:05\n")
    text = ("========================================================\n== dumpstate: 2026-11-18 21:40:00\n"
            + section("SYSTEM PROPERTIES", "getprop", (DEMO / "getprop.txt").read_text())
            + section("PROCESSES AND THREADS", "ps -A -T -Z -O pri,nice,rtprio,sched,pcy,time",
                      (DEMO / "ps_A.txt").read_text())
            + section("SYSTEM LOG", "logcat -v threadtime -v printable -v uid -d *:v",
                      (DEMO / "logcat_all.txt").read_text())
            + section("DUMPSYS", "/system/bin/dumpsys", services)
            + section("CHECKIN BATTERYSTATS", "dumpsys batterystats -c", "9,0,i,vers,36,214\n"))
    path = tmp_path / "bugreport-spes_global-TKQ1.221114.001-2026-11-18-21-40-00.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("main_entry.txt", "bugreport-spes_global-2026-11-18-21-40-00.txt")
        z.writestr("bugreport-spes_global-2026-11-18-21-40-00.txt", text)
        z.writestr("version.txt", "2.0")
        z.writestr("FS/data/misc/wifi/WifiConfigStore.xml", "<WifiConfigStoreData/>")
        for name, data in (extra_entries or {}).items():
            z.writestr(name, data)
    return path


def test_bugreport_is_cut_into_our_artifacts(tmp_path):
    source = _bugreport(tmp_path)
    assert kind_of(source) == "bugreport"
    acq, _ = open_for_check(source, tmp_path / "converted")
    assert (acq.path / "getprop.txt").read_text() == (DEMO / "getprop.txt").read_text()
    dumpsys = (acq.path / "dumpsys.txt").read_text()
    assert dumpsys.count("DUMP OF SERVICE ") == 4 and "DUMP OF SERVICE adb:" in dumpsys  # CRITICAL dropped
    assert "was the duration of dumpsys" not in dumpsys and "CHECKIN" not in dumpsys
    assert (DEMO / "dumpsys_package.txt").read_text() in dumpsys
    assert (acq.path / "logcat.txt").read_text() == (DEMO / "logcat_all.txt").read_text()
    assert (acq.path / "processes.txt").read_text() == (DEMO / "ps_A.txt").read_text()
    assert acq.manifest["device"]["model"] == "2201117TG" and acq.manifest["source"]["kind"] == "bugreport"
    assert acq.status("bugreport/dumpstate.txt") == "complete"
    result = analyze(acq, SignaturePack.load())
    by_check = {c["check"]: c for c in result["coverage"]}
    assert by_check["known_packages"]["status"] == "ran"  # packages.json is built from dumpsys package
    packages = {p["name"]: p for p in json.loads((acq.path / "packages.json").read_text())}
    assert packages["com.fiberhome.wifiserver"]["uninstalled"] is True
    assert packages["org.demo.torch"]["installer"] == "com.google.android.packageinstaller"
    package = next(f for f in result["findings"] if f["rule_id"] == "bxaq.package")
    assert package["title"] == "finding.known_package.kept_data.title"
    assert package["time"] == "2026-11-18T01:11:26Z"  # first install, from the same dump
    assert result["verdict"] == "implant_found"


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "a/../../evil", "C:/evil", "a\\..\\evil"])
def test_zip_entries_that_climb_out_are_refused(tmp_path, name):
    assert safe_name(name) is None
    source = _bugreport(tmp_path, {name: "x"})
    with pytest.raises(AcquisitionError, match="outside the folder"):
        open_for_check(source, tmp_path / "converted")
    assert not (tmp_path / "evil.txt").exists() and not Path("/etc/evil").exists()


def test_zip_symlink_entries_and_bombs_are_refused(tmp_path):
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as z:
        info = zipfile.ZipInfo("bugreport-x.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    with zipfile.ZipFile(link) as z, pytest.raises(UnsafeZip, match="symbolic link"):
        list(entries(z))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("bugreport-x.txt", bytes(64 << 20))
    with zipfile.ZipFile(bomb) as z, pytest.raises(UnsafeZip, match="zip bomb"):
        list(entries(z))


def test_unknown_inputs_say_what_is_readable(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnknownInput, match="neither a bugreport"):
        kind_of(tmp_path / "notes.txt")
    (tmp_path / "bundle.zip.age").write_bytes(b"age-encryption.org/v1\n")
    with pytest.raises(UnknownInput, match="decrypt"):
        kind_of(tmp_path / "bundle.zip.age")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnknownInput, match="not an acquisition"):
        kind_of(tmp_path / "empty")


def test_mvt_reads_our_acquisitions(tmp_path, demo_acquisition):
    """Interop: Amnesty's MVT (`mvt-android check-androidqf`) reads an acquisition of the simulated phone."""
    mvt = shutil.which("mvt-android", path=str(Path(sys.executable).parent))
    if mvt is None:
        if os.environ.get("CI"):
            pytest.fail("mvt is not installed (it is in the [test] extra)")
        pytest.skip("mvt is not installed: pip install mvt")
    out = tmp_path / "mvt"
    result = subprocess.run([mvt, "check-androidqf", "--output", str(out), str(demo_acquisition)],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MVT_DISABLE_UPDATE_CHECK": "1"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    packages = json.loads((out / "aqf_packages.json").read_text())
    assert {p["name"] for p in packages} >= {"com.fiberhome.wifiserver", "org.demo.torch"}
    files = json.loads((out / "aqf_files.json").read_text())
    assert any(f["path"] == "/sdcard/cjlog_plain.txt" for f in files)
    assert json.loads((out / "aqf_get_prop.json").read_text())
    log = (out / "command.log").read_text()
    assert "ERROR" not in log, log[-3000:]
