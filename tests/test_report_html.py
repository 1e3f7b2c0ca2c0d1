"""The HTML and JSON reports, built from result documents made here (no acquisition needed).

The hostile strings are what a device can hand us: markup in a package name, quotes, newlines,
bytes that are not UTF-8 (``\\udcff`` after surrogateescape decoding), bidi overrides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from report_results import HOSTILE, VERDICTS, hostile_result, make_result

from inspector.report import REPORT_FILES, render_html, render_json, write_reports
from inspector.report.catalogs import compile_mo, read_catalog
from inspector.report.messages import FSI, PDI, Messages, fallback_chain, load_messages, locale_dir, normalize_lang

REPO = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO / "docs" / "result.schema.json"


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        # Bidi isolates around values are invisible: compare what a reader sees.
        self.text.append(data.replace(FSI, "").replace(PDI, ""))


ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "header",
    "section",
    "article",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "span",
    "strong",
    "ol",
    "ul",
    "li",
    "dl",
    "dt",
    "dd",
    "div",
    "details",
    "summary",
    "table",
    "caption",
    "tr",
    "th",
    "td",
    "pre",
}
ALLOWED_ATTRS = {"lang", "dir", "charset", "name", "content", "http-equiv", "class", "id", "scope"}


def parse(page: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(page)
    collector.close()
    return collector


def section(page: str, section_id: str) -> str:
    """The text of one <section> of the page."""
    html = page.split(f'<section id="{section_id}">', 1)[1].split("</section>", 1)[0]
    return " ".join(parse(html).text)


def assert_no_requests(page: str) -> None:
    """Nothing on the page can make a request: no script at all, no tag that loads or links, no
    CSS import or url(). Text is inert (its "<" is escaped), so only real tags are inspected."""
    lower = page.lower()
    assert "<script" not in lower
    for tag in re.findall(r"<[^>]*>", lower):
        assert not re.match(r"<(link|img|iframe|frame|object|embed|base|form|svg|video|audio|source|track)\b", tag), tag
        for needle in ("src=", "href=", "srcset", "action=", "data=", "http:", "https:", "refresh"):
            assert needle not in tag, tag
    css = lower.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "@import" not in css and "url(" not in css


# --- verdicts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", VERDICTS)
def test_each_verdict_renders_its_sentence_and_colour(verdict: str) -> None:
    findings = None if verdict in ("implant_found", "needs_review") else []
    page = render_html(make_result(verdict, findings))
    messages = load_messages("en")
    headline = messages.text(f"verdict.{verdict}.headline")
    assert headline != f"verdict.{verdict}.headline"
    assert f"<h1>{escape(headline)}</h1>" in page
    assert str(escape(messages.text(f"verdict.{verdict}.detail"))) in page
    assert f'class="verdict verdict-{verdict.replace("_", "-")}"' in page
    for step in messages.lines(f"todo.{verdict}"):
        assert str(escape(step)) in page
    # The other verdicts' sentences are not on the page.
    for other in VERDICTS:
        if other != verdict:
            assert str(escape(messages.text(f"verdict.{other}.headline"))) not in page


def test_nothing_found_says_what_it_does_not_mean() -> None:
    page = render_html(make_result("nothing_found", []))
    assert "not a guarantee" in page
    assert str(escape(load_messages().text("ui.findings.none"))) in page


def test_unknown_verdict_is_shown_as_incomplete(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        page = render_html(make_result("something_new", []))
    assert "verdict-incomplete" in page
    assert "something_new" in caplog.text


# --- findings and coverage ----------------------------------------------------------------------


def test_finding_cards_use_everyday_words_and_params() -> None:
    page = render_html(make_result())
    text = " ".join(parse(page).text)
    assert "A known surveillance app is installed on this phone" in text
    assert 'The app "com.fiberhome.wifiaudit" is installed on this phone. It is BXAQ' in text
    assert "A file left behind by BXAQ was found" in text
    assert "It was last changed at 2026-11-21 10:00 UTC" in text
    assert "The phone was probably checked at: 2026-11-21 09:58 UTC" in text
    # finding.time equals modified_time: said once, in the specific words.
    assert "It happened at" not in text
    assert "Very serious" in text and "Certain:" in text
    # Most serious first.
    assert text.index("A known surveillance app") < text.index("A file left behind")
    # Expert annex: rule ids, hashes, versions, hashed serial, hashes.csv hash.
    for expected in ("bxaq.package.installed", "1" * 64, "2026.11.0", "b" * 64, "c" * 64, "acq-20261122-0100"):
        assert expected in page
    assert page.count("<details") == 1


def test_what_the_tool_can_take_is_listed() -> None:
    text = " ".join(parse(render_html(make_result())).text)
    assert "What this tool can take from a phone" in text
    assert "contacts, text messages, call history, new_kind_of_data" in text


def test_a_missing_time_uses_the_sentence_written_without_it(caplog: pytest.LogCaptureFixture) -> None:
    result = make_result()
    leftover = result["findings"][1]
    leftover["params"]["modified_time"] = None
    leftover["time"] = None
    with caplog.at_level(logging.WARNING):
        text = " ".join(parse(render_html(result)).text)
    assert "the file often stays after the tool itself has been removed." in text
    assert "last changed" not in text and "unknown" not in text
    assert caplog.text == ""


def test_coverage_gaps_are_listed() -> None:
    result = make_result("incomplete", [])
    result["coverage"][1] = {"check": "leftover_files", "status": "skipped", "reason": "files.json missing"}
    result["acquisition"]["complete"] = False
    result["acquisition"]["artifacts"][1] = {"name": "files.json", "status": "failed", "error": "device closed"}
    result["inventory"]["apks_analyzed"] = 1
    page = render_html(result)
    text = " ".join(parse(page).text)
    checked = section(page, "checked")
    not_checked = section(page, "not-checked")
    assert "known surveillance apps" in checked
    assert "leave behind" not in checked
    assert "leave behind" in not_checked and "Why: files.json missing" in not_checked
    assert "was not finished" in not_checked
    assert "could not be copied from the phone: the list of files on the phone (files.json)" in not_checked
    assert "3 of the 4 app files" in not_checked
    assert "device closed" in text[text.index("Details for experts") :]
    assert "device closed" not in not_checked  # technical errors stay in the annex


def test_helplines_are_text_not_links() -> None:
    page = render_html(make_result())
    assert "help@accessnow.org" in page
    assert "https://www.accessnow.org/help/" in page
    assert "Amnesty" in page
    assert_no_requests(page)


# --- hostile input ------------------------------------------------------------------------------


def test_hostile_strings_render_inert() -> None:
    page = render_html(hostile_result())
    page.encode("utf-8")  # lone surrogates are gone, the page is writable
    assert_no_requests(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;" in page
    assert "\ufffd" in page
    collector = parse(page)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, _value in attrs:
            assert name in ALLOWED_ATTRS, (tag, name)
    assert page.count("<details") == 1 and page.count("</details>") == 1
    assert page.count("<style>") == 1 and page.count("</style>") == 1


def test_bidi_and_control_characters_are_made_visible() -> None:
    result = make_result()
    result["findings"][0]["subject"] = "com.evil\u202egnp.exe\x1b[31m"
    page = render_html(result)
    assert "\u202e" not in page and "\x1b" not in page
    assert "com.evil[U+202E]gnp.exe[U+001B][31m" in page


def test_content_security_policy_allows_only_the_inline_style() -> None:
    page = render_html(make_result())
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert match is not None
    policy = match.group(1)
    assert "default-src &#39;none&#39;" in policy or "default-src 'none'" in policy
    assert digest in policy


# --- message catalogs ---------------------------------------------------------------------------


def test_unknown_message_key_falls_back_to_the_key(caplog: pytest.LogCaptureFixture) -> None:
    finding = make_result()["findings"][0]
    finding.update(title="finding.brand_new.title", explanation="finding.brand_new.explanation")
    with caplog.at_level(logging.WARNING, logger="inspector.report.messages"):
        page = render_html(make_result(findings=[finding]))
    assert "<h3>finding.brand_new.title</h3>" in page
    assert "finding.brand_new.explanation" in page
    assert "finding.brand_new.title" in caplog.text


def test_unknown_check_name_falls_back_to_the_key(caplog: pytest.LogCaptureFixture) -> None:
    result = make_result()
    result["coverage"].append({"check": "brand_new_check", "status": "ran", "reason": None})
    with caplog.at_level(logging.WARNING):
        page = render_html(result)
    assert "check.brand_new_check" in page
    assert "check.brand_new_check" in caplog.text


def test_every_known_key_has_english_text() -> None:
    messages = load_messages("en")
    keys = [
        f"finding.{kind}.{part}"
        for kind in ("known_package.installed", "known_package.kept_data", "leftover_file")
        for part in ("title", "explanation")
    ] + ["check.known_packages", "check.leftover_files"]
    keys += [f"verdict.{v}.{part}" for v in VERDICTS for part in ("headline", "detail")]
    keys += [f"todo.{v}" for v in VERDICTS]
    for key in keys:
        assert messages.has(key), key


def test_second_catalog_falls_back_to_english_per_key(tmp_path: Path) -> None:
    """A half-translated gettext catalog: what it has is used, the rest is English, key by key."""
    english = locale_dir() / "en" / "LC_MESSAGES"
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "inspector.mo").write_bytes((english / "inspector.mo").read_bytes())
    catalog = read_catalog(locale_dir() / "zh_CN" / "LC_MESSAGES" / "inspector.po", "zh_CN")
    for message in catalog:
        if message.id and message.id != "ui.title":
            message.string = ""  # untranslated: left out of the .mo
    catalog["ui.heading.todo"].string = "现在该做什么"
    catalog["ui.heading.todo"].flags.add("fuzzy")  # needs review: left out too
    (tmp_path / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "zh_CN" / "LC_MESSAGES" / "inspector.mo").write_bytes(compile_mo(catalog))
    messages = Messages.load("zh-cn", tmp_path)
    assert messages.lang == "zh_CN"
    assert messages.text("ui.title") == "手机检查报告"
    assert messages.text("ui.heading.todo") == "What to do now"
    assert messages.text("verdict.nothing_found.headline").startswith("We found no trace")
    assert messages.source_lang("ui.title") == "zh_CN" and messages.source_lang("ui.heading.todo") == "en"
    # In a page, an English sentence inside another language is isolated, so it keeps its order.
    isolating = messages.with_options(isolate=True)
    assert isolating.text("ui.heading.todo") == FSI + "What to do now" + PDI
    assert isolating.text("ui.title") == "手机检查报告"


def test_language_tags_cannot_name_other_files() -> None:
    assert normalize_lang("../../etc/passwd") == "en"
    assert normalize_lang("zh-hant-tw") == "zh_Hant_TW"
    assert fallback_chain("pt_BR") == ["pt_BR", "pt", "en"]
    # A language without a catalog renders in English, and says so in its lang attribute.
    page = render_html(make_result(), lang="sw")
    assert "What to do now" in page
    assert '<html lang="en" dir="ltr">' in page


def test_catalog_placeholders_only_name_parameters() -> None:
    messages = load_messages("en")
    text = messages._fill("k", "{a} {{literal}} {b.__class__} {missing}", {"a": "x", "b": object()})
    assert text == "x {literal} {b.__class__} unknown"


# --- JSON ---------------------------------------------------------------------------------------


def _mini_validate(schema: dict[str, Any], value: Any, root: dict[str, Any], where: str = "$") -> None:
    """The subset of JSON Schema that docs/result.schema.json uses, for machines without jsonschema."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        _mini_validate(target, value, root, where)
        return
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        python = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
        ok = any(
            (isinstance(value, int) and not isinstance(value, bool)) if n == "integer" else isinstance(value, python[n])
            for n in names
        )
        assert ok, f"{where}: {value!r} is not {names}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, str):
        if "pattern" in schema:
            assert re.search(schema["pattern"], value), f"{where}: {value!r} !~ {schema['pattern']}"
        assert len(value) >= schema.get("minLength", 0), where
    if isinstance(value, int) and "minimum" in schema:
        assert value >= schema["minimum"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _mini_validate(sub, value[key], root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _mini_validate(schema["items"], item, root, f"{where}[{i}]")


def validate_against_schema(document: Any) -> str:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    try:
        import jsonschema
    except ImportError:
        # jsonschema is not a dependency: check with the subset validator above instead.
        _mini_validate(schema, document, schema)
        return "mini"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    _mini_validate(schema, document, schema)
    return "jsonschema"


@pytest.mark.parametrize("verdict", VERDICTS)
def test_json_report_validates_against_the_schema(verdict: str) -> None:
    document = json.loads(render_json(make_result(verdict)))
    validate_against_schema(document)


def test_schema_rejects_what_it_should() -> None:
    for broken in (
        {k: v for k, v in make_result().items() if k != "verdict"},
        {**make_result(), "verdict": "maybe"},
        {**make_result(), "generated_at": "yesterday"},
    ):
        with pytest.raises(Exception):  # noqa: B017 - AssertionError or jsonschema.ValidationError
            validate_against_schema(broken)
    bad_finding = make_result()
    bad_finding["findings"][0]["severity"] = "apocalyptic"
    with pytest.raises(Exception):  # noqa: B017
        validate_against_schema(bad_finding)


def test_json_report_is_stable_utf8_and_readable() -> None:
    result = hostile_result()
    result["device"]["model"] = "红米 Note 11"
    text = render_json(result)
    data = text.encode("utf-8")  # lone surrogates replaced
    assert "红米 Note 11" in text  # ensure_ascii=False
    assert text.endswith("\n")
    document = json.loads(data)
    assert list(document)[:4] == ["schema_version", "tool", "generated_at", "verdict"]
    assert list(document["findings"][0])[:3] == ["rule_id", "family", "severity"]
    assert document["findings"][0]["subject"] == HOSTILE.replace("\udcff", "\ufffd")
    # Same document in another insertion order → same bytes.
    shuffled = dict(reversed(list(result.items())))
    assert render_json(shuffled) == text
    validate_against_schema(json.loads(render_json(make_result())))


def test_json_report_keeps_unknown_fields() -> None:
    result = make_result()
    result["added_in_1_1"] = {"z": 1, "a": 2}
    document = json.loads(render_json(result))
    assert list(document["added_in_1_1"]) == ["a", "z"]
    assert list(document)[-1] == "added_in_1_1"


# --- writing ------------------------------------------------------------------------------------


def test_write_reports_writes_both_files_atomically(tmp_path: Path) -> None:
    out = tmp_path / "out" / "case-1"
    written = write_reports(hostile_result(), out)
    assert written == {"html": out / "report.html", "json": out / "report.json"}
    assert written.problems == {}
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]  # no temp files left
    assert "<html" in written["html"].read_text(encoding="utf-8")
    json.loads(written["json"].read_bytes())
    assert (written["html"].stat().st_mode & 0o777) == 0o600

    # Rewriting replaces the files; an unknown format writes nothing.
    write_reports(make_result("nothing_found", []), out, formats=("json",))
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["verdict"] == "nothing_found"
    with pytest.raises(ValueError):
        write_reports(make_result(), tmp_path / "other", formats=("html", "docx"))
    assert not (tmp_path / "other").exists()
    assert REPORT_FILES == {"html": "report.html", "pdf": "report.pdf", "json": "report.json"}


def test_minimal_document_does_not_crash() -> None:
    page = render_html({"verdict": "incomplete"})
    assert "We could not finish checking this phone" in page
    assert_no_requests(page)
    json.loads(render_json({"verdict": "incomplete", "when": __import__("datetime").datetime(2026, 1, 1)}))


def test_report_does_not_import_acquisition_simulator_or_cli() -> None:
    code = (
        "import sys, inspector.report, inspector.store;"
        "bad = [m for m in sys.modules if m.startswith(('inspector.acquire', 'inspector.simulator', 'inspector.cli'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    # The child imports the same inspector as this test (the installed one in CI, else the checkout).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
