"""The APK engine on real APKs: features, cache, rules and weights, the apk_rules check."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from inspector.analyze.apk import cache
from inspector.analyze.apk.engine import check_apk, match_all, rules_for
from inspector.analyze.apk.features import FEATURES_VERSION, extract
from inspector.analyze.apk.rules import ApkRuleError, load_rules
from inspector.analyze.signatures import SignaturePack
from inspector.resources import signatures_dir

APKS = Path(__file__).parent / "fixtures" / "apks"
BXAQ = APKS / "bxaq_lookalike.apk"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "apks"
AOSP_TEST_KEY = "c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8"


@pytest.fixture(scope="module")
def rules():
    pack = SignaturePack.load()
    return rules_for(signatures_dir() / "apk-rules", set(pack.families))


def renamed_variant(tmp_path: Path) -> Path:
    """The BXAQ look-alike renamed (another package of the same length in the binary manifest),
    without its resources (no label) and without its signature: a renamed, re-packed build."""
    out = tmp_path / "renamed.apk"
    with zipfile.ZipFile(BXAQ) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "resources.arsc" or info.filename.startswith("META-INF/"):
                continue
            data = src.read(info)
            if info.filename == "AndroidManifest.xml":
                for old, new in (("com.fiberhome.wifiserver", "org.harmless.flashlight1"),):
                    for enc in ("utf-16-le", "utf-8"):
                        data = data.replace(old.encode(enc), new.encode(enc))
            dst.writestr(info.filename, data)
    return out


def test_bxaq_features_all_tiers():
    rec = extract(BXAQ)
    assert rec["features_version"] == FEATURES_VERSION and rec["errors"] == []
    assert rec["package"] == "com.fiberhome.wifiserver" and rec["labels"]["default"] == "蜂采"
    assert rec["debuggable"] is True and "android.permission.READ_SMS" in rec["permissions"]
    assert any(c["name"] == "com.fenghuo.qzj.WelcomeActivity" and "android.intent.action.MAIN" in c["actions"]
               for c in rec["components"])
    assert rec["certificates"][0]["sha256"] and len(rec["certificates"][0]["sha1"]) == 40
    assert set(rec["signature_schemes"]) >= {"v1", "v2"}
    dex = rec["dex"][0]
    assert dex["name"] == "classes.dex" and dex["error"] is None
    assert {"CellHunter Reporter", "/Android/cjlog.txt", "/cjlog_plain.txt", "bk_samples.bin"} <= set(dex["strings"])
    assert "Lcom/fenghuo/qzj/WelcomeActivity;" in dex["classes"]
    assert [f["name"] for f in rec["files"]] == ["assets/xbin/bk_samples.bin"] and len(rec["files"][0]["sha256"]) == 64


def test_bxaq_lookalike_caught_with_evidence(rules):
    entry = check_apk(BXAQ, rules)
    [match] = [m for m in entry["matches"] if m["family"] == "bxaq"]
    assert match["rule_id"] == "bxaq.apk.traits" and match["severity"] in ("critical", "high")
    kinds = {e["condition"] for e in match["matched"]}
    assert {"package", "dex_string", "dex_class_prefix", "asset", "label"} <= kinds
    where = {e["where"] for e in match["matched"]}
    assert any(w.startswith("classes.dex string #") for w in where)
    assert any(w.startswith("assets/xbin/bk_samples.bin sha256=") for w in where)


def test_renamed_unsigned_variant_still_caught(rules, tmp_path):
    entry = check_apk(renamed_variant(tmp_path), rules, use_cache=False)
    assert entry["package"] == "org.harmless.flashlight1" and entry["label"] in (None, "")
    [match] = entry["matches"]
    assert match["severity"] == "critical"
    kinds = {e["condition"] for e in match["matched"]}
    assert "package" not in kinds and "label" not in kinds and "dex_string" in kinds


def test_mfsocket_lookalike_caught(rules):
    [match] = check_apk(APKS / "mfsocket_lookalike.apk", rules)["matches"]
    assert match["rule_id"] == "mfsocket.apk.traits" and match["severity"] == "critical"
    assert {"package_ci", "intent_action", "asset"} <= {e["condition"] for e in match["matched"]}


def _bare(**fields):
    rec = {"sha256": "0" * 64, "package": "org.example.app", "labels": {}, "permissions": [], "components": [],
           "certificates": [], "dex": [], "files": []}
    rec.update(fields)
    return rec


def test_weak_signals_only_ask_for_review(rules):
    label_only = match_all(rules, _bare(labels={"default": "蜂采"}))
    assert [(m.rule.id, m.severity) for m in label_only] == [("bxaq.apk.traits", "medium")]
    cert_only = _bare(certificates=[{"sha256": AOSP_TEST_KEY, "sha1": "x", "subject": "Android"}])
    assert match_all(rules, cert_only) == []  # the AOSP test key alone is not even worth a review
    ocr = [{"kind": "service", "name": "kernal.idcard.android.RecogService", "actions": ["wintone.idcard.scan"]}]
    everything_weak = match_all(rules, {**cert_only, "labels": {"zh": "蜂采"}, "components": ocr})
    assert [(m.severity, m.confidence, m.score) for m in everything_weak] == [("medium", "low", 7.0)]


def test_benign_fixtures_match_nothing(rules):
    for apk in sorted(APKS.glob("*.apk")):
        if "lookalike" in apk.name:
            continue
        entry = check_apk(apk, rules)
        assert entry["errors"] == [] and entry["package"], apk.name
        assert entry["matches"] == [], apk.name


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/apks is not present")
def test_shared_corpus_has_no_high_or_critical(rules):
    apks = sorted(CORPUS.rglob("*.apk"))
    assert len(apks) > 100
    for apk in apks:
        entry = check_apk(apk, rules)
        assert not [m for m in entry["matches"] if m["severity"] in ("critical", "high")], apk.name


def test_cache_by_sha256_and_version():
    rec, cached = cache.features(BXAQ)
    assert not cached
    again, cached = cache.features(BXAQ)
    assert cached and again == json.loads(json.dumps(rec, ensure_ascii=False))
    stored = cache.features_dir() / f"{rec['sha256']}.json"
    assert stored.is_file()
    stored.write_text(json.dumps({**rec, "features_version": FEATURES_VERSION - 1}), "utf-8")
    _, cached = cache.features(BXAQ)
    assert not cached  # an older record is rebuilt
    assert json.loads(stored.read_text("utf-8"))["features_version"] == FEATURES_VERSION


def _rule_file(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "apk-rules"
    folder.mkdir(exist_ok=True)
    (folder / "x.yaml").write_text(text, "utf-8")
    return folder


GOOD = """rules:
  - id: x.rule
    family: bxaq
    name: X
    severity: high
    confidence: high
    source: test
    conditions:
      - package: a.b
        weight: 10
"""


@pytest.mark.parametrize(("change", "message"), [
    (("family: bxaq", "family: nobody"), "family 'nobody' has no file"),
    (("severity: high", "severity: huge"), "severity must be one of"),
    (("- package: a.b", "- packge: a.b"), "unknown condition 'packge'"),
    (("- package: a.b", "- cert_sha256: abc"), "cert_sha256 must be 64 hex digits"),
    (("- package: a.b", "- package_regex: '('"), "package_regex does not compile"),
    (("- package: a.b", "- permissions: {n_of: 3, of: [A]}"), "permissions must be"),
    (("weight: 10", "weight: -1"), "weight must be a number"),
    (("    source: test\n", ""), "'source' is missing"),
])
def test_rule_schema_errors_name_file_and_rule(tmp_path, change, message):
    folder = _rule_file(tmp_path, GOOD.replace(*change))
    with pytest.raises(ApkRuleError) as caught:
        load_rules(folder, {"bxaq"})
    assert "x.yaml" in str(caught.value) and "x.rule" in str(caught.value) and message in str(caught.value)


def test_groups_and_at_least(tmp_path):
    folder = _rule_file(tmp_path, GOOD.replace("""      - package: a.b
        weight: 10
""", """      - at_least: 2
        weight: 10
        of:
          - dex_string: one
          - dex_string: two
          - all:
              - permissions: {all_of: [P1, P2]}
              - asset: cfg.bin
"""))
    [rule] = load_rules(folder, {"bxaq"})
    dex = [{"name": "classes2.dex", "strings": ["xx one xx"], "classes": []}]
    assert match_all([rule], _bare(dex=dex)) == []
    files = [{"name": "assets/a/cfg.bin", "kind": "asset", "sha256": "f" * 64}]
    [m] = match_all([rule], _bare(dex=dex, permissions=["P1", "P2"], files=files))
    assert m.severity == "high" and {e["where"] for e in m.matched} >= {"classes2.dex string #0"}


def test_bundled_rules_load_and_cite_sources(rules):
    assert {r.family for r in rules} >= {"bxaq", "mfsocket"}
    for rule in rules:
        assert "IMPLANTS.md" in rule.source and rule.references


def test_check_on_an_acquisition(tmp_path):
    """The apk_rules check over an acquisition's pulled APKs (evidence, params), and the inventory."""
    from inspector.acquisition import Acquisition
    from inspector.analyze.result import analyze

    acq = Acquisition.create(tmp_path / "acq", platform="android", tool_version="t", signature_pack_version="t")
    acq.write_json("packages.json", [{"name": "org.harmless.flashlight1", "files": []}])
    acq.write_bytes("apks/org.harmless.flashlight1_base.apk", renamed_variant(tmp_path).read_bytes(),
                    package="org.harmless.flashlight1")
    acq.write_bytes("apks/org.demo.notes_base.apk", (APKS / "org.demo.notes.apk").read_bytes(),
                    package="org.demo.notes")
    acq.write_bytes("apks/broken_base.apk", b"not a zip", package="broken")
    acq.finish()
    result = analyze(acq, SignaturePack.load())
    assert result["inventory"]["apks_analyzed"] == 3
    [finding] = [f for f in result["findings"] if f["rule_id"] == "bxaq.apk.traits"]
    assert finding["severity"] == "critical" and finding["subject"] == "org.harmless.flashlight1"
    assert finding["title"] == "finding.apk_rule.title" and finding["params"]["family_name"].startswith("BXAQ")
    assert finding["params"]["score"] >= 10 and finding["params"]["matched_conditions"]
    assert all(e["artifact"] == "apks/org.harmless.flashlight1_base.apk" for e in finding["evidence"])
    assert result["verdict"] == "implant_found"
    [coverage] = [c for c in result["coverage"] if c["check"] == "apk_rules"]
    assert coverage["status"] == "ran" and "broken_base.apk" in coverage["reason"]
