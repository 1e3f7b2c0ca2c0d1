"""The gettext catalogs of the report (reports/locale/): complete in every shipped language, in step
with the English source, compiled, and covering every message key the code and templates use.

When a test here fails after you added or changed English text in reports/messages/en.yaml:
run ``python scripts/update_catalogs.py`` and translate what it lists (docs/report.md).
"""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest
import yaml
from report_results import VERDICTS, make_result, timeline_result

from inspector.report import render_html
from inspector.report.catalogs import (
    english_source,
    languages,
    placeholders,
    po_path,
    read_catalog,
    translation_problems,
    update_catalogs,
)
from inspector.report.messages import (
    available_languages,
    fallback_chain,
    is_rtl,
    load_messages,
    locale_dir,
    system_lang,
)
from inspector.resources import reports_dir, signatures_dir

PACKAGE = Path(__import__("inspector").__file__).resolve().parent
SHIPPED = ("en", "zh_CN", "ru", "ug")
TRANSLATIONS = tuple(lang for lang in SHIPPED if lang != "en")
KEY_PREFIXES = (
    "verdict",
    "todo",
    "ui",
    "finding",
    "check",
    "when",
    "advice",
    "severity",
    "confidence",
    "takes",
    "artifact",
    "helpline",
    "platform",
    "redaction",
    "timeline",
)
_KEY_RE = re.compile(rf"^(?:{'|'.join(KEY_PREFIXES)})(?:\.[A-Za-z0-9_]+)+$")


def test_the_shipped_languages_are_there() -> None:
    assert set(SHIPPED) <= set(languages())
    assert set(SHIPPED) <= set(available_languages())  # compiled .mo files, also in an installed wheel
    assert is_rtl("ug") and not is_rtl("zh_CN") and not is_rtl("ru")


def test_catalogs_are_in_step_with_the_english_source() -> None:
    outcome = update_catalogs(reports_dir(), check=True)
    assert outcome.up_to_date, (
        "out of date: " + ", ".join(str(p) for p in outcome.changed) + " — run python scripts/update_catalogs.py"
    )


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_language_has_every_english_key(lang: str) -> None:
    problems = translation_problems(lang)
    assert not problems.missing, f"{lang} lacks a translation of: {problems.missing}"
    assert not problems.fuzzy, f"{lang}: English changed since these were translated (review them): {problems.fuzzy}"
    assert not problems.placeholders, f"{lang}: placeholders differ from English: {problems.placeholders}"
    assert not problems.lines, f"{lang}: lists with another number of steps than English: {problems.lines}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_translations_are_marked_for_native_review(lang: str) -> None:
    catalog = read_catalog(po_path(locale_dir(), lang), lang)
    header = catalog.header_comment
    assert "MACHINE-ASSISTED" in header and "native speaker" in header


def test_a_catalog_missing_a_key_fails_the_check(tmp_path: Path) -> None:
    """The check above is not vacuous: a catalog without an English key is reported."""
    reports = tmp_path / "reports"
    (reports / "messages").mkdir(parents=True)
    source = (reports_dir() / "messages" / "en.yaml").read_text(encoding="utf-8")
    (reports / "messages" / "en.yaml").write_text(source + '\nui.brand_new: "A new {thing}."\n', encoding="utf-8")
    po = po_path(reports / "locale", "ru")
    po.parent.mkdir(parents=True)
    po.write_bytes(po_path(locale_dir(), "ru").read_bytes())
    assert not update_catalogs(reports, check=True).up_to_date
    update_catalogs(reports)
    problems = translation_problems("ru", reports)
    assert problems.missing == ["ui.brand_new"]
    # A changed English text makes its translation "fuzzy" (needs review), not silently stale.
    (reports / "messages" / "en.yaml").write_text(
        source.replace('ui.title: "Phone check report"', 'ui.title: "Report of the phone check"'), encoding="utf-8"
    )
    update_catalogs(reports)
    assert "ui.title" in translation_problems("ru", reports).fuzzy
    assert load_messages("ru", reports / "locale").text("ui.title") == "Report of the phone check"


# --- keys used by the code and templates ------------------------------------------------------


def _python_keys() -> tuple[set[str], set[str]]:
    """Message keys in inspector/**/*.py: literal ones, and patterns from f-strings (``finding.x.*.title``)."""
    literal: set[str] = set()
    patterns: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _KEY_RE.match(node.value):
                literal.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[A-Za-z0-9_]+" for v in node.values]
                pattern = "".join(parts)
                head = node.values[0]
                if (
                    isinstance(head, ast.Constant)
                    and isinstance(head.value, str)
                    and head.value.split(".")[0] in KEY_PREFIXES
                    and "." in head.value
                    and " " not in head.value
                ):
                    patterns.add(pattern)
    return literal, patterns


def _template_keys() -> set[str]:
    keys = set()
    for path in (reports_dir() / "templates").rglob("*.j2"):
        keys |= set(re.findall(r"""\bt\(\s*["']([^"']+)["']""", path.read_text(encoding="utf-8")))
    return keys


def _data_keys() -> set[str]:
    """Keys named by data: what implants can take, helplines, verdicts, severities, the checks."""
    keys = {f"verdict.{v}.{part}" for v in VERDICTS for part in ("headline", "detail")}
    keys |= {f"todo.{v}" for v in VERDICTS}
    keys |= {f"severity.{s}" for s in ("critical", "high", "medium", "low", "info")}
    keys |= {f"advice.{s}" for s in ("critical", "high", "medium", "low", "info")}
    keys |= {f"confidence.{c}" for c in ("verified", "high", "medium", "low")}
    for path in (signatures_dir() / "implants").glob("*.yaml"):
        family = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys |= {f"takes.{item}" for item in family.get("takes") or []}
    helplines = yaml.safe_load((reports_dir() / "helplines.yaml").read_text(encoding="utf-8"))["helplines"]
    keys |= {f"helpline.{entry['id']}.description" for entry in helplines}
    for path in (PACKAGE / "analyze" / "checks").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        names = re.findall(r'^NAME = "([a-z_]+)"', text, re.M) + re.findall(r'CheckOutcome\(\s*"([a-z_]+)"', text)
        keys |= {f"check.{name}" for name in names}
    # Timeline events the analysis writes: Event(time, "<kind>", …) and ("…_time", "<kind>") pairs.
    for path in (PACKAGE / "analyze").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Event" and len(node.args) > 1:
                kind = node.args[1]
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    keys.add(f"timeline.{kind.value}")
            if (
                isinstance(node, ast.Tuple)
                and len(node.elts) == 2
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
                and node.elts[0].value.endswith("_time")
                and path.name == "timeline.py"
            ):
                keys.add(f"timeline.{node.elts[1].value}")
    return keys


def test_english_has_every_key_the_code_and_templates_use() -> None:
    english = english_source()
    literal, patterns = _python_keys()
    used = (literal | _template_keys() | _data_keys()) - {"check.indicators.without_indicators"}
    missing = sorted(k for k in used if k not in english)
    assert not missing, f"reports/messages/en.yaml lacks: {missing}"
    unmatched = sorted(p for p in patterns if not any(re.fullmatch(p, k) for k in english))
    assert not unmatched, f"no English key matches these keys built by the code: {unmatched}"


def test_placeholders_parse() -> None:
    assert placeholders("{a} {{b}} {c_time}") == {"a", "c_time"}


# --- language choice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ru_RU.UTF-8"}, "ru_RU"),
        ({"LANGUAGE": "ug:en", "LANG": "en_US.UTF-8"}, "ug"),
        ({"LC_MESSAGES": "ug_CN.UTF-8@latin"}, "ug_CN"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({}, "en"),
    ],
)
def test_the_system_language_is_read_like_gettext_does(environ: dict[str, str], expected: str) -> None:
    assert system_lang(environ) == expected


def test_regional_tags_find_their_catalog() -> None:
    assert load_messages("ru_RU").lang == "ru"
    assert load_messages("ug_CN").lang == "ug"
    assert load_messages("zh").lang == "zh_CN"
    assert fallback_chain("zh_Hans_CN")[:3] == ["zh_Hans_CN", "zh_CN", "zh_Hans"]
    assert load_messages("zh-Hans-CN").lang == "zh_CN"
    assert load_messages("zh_TW").lang == "en"  # Traditional Chinese is not Simplified: English, not zh_CN


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_language_renders_without_a_missing_key(lang: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="inspector.report.messages"):
        for result in (make_result(), timeline_result(), make_result("nothing_found", [])):
            page = render_html(result, lang=lang)
    assert "no text for message key" not in caplog.text.replace("brand_new_event", "")
    tag = lang.replace("_", "-")
    direction = "rtl" if lang == "ug" else "ltr"
    assert f'<html lang="{tag}" dir="{direction}">' in page
    if lang != "en":
        assert load_messages(lang).text("ui.title") not in (load_messages("en").text("ui.title"),)
        assert load_messages(lang).text("ui.title") in page
