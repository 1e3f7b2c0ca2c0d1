"""The PDF report, made from the same template as the page, read back as a person (and Poppler)
reads it: pages, text, the verdict at the top of page 1. Needs WeasyPrint (with Pango) and
poppler-utils; skips without them locally, fails without them in CI (tests/report_tools.py)."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import pytest
from report_results import hostile_result, make_result, markup_result, timeline_result
from report_tools import (
    artifacts_dir,
    pdf_info,
    pdf_pages,
    pdf_text,
    pdf_to_png,
    require_pdf_engine,
    require_tools,
)

from inspector.report import write_reports
from inspector.report.messages import load_messages

LANGS = ("en", "zh_CN", "ru", "ug")
# The verdict's band on page 1 (report.css .verdict-implant-found background #fdeceb).
VERDICT_BACKGROUND = (0xFD, 0xEC, 0xEB)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_pdf_engine()
    require_tools("pdftotext", "pdfinfo", "pdftoppm")
    out = artifacts_dir(tmp_path_factory, "report-pdf")
    made = {}
    for lang in LANGS:
        written = write_reports(timeline_result(), out / lang, formats=("pdf",), lang=lang)
        assert not written.problems
        made[lang] = written["pdf"]
    return made


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_reads_in_its_language(pdfs: dict[str, Path], lang: str) -> None:
    path = pdfs[lang]
    assert path.read_bytes().startswith(b"%PDF-")
    pages = pdf_pages(path)
    assert 2 <= pages <= 20, pages
    text = pdf_text(path)
    messages = load_messages(lang)
    headline = " ".join(messages.text("verdict.implant_found.headline").split())
    assert headline.replace(" ", "") in text.replace(" ", ""), text[:400]
    assert messages.text("ui.heading.todo") in text
    # Page numbers read "1 / N" even on a right-to-left page.
    assert re.search(rf"(?<!\d)1 ?/ ?{pages}(?!\d)", text), text[-200:]
    assert messages.text("ui.title") in pdf_info(path).get("Title", "")
    # The expert annex is open on paper.
    assert "bxaq.leftover.cjlog" in text and "2" * 32 in text.replace(" ", "")


def test_pdf_first_page_starts_with_the_verdict_colour(pdfs: dict[str, Path], tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image")  # Pillow comes with WeasyPrint
    for lang in ("en", "ug"):
        (page,) = pdf_to_png(pdfs[lang], tmp_path / lang if (tmp_path / lang).mkdir() is None else tmp_path)
        image = image_module.open(page).convert("RGB")
        width, height = image.size
        top = [image.getpixel((x, y)) for y in range(0, height // 4, 4) for x in range(0, width, 8)]
        band = sum(1 for pixel in top if all(abs(a - b) <= 3 for a, b in zip(pixel, VERDICT_BACKGROUND, strict=True)))
        assert band > len(top) // 10, f"{lang}: the verdict's colour is not at the top of page 1"
        # Right to left: the verdict's coloured edge is on the right for Uyghur, on the left for English.
        row = height // 12
        edge = [x for x in range(width) if image.getpixel((x, row))[0] > 150 and image.getpixel((x, row))[1] < 80]
        assert edge, lang
        assert (edge[0] > width / 2) == (lang == "ug"), (lang, edge[0], width)


def test_pdf_engine_missing_still_writes_html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails
    written = write_reports(make_result(), tmp_path, formats=("html", "pdf", "json"))
    assert set(written) == {"html", "json"}
    assert "WeasyPrint" in written.problems["pdf"] and "apt-get install" in written.problems["pdf"]
    assert (tmp_path / "report.html").is_file() and not (tmp_path / "report.pdf").exists()


def test_pdf_engine_is_never_allowed_to_fetch(caplog: pytest.LogCaptureFixture) -> None:
    require_pdf_engine()
    import weasyprint

    from inspector.report.pdf import _url_fetcher

    page = (
        '<html><head><style>body { background: url("http://127.0.0.1:9/bg.png") }</style></head>'
        '<body><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">text</body></html>'
    )
    with caplog.at_level(logging.WARNING, logger="inspector.report.pdf"):
        pdf = weasyprint.HTML(string=page, url_fetcher=_url_fetcher(weasyprint)).write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert "http://127.0.0.1:9/x.png" in caplog.text and "file:///etc/passwd" in caplog.text


def test_pdf_of_hostile_and_markup_input(tmp_path: Path) -> None:
    require_pdf_engine()
    require_tools("pdftotext")
    for name, result in (("hostile", hostile_result()), ("markup", markup_result())):
        written = write_reports(result, tmp_path / name, formats=("pdf",), lang="en")
        text = pdf_text(written["pdf"])
        assert "<script>" in text or "&lt;script&gt;" not in text
        if name == "markup":
            assert "onerror=alert(1)>" in text  # shown as text, inert


def test_redacted_pdf_hides_file_names(tmp_path: Path) -> None:
    require_pdf_engine()
    require_tools("pdftotext")
    written = write_reports(timeline_result(), tmp_path, formats=("pdf",), redact=True)
    assert written["pdf"].name == "report-redacted.pdf"
    text = pdf_text(written["pdf"])
    assert "notes.pdf" not in text and "/sdcard/Download/[redacted].pdf" in text
    assert "This is a redacted copy" in text


def test_a_missing_tool_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import report_tools

    monkeypatch.setattr(report_tools, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception):
        report_tools.require(False, "no such tool")
    monkeypatch.setattr(report_tools, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        report_tools.require(False, "no such tool")
    report_tools.require(True, "present")  # nothing happens
