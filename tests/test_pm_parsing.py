"""pm output → package records, across Android versions and with hostile names."""

from __future__ import annotations

from inspector.acquire.android.packages import (
    PackageRecord,
    merge,
    parse_pm_list,
    parse_pm_names,
    parse_pm_path,
    parse_pm_users,
)

ANDROID_13 = (
    b"package:/data/app/~~aB==/org.demo.torch-Zx==/base.apk=org.demo.torch versionCode:3 installer=null uid:10201\n"
    b"package:/system/priv-app/Phone/Phone.apk=org.demo.system.phone versionCode:33 installer=null uid:1001\n"
    b"package:/data/app/~~q==/com.fiberhome.wifiserver-1==/base.apk=com.fiberhome.wifiserver versionCode:1"
    b"  installer=null uid:10188\n"
)


def test_android_13_line_format():
    entries = parse_pm_list(ANDROID_13)
    assert [e.name for e in entries] == [b"org.demo.torch", b"org.demo.system.phone", b"com.fiberhome.wifiserver"]
    torch = entries[0]
    assert torch.apk_path == b"/data/app/~~aB==/org.demo.torch-Zx==/base.apk"
    assert (torch.version_code, torch.installer, torch.uid) == (3, b"null", 10201)


def test_old_android_without_uid_and_versioncode():
    entries = parse_pm_list(b"package:/data/app/com.example-1/base.apk=com.example  installer=com.android.vending\r\n")
    assert entries[0].name == b"com.example" and entries[0].installer == b"com.android.vending"
    assert entries[0].uid is None and entries[0].version_code is None


def test_names_only_and_path_with_equals_sign():
    assert parse_pm_names(b"package:a.b\npackage:c.d\n\n") == {b"a.b", b"c.d"}
    entries = parse_pm_list(b"package:/data/app/x=y/base.apk=com.x uid:10001\n")
    assert entries[0].apk_path == b"/data/app/x=y/base.apk" and entries[0].name == b"com.x"


def test_hostile_names_are_kept_byte_exact():
    hostile = b"evil name;$(reboot)'\"\xff"
    out = b"package:/data/app/e/base.apk=" + hostile + b" uid:10999\npackage:/data/app/n/base.apk=line1\nline2 uid:1\n"
    entries = parse_pm_list(out)
    assert entries[0].name == hostile and entries[0].uid == 10999
    assert entries[1].name == b"line1\nline2"


def test_pm_path_splits_and_users():
    paths = parse_pm_path(b"package:/data/app/x/base.apk\npackage:/data/app/x/split_config.arm64_v8a.apk\n")
    assert paths == [b"/data/app/x/base.apk", b"/data/app/x/split_config.arm64_v8a.apk"]
    assert parse_pm_users(b"Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:Work:1030} running\n") == ["0", "10"]
    assert parse_pm_users(b"Error: something") == ["0"]


def test_merge_marks_kept_data_and_flags():
    records: dict[bytes, PackageRecord] = {}
    merge("0", parse_pm_list(ANDROID_13), installed={b"org.demo.torch", b"org.demo.system.phone"},
          system={b"org.demo.system.phone"}, third_party={b"org.demo.torch"}, disabled=set(), records=records)
    assert records[b"com.fiberhome.wifiserver"].uninstalled
    assert not records[b"org.demo.torch"].uninstalled and records[b"org.demo.torch"].third_party
    assert records[b"org.demo.system.phone"].system and not records[b"org.demo.system.phone"].third_party


def test_merge_without_installed_list_does_not_guess_kept_data():
    records: dict[bytes, PackageRecord] = {}
    merge("0", parse_pm_list(ANDROID_13), installed=None, system=None, third_party=None, disabled=None,
          records=records)
    assert not any(r.uninstalled for r in records.values())
