"""``inspector diff`` on two live iPhone acquisitions of one phone, in the layout the live collector
writes (docs/acquisition.md, iPhone layout; filled in here as tests/test_ios_checks.py does): an app
added by an enterprise signer, one removed, one updated, one re-signed by someone else, a profile and
MDM enrolment that appeared, backup encryption switched on."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.acquisition import Acquisition
from inspector.analyze.diff import DiffError, compare

SERIAL = "c" * 64
STORE_SIGNER = "Apple iPhone OS Application Signing"


def _iphone(folder: Path, apps: list[dict], profiles: dict, cloud: dict | None, encrypt: bool) -> Acquisition:
    acq = Acquisition.create(folder, platform="ios", tool_version="t", signature_pack_version="t")
    acq.set_device({"platform": "ios", "manufacturer": "Apple", "model": "iPhone14,5", "serial_sha256": SERIAL})
    acq.write_json("backup_settings.json", {"WillEncrypt": encrypt})
    acq.write_json("apps.json", [{"CFBundleIdentifier": "com.apple.mobilesafari", "ApplicationType": "System"},
                                 *apps])
    acq.write_json("profiles.json", {"profiles": {"ProfileMetadata": profiles}, "cloud_configuration": cloud})
    acq.finish()
    return acq


def _app(bundle: str, version: str, signer: str = STORE_SIGNER) -> dict:
    return {"CFBundleIdentifier": bundle, "ApplicationType": "User", "CFBundleShortVersionString": version,
            "SignerIdentity": signer}


def test_iphone_before_and_after(tmp_path: Path) -> None:
    before = _iphone(tmp_path / "before", [_app("org.signal.app", "7.1"), _app("org.notes", "2.0"),
                                           _app("com.bank.app", "5.0")],
                     {"com.home.wifi": {"PayloadDisplayName": "Home Wi-Fi"}}, None, False)
    after = _iphone(tmp_path / "after", [_app("org.signal.app", "7.2"),
                                         _app("com.bank.app", "5.0", "iPhone Distribution: Someone Else Ltd"),
                                         _app("cn.gov.checker", "1.0", "iPhone Distribution: Some Company Ltd")],
                    {"com.home.wifi": {"PayloadDisplayName": "Home Wi-Fi"},
                     "gov.border.vpn": {"PayloadDisplayName": "Border VPN", "PayloadOrganization": "Border Office"}},
                    {"IsSupervised": True, "OrganizationName": "Border Office"}, True)
    document = compare(before, after)
    assert document["platform"] == "ios" and document["not_compared"] == {}
    found = {(f["rule_id"], f["subject"]): f for f in document["findings"]}
    assert set(found) == {
        ("diff.package_added", "cn.gov.checker"), ("diff.package_removed", "org.notes"),
        ("diff.package_updated", "org.signal.app"), ("diff.package_signer_changed", "com.bank.app"),
        ("diff.profile_added", "Border VPN"), ("diff.device_owner_added", "mdm:Border Office"),
        ("diff.backup_encryption_on", "WillEncrypt: false → true")}
    assert found[("diff.package_added", "cn.gov.checker")]["severity"] == "high"  # an enterprise signer
    signer = found[("diff.package_signer_changed", "com.bank.app")]["params"]
    assert signer["certificates_before"] == [STORE_SIGNER] and signer["source"] == "ios_signer"
    assert found[("diff.profile_added", "Border VPN")]["params"]["organization"] == "Border Office"
    assert [f["severity"] for f in document["findings"]][:3] == ["high", "high", "high"]
    assert compare(after, after)["findings"] == []


def test_iphone_pieces_missing_are_said(tmp_path: Path) -> None:
    before = Acquisition.create(tmp_path / "b", platform="ios", tool_version="t", signature_pack_version="t")
    before.set_device({"platform": "ios", "serial_sha256": SERIAL})
    before.finish()
    after = _iphone(tmp_path / "a", [_app("org.x", "1")], {}, None, True)
    # nothing at all to compare is an error that says why, never "nothing changed"
    with pytest.raises(DiffError, match="nothing could be compared.*before: apps.json: not collected"):
        compare(before, after)
    before.write_json("backup_settings.json", {"WillEncrypt": True})
    before.finish()
    document = compare(before, after)
    assert document["findings"] == []
    assert set(document["not_compared"]) == {"before: apps.json", "before: profiles.json"}


def test_an_android_and_an_iphone_are_refused(tmp_path: Path) -> None:
    iphone = _iphone(tmp_path / "i", [], {}, None, False)
    android = Acquisition.create(tmp_path / "a", platform="android", tool_version="t", signature_pack_version="t")
    with pytest.raises(DiffError, match="two Android or two iPhone"):
        compare(android, iphone, same_phone=False)
