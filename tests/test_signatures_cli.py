"""`inspector signatures lint` and `inspector signatures import`, through the installed console script,
on the shipped pack, broken copies of it, and the public indicator corpora in ../shared/intel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from apk_builders import apk_with_dex, dex_bytes

EXE = Path(sys.executable).parent / "inspector"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "intel"


def _corpus(shared_name: str, shipped: str) -> Path:
    """The public corpus as published (../shared/intel), or, where that is not at hand, the copy the
    pack ships of the same files (signatures/iocs)."""
    from inspector.resources import signatures_dir

    return SHARED / shared_name if (SHARED / shared_name).is_dir() else signatures_dir() / "iocs" / shipped
VARIANTS = Path(__file__).parent / "fixtures" / "apks" / "variants"


def run(*args, env=None, timeout=120):
    env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def pack_copy(tmp_path):
    from inspector.resources import signatures_dir

    folder = tmp_path / "pack"
    shutil.copytree(signatures_dir(), folder)
    return folder


def test_lint_of_the_shipped_pack(tmp_path):
    out = run("signatures", "lint", env={"INSPECTOR_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "APK rules" in out.stdout and "indicators from" in out.stdout and "Loaded in" in out.stdout
    assert "error:" not in out.stdout


@pytest.mark.parametrize("break_it, message", [
    (lambda p: (p / "apk-rules" / "bxaq.yaml").write_text("rules:\n  - id: x\n    family: bxaq\n"),
     "apk-rules/bxaq.yaml: rule x"),
    (lambda p: (p / "iocs" / "echap" / "rules.yar").write_text("rule broken { condition: nope }"),
     "rules.yar: this YARA rule file does not compile"),
    (lambda p: (p / "iocs" / "mvt" / "cellebrite" / "cellebrite.stix2").write_text("{not json"),
     "an indicator bundle cannot be read"),
    (lambda p: (p / "implants" / "bxaq.yaml").write_text("family: bxaq\n"), "bxaq.yaml"),
])
def test_lint_names_the_broken_file(pack_copy, tmp_path, break_it, message):
    break_it(pack_copy)
    out = run("signatures", "lint", str(pack_copy), env={"INSPECTOR_DATA_DIR": str(tmp_path)})
    assert out.returncode == 2, out.stdout
    assert message in out.stdout.replace("\n", " ") or message in out.stdout, out.stdout


def test_lint_strict_fails_on_a_high_rule_that_can_never_be_strong(pack_copy, tmp_path):
    (pack_copy / "apk-rules" / "weak.yaml").write_text(
        "rules:\n  - id: weak.rule\n    family: bxaq\n    name: weak\n    severity: high\n    confidence: high\n"
        "    source: test\n    score: {strong: 10, review: 1}\n    conditions:\n      - label: x\n        weight: 2\n")
    out = run("signatures", "lint", "--strict", str(pack_copy), env={"INSPECTOR_DATA_DIR": str(tmp_path)})
    assert out.returncode == 1
    assert "weak.rule: no references" in out.stdout and "can only ask for review" in out.stdout


def test_every_mvt_stix2_file_imports(tmp_path):
    env = {"INSPECTOR_DATA_DIR": str(tmp_path)}
    corpus = _corpus("mvt-indicators", "mvt")
    out = run("signatures", "import", str(corpus), env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    stix = sorted(p.name for p in corpus.rglob("*.stix2"))
    assert len(stix) >= 11
    manifest = json.loads((tmp_path / "signatures-imported" / "imported.json").read_text())
    assert sorted(Path(e["file"]).name for e in manifest if e["kind"] == "stix2") == stix
    assert all(sum(e["counts"].values()) > 0 for e in manifest)
    listed = run("signatures", "list", env=env)
    assert all(name in listed.stdout for name in stix)


def test_echap_files_import_and_count(tmp_path):
    env = {"INSPECTOR_DATA_DIR": str(tmp_path)}
    out = run("signatures", "import", str(_corpus("stalkerware-indicators", "echap")), "--name", "ignored", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    entries = {e["kind"]: e for e in json.loads((tmp_path / "signatures-imported" / "imported.json").read_text())}
    assert set(entries) == {"echap_ioc", "samples_csv", "yara"}
    assert entries["samples_csv"]["counts"]["sha256"] > 3000
    assert entries["echap_ioc"]["counts"]["app_id"] > 100


def test_imported_yara_rule_is_used_and_recorded_then_removed(tmp_path):
    env = {"INSPECTOR_DATA_DIR": str(tmp_path), "INSPECTOR_CACHE_DIR": str(tmp_path / "cache")}
    apk = apk_with_dex(tmp_path / "marker.apk", dex_bytes(["helpdesk-marker-5521", "x"]))
    before = run("check", str(apk), "--json", "--deep", "none", env=env)
    assert json.loads(before.stdout)["apks"][0]["matches"] == []
    rule = tmp_path / "helpdesk.yar"
    rule.write_text('rule helpdesk_marker { strings: $a = "helpdesk-marker-5521" condition: $a }')
    out = run("signatures", "import", str(rule), env=env)
    assert out.returncode == 0 and "iocs/yara/helpdesk.yar" in out.stdout
    after = json.loads(run("check", str(apk), "--json", "--deep", "none", env=env).stdout)
    [match] = after["apks"][0]["matches"]
    assert match["rule_id"] == "yara.helpdesk_marker"
    identity = after["tool"]["signature_pack"]
    assert identity["imported"][0]["file"] == "iocs/yara/helpdesk.yar"
    assert identity["sha256"] != json.loads(before.stdout)["tool"]["signature_pack"]["sha256"]
    removed = run("signatures", "import", "--remove", "iocs/yara/helpdesk.yar", env=env)
    assert removed.returncode == 0
    again = json.loads(run("check", str(apk), "--json", "--deep", "none", env=env).stdout)
    assert again["apks"][0]["matches"] == [] and "imported" not in again["tool"]["signature_pack"]


def test_imported_apk_rules(tmp_path):
    env = {"INSPECTOR_DATA_DIR": str(tmp_path), "INSPECTOR_CACHE_DIR": str(tmp_path / "cache")}
    rules = tmp_path / "local-rules.yaml"
    rules.write_text(
        "rules:\n  - id: local.calculator\n    family: suspicious\n    name: the test calculator\n"
        "    severity: high\n    confidence: high\n    source: a test\n    references: [https://example.org]\n"
        "    conditions:\n      - package: org.demo.calculator\n        weight: 10\n")
    assert run("signatures", "import", str(rules), env=env).returncode == 0
    out = json.loads(run("check", str(VARIANTS / "benign_testkey.apk"), "--json", "--deep", "none", env=env).stdout)
    assert [m["rule_id"] for m in out["apks"][0]["matches"]] == ["local.calculator"]
    # the same id again is refused: rule ids are unique across the pack and the imports
    clash = tmp_path / "clash.yaml"
    clash.write_text(rules.read_text().replace("local.calculator", "bxaq.apk.traits"))
    refused = run("signatures", "import", str(clash), env=env)
    assert refused.returncode == 2 and "already in the pack: bxaq.apk.traits" in refused.stdout.replace("\n", " ")


@pytest.mark.parametrize("name, content, message", [
    ("bad.yar", "rule broken { condition: nope }", "does not compile"),
    ("empty.stix2", json.dumps({"type": "bundle", "objects": []}), "holds no indicator"),
    ("notes.txt", "hello", "not a STIX2 bundle"),
    ("rules.yaml", "rules:\n  - id: x\n", "rule x"),
])
def test_bad_imports_are_refused_and_write_nothing(tmp_path, name, content, message):
    env = {"INSPECTOR_DATA_DIR": str(tmp_path / "data")}
    bad = tmp_path / name
    bad.write_text(content)
    out = run("signatures", "import", str(bad), env=env)
    assert out.returncode == 2 and message in out.stdout.replace("\n", " "), out.stdout
    overlay = tmp_path / "data" / "signatures-imported"
    assert not overlay.exists() or not any(p.is_file() for p in overlay.rglob("*"))
