"""Live collection against the simulated phone over real loopback sockets: what lands in the
acquisition, hostile device strings, dropped connections and --resume, refused authorisation,
huge outputs, and old Android versions."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import tracemalloc

import pytest
from android_profiles import App, android_phone, fixture_apk, start_phone

from inspector.acquire.android import commands as C
from inspector.acquire.android import connection, errors
from inspector.acquire.android.collector import CollectOptions
from inspector.acquire.android.connection import AndroidConnection
from inspector.acquisition import Acquisition
from inspector.analyze.signatures import SignaturePack
from inspector.pipeline import acquire_android
from inspector.simulator import AuthPolicy, Faults

TORCH = fixture_apk("org.demo.torch.apk")
NOTES = fixture_apk("org.demo.notes.apk")
PHONE_APK = fixture_apk("org.demo.system.phone.apk")


def _apps():
    return [
        App(b"org.demo.torch", (b"/data/app/~~Ab==/org.demo.torch-Zx==/base.apk",), (TORCH,), uid=10201),
        App(b"org.demo.notes", (b"/data/app/~~Cd==/org.demo.notes-Yw==/base.apk",
                                b"/data/app/~~Cd==/org.demo.notes-Yw==/split_config.arm64_v8a.apk"),
            (NOTES, b"PK\x03\x04split"), installer=b"com.android.vending"),
        App(b"org.demo.system.phone", (b"/system/priv-app/Phone/Phone.apk",), (PHONE_APK,), uid=1001, system=True),
        App(b"com.fiberhome.wifiserver", (b"/data/app/~~Q==/com.fiberhome.wifiserver-1==/base.apk",), uid=10188,
            installed=False),
    ]


FILES = {
    "/sdcard/Android/cjlog.txt": os.urandom(64),
    "/sdcard/cjlog_plain.txt": "1\t2\t3\t4\t1763431200\n",
    "/sdcard/DCIM/Camera/IMG_1.jpg": b"\xff\xd8\xff" + b"j" * 3000,
}


@pytest.fixture(scope="module")
def pack():
    return SignaturePack.load()


def _scan(phone, folder, pack, resume=False, options=None):
    host, port = phone.address.rsplit(":", 1)
    with AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=10) as conn:
        return acquire_android(conn, folder, resume=resume, operator="t", pack=pack, options=options)


def _hashes(folder):
    with open(folder / "hashes.csv", newline="") as f:
        return {row["path"]: row["sha256"] for row in csv.DictReader(f)}


def test_full_collection_writes_every_artifact(tmp_path, pack):
    phone = start_phone(android_phone(tmp_path, _apps(), FILES))
    try:
        acq, stats, lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    assert lost is None and acq.complete
    names = set(acq.manifest["artifacts"])
    for expected in ("getprop.txt", "settings_global.txt", "settings_secure.txt", "settings_system.txt",
                     "processes.txt", "packages.json", "files.json", "dumpsys.txt", "logcat.txt"):
        assert expected in names and acq.status(expected) == "complete"
    assert acq.manifest["device"]["model"] == "Sim 13"
    assert acq.manifest["device"]["serial_sha256"] != "SIMTEST0001" and "SIMTEST0001" not in (
        acq.path / "acquisition.json").read_text()

    packages = {p["name"]: p for p in json.loads((acq.path / "packages.json").read_text())}
    assert set(packages) == {"org.demo.torch", "org.demo.notes", "org.demo.system.phone", "com.fiberhome.wifiserver"}
    assert packages["com.fiberhome.wifiserver"]["uninstalled"] is True
    assert packages["com.fiberhome.wifiserver"]["files"][0]["local_name"] == ""
    torch = packages["org.demo.torch"]
    assert (torch["installer"], torch["uid"], torch["third_party"], torch["system"]) == ("null", 10201, True, False)
    assert packages["org.demo.system.phone"]["system"] is True
    assert len(packages["org.demo.notes"]["files"]) == 2  # split APKs come from pm path
    for entry in torch["files"] + packages["org.demo.notes"]["files"]:
        local = acq.path / entry["local_name"]
        assert hashlib.sha256(local.read_bytes()).hexdigest() == entry["sha256"]
    assert (acq.path / torch["files"][0]["local_name"]).read_bytes() == TORCH
    assert stats.apks_pulled == 4

    dumpsys = (acq.path / "dumpsys.txt").read_text()
    assert dumpsys.count("DUMP OF SERVICE ") == len(C.DUMPSYS_SERVICES)
    assert "-" * 79 + "\nDUMP OF SERVICE package:\npackage state" in dumpsys

    files = {f["path"]: f for f in json.loads((acq.path / "files.json").read_text())}
    assert files["/sdcard/Android/cjlog.txt"]["size"] == 64
    assert files["/sdcard/Android"]["type"] == "directory"
    assert isinstance(files["/sdcard/cjlog_plain.txt"]["access_time"], int)
    assert acq.verify_hashes() == []
    assert phone.violations == []


def test_second_scan_takes_apks_from_cache(tmp_path, pack):
    phone = start_phone(android_phone(tmp_path, _apps(), FILES))
    try:
        _scan(phone, tmp_path / "first", pack)
        before = phone.bytes_sent
        _acq, stats, _ = _scan(phone, tmp_path / "second", pack)
        second = phone.bytes_sent - before
    finally:
        phone.stop()
    assert stats.apks_pulled == 0 and stats.apks_from_cache == 4
    assert second < before
    assert _hashes(tmp_path / "first") == _hashes(tmp_path / "second")


HOSTILE_NAMES = [
    b"com.evil name",
    b"com.evil'quote\"dq",
    b"com.evil;touch /sdcard/pwned",
    b"com.evil$(reboot)`id`",
    b"com.evil\xff\xfe",
]
HOSTILE_FILES = {
    b"/sdcard/Download/a b;rm -rf $(x)`y`.txt": b"1",
    b"/sdcard/Download/new\nline.txt": b"2",
    b"/sdcard/Download/../../etc/passwd-lookalike": None,  # placeholder: "../" cannot exist on disk
    b"/sdcard/Download/\xff\xfe-not-utf8.bin": b"3",
    b"/sdcard/Download/'single'\"double\".txt": b"4",
}


def test_hostile_names_are_collected_faithfully_without_injection(tmp_path, pack):
    apps = [App(name, (b"/data/app/~~h==/" + name.replace(b"/", b"_") + b"-1==/base " + b"x.apk",), (TORCH,),
                uid=10300 + i) for i, name in enumerate(HOSTILE_NAMES)]
    files = {k: v for k, v in HOSTILE_FILES.items() if v is not None}
    phone = start_phone(android_phone(tmp_path, apps, files))
    out = tmp_path / "acq"
    try:
        acq, _stats, lost = _scan(phone, out, pack)
    finally:
        phone.stop()
    assert lost is None
    assert phone.violations == [], phone.violations
    packages = json.loads((out / "packages.json").read_text())
    raw_names = {base64.b64decode(p["name_bytes_b64"]) if "name_bytes_b64" in p else p["name"].encode()
                 for p in packages}
    assert raw_names == set(HOSTILE_NAMES)
    for p in packages:
        assert p["files"][0]["sha256"] == hashlib.sha256(TORCH).hexdigest()
        assert (out / p["files"][0]["local_name"]).read_bytes() == TORCH
    listed = set()
    for f in json.loads((out / "files.json").read_text()):
        listed.add(base64.b64decode(f["path_bytes_b64"]) if "path_bytes_b64" in f else f["path"].encode())
    assert set(files) <= listed
    # Nothing outside the acquisition folder (and the APK cache, which is elsewhere).
    outside = [p for p in tmp_path.rglob("*")
               if not p.is_relative_to(out) and not p.is_relative_to(tmp_path / "profile")]
    assert outside == []
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
        assert "\n" not in path.name and ";" not in path.name and "$" not in path.name
    assert acq.verify_hashes() == []


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.95])
def test_dropped_connection_then_resume_gives_identical_hashes(tmp_path, pack, fraction, monkeypatch):
    monkeypatch.setattr(connection, "READ_TIMEOUT_S", 3.0)
    monkeypatch.setattr(connection, "TRANSPORT_TIMEOUT_S", 2.0)
    profile = android_phone(tmp_path, _apps(), FILES)
    baseline = start_phone(profile)
    try:
        _scan(baseline, tmp_path / "baseline", pack)
        # Warm connections aside, count only the bytes of a full collection with an empty cache.
        total = baseline.bytes_sent
    finally:
        baseline.stop()
    monkeypatch.setenv("INSPECTOR_CACHE_DIR", str(tmp_path / "cold-cache"))

    phone = start_phone(profile, faults=Faults(drop_after_bytes=int(total * fraction)))
    folder = tmp_path / "interrupted"
    try:
        acq, _stats, lost = _scan(phone, folder, pack)
    finally:
        phone.stop()
    assert isinstance(lost, errors.DeviceDisconnected)
    reopened = Acquisition.open(folder)  # a valid, partial acquisition
    assert not reopened.complete
    assert reopened.verify_hashes() == []
    assert not list(folder.rglob(".partial-*"))

    phone = start_phone(profile)
    try:
        acq, _stats, lost = _scan(phone, folder, pack, resume=True)
    finally:
        phone.stop()
    assert lost is None and acq.complete
    assert _hashes(folder) == _hashes(tmp_path / "baseline")


def test_stalled_phone_is_reported_as_lost_connection(tmp_path, pack, monkeypatch):
    monkeypatch.setattr(connection, "READ_TIMEOUT_S", 1.5)
    monkeypatch.setattr(connection, "TRANSPORT_TIMEOUT_S", 1.0)
    phone = start_phone(android_phone(tmp_path, _apps(), FILES), faults=Faults(stall_after_bytes=20_000))
    try:
        acq, _stats, lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    assert isinstance(lost, errors.DeviceDisconnected)
    assert not acq.complete and Acquisition.open(tmp_path / "acq").verify_hashes() == []


def test_refused_authorisation_is_a_clear_error(tmp_path):
    phone = start_phone(android_phone(tmp_path, _apps()), auth=AuthPolicy(on_new_key="deny"))
    prompted = []
    try:
        host, port = phone.address.rsplit(":", 1)
        with pytest.raises(errors.DeviceUnauthorized) as info:
            AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=1.0,
                                          on_auth_prompt=lambda: prompted.append(1))
    finally:
        phone.stop()
    assert prompted == [1]
    assert "Allow USB debugging" in info.value.hint


def test_allow_prompt_is_announced_then_key_is_remembered(tmp_path):
    phone = start_phone(android_phone(tmp_path, _apps()), auth=AuthPolicy(on_new_key="allow", allow_delay_s=0.3))
    prompts = []
    try:
        host, port = phone.address.rsplit(":", 1)
        AndroidConnection.connect_tcp(host, int(port), on_auth_prompt=lambda: prompts.append(1)).close()
        AndroidConnection.connect_tcp(host, int(port), on_auth_prompt=lambda: prompts.append(2)).close()
    finally:
        phone.stop()
    assert prompts == [1]  # the second connection signs with the now-trusted key


def test_nothing_listening_is_no_device(tmp_path):
    with pytest.raises(errors.NoDeviceFound):
        AndroidConnection.connect_tcp("127.0.0.1", 1, auth_timeout_s=1)


def test_huge_logcat_is_streamed_and_bounded(tmp_path, pack):
    chunk = (b"11-18 09:40:01.000  1000  1000 I Spam: " + b"x" * 985 + b"\n") * 1024  # 1 MiB
    phone = start_phone(android_phone(tmp_path, _apps()))
    phone.set_command(C.LOGCAT, lambda: (chunk for _ in range(100)))  # 100 MiB
    options = CollectOptions(pull_apks=False, max_big_bytes=40 << 20)
    tracemalloc.start()
    try:
        acq, _stats, lost = _scan(phone, tmp_path / "acq", pack, options=options)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        phone.stop()
    assert lost is None
    size = (tmp_path / "acq" / "logcat.txt").stat().st_size
    assert 40 << 20 <= size < (40 << 20) + (1 << 20) + 65536
    record = acq.artifact("logcat.txt")
    assert record["status"] == "partial" and "limit" in record["error"]
    assert acq.status("dumpsys.txt") == "complete"  # the collection went on after the cut
    assert peak < 25 << 20, f"peak traced memory {peak / 1e6:.1f} MB for a 100 MB output"


def test_old_android_without_new_pm_flags_falls_back(tmp_path, pack):
    refusal = "Error: Unknown option: --show-versioncode\n"
    profile, overrides = android_phone(tmp_path, _apps(), extra_commands={C.pm_list_all("0")[0]: refusal})
    old_format = (b"package:/data/app/~~Ab==/org.demo.torch-Zx==/base.apk=org.demo.torch uid:10201\n"
                  b"package:/system/priv-app/Phone/Phone.apk=org.demo.system.phone uid:1001\n")
    phone = start_phone((profile, overrides))
    phone.set_command(C.pm_list_all("0")[1], old_format)
    try:
        acq, _stats, lost = _scan(phone, tmp_path / "acq", pack, options=CollectOptions(pull_apks=False))
    finally:
        phone.stop()
    packages = {p["name"]: p for p in json.loads((tmp_path / "acq" / "packages.json").read_text())}
    assert set(packages) == {"org.demo.torch", "org.demo.system.phone"}
    assert packages["org.demo.torch"]["uid"] == 10201
    assert acq.artifact("raw/pm_list_packages_all_user0.txt")["command"].endswith("-U -u --user 0")


def test_old_ps_without_dash_a(tmp_path, pack):
    profile, overrides = android_phone(tmp_path, _apps(), extra_commands={
        # toolbox ps (Android < 8) reads -A as a process-name filter and prints only its header
        ("ps", "-A"): "USER PID PPID VSZ RSS WCHAN PC NAME\n",
        ("ps",): "USER PID PPID VSZ RSS WCHAN PC NAME\nroot 1 0 0 0 0 0 S /init\n"})
    phone = start_phone((profile, overrides))
    try:
        acq, _stats, _lost = _scan(phone, tmp_path / "acq", pack, options=CollectOptions(pull_apks=False))
    finally:
        phone.stop()
    assert "/init" in (tmp_path / "acq" / "processes.txt").read_text()


def test_phone_without_sha256sum_falls_back_to_pull_and_host_hash(tmp_path, pack):
    profile = android_phone(tmp_path, _apps(), FILES)
    phone = start_phone(profile)
    for app in _apps():
        for path in app.apk_paths:
            phone.set_command(("sha256sum", path.decode()), b"/system/bin/sh: sha256sum: inaccessible or not found\n")
    try:
        acq, stats, lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    assert lost is None and acq.complete and stats.apks_pulled == 4
    packages = json.loads((tmp_path / "acq" / "packages.json").read_text())
    torch = next(p for p in packages if p["name"] == "org.demo.torch")
    assert torch["files"][0]["sha256"] == hashlib.sha256(TORCH).hexdigest()


def test_bad_apks_are_reported_and_the_rest_is_collected(tmp_path, pack):
    phone = start_phone(android_phone(tmp_path, _apps(), FILES))
    # pm names an APK that is not there, on a path that climbs out with ../: the pull fails, cleanly.
    ghost = b"/data/app/../../../../etc/ghost.apk"
    all_argv, installed_argv = C.pm_list_all("0")[0], C.pm_list_flag(None, "0")
    phone.set_command(all_argv, phone_output(phone, all_argv)
                      + b"package:" + ghost + b"=com.ghost versionCode:1 installer=null uid:10400\n")
    phone.set_command(installed_argv, phone_output(phone, installed_argv) + b"package:com.ghost\n")
    phone.set_command(("pm", "path", "com.ghost", "--user", "0"), b"package:" + ghost + b"\n")
    # and the phone reports a hash that the pulled bytes do not have
    torch_path = _apps()[0].apk_paths[0].decode()
    phone.set_command(("sha256sum", torch_path), ("0" * 64 + "  " + torch_path + "\n").encode())
    try:
        acq, _stats, lost = _scan(phone, tmp_path / "acq", pack)
    finally:
        phone.stop()
    assert lost is None
    packages = {p["name"]: p for p in json.loads((tmp_path / "acq" / "packages.json").read_text())}
    ghost_file = packages["com.ghost"]["files"][0]
    assert ghost_file["error"] and ghost_file["local_name"] == ""
    assert "SHA-256" in packages["org.demo.torch"]["files"][0]["error"]
    assert packages["org.demo.notes"]["files"][0]["local_name"]  # the others were still collected
    failed = sorted(n for n, r in acq.manifest["artifacts"].items() if r["status"] == "failed")
    assert len(failed) == 2 and all(n.startswith("apks/") and ".." not in n for n in failed)
    assert not acq.complete
    for path in (tmp_path / "acq").rglob("*"):
        assert path.resolve().is_relative_to((tmp_path / "acq").resolve())


def phone_output(phone, argv) -> bytes:
    """What the simulated phone answers to ``argv`` (from its profile)."""
    host, port = phone.address.rsplit(":", 1)
    with AndroidConnection.connect_tcp(host, int(port)) as conn:
        return conn.shell(C.command(*argv))


def test_file_listing_is_bounded_in_depth_and_count(tmp_path, pack):
    from inspector.acquire.android.files import WalkLimits

    deep = {"/sdcard/" + "/".join(f"d{i}" for i in range(8)) + "/deep.txt": b"x"}
    many = {f"/sdcard/many/f{i:03d}.txt": b"y" for i in range(120)}
    phone = start_phone(android_phone(tmp_path, [], {**deep, **many}))
    options = CollectOptions(pull_apks=False, walk_limits=WalkLimits(max_depth=4, max_entries=100))
    try:
        acq, _stats, _lost = _scan(phone, tmp_path / "acq", pack, options=options)
    finally:
        phone.stop()
    files = json.loads((tmp_path / "acq" / "files.json").read_text())
    assert len(files) == 100
    assert all(f["path"].count("/") <= 2 + 4 for f in files)
    record = acq.artifact("files.json")
    assert record["status"] == "partial" and "limit" in record["error"]
