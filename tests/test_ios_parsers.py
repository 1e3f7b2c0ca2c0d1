"""The iOS artifact parsers (inspector/analyze/ios/*.py): exact records from known text, and hostile input."""

from __future__ import annotations

import json
import plistlib
import sqlite3
from datetime import datetime

import pytest
from ios_backup_builder import log_show_line, profile_plist, shutdown_log, tcc_db

from inspector.analyze.ios import apps, crash_logs, messages, profiles, shutdown_log as shutdown, tcc, unified_log
from inspector.analyze.ios._sqlite import DatabaseUnusable
from inspector.analyze.ios.times import from_mac


def test_app_sources_from_installation_proxy():
    meta = plistlib.dumps({"sourceApp": "com.apple.TestFlight", "itemName": "Beta"}).hex()
    entries = [
        {"CFBundleIdentifier": "com.apple.Maps", "ApplicationType": "System"},
        {"CFBundleIdentifier": "a.store", "ApplicationType": "User", "SignerIdentity": apps.APP_STORE_SIGNER},
        {"CFBundleIdentifier": "a.beta", "ApplicationType": "User", "SignerIdentity": apps.APP_STORE_SIGNER,
         "iTunesMetadata": meta},
        {"CFBundleIdentifier": "a.corp", "ApplicationType": "User", "SignerIdentity": "iPhone Distribution: X"},
        {"CFBundleIdentifier": "a.dev", "ApplicationType": "User", "SignerIdentity": "iPhone Developer: Y"},
        {"CFBundleIdentifier": "a.trusted", "ApplicationType": "User", "ProfileValidated": True},
        {"CFBundleIdentifier": 5}, "not a dict",
    ]
    got = {a.bundle_id: a.source for a in apps.from_installation_proxy(entries)}
    assert got == {"a.store": "app_store", "a.beta": "testflight", "a.corp": "enterprise", "a.dev": "developer",
                   "a.trusted": "enterprise"}
    assert apps.from_installation_proxy({"not": "a list"}) == []


def test_app_sources_from_a_backup():
    info = {"Applications": {"a.bought": {"iTunesMetadata": plistlib.dumps({"itemName": "Bought"})},
                             "a.unknown": {}, 7: {}},
            "Installed Applications": ["a.bought", "a.extra", None]}
    got = {a.bundle_id: a.source for a in apps.from_backup(info, {"Applications": {"a.manifest": {}}})}
    assert got == {"a.bought": "app_store", "a.unknown": "unknown", "a.extra": "unknown", "a.manifest": "unknown"}
    assert apps.from_backup({"Applications": "oops"}, {}) == []


def test_profiles_and_their_kinds():
    data = profile_plist("U-1", "Net", [{"PayloadType": "com.apple.mdm"}, {"PayloadType": "com.apple.security.root"},
                                        {"PayloadType": "com.apple.vpn.managed"}, {"PayloadType": 5}],
                         datetime(2026, 11, 18, 9), organization="Org")
    profile = profiles.parse_profile(data, "x.stub")
    assert (profile.uuid, profile.name, profile.organization, profile.installed) == ("U-1", "Net", "Org",
                                                                                     "2026-11-18T09:00:00Z")
    assert profile.kinds == ["mdm", "root_certificate", "vpn"]
    for bad in (b"junk", plistlib.dumps([1, 2])):
        with pytest.raises(profiles.ProfileUnreadable):
            profiles.parse_profile(bad, "bad.stub")
    listed = profiles.from_profile_list({"ProfileMetadata": {"id1": {"PayloadDisplayName": "A"}, "id2": "x"}})
    assert [(p.identifier, p.name) for p in listed] == [("id1", "A")]
    assert profiles.mdm_enrolment({"IsSupervised": True, "OrganizationName": "Org"}) == {
        "OrganizationName": "Org", "IsSupervised": True}
    assert profiles.mdm_enrolment({"IsSupervised": False}) is None and profiles.mdm_enrolment("x") is None


def test_shutdown_log():
    text = shutdown_log(["/private/var/db/x/evil", "/usr/libexec/locationd"], datetime(2026, 11, 18, 9))
    clients = shutdown.parse(text)
    # the first shutdown: locationd before and after one wait; the second: both clients after each wait
    assert [(c.path, c.times_delayed) for c in clients] == [
        ("/usr/libexec/locationd", 0), ("/usr/libexec/locationd", 1), ("/private/var/db/x/evil", 1),
        ("/usr/libexec/locationd", 1), ("/private/var/db/x/evil", 2), ("/usr/libexec/locationd", 2)]
    assert clients[0].shutdown_time == "2025-11-18T09:00:00Z"
    # "After 5.01s" is the time since the shutdown began (not added to the 2.50 s before it)
    assert clients[-1].shutdown_time == "2026-11-18T09:00:00Z" and clients[-1].delay_s == pytest.approx(5.01)
    assert [c.process for c in clients if c.in_suspicious_dir] == ["evil", "evil"]
    assert shutdown.parse("garbage\nremaining client pid: x\nSIGTERM: [abc]\n") == [
        shutdown.DelayedClient("x", "", 0.0, 0, None, 2)]


def test_crash_logs():
    ips = (json.dumps({"app_name": "Foo", "bundleID": "com.foo", "timestamp": "2026-11-18 10:02:00.00 +0800"})
           + "\n" + json.dumps({"procName": "Foo", "procPath": "/private/var/containers/Bundle/Foo.app/Foo"}))
    assert crash_logs.parse(ips.encode()) == crash_logs.CrashRecord(
        "Foo", "/private/var/containers/Bundle/Foo.app/Foo", "com.foo", "2026-11-18T02:02:00Z")
    legacy = b"Incident Identifier: 1\nProcess:   bh [1234]\nPath: /private/var/tmp/bh\nIdentifier: bh\n" \
             b"Date/Time: 2021-07-01 10:00:00.000 +0200\n"
    assert crash_logs.parse(legacy) == crash_logs.CrashRecord("bh", "/private/var/tmp/bh", "bh", "2021-07-01T08:00:00Z")
    assert crash_logs.parse(b"\x00\xff not a crash") is None
    assert crash_logs.parse(b'{"app_name": 5}\n[1]') == crash_logs.CrashRecord("", "", "", None)


def test_unified_log_text_forms():
    lines = [
        log_show_line(datetime(2026, 11, 18, 10, 5), "+0800", "lockdownd", "StartSessionWithHost: host X"),
        log_show_line(datetime(2026, 11, 18, 10, 6), "+0800", "BackupAgent2", "Starting backup"),
        "Nov 18 10:07:01 iPhone afcd[222] <Notice>: Opened DCIM",
        "Nov 18 10:08:01 iPhone mobile_file_relay[333] <Notice>: request com.apple.mobile.file_relay",
        "Nov 18 10:09:01 iPhone SpringBoard[1] <Notice>: pairing something",  # not lockdownd: not pairing
        "complete garbage",
    ]
    got = unified_log.parse(lines)
    assert [(a.kind, a.process, a.time, a.line) for a in got] == [
        ("pairing", "lockdownd", "2026-11-18T02:05:00Z", 1), ("backup", "BackupAgent2", "2026-11-18T02:06:00Z", 2),
        ("afc", "afcd", None, 3), ("file_relay", "mobile_file_relay", None, 4)]


def test_tcc_layouts_and_damage(tmp_path):
    path = tmp_path / "TCC.db"
    path.write_bytes(tcc_db(tmp_path, [("kTCCServiceCamera", "com.a", 2, datetime(2026, 1, 1)),
                                       ("kTCCServiceMicrophone", "/usr/bin/x", 0, datetime(2026, 1, 1))]))
    assert [(g.client, g.allowed) for g in tcc.parse(path)] == [("com.a", True), ("/usr/bin/x", False)]
    old = tmp_path / "old.db"
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE access (service TEXT, client TEXT, client_type INT, allowed INT, prompt_count INT)")
    db.execute("INSERT INTO access VALUES ('kTCCServiceCamera', 'com.b', 0, 1, 1)")
    db.commit()
    db.close()
    assert [(g.client, g.allowed, g.time) for g in tcc.parse(old)] == [("com.b", True, None)]
    (tmp_path / "junk.db").write_bytes(b"not sqlite" * 100)
    with pytest.raises(DatabaseUnusable):
        tcc.parse(tmp_path / "junk.db")


def test_message_links_and_times():
    assert messages.links("go to https://a.example/x?y=1, or www.b.example.") == ["https://a.example/x?y=1",
                                                                                   "www.b.example"]
    assert from_mac(0) is None and from_mac("x") is None
    assert from_mac(785_000_000) == from_mac(785_000_000 * 1_000_000_000) == "2025-11-16T15:33:20Z"
