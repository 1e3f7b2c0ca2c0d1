"""dumpsys accessibility, device_policy, notification and adb/usb → enabled services, admins, listeners, keys."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys_accessibility import parse_dumpsys_accessibility
from inspector.analyze.parsers.dumpsys_adb import fingerprint, parse_dumpsys_adb
from inspector.analyze.parsers.dumpsys_device_policy import parse_dumpsys_device_policy
from inspector.analyze.parsers.dumpsys_notification import parse_dumpsys_notification

FIXTURES = Path(__file__).parent / "fixtures" / "android"
BXAQ_CLICKER = "com.fiberhome.wifiserver/com.fenghuo.accessibilityservice.AutoClickAccessibleService"
OFFICER_FINGERPRINT = "27:A7:13:31:57:65:41:FE:E5:2A:86:87:C1:28:3A:66"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- accessibility -----------------------------------------------------------------------------------

def test_accessibility_android13_two_users():
    dump = parse_dumpsys_accessibility(read("dumpsys_accessibility_android13.txt"))
    assert dump.warnings == []
    owner, work = dump.users
    assert (owner.user, work.user) == (0, 10)
    assert [c.raw for c in owner.enabled] == [
        BXAQ_CLICKER, "com.google.android.accessibility.switchaccess/com.android.switchaccess.SwitchAccessService"]
    assert owner.enabled[0].package == "com.fiberhome.wifiserver"
    assert owner.bound_labels == ["蜂采自动点击", "Switch Access"]
    assert [c.class_name for c in owner.crashed] == ["com.client.appA.Watcher"]
    assert (owner.installed_count, owner.touch_exploration_enabled) == (3, False)
    assert (work.enabled, work.installed_count) == ([], 0)
    assert [c.raw for c in dump.enabled] == [c.raw for c in owner.enabled]


def test_accessibility_android9_one_line_user_state():
    dump = parse_dumpsys_accessibility(read("dumpsys_accessibility_android9.txt"))
    assert dump.warnings == []
    (user,) = dump.users
    assert user.user == 0 and user.touch_exploration_enabled is True
    assert [c.class_name for c in user.enabled] == ["com.google.android.marvin.talkback.TalkBackService"]
    assert user.bound_labels == ["TalkBack"] and user.binding == []


def test_accessibility_samsung_multiline_lists():
    dump = parse_dumpsys_accessibility(read("dumpsys_accessibility_samsung.txt"))
    assert dump.warnings == []
    (user,) = dump.users
    assert [c.raw for c in user.enabled] == [BXAQ_CLICKER]
    assert [c.class_name for c in user.installed] == [
        "com.samsung.accessibility.universalswitch.UniversalSwitchService",
        "com.samsung.android.app.talkback.TalkBackService",
        "com.fenghuo.accessibilityservice.AutoClickAccessibleService"]


def test_accessibility_garbage_entries():
    text = "User state[\n  attributes:{id=0}\n  Enabled services:{{not a component}, {a.b/.C}}\n"
    dump = parse_dumpsys_accessibility(text)
    assert [c.class_name for c in dump.enabled] == ["a.b.C"]
    assert dump.warnings == ["line 3: enabled service 'not a component' is not a component name"]
    with pytest.raises(ParseError):
        parse_dumpsys_accessibility("Wi-Fi is enabled\n")


# -- device policy -----------------------------------------------------------------------------------

def test_device_policy_admins_and_profile_owner():
    dump = parse_dumpsys_device_policy(read("dumpsys_device_policy_android11.txt"))
    assert dump.warnings == [] and dump.device_owner is None
    (profile_owner,) = dump.profile_owners
    assert (profile_owner.user, profile_owner.package, profile_owner.name) == (
        10, "com.google.android.apps.work.clouddpc", "Android Device Policy")
    assert [(a.user, a.package, a.uid, len(a.policies)) for a in dump.admins] == [
        (0, "com.google.android.gms", 10082, 2), (0, "com.Android.MFSocket", 10263, 6),
        (10, "com.google.android.apps.work.clouddpc", 1010093, 9)]
    mfsocket = dump.admins[1]
    assert mfsocket.component.class_name == "com.Android.MFSocket.AdminReceiver"
    assert mfsocket.policies == ["limit-password", "watch-login", "reset-password", "force-lock", "wipe-data",
                                 "disable-camera"]
    assert (mfsocket.provisioning_state, mfsocket.test_only) == (3, False)


def test_device_policy_device_owner():
    dump = parse_dumpsys_device_policy(read("dumpsys_device_policy_android13_owner.txt"))
    owner = dump.device_owner
    assert (owner.kind, owner.user, owner.package, owner.name) == ("device", 0, "com.afwsamples.testdpc", None)
    assert owner.admin.class_name == "com.afwsamples.testdpc.DeviceAdminReceiver"
    assert dump.admins[0].test_only is True


def test_device_policy_demo_phone_has_none():
    demo = Path(__file__).parent.parent / "inspector/simulator/profiles/demo/commands/dumpsys_device_policy.txt"
    dump = parse_dumpsys_device_policy(demo.read_text())
    assert (dump.admins, dump.device_owner, dump.profile_owners, dump.warnings) == ([], None, [], [])
    with pytest.raises(ParseError):
        parse_dumpsys_device_policy("ACCESSIBILITY MANAGER (dumpsys accessibility)\n")


# -- notification listeners --------------------------------------------------------------------------

def test_notification_listeners():
    dump = parse_dumpsys_notification(read("dumpsys_notification_android11.txt"))
    assert dump.warnings == []
    assert [(a.component.package, a.user, a.is_primary) for a in dump.allowed] == [
        ("com.google.android.projection.gearhead", 0, True), ("com.Android.MFSocket", 0, True)]
    assert [c.package for c in dump.enabled] == ["com.google.android.projection.gearhead", "com.Android.MFSocket"]
    assert [(live.component.package, live.user, live.system) for live in dump.live] == [
        ("com.android.systemui", -1, True), ("com.Android.MFSocket", 0, False)]
    assert dump.snoozed == [] and dump.other == []
    # The assistant block that follows is not a listener.
    assert "com.google.android.ext.services" not in dump.packages
    assert dump.packages == ["com.google.android.projection.gearhead", "com.Android.MFSocket", "com.android.systemui"]


def test_notification_not_notification():
    with pytest.raises(ParseError):
        parse_dumpsys_notification("Current AppOps Service state:\n")
    assert parse_dumpsys_notification(b"").warnings == ["empty input"]


# -- adb keys ----------------------------------------------------------------------------------------

def test_adb_android11_keystore():
    dump = parse_dumpsys_adb(read("dumpsys_adb_android11.txt"))
    assert dump.warnings == []
    assert (dump.connected, dump.last_key_received, dump.trusted_networks) == (
        True, OFFICER_FINGERPRINT, ["4e:1d:96:0c:aa:31"])
    home, officer = dump.keys
    assert (home.comment, home.fingerprint, home.last_connection.time) == (
        "alice@laptop", "87:46:51:23:FD:E0:94:66:06:BD:06:E2:52:75:9C:15", "2021-08-25T14:25:11Z")
    assert (officer.comment, officer.fingerprint, officer.last_connection.time) == (
        "user@bxaq-pc", OFFICER_FINGERPRINT, "2021-09-03T04:10:07Z")
    assert officer.sources == ["user_keys", "keystore"] and officer.key.startswith("QAAAAB7L8YWs")


def test_adb_android9_usb_debugging_state():
    dump = parse_dumpsys_adb(read("dumpsys_usb_android9.txt"))
    assert dump.warnings == []
    (key,) = dump.keys
    assert (key.comment, key.fingerprint, key.sources, key.last_connection) == (
        "user@bxaq-pc", OFFICER_FINGERPRINT, ["usb"], None)
    assert dump.last_key_received == OFFICER_FINGERPRINT and dump.connected is True


def test_adb_binary_xml_keystore_still_yields_keys():
    key = (FIXTURES / "dumpsys_adb_android11.txt").read_text().split("user_keys=")[1].split()[0]
    abx = b"ABX\x00\x01\x02\x20\x08keyStore\x2f\x07version\x31" + key.encode() + b" alice@laptop\x00\x0f\x8a\x91\xff"
    data = b"ADB MANAGER STATE (dumpsys adb):\n{\n  debugging_manager={\n    keystore=" + abx + b"\n  }\n}\n"
    dump = parse_dumpsys_adb(data)
    (entry,) = dump.keys
    assert (entry.comment, entry.sources, entry.last_connection) == ("alice@laptop", ["keystore"], None)
    assert entry.fingerprint == "87:46:51:23:FD:E0:94:66:06:BD:06:E2:52:75:9C:15"


def test_adb_demo_phone_key_matches_its_fingerprint():
    demo = Path(__file__).parent.parent / "inspector/simulator/profiles/demo/commands/dumpsys_adb.txt"
    dump = parse_dumpsys_adb(demo.read_text())
    (key,) = dump.keys
    assert key.fingerprint == dump.last_key_received == "FB:6C:77:84:23:FA:01:00:2E:91:5F:E3:38:37:32:39"
    assert key.last_connection.time == "2026-11-18T02:53:05Z"


def test_adb_bad_key_and_not_adb():
    assert fingerprint("QAAAA!!!") is None
    bad = "QAAAA" + "A" * 101 + "B"  # base64 of the wrong length
    dump = parse_dumpsys_adb(f"debugging_manager={{\n    user_keys={bad} x@y\n")
    assert dump.keys[0].fingerprint is None and dump.warnings == ["line 2: ADB key is not valid base64"]
    tiny = base64.b64encode(b"\x40\x00\x00\x00").decode()
    assert fingerprint(tiny) == "A5:12:F8:FF:B2:C1:BB:77:5A:97:79:EC:60:B6:99:CB"  # md5 of the decoded bytes
    with pytest.raises(ParseError):
        parse_dumpsys_adb("Packages:\n")
