"""The report options of the command line: `scan`/`check` --format/--lang, and `inspector report`
(reports again from an acquisition folder, without the phone)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_results import make_result
from report_tools import pdf_text, require_pdf_engine, require_tools

from inspector.cli import main
from inspector.report.messages import load_messages

EXE = Path(sys.executable).parent / "inspector"


def run(*args: str, env_extra: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120", **(env_extra or {})}
    env.pop("LANGUAGE", None)
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=timeout, env=env)


def tree_digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(skip)
    }


@pytest.fixture(scope="module")
def demo_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo phone scanned once, reports in Simplified Chinese, PDF included."""
    folder = tmp_path_factory.mktemp("demo") / "scan"
    result = run("scan", "--demo", "--out", str(folder), "--no-store", "--format", "html,pdf,json", "--lang", "zh_CN")
    assert result.returncode == 1, result.stdout + result.stderr
    return folder


def test_scan_writes_the_formats_asked_in_the_language_asked(demo_scan: Path) -> None:
    page = (demo_scan / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN" dir="ltr">' in page
    assert load_messages("zh_CN").text("verdict.implant_found.headline") in page
    assert json.loads((demo_scan / "report.json").read_text(encoding="utf-8"))["verdict"] == "implant_found"
    if (demo_scan / "report.pdf").exists():
        require_tools("pdftotext")
        text = pdf_text(demo_scan / "report.pdf").replace(" ", "")
        assert load_messages("zh_CN").text("verdict.implant_found.headline") in text
    else:
        require_pdf_engine()  # no PDF is only acceptable when the engine is missing here
        pytest.fail("no report.pdf although the PDF engine loads")


def test_report_again_in_uyghur_from_report_json(demo_scan: Path, tmp_path: Path) -> None:
    before = tree_digest(demo_scan)
    result = run("report", str(demo_scan), "--lang", "ug", "--format", "html", "--out", str(tmp_path))
    assert result.returncode == 1, result.stderr  # same exit codes as `inspector check`
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ug" dir="rtl">' in page
    assert load_messages("ug").text("ui.heading.findings") in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert tree_digest(demo_scan) == before  # the acquisition is only read


def test_report_without_report_json_analyses_again_read_only(demo_scan: Path, tmp_path: Path) -> None:
    copy = tmp_path / "acq"
    subprocess.run(["cp", "-a", str(demo_scan), str(copy)], check=True)
    for name in ("report.json", "report.html", "report.pdf"):
        (copy / name).unlink(missing_ok=True)
    before = tree_digest(copy)
    out = tmp_path / "out"
    result = run("report", str(copy), "--format", "json,html", "--lang", "ru", "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "analysing the acquisition again" in result.stdout
    assert tree_digest(copy) == before
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert document["verdict"] == "implant_found"
    assert "Отчёт о проверке телефона" in (out / "report.html").read_text(encoding="utf-8")


def test_report_redacted_for_sharing(demo_scan: Path, tmp_path: Path) -> None:
    result = run("report", str(demo_scan), "--redact", "--format", "html,json", "--lang", "en", "--out", str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-redacted.html", "report-redacted.json"]
    for path in tmp_path.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "lecture notes" not in text
        assert "/sdcard/Download/[redacted].pdf" in text
    assert "lecture notes" not in result.stdout
    assert "check it before you share it" in result.stdout


def test_the_language_comes_from_the_system_when_not_given(demo_scan: Path, tmp_path: Path) -> None:
    result = run(
        "report",
        str(demo_scan),
        "--format",
        "html",
        "--out",
        str(tmp_path),
        env_extra={"LANG": "ru_RU.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert result.returncode == 1, result.stderr
    assert '<html lang="ru" dir="ltr">' in (tmp_path / "report.html").read_text(encoding="utf-8")
    unknown = run("report", str(demo_scan), "--format", "html", "--out", str(tmp_path), "--lang", "sw")
    assert unknown.returncode == 1 and "No translation for 'sw' yet" in unknown.stderr
    assert '<html lang="en" dir="ltr">' in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_bad_options_are_refused(demo_scan: Path, tmp_path: Path) -> None:
    bad_format = run("report", str(demo_scan), "--format", "html,docx", "--out", str(tmp_path))
    assert bad_format.returncode == 2 and "docx" in bad_format.stderr
    bad_lang = run("report", str(demo_scan), "--lang", "../../etc/passwd", "--out", str(tmp_path))
    assert bad_lang.returncode == 2 and "language tag" in bad_lang.stderr
    assert not list(tmp_path.iterdir())


def test_a_newer_or_broken_result_is_refused(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps({**make_result(), "schema_version": "2.0"}), encoding="utf-8")
    newer = run("report", str(tmp_path), "--format", "html")
    assert newer.returncode == 2 and "schema 2.0" in newer.stdout
    (tmp_path / "report.json").write_text("{not json", encoding="utf-8")
    broken = run("report", str(tmp_path), "--format", "html")
    assert broken.returncode == 2 and "inspector check" in broken.stdout
    assert not (tmp_path / "report.html").exists()


def test_check_takes_format_and_lang(demo_scan: Path, tmp_path: Path) -> None:
    copy = tmp_path / "acq"
    subprocess.run(["cp", "-a", str(demo_scan), str(copy)], check=True)
    (copy / "report.html").unlink()
    result = run("check", str(copy), "--no-store", "--format", "html", "--lang", "ug")
    assert result.returncode == 1, result.stderr
    assert '<html lang="ug" dir="rtl">' in (copy / "report.html").read_text(encoding="utf-8")
    headline = load_messages("ug").text("verdict.implant_found.headline")
    assert headline.split()[:3] == result.stdout.split()[:3]  # the terminal says it in the same language


def test_pdf_engine_missing_is_a_message_not_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "report.json").write_text(json.dumps(make_result()), encoding="utf-8")
    runner = CliRunner()
    with_engine = runner.invoke(main, ["report", str(tmp_path), "--format", "json", "--lang", "en"])
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    without = runner.invoke(
        main, ["report", str(tmp_path), "--format", "html,pdf", "--lang", "en", "--out", str(tmp_path / "out")]
    )
    assert without.exit_code == with_engine.exit_code == 1, without.output
    assert "No PDF report" in without.output and "WeasyPrint" in without.output
    assert "print it to PDF" in without.output
    assert (tmp_path / "out" / "report.html").is_file() and not (tmp_path / "out" / "report.pdf").exists()


def test_help_lists_the_report_command() -> None:
    top = run("--help")
    assert "report" in top.stdout
    help_text = run("report", "--help").stdout
    for word in ("--format", "--lang", "--redact", "--out"):
        assert word in help_text
    scan_help = run("scan", "--help").stdout
    assert "--format" in scan_help and "--lang" in scan_help
