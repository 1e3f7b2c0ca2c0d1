"""Cross-check with Amnesty's MVT: the same generated backup, the same STIX2 indicator files from
signatures/iocs/mvt, checked by `mvt-ios check-backup` and by inspector; both must see the same things.
The encrypted copy is decrypted by `mvt-ios decrypt-backup` (an independent reader of our encrypted
format) and inspector checks the encrypted original."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ios_backup_builder import (
    DATA_USAGE,
    SAFARI_HISTORY,
    SMS_DB,
    TCC_DB,
    BackupContent,
    build_backup,
    data_usage_db,
    profile_path,
    profile_plist,
    safari_history_db,
    sms_db,
    tcc_db,
)

from inspector.analyze.ios.evidence import IOSOptions
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.resources import signatures_dir
from inspector.sources.detect import open_for_check

MVT_IOS = Path(sys.executable).parent / "mvt-ios"
STIX = ("2022-06-23_rcs_lab/rcs.stix2", "2023-04-11_quadream/kingspawn.stix2", "intellexa_predator/predator.stix2")
WHEN = datetime(2026, 11, 18, 9, 30)
PREDATOR_PROFILE = "76DAB334-7E17-475D-A5D6-0794EB5818A5"
# MVT module → inspector rule
MODULES = {"sms": "ios.ioc.sms_link", "safari_history": "ios.ioc.safari_visit", "tcc": "ios.ioc.tcc",
           "datausage": "ios.ioc.data_usage", "configuration_profiles": "ios.profile.known_malicious"}


def _content(tmp: Path) -> BackupContent:
    c = BackupContent()
    c.files[SMS_DB] = sms_db(tmp, [("+8613800000000", "parcel: https://119-tim.info/t?x=1", WHEN),
                                   ("+8613800000001", "menu https://example.org/", WHEN)])
    c.files[SAFARI_HISTORY] = safari_history_db(tmp, [("https://www.146-fastweb.info/a", WHEN),
                                                      ("https://www.wikipedia.org/", WHEN)])
    c.files[TCC_DB] = tcc_db(tmp, [("kTCCServiceCamera", "com.apple.avcapture", 2, WHEN),
                                   ("kTCCServiceCamera", "org.whispersystems.signal", 2, WHEN)])
    c.files[DATA_USAGE] = data_usage_db(tmp, [("com.apple.avcapture", "com.apple.avcapture", WHEN),
                                              ("MobileSafari", "com.apple.mobilesafari", WHEN)])
    c.files[profile_path(PREDATOR_PROFILE)] = profile_plist(PREDATOR_PROFILE, "Update", [
        {"PayloadType": "com.apple.webClip.managed"}], WHEN)
    c.files[profile_path("0000-CLEAN")] = profile_plist("0000-CLEAN", "Wi-Fi", [
        {"PayloadType": "com.apple.wifi.managed"}], WHEN)
    return c


def _mvt(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MVT_CONFIG_FOLDER": str(tmp / "mvt-config"), "HOME": str(tmp / "home")}
    return subprocess.run([str(MVT_IOS), *args], capture_output=True, text=True, timeout=300, env=env)


def _mvt_saw(results: Path) -> set[tuple[str, str]]:
    alerts = json.loads((results / "alerts.json").read_text())
    return {(a["module"], a["matched_indicator"]["value"].casefold()) for a in alerts if a.get("matched_indicator")}


def _inspector_saw(doc: dict) -> set[tuple[str, str]]:
    module_of = {rule: module for module, rule in MODULES.items()}
    return {(module_of[f["rule_id"]], f["params"]["indicator"].casefold()) for f in doc["findings"]
            if f["rule_id"] in module_of}


def test_mvt_and_inspector_see_the_same_indicators(tmp_path):
    iocs = [str(signatures_dir() / "iocs" / "mvt" / s) for s in STIX]
    pack = SignaturePack.load()

    plain = build_backup(tmp_path / "plain", _content(tmp_path))
    done = _mvt("check-backup", *sum((["--iocs", i] for i in iocs), []), "--output", str(tmp_path / "mvt-plain"),
                str(plain), tmp=tmp_path)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    mvt_saw = _mvt_saw(tmp_path / "mvt-plain")
    acq, _ = open_for_check(plain, tmp_path / "ours-plain")
    ours = _inspector_saw(analyze(acq, pack))
    assert mvt_saw == ours
    assert {m for m, _ in ours} == set(MODULES)  # every kind of record was matched, by both

    encrypted = build_backup(tmp_path / "enc", _content(tmp_path), password="border 2026")
    shutil.rmtree(tmp_path / "mvt-config", ignore_errors=True)
    done = _mvt("decrypt-backup", "-p", "border 2026", "-d", str(tmp_path / "decrypted"), str(encrypted),
                tmp=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    done = _mvt("check-backup", *sum((["--iocs", i] for i in iocs), []), "--output", str(tmp_path / "mvt-enc"),
                str(tmp_path / "decrypted"), tmp=tmp_path)
    assert done.returncode in (0, 1), done.stdout[-2000:]
    acq, _ = open_for_check(encrypted, tmp_path / "ours-enc", password="border 2026")
    ours_enc = _inspector_saw(analyze(acq, pack, ios_options=IOSOptions(backup_password="border 2026")))
    assert _mvt_saw(tmp_path / "mvt-enc") == ours_enc == ours
