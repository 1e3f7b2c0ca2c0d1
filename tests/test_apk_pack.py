"""The APK engine with the whole pack (family packages, MVT/Echap indicators, YARA), the bounded
process pool (time limit, memory guard), and --deep (androguard AnalyzeAPK) against the tiered
engine. Hostile APKs are built here byte by byte: real files through the real engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from apk_builders import apk_with_dex, dex_bytes

from inspector.analyze.apk import cache
from inspector.analyze.apk.checker import ApkChecker
from inspector.analyze.apk.pool import Limits, features_many
from inspector.analyze.signatures import SignaturePack
from inspector.resources import signatures_dir

APKS = Path(__file__).parent / "fixtures" / "apks"
VARIANTS = APKS / "variants"
NOTES = APKS / "org.demo.notes.apk"
# Strings of Echap's YARA rule "mspy" (signatures/iocs/echap/rules.yar: "uint16(0) == 0x6564 and 5 of them").
MSPY = ["mspy_keyboard_used", "multipart/form-data; boundary=+-=+-=-------+-=+-=", "mspyonline.com",
        "inputType=0x%08x%s%s%s%s%s", "/proc/%d/oom_score_adj"]


@pytest.fixture(scope="module")
def checker():
    return ApkChecker.for_pack(SignaturePack.load())


def by_family(entry: dict) -> dict[str, dict]:
    return {m["family"]: m for m in entry["matches"]}


def test_yara_rule_of_the_pack_runs_over_the_dex(checker, tmp_path):
    apk = apk_with_dex(tmp_path / "mspy.apk", dex_bytes(MSPY + ["unrelated"]))
    [entry] = checker.check([apk], jobs=1, deep="none")
    [match] = entry["matches"]  # the YARA rule and mSpy's domain (Echap ioc.yaml): one finding
    assert match["family"] == "ioc.mspy" and (match["severity"], match["confidence"]) == ("high", "high")
    [yara_hit] = [e for e in match["matched"] if e["condition"] == "yara"]
    assert yara_hit["value"] == "mspy" and yara_hit["where"] == "classes.dex (5 strings)"
    assert any(e["condition"] == "domain" and e["seen"] == "mspyonline.com" for e in match["matched"])
    # four of the five strings are not enough for the rule's "5 of them": the domain alone asks for review
    apk4 = apk_with_dex(tmp_path / "mspy4.apk", dex_bytes(MSPY[:4]))
    [entry4] = checker.check([apk4], jobs=1, deep="none")
    [match4] = entry4["matches"]
    assert not [e for e in match4["matched"] if e["condition"] == "yara"]
    assert (match4["severity"], match4["confidence"]) == ("medium", "low")
    # the manifest-less APK is reported, and still checked as far as it can be
    assert any("no AndroidManifest.xml" in e for e in entry["errors"])


def test_c2_domains_in_code(checker, tmp_path):
    one = apk_with_dex(tmp_path / "one.apk", dex_bytes(["https://kong.tzsafe.com/api/upload", "hello"]))
    two = apk_with_dex(tmp_path / "two.apk", dex_bytes(["https://kong.tzsafe.com/api", "eagle.tzsafe.com"]))
    [e1, e2] = checker.check([one, two], jobs=1, deep="none")
    m1, m2 = by_family(e1)["eaglemsgspy"], by_family(e2)["eaglemsgspy"]
    # one domain in an app's strings asks for review (a security app may list bad domains too)
    assert (m1["severity"], m1["confidence"]) == ("medium", "low")
    assert m1["matched"][0]["seen"] == "kong.tzsafe.com"
    assert (m2["severity"], m2["confidence"]) == ("high", "high")
    assert {e["value"] for e in m2["matched"]} >= {"kong.tzsafe.com", "eagle.tzsafe.com"}


def test_family_package_and_indicator_are_one_finding(checker):
    [entry] = checker.check([VARIANTS / "residentbat_lookalike.apk"], jobs=1, deep="none")
    [match] = entry["matches"]
    assert match["family"] == "residentbat" and match["severity"] == "critical"
    assert {e["condition"] for e in match["matched"]} == {"package", "app_id"}
    assert any("ResidentBat" in e.get("source", "") for e in match["matched"])


def test_acquisition_skip_leaves_package_indicators_to_other_checks(checker):
    from inspector.analyze.apk.pack_match import ACQUISITION_SKIP

    [entry] = checker.check([VARIANTS / "cellebrite_agent_lookalike.apk"], jobs=1, deep="none",
                            skip=ACQUISITION_SKIP)
    assert entry["matches"] == []  # known_packages and indicators report com.client.appA from packages.json


def test_time_limit_stops_one_apk_and_the_rest_goes_on(tmp_path):
    slow = apk_with_dex(tmp_path / "slow.apk", dex_bytes(["x" * 8], repeat=3_000_000))
    out = features_many([slow, NOTES], jobs=2, use_cache=False, limits=Limits(time_s=0.3))
    assert out[slow][0]["errors"] == ["analysis stopped after 0.3 s (time limit)"]
    assert out[NOTES][0]["package"] == "org.demo.notes" and out[NOTES][0]["errors"] == []
    # in this process too (jobs=1), under the same limit
    alone = features_many([slow], jobs=1, use_cache=False, limits=Limits(time_s=0.3))
    assert alone[slow][0]["errors"] == ["analysis stopped after 0.3 s (time limit)"]


def test_time_limit_holds_in_a_thread_too(tmp_path):
    """The in-process time limit is a SIGALRM, which only the main thread gets: from another thread (a
    batch's phone), even one APK goes to a worker process, under the same limit."""
    import threading

    slow = apk_with_dex(tmp_path / "slow.apk", dex_bytes(["x" * 8], repeat=3_000_000))
    out = {}
    thread = threading.Thread(target=lambda: out.update(
        features_many([slow], jobs=1, use_cache=False, limits=Limits(time_s=0.3))))
    thread.start()
    thread.join(timeout=120)
    assert out[slow][0]["errors"] == ["analysis stopped after 0.3 s (time limit)"]


def test_memory_guard_stops_one_apk_and_the_rest_goes_on(tmp_path):
    # ~4M string ids: several hundred MB of Python strings, far past a 400 MB address space
    hungry = apk_with_dex(tmp_path / "hungry.apk", dex_bytes(["y" * 8], repeat=3_900_000))
    out = features_many([hungry, NOTES], jobs=2, use_cache=False, limits=Limits(time_s=60, memory_mb=400))
    assert out[hungry][0]["errors"] == ["analysis stopped: needs more than 400 MB (memory limit)"]
    assert out[hungry][0]["incomplete"] is True
    assert out[NOTES][0]["package"] == "org.demo.notes"


def test_incomplete_records_are_not_cached(tmp_path):
    slow = apk_with_dex(tmp_path / "slow.apk", dex_bytes(["x" * 8], repeat=3_000_000))
    [(record, cached)] = features_many([slow], jobs=1, limits=Limits(time_s=0.3)).values()
    assert record["incomplete"] and not cached
    assert cache.load(record["sha256"]) is None


def test_pool_gives_the_same_records_as_one_process():
    apks = sorted(APKS.glob("*.apk"))[:8]
    pooled = features_many(apks, jobs=2, use_cache=False)
    alone = features_many(apks, jobs=1, use_cache=False)
    for apk in apks:
        assert pooled[apk][0] == alone[apk][0]


def test_deep_gives_the_same_verdicts_and_says_which_code_uses_the_strings(checker):
    apks = sorted(VARIANTS.glob("*.apk")) + sorted(APKS.glob("*.apk"))
    tiered = checker.check(apks, deep="none")
    deep = checker.check(apks, deep="all")
    for t, d in zip(tiered, deep, strict=True):
        assert [(m["rule_id"], m["severity"]) for m in t["matches"]] == \
               [(m["rule_id"], m["severity"]) for m in d["matches"]], t["path"]
        assert d["deep"]["engine"] == "androguard AnalyzeAPK"
    bxaq = next(d for d in deep if d["path"].endswith("/bxaq_lookalike.apk"))
    used = [e for m in bxaq["matches"] for e in m["matched"] if e["condition"] == "dex_string"]
    assert used and all(e["used_by"] == ["Lcom/fiberhome/wifiserver/FixtureStrings;->all"] for e in used)
    assert all("used_by" not in e for t in tiered for m in t["matches"] for e in m["matched"])


def test_flagged_apks_only_get_the_full_analysis(checker):
    entries = checker.check([VARIANTS / "bxaq_obfuscated.apk", NOTES], deep="flagged")
    assert entries[0]["deep"]["engine"] == "androguard AnalyzeAPK"
    assert "deep" not in entries[1]


def test_new_yara_rules_rerun_only_the_yara_tier(tmp_path, monkeypatch):
    pack_dir = tmp_path / "pack"
    shutil.copytree(signatures_dir(), pack_dir)
    apk = apk_with_dex(tmp_path / "marker.apk", dex_bytes(["inspector-test-marker-7731", "other"]))
    first = ApkChecker.for_pack(SignaturePack.load(pack_dir))
    [entry] = first.check([apk], jobs=1, deep="none")
    assert entry["matches"] == [] and not entry["from_cache"]
    (pack_dir / "iocs" / "local.yar").write_text(
        'rule inspector_test_marker { strings: $a = "inspector-test-marker-7731" '
        'condition: uint16(0) == 0x6564 and $a }')
    second = ApkChecker.for_pack(SignaturePack.load(pack_dir))
    assert second.yara.sha256 != first.yara.sha256
    [again] = second.check([apk], jobs=1, deep="none")
    assert again["from_cache"] is True  # the other tiers were not read again
    assert [m["rule_id"] for m in again["matches"]] == ["yara.inspector_test_marker"]
    record = json.loads((cache.features_dir() / f"{again['sha256']}.json").read_text())
    assert record["yara"]["rules_sha256"] == second.yara.sha256


def test_a_yara_file_that_does_not_compile_names_the_problem(tmp_path):
    from inspector.analyze.apk.yara_rules import YaraRulesError, load_yara

    (tmp_path / "bad.yar").write_text("rule broken { condition: nonsense_word }")
    with pytest.raises(YaraRulesError, match="does not compile"):
        load_yara(tmp_path)


def test_a_label_that_looks_like_bxaqs_only_asks_for_review(checker, tmp_path):
    """The torch app re-packed with its Chinese label changed to 超级手电筒 → 蜂采手电筒 (same length in the
    resource table's UTF-8 pool): a look-alike name, nothing else of BXAQ's."""
    import zipfile

    out = tmp_path / "beetorch.apk"
    old, new = "超级手电筒".encode(), "蜂采手电筒".encode()
    with zipfile.ZipFile(APKS / "org.demo.torch.apk") as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "resources.arsc":
                assert old in data
                data = data.replace(old, new)
            dst.writestr(info, data)
    [entry] = checker.check([out], jobs=1, deep="none")
    [match] = entry["matches"]
    assert match["rule_id"] == "suspicious.apk.label_lookalike"
    assert (match["severity"], match["confidence"]) == ("medium", "low")
    assert match["matched"][0]["seen"] == "蜂采手电筒"
    # and BXAQ's own label is BXAQ's rule, not a look-alike
    [bxaq] = checker.check([VARIANTS / "benign_label_fengcai.apk"], jobs=1, deep="none")
    assert [m["rule_id"] for m in bxaq["matches"]] == ["bxaq.apk.traits"]
