"""``inspector rescan``: stored acquisitions of real simulated phones (the shipped ``clean`` and
``bxaq-installed`` profiles, collected over loopback) re-matched against a changed signature pack —
one APK rule added, the BXAQ APK rule removed — on SQLite and on a real PostgreSQL server. The APK
engine's feature cache is emptied before the rescan: the features must come back from the store."""

# ruff: noqa: F811 - pytest fixtures imported from tests/postgres.py are used as parameter names

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from inspector.acquire.android.connection import AndroidConnection
from inspector.analyze.signatures import SignaturePack
from inspector.fleet.rescan import rescan
from inspector.pipeline import acquire_android, analyse_and_report
from inspector.resources import signatures_dir, simulator_profiles_dir
from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone
from inspector.store import Store
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 - fixtures

EXE = Path(sys.executable).parent / "inspector"
NEW_RULE = """\
rules:
  - id: test.apk.passwordsafe
    family: jingwang
    name: "A rule published after the first scan (test)"
    severity: high
    confidence: high
    source: "tests/test_store_rescan.py"
    match: any
    score: {strong: 10, review: 3}
    conditions:
      - package: org.demo.passwordsafe
        weight: 10
"""


def _scan(name: str, out: Path, url: str, case: str | None = None) -> dict:
    pack = SignaturePack.load()
    with SimulatedPhone(DeviceProfile.load(simulator_profiles_dir() / name), auth=AuthPolicy(required=False)) as phone:
        host, port = phone.address.rsplit(":", 1)
        with AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=10) as conn:
            acq, _stats, lost = acquire_android(conn, out, resume=False, operator=None, pack=pack)
    assert lost is None
    outcome = analyse_and_report(acq, pack, formats=("json",), db=url, case=case)
    assert outcome.store_error is None and outcome.scan_id is not None
    return outcome.result


def _new_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack-next"
    shutil.copytree(signatures_dir(), folder)
    (folder / "apk-rules" / "bxaq.yaml").unlink()
    (folder / "apk-rules" / "test-new.yaml").write_text(NEW_RULE, "utf-8")
    meta = (folder / "pack.yaml").read_text("utf-8")
    (folder / "pack.yaml").write_text(re.sub(r"(?m)^version:.*$", "version: 2099.1.0", meta), "utf-8")
    return folder


def _forget_apks(cache: Path) -> None:
    """The APK engine's cache is emptied (another workstation, or a cleaned cache)."""
    shutil.rmtree(cache / "apk-features", ignore_errors=True)


def test_rescan_after_a_rule_change(store_url: str, tmp_path: Path, isolated_user_dirs: Path) -> None:
    with Store.open(store_url) as store:
        store.create_case("trip")
    clean = _scan("clean", tmp_path / "clean", store_url, case="trip")
    bxaq = _scan("bxaq-installed", tmp_path / "bxaq", store_url)
    assert any(f["rule_id"] == "bxaq.apk.traits" for f in bxaq["findings"])
    assert not any(f["rule_id"].startswith("test.") for f in clean["findings"])
    _forget_apks(isolated_user_dirs / "cache")
    pack = SignaturePack.load(_new_pack(tmp_path))

    with Store.open(store_url) as store:
        seen: list[str] = []
        report = rescan(store, pack, jobs=2, on_done=lambda target: seen.append(target.acq_id))
        assert len(seen) == 2 and report.checked == 2 and report.skipped == []
        assert report.apks_read_again == 0 and report.apks_from_store >= 8
        by_path = {Path(c.path).name: c for c in report.changes}
        assert set(by_path) == {"clean", "bxaq"}
        assert by_path["clean"].added == [("test.apk.passwordsafe", "org.demo.passwordsafe")]
        assert by_path["clean"].removed == [] and by_path["clean"].case == "trip"
        assert by_path["clean"].verdict_before == "nothing_found" and by_path["clean"].verdict_after == "implant_found"
        assert ("bxaq.apk.traits", "com.fiberhome.wifiserver") in by_path["bxaq"].removed
        assert by_path["bxaq"].added == []
        # Each re-check is a new scan, whose findings carry the new pack's version.
        history = store.scans_for_device(clean["device"]["serial_sha256"])
        assert len(history) == 2 and history[-1].id == by_path["clean"].scan_id
        assert any(f["rule_id"] == "test.apk.passwordsafe" for f in store.findings_for_scan(history[-1].id))

        again = rescan(store, pack, case="trip", jobs=2)
        assert (again.checked, again.unchanged, again.changes) == (1, 1, [])


def test_rescan_skips_a_folder_that_is_gone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    _scan("clean", tmp_path / "clean", url)
    shutil.rmtree(tmp_path / "clean")
    with Store.open(url) as store:
        report = rescan(store, SignaturePack.load())
    assert report.checked == 0 and len(report.skipped) == 1 and "clean" in report.skipped[0][1]


def test_cli_rescan(tmp_path: Path, isolated_user_dirs: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    _scan("clean", tmp_path / "clean", url)
    _forget_apks(isolated_user_dirs / "cache")
    env = {**os.environ, "COLUMNS": "200", "INSPECTOR_DB": url}
    for var in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{var}_DIR"] = str(isolated_user_dirs / var.lower())

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=180, env=env)

    assert cli("rescan").returncode == 2  # --case or --all
    assert cli("rescan", "--case", "nope").returncode == 2
    done = cli("rescan", "--all", "--signatures", str(_new_pack(tmp_path)), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["checked"] == 1 and document["apks_read_again"] == 0
    assert document["changed"][0]["added"] == [{"rule_id": "test.apk.passwordsafe", "subject": "org.demo.passwordsafe"}]
    quiet = cli("rescan", "--all", "--signatures", str(_new_pack(tmp_path / "again")))
    assert quiet.returncode == 0 and "0 changed, 1 unchanged" in quiet.stdout
