"""Implant variants and benign look-alikes (tests/fixtures/apks/variants/, built from
scripts/apk-src/ by scripts/build_fixture_apks.sh): the verdict of the installed `inspector check
--json` on each, the facts each fixture must keep (read back from the APK with androguard, zipfile and
aapt, not with the engine under test), the signing keys, and a byte-identical rebuild.

Two expectations wait for rules the APK engine does not ship yet (the tests fail until they land, on
purpose): ``testkey_surveillance.apk`` asks for the heuristic "sideload-signed with the AOSP key + a
surveillance permission set" at "needs review"."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APKS = REPO / "tests" / "fixtures" / "apks"
VARIANTS = APKS / "variants"
SCRIPT = REPO / "scripts" / "build_fixture_apks.sh"
AOSP_KEY_DIR = REPO / "scripts" / "apk-src" / "aosp-testkey"
EXE = Path(sys.executable).parent / "inspector"
FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")

# Certificates (SHA-256 of the DER), documented in tests/fixtures/apks/README.md.
KEY1 = "ddd485d5f31eb5aa3dfc2e76ae2d784109ae2c714a9370e18753126890215f57"  # fixture-keystore.jks
KEY2 = "95f8f2aa98fc49bd9a18d4afa2f3b0d7f87143ca4e4ddbd63fe6cd051ef0c51b"  # fixture-keystore-2.jks
# AOSP's public platform key: BXAQ sample A's certificate (IMPLANTS.md §1, signatures/apk-rules/bxaq.yaml)
AOSP = "c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8"

SAMPLE_A_PERMISSIONS = {f"android.permission.{p}" for p in (
    "READ_SMS", "RECEIVE_SMS", "READ_CONTACTS", "READ_CALENDAR", "READ_PHONE_STATE", "ACCESS_COARSE_LOCATION",
    "CAMERA", "RECORD_AUDIO", "WRITE_EXTERNAL_STORAGE", "MOUNT_UNMOUNT_FILESYSTEMS", "INTERNET",
    "ACCESS_WIFI_STATE", "CHANGE_WIFI_STATE", "BLUETOOTH", "BLUETOOTH_ADMIN", "GET_PACKAGE_SIZE",
    "RESTART_PACKAGES", "WAKE_LOCK", "ACCESS_NETWORK_STATE")}
SAMPLE_B_EXTRA = {f"android.permission.{p}" for p in
                  ("WRITE_SMS", "READ_CALL_LOG", "WRITE_CALL_LOG", "ACCESS_FINE_LOCATION")}
BACKUP_PERMISSIONS = {f"android.permission.{p}" for p in
                      ("READ_SMS", "READ_CONTACTS", "READ_CALL_LOG", "READ_CALENDAR", "ACCESS_FINE_LOCATION")}
ORDER = ("info", "low", "medium", "high", "critical")  # a severity's rank; medium = "needs review"

# verdict: ("implant", family, rule id or None) -> a critical/high finding of that family (and that rule);
#          ("review",) -> at least one finding, none above medium; ("at_most_review",) -> nothing above
#          medium; ("none",) -> no rule matches at all.
# traits: what the APK itself must hold, so that a fixture that silently lost a trait fails here
#         rather than passing a verdict for the wrong reason. Byte strings are looked up in classes.dex
#         (MUTF-8 = ASCII here); "asset:" / "no-asset" look at the zip entries.
FIXTURES = {
    "bxaq_renamed.apk": {
        "package": "com.android.wifisettings.helper", "label": "Wi-Fi Helper", "cert": KEY2,
        "verdict": ("implant", "bxaq", "bxaq.apk.traits"),
        "dex": [b"Lcom/fenghuo/qzj/WelcomeActivity;", b"CellHunter Reporter", b"/Android/cjlog.txt",
                b"bk_samples.bin"],
        "assets": ["assets/xbin/bk_samples.bin"], "permissions": SAMPLE_A_PERMISSIONS,
    },
    "bxaq_obfuscated.apk": {
        "package": "com.quickclean.toolbox", "label": "Quick Clean", "cert": KEY2,
        "verdict": ("implant", "bxaq", "bxaq.apk.traits"),
        "dex": [b"La/b/c/a;", b"MobileHunter", b"/wifiscan sm ", b"7d91e4315304ba"],
        "not_dex": [b"Lcom/fenghuo/", b"Lcom/fiberhome/", b"CellHunter"], "assets": [],
    },
    "bxaq_sample_b_lookalike.apk": {
        "package": "com.fiberhome.wifiserver", "label": "蜂采", "cert": KEY2,
        "verdict": ("implant", "bxaq", "bxaq.apk.traits"),
        "dex": [b"Lcom/fenghuo/qzj/WelcomeActivity;",
                b"Lcom/fenghuo/accessibilityservice/AutoClickAccessibleService;"],
        "permissions": SAMPLE_A_PERMISSIONS | SAMPLE_B_EXTRA,
        "service": ("com.fenghuo.accessibilityservice.AutoClickAccessibleService",
                    "android.permission.BIND_ACCESSIBILITY_SERVICE", "蜂采自动点击"),
    },
    "mfsocket_renamed.apk": {
        "package": "com.android.systemservice.sync", "label": "System Sync", "cert": KEY2,
        "verdict": ("implant", "mfsocket", "mfsocket.apk.traits"),
        "dex": [b"4500_BAOKONG_INFO", b"4500_QUIT"], "not_dex": [b"Lcom/Android/MFSocket/"],
        "assets": ["assets/adbDownload"],
        "action": ("receiver", "com.android.systemservice.sync.SyncReceiver", "com.android.MFSocket.START_ADBDOWNLOAD"),
    },
    "cellebrite_agent_lookalike.apk": {
        "package": "com.client.appA", "label": "appA", "cert": KEY1,
        "verdict": ("implant", "cellebrite", None),
    },
    "residentbat_lookalike.apk": {
        "package": "com.google.bat", "label": "Battery", "cert": KEY1,
        "verdict": ("implant", "residentbat", None),
    },
    "benign_label_fengcai.apk": {
        "package": "org.demo.beecam", "label": "蜂采", "cert": KEY1, "verdict": ("at_most_review",),
        "not_dex": [b"Lcom/fenghuo/", b"CellHunter", b"bk_samples"], "assets": [],
    },
    "benign_ocr_idcard.apk": {
        "package": "org.demo.hotelcheckin", "label": "Hotel Check-in", "cert": KEY1, "verdict": ("at_most_review",),
        "dex": [b"Lkernal/idcard/android/RecogService;"], "not_dex": [b"Lcom/fenghuo/"],
        "action": ("service", "kernal.idcard.android.RecogService", "wintone.idcard"),
    },
    "benign_label_mfsocket.apk": {
        "package": "org.demo.sockettool", "label": "MFSocket", "cert": KEY1, "verdict": ("at_most_review",),
        "not_dex": [b"4500_", b"MFSocket"], "assets": [],
    },
    "benign_surveillance_permissions.apk": {
        "package": "org.demo.phonebackup", "label": "Phone Backup", "cert": KEY1, "verdict": ("none",),
        "permissions": BACKUP_PERMISSIONS,
    },
    "benign_testkey.apk": {
        "package": "org.demo.calculator", "label": "Calculator", "cert": AOSP, "verdict": ("at_most_review",),
        "permissions": set(),
    },
    "testkey_surveillance.apk": {
        "package": "org.demo.devicecheck", "label": "Device Check", "cert": AOSP, "verdict": ("review",),
        "permissions": SAMPLE_A_PERMISSIONS, "not_dex": [b"Lcom/fenghuo/", b"CellHunter", b"MobileHunter"],
        "assets": [],
    },
}
RESIGNED = ("bxaq_renamed.apk", "bxaq_obfuscated.apk", "bxaq_sample_b_lookalike.apk", "mfsocket_renamed.apk")


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _tool(name: str) -> str | None:
    """The tool's path; on CI a missing tool fails the test (scripts/test.sh installs it)."""
    path = shutil.which(name)
    if path is None and _ci():
        pytest.fail(f"{name} is missing on CI (see scripts/test.sh)")
    return path


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """`inspector check --json` on the whole variants folder, once, with its own cache folder."""
    base = tmp_path_factory.mktemp("check")
    env = {**os.environ, "COLUMNS": "160", "INSPECTOR_CACHE_DIR": str(base / "cache"),
           "INSPECTOR_CONFIG_DIR": str(base / "config"), "INSPECTOR_DATA_DIR": str(base / "data")}
    env.pop("INSPECTOR_DB", None)
    out = subprocess.run([str(EXE), "check", str(VARIANTS), "--json"], capture_output=True, text=True,
                         timeout=300, env=env)
    document = json.loads(out.stdout)
    return out.returncode, {Path(a["path"]).name: a for a in document["apks"]}


def _androguard(apk: Path):
    from androguard.core.apk import APK
    from loguru import logger

    logger.disable("androguard")  # hundreds of debug lines per APK otherwise
    return APK(str(apk))


def _cert_sha256s(apk) -> set[str]:
    return {hashlib.sha256(cert.dump()).hexdigest() for cert in apk.get_certificates()}


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in VARIANTS.glob("*.apk")) == sorted(FIXTURES)
    assert not [p for p in VARIANTS.iterdir() if p.suffix != ".apk"]


def test_folder_check_exit_code_and_no_errors(checked):
    returncode, by_name = checked
    assert returncode == 1  # implants among them
    assert sorted(by_name) == sorted(FIXTURES)
    for name, entry in by_name.items():
        assert entry["errors"] == [] and not entry["unreadable"], name
        assert entry["package"] == FIXTURES[name]["package"], name


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_verdict(checked, name):
    _, by_name = checked
    matches = by_name[name]["matches"]
    seen = [(m["rule_id"], m["family"], m["severity"]) for m in matches]
    kind, *rest = FIXTURES[name]["verdict"]
    strong = [m for m in matches if m["severity"] in ("critical", "high")]
    if kind == "implant":
        family, rule_id = rest
        assert strong and {m["family"] for m in strong} == {family}, seen
        if rule_id is not None:
            [match] = [m for m in matches if m["rule_id"] == rule_id]
            assert match["severity"] == "critical" and match["confidence"] == "high", seen
            assert match["matched"], "a finding must carry its evidence"
    elif kind == "none":
        assert matches == [], seen
    else:
        assert not strong, seen
        assert all(ORDER.index(m["severity"]) <= ORDER.index("medium") for m in matches), seen
        if kind == "review":
            assert matches, f"{name}: expected a 'needs review' finding, got none"


def test_renamed_variants_are_caught_by_code_not_by_name(checked):
    """The renamed builds must be caught by what they carry (strings, classes, assets, actions), since
    neither their package nor their label is the implant's."""
    _, by_name = checked

    def kinds(name, rule_id):
        [match] = [m for m in by_name[name]["matches"] if m["rule_id"] == rule_id]
        return {e["condition"] for e in match["matched"]}, {e["seen"] for e in match["matched"]}

    conditions, seen = kinds("bxaq_renamed.apk", "bxaq.apk.traits")
    assert {"dex_string", "dex_class_prefix", "asset"} <= conditions and not {"package", "label"} & conditions
    assert "CellHunter Reporter" in seen and "assets/xbin/bk_samples.bin" in seen
    conditions, seen = kinds("bxaq_obfuscated.apk", "bxaq.apk.traits")
    assert conditions == {"dex_string"} and {"MobileHunter", "/wifiscan sm ", "7d91e4315304ba"} & seen
    conditions, seen = kinds("mfsocket_renamed.apk", "mfsocket.apk.traits")
    assert "intent_action" in conditions and not {"package_ci", "label", "component_prefix"} & conditions
    assert "com.android.MFSocket.START_ADBDOWNLOAD" in seen


def test_a_folder_of_benign_lookalikes_exits_0(tmp_path):
    folder = tmp_path / "benign"
    folder.mkdir()
    for name, expected in FIXTURES.items():
        if expected["verdict"][0] in ("none", "at_most_review"):
            shutil.copy(VARIANTS / name, folder / name)
    out = subprocess.run([str(EXE), "check", str(folder), "--json"], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "COLUMNS": "160"})
    assert out.returncode == 0, out.stdout + out.stderr
    apks = json.loads(out.stdout)["apks"]
    assert len(apks) == len(list(folder.iterdir()))
    assert not [m for a in apks for m in a["matches"] if m["severity"] in ("critical", "high")]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_manifest_and_content_facts(name):
    """Each fixture still holds the facts its verdict depends on (androguard and the raw zip)."""
    expected = FIXTURES[name]
    path = VARIANTS / name
    apk = _androguard(path)
    assert apk.get_package() == expected["package"]
    assert apk.get_app_name() == expected["label"]
    assert _cert_sha256s(apk) == {expected["cert"]}
    assert apk.is_signed_v2() and apk.is_signed_v3()
    if "permissions" in expected:
        declared = set(apk.get_permissions())
        assert expected["permissions"] <= declared, sorted(expected["permissions"] - declared)
        if name == "benign_surveillance_permissions.apk":
            assert declared == expected["permissions"]
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        dex = zf.read("classes.dex")
        assets = sorted(n for n in zf.namelist() if n.startswith("assets/"))
    for needle in expected.get("dex", []):
        assert needle in dex, needle
    for needle in expected.get("not_dex", []):
        assert needle not in dex, needle
    if "assets" in expected:
        assert assets == expected["assets"]
    for asset in assets:  # placeholders, never the real encrypted list or ARM binary
        with zipfile.ZipFile(path) as zf:
            data = zf.read(asset)
        assert len(data) < 128 and not data.startswith(b"\x7fELF")
    if "action" in expected:
        kind, component, action = expected["action"]
        assert action in apk.get_intent_filters(kind, component).get("action", [])
    if "service" in expected:
        service, permission, label = expected["service"]
        assert service in apk.get_services()
        xml = apk.get_android_manifest_xml()
        [node] = [n for n in xml.iter("service")
                  if n.get("{http://schemas.android.com/apk/res/android}name") == service]
        assert node.get("{http://schemas.android.com/apk/res/android}permission") == permission
        res_id = int(node.get("{http://schemas.android.com/apk/res/android}label").lstrip("@"), 16)
        assert apk.get_android_resources().get_resolved_res_configs(res_id)[0][1] == label
    assert b"inspector test fixture" in dex  # every fixture says what it is


def test_badging_with_aapt():
    """A second, independent reader of the manifests: aapt (installed on CI by scripts/test.sh)."""
    aapt = _tool("aapt")
    if aapt is None:
        pytest.skip("aapt is not installed (apt-get install aapt); CI has it")
    for name, expected in FIXTURES.items():
        badging = subprocess.run([aapt, "dump", "badging", str(VARIANTS / name)], check=True,
                                 capture_output=True, text=True).stdout
        assert f"package: name='{expected['package']}'" in badging, name
        assert f"application-label:'{expected['label']}'" in badging, name
        for permission in expected.get("permissions", ()):
            assert f"uses-permission: name='{permission}'" in badging, (name, permission)


def test_resigned_variants_use_the_second_key():
    """Re-signed variants carry fixture key 2, not the certificate of the original look-alikes."""
    originals = {name: _cert_sha256s(_androguard(APKS / name))
                 for name in ("bxaq_lookalike.apk", "mfsocket_lookalike.apk")}
    assert originals == {"bxaq_lookalike.apk": {KEY1}, "mfsocket_lookalike.apk": {KEY1}}
    for name in RESIGNED:
        certs = _cert_sha256s(_androguard(VARIANTS / name))
        assert certs == {KEY2} and not certs & originals["bxaq_lookalike.apk"], name
    assert KEY2 != KEY1 and AOSP not in (KEY1, KEY2)


def test_aosp_key_is_the_certificate_of_bxaq_sample_a():
    """The committed AOSP platform key pair is genuine: the certificate is the one IMPLANTS.md and the
    BXAQ rule name, and the private key belongs to it."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, load_der_private_key
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate((AOSP_KEY_DIR / "platform.x509.pem").read_bytes())
    assert hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest() == AOSP
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)] == ["android@android.com"]
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)] == ["Android"]
    key = load_der_private_key((AOSP_KEY_DIR / "platform.pk8").read_bytes(), password=None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    rule = (REPO / "signatures" / "apk-rules" / "bxaq.yaml").read_text("utf-8")
    assert AOSP in rule


def test_rebuild_is_byte_identical(tmp_path):
    """scripts/build_fixture_apks.sh --variants-only rebuilds every committed variant byte for byte.
    Needs the Debian build tools (installed on CI by scripts/test.sh)."""
    tools = ["aapt", "smali", "zipalign", "apksigner", "keytool", "zip", "unzip"]
    missing = [t for t in tools if _tool(t) is None]
    if not FRAMEWORK_RES.is_file():
        if _ci():
            pytest.fail(f"{FRAMEWORK_RES} is missing on CI (apt-get install android-framework-res)")
        missing.append("android-framework-res")
    if missing:
        pytest.skip(f"build tools not installed: {', '.join(missing)} (CI has them)")
    out = tmp_path / "variants"
    result = subprocess.run(["bash", str(SCRIPT), "--variants-only", str(out)], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    rebuilt = sorted(p.name for p in out.glob("*.apk"))
    assert rebuilt == sorted(FIXTURES)
    for name in rebuilt:
        assert (out / name).read_bytes() == (VARIANTS / name).read_bytes(), \
            f"{name} differs from a rebuild: run scripts/build_fixture_apks.sh and commit the result"


CORPUS = REPO.parent / "shared" / "corpus" / "apks"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/apks (the real-APK corpus) is not present")
@pytest.mark.parametrize("folder", ["", "apksig"])
def test_real_corpus_through_the_cli(tmp_path, folder):
    """The real corpus (androguard's public test APKs, signature-scheme edge cases in apksig/) through
    the installed `inspector check`: one entry per APK, the run finishes, and no false alarm above
    "needs review"."""
    path = CORPUS / folder
    out = subprocess.run([str(EXE), "check", str(path), "--json"], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "COLUMNS": "160"}, cwd=tmp_path)
    assert out.returncode in (0, 2), out.stderr[-2000:]  # 2: some APK unreadable, never 1 (an implant)
    apks = json.loads(out.stdout)["apks"]
    assert sorted(Path(a["path"]).name for a in apks) == sorted(p.name for p in path.glob("*.apk"))
    strong = [(Path(a["path"]).name, m["rule_id"]) for a in apks for m in a["matches"]
              if m["severity"] in ("critical", "high")]
    assert strong == []
    assert list(tmp_path.iterdir()) == []  # nothing written where it ran
