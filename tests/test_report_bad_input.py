"""Hostile and broken input, as a phone (or a damaged result) can hand it to the report: a 10 MB
evidence string, markup in package names, labels and file names, right-to-left override
characters, emoji, catalogs that lack translations."""

from __future__ import annotations

import json
import time
from pathlib import Path

from report_results import MARKUP_NAMES, make_result, markup_result
from test_report_html import ALLOWED_ATTRS, ALLOWED_TAGS, assert_no_requests, parse

from inspector.report import render_html, render_json, write_reports
from inspector.report.catalogs import compile_mo, read_catalog
from inspector.report.messages import locale_dir

TEN_MB = 10 * 1024 * 1024


def huge_result() -> dict:
    result = make_result()
    excerpt = ("<script>alert(1)</script> 11-21 10:00:00.000 I PackageManager: com.fiberhome.wifiaudit\n" * 200_000)[
        :TEN_MB
    ]
    result["findings"][0]["evidence"][0]["excerpt"] = excerpt
    result["findings"][0]["subject"] = "com." + "a" * TEN_MB
    result["findings"][1]["params"]["path"] = "/sdcard/" + "b/" * (TEN_MB // 2)
    return result


def test_a_10_mb_evidence_string_is_cut_with_a_note(tmp_path: Path) -> None:
    result = huge_result()
    started = time.perf_counter()
    page = render_html(result)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{elapsed:.1f} s for one page"
    assert len(page.encode("utf-8")) < 300_000
    assert f"({TEN_MB - 4000} more characters in report.json)" in page  # the excerpt, in the annex
    assert f"({TEN_MB + 4 - 400} more characters in report.json)" in page  # the subject, on the card
    assert_no_requests(page)
    # The JSON report keeps every byte: it is the document, and the evidence.
    written = write_reports(result, tmp_path, formats=("json",))
    document = json.loads(written["json"].read_text(encoding="utf-8"))
    assert len(document["findings"][0]["evidence"][0]["excerpt"]) == TEN_MB


def test_markup_in_names_labels_and_file_names_is_text() -> None:
    page = render_html(markup_result())
    assert_no_requests(page)
    collector = parse(page)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, _value in attrs:
            assert name in ALLOWED_ATTRS, (tag, name)
    text = " ".join(collector.text)
    for name in MARKUP_NAMES:
        assert name in text, name  # shown, as the characters the device gave
    assert "onerror" not in "".join(f"<{tag} {attrs}>" for tag, attrs in collector.tags)
    for lang in ("zh_CN", "ug"):
        assert_no_requests(render_html(markup_result(), lang=lang))


def test_right_to_left_overrides_are_shown_not_obeyed() -> None:
    result = make_result()
    trick = "com.evil\u202egpj.exe"  # reads "com.evilexe.jpg" when obeyed
    result["findings"][0]["subject"] = trick
    result["findings"][0]["params"]["label"] = "Notes\u2067\u200f"
    result["findings"][1]["params"]["path"] = "/sdcard/Download/invoice\u202efdp.exe"
    result["timeline"] = [
        {
            "time": "2026-11-21T10:00:00Z",
            "event": "package_installed",
            "subject": trick,
            "artifact": "packages.json",
            "in_window": False,
        }
    ]
    for lang in ("en", "ug"):
        page = render_html(result, lang=lang)
        for char in ("\u202e", "\u2067", "\u200f"):
            assert char not in page
        assert "com.evil[U+202E]gpj.exe" in page
        assert "invoice[U+202E]fdp.exe" in page
        assert page.count("com.evil[U+202E]gpj.exe") >= 3  # card, timeline, annex
    assert trick in json.loads(render_json(result))["findings"][0]["subject"]  # the document keeps it


def test_emoji_and_other_scripts_survive() -> None:
    name = "/sdcard/DCIM/📷 Holiday 🇨🇳 👨\u200d👩\u200d👧 فوتو 照片.jpg"
    result = make_result()
    result["findings"][1]["subject"] = name
    result["findings"][1]["params"]["path"] = name
    page = render_html(result)
    assert name in page  # the zero-width joiners of a family emoji are not "invisible tricks"
    assert name in json.loads(render_json(result))["findings"][1]["subject"]


def test_missing_translations_fall_back_to_english(tmp_path: Path) -> None:
    """A catalog with only a few entries (new keys not yet translated): the page is complete,
    translated where it can be, English elsewhere, and never shows a raw key."""
    catalog = read_catalog(locale_dir() / "ru" / "LC_MESSAGES" / "inspector.po", "ru")
    kept = {"ui.title", "verdict.implant_found.headline", "ui.heading.findings"}
    for message in catalog:
        if message.id and message.id not in kept:
            message.string = ""
    for lang, data in (
        ("ru", compile_mo(catalog)),
        ("en", (locale_dir() / "en" / "LC_MESSAGES" / "inspector.mo").read_bytes()),
    ):
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / lang / "LC_MESSAGES" / "inspector.mo").write_bytes(data)
    from inspector.report.messages import Messages

    messages = Messages.load("ru", tmp_path)
    assert messages.text("ui.title") == "Отчёт о проверке телефона"
    assert messages.text("ui.heading.todo") == "What to do now"
    assert messages.lines("todo.implant_found")[0].startswith("Keep this report.")
    # And the shipped catalogs render a whole page with no key left untranslated.
    page = render_html(make_result(), lang="ru")
    text = " ".join(parse(page.split("<body>", 1)[1]).text)
    assert "ui." not in text and "finding." not in text and "verdict." not in text
