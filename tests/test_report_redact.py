"""Redacted copies for sharing (``--redact``), and the privacy note every report carries."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from report_results import make_result, timeline_result
from test_report_html import parse

from inspector.analyze.findings import Evidence, Finding
from inspector.report import REDACTED_FILES, render_html, render_json, write_reports
from inspector.report.redact import TOKEN, Redactor, is_redacted, redact_result

PERSONAL = "/sdcard/Download/lecture notes (scan).pdf"
PHOTO = "/storage/emulated/0/DCIM/Camera/IMG_20261117_132007.jpg"
MD5 = "691647CBEC3AE95B13E8874AD82D4441"
IMEI = "490154203237518"  # Luhn-valid: the check digit of 49015420323751 is 8


def personal_result() -> dict:
    """A result holding every kind of personal detail the redaction knows."""
    result = timeline_result()
    result["findings"].append(
        Finding(
            rule_id="bxaq.targets.match",
            family="bxaq",
            severity="low",
            confidence="verified",
            title="finding.target_file.title",
            explanation="finding.target_file.explanation",
            subject=PERSONAL,
            evidence=(
                Evidence(
                    "file_hashes.json", json.dumps({"path": PERSONAL, "size": 48012, "md5": MD5}), "5" * 64, PERSONAL
                ),
                Evidence("getprop.txt", f"[ro.serialno]: [R58M12345AB]\n[persist.radio.imei]: [{IMEI}]", "6" * 64),
                Evidence(
                    "dumpsys.txt",
                    "Account {name=alice.traveller@gmail.com, type=com.google}\n"
                    "mLine1Number=+86 138 0013 8000 call from 13800138000",
                    "7" * 64,
                ),
            ),
            params={
                "family_name": "BXAQ",
                "list_name": "BXAQ list",
                "path": PERSONAL,
                "size": 48012,
                "md5": MD5,
                "list_entries": 73315,
            },
        ).to_dict()
    )
    result["timeline"].append(
        {
            "time": "2026-11-21T09:30:00Z",
            "event": "file_created",
            "subject": PHOTO,
            "artifact": "files.json",
            "in_window": True,
        }
    )
    result["acquisition"]["operator"] = "Alice Traveller"
    return result


def test_personal_details_are_masked_and_evidence_hashes_kept() -> None:
    original = personal_result()
    before = copy.deepcopy(original)
    redacted = redact_result(original)
    assert original == before  # a copy: the complete result is untouched
    text = json.dumps(redacted, ensure_ascii=False)
    for secret in (
        "lecture notes",
        "IMG_20261117_132007",
        "R58M12345AB",
        IMEI,
        "alice.traveller",
        "138 0013 8000",
        "13800138000",
        "Alice Traveller",
        "/home/helpdesk",
    ):
        assert secret not in text, secret
    (match,) = [f for f in redacted["findings"] if len(f["evidence"]) == 3]
    # The folder and the extension stay; the name goes. Hashes, sizes and the rule stay exact.
    assert match["subject"] == f"/sdcard/Download/{TOKEN}.pdf"
    assert match["params"]["path"] == f"/sdcard/Download/{TOKEN}.pdf"
    assert match["params"]["md5"] == MD5 and match["params"]["size"] == 48012
    assert [e["sha256"] for e in match["evidence"]] == ["5" * 64, "6" * 64, "7" * 64]
    assert MD5 in match["evidence"][0]["excerpt"]
    assert "@gmail.com" in match["evidence"][2]["excerpt"]  # the kind of account stays visible
    # The implant's own leftover file is evidence, not the traveller's: kept.
    assert any(f["subject"] == "/sdcard/cjlog.txt" for f in redacted["findings"])
    assert redacted["acquisition"]["path"] == f"/home/{TOKEN}/acq/2026-11-22-redmi"
    assert redacted["acquisition"]["operator"] == TOKEN
    assert redacted["timeline"][-1]["subject"] == f"/storage/emulated/0/DCIM/Camera/{TOKEN}.jpg"
    assert redacted["device"]["serial_sha256"] == "b" * 64 and redacted["tool"] == original["tool"]
    assert is_redacted(redacted) and not is_redacted(original)
    counts = redacted["redaction"]["counts"]
    assert counts["file_name"] >= 4 and counts["imei"] == 1 and counts["serial"] == 1
    assert counts["phone_number"] >= 2 and counts["account"] == 1 and counts["user_name"] >= 2


def test_dates_versions_and_sizes_are_not_mistaken_for_phone_numbers() -> None:
    redactor = Redactor()
    text = (
        "2026-11-22T02:10:00Z 2026-11-22 02:10 build TKQ1.221114.001 V14.0.4.0 size 1794970052 "
        "uid 10262 epoch 1794970052000 version_code=231"
    )
    assert redactor.text(text) == text
    assert not redactor.counts


def test_a_redacted_copy_says_so_in_every_format(tmp_path: Path) -> None:
    written = write_reports(personal_result(), tmp_path, formats=("html", "json"), redact=True)
    assert {p.name for p in written.values()} == {REDACTED_FILES["html"], REDACTED_FILES["json"]}
    assert not (tmp_path / "report.html").exists()  # never replaces the complete report
    page = written["html"].read_text(encoding="utf-8")
    text = " ".join(parse(page).text)
    assert "This is a redacted copy, made to be shared" in text
    assert "Hidden in this copy:" in text and "file names:" in text
    assert "lecture notes" not in page and "R58M12345AB" not in page
    assert '<p class="redacted" id="redacted">' in page
    document = json.loads(written["json"].read_text(encoding="utf-8"))
    assert document["redaction"]["redacted"] is True
    assert list(document)[-1] == "redaction"


def test_every_report_says_what_it_contains() -> None:
    for result in (make_result(), make_result("nothing_found", [])):
        text = " ".join(parse(render_html(result)).text)
        assert "Private: this report shows what is on your phone. Keep it safe." in text
        assert "This file contains private information about your phone" in text
        assert "This copy is complete: nothing in it is hidden." in text
        assert "loads nothing from the internet" in text
    for lang, words in (("zh_CN", "私密"), ("ru", "Конфиденциально"), ("ug", "شەخسىي")):
        assert words in render_html(make_result(), lang=lang)


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact_result(personal_result())
    twice = redact_result(once)
    assert render_json({k: v for k, v in twice.items() if k != "redaction"}) == render_json(
        {k: v for k, v in once.items() if k != "redaction"}
    )
