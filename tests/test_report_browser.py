"""The HTML report as a person sees it: Debian's headless Chromium opens the demo report and fixture
results at a phone's width (390 px) and a desktop's (1280 px), in English, Chinese, Russian and
Uyghur (right to left), and checks what a reader would notice: nothing sticks out sideways, the
verdict is visible without scrolling, Uyghur runs right to left, the page asks the network for
nothing, headings are in order and the verdict's colours are readable.

Driven over the DevTools protocol (tests/headless_chromium.py). Skips without chromium locally,
fails without it in CI. Screenshots go to $INSPECTOR_TEST_ARTIFACTS/report-browser when set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from headless_chromium import Browser, Page, find_chromium
from report_results import VERDICTS, large_result, make_result, markup_result, timeline_result
from report_tools import artifacts_dir, require

from inspector.report import render_html, write_reports
from inspector.report.messages import load_messages

LANGS = ("en", "zh_CN", "ru", "ug")
PHONE = (390, 844)
DESKTOP = (1280, 800)
EXE = Path(sys.executable).parent / "inspector"

# Every box and every run of text must lie inside the viewport: an element can be narrow enough while
# a long word in it runs past its edge, so text nodes are measured too.
OVERFLOW_JS = """(() => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  const outside = r => (r.width || r.height) && (r.right > width + 0.5 || r.left < -0.5);
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (outside(r)) bad.push(`${el.tagName}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (outside(r)) {
        bad.push(`text "${node.textContent.slice(0, 40)}" ${Math.round(r.left)}..${Math.round(r.right)}`);
        break;
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, bad: bad.slice(0, 10)};
})()"""


@pytest.fixture(scope="module")
def browser() -> Browser:
    binary = find_chromium()
    require(binary is not None, "no chromium (Debian: apt-get install chromium)")
    instance = Browser(binary)
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Page:
    tab = browser.new_page()
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return artifacts_dir(tmp_path_factory, "report-browser")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo phone's report in every language, and fixture results, as HTML files."""
    root = tmp_path_factory.mktemp("browser-reports")
    scan = subprocess.run(
        [str(EXE), "scan", "--demo", "--out", str(root / "demo"), "--no-store", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert scan.returncode == 1, scan.stderr
    demo = json.loads((root / "demo" / "report.json").read_text(encoding="utf-8"))
    made = {}
    for lang in LANGS:
        made[f"demo-{lang}"] = write_reports(demo, root / f"demo-{lang}", formats=("html",), lang=lang)["html"]
        made[f"timeline-{lang}"] = write_reports(
            timeline_result(), root / f"timeline-{lang}", formats=("html",), lang=lang
        )["html"]
    made["large-en"] = write_reports(large_result(), root / "large", formats=("html",))["html"]
    made["large-ug"] = write_reports(large_result(), root / "large-ug", formats=("html",), lang="ug")["html"]
    made["markup-en"] = write_reports(markup_result(), root / "markup", formats=("html",))["html"]
    for verdict in VERDICTS:
        findings = None if verdict in ("implant_found", "needs_review") else []
        made[f"verdict-{verdict}"] = write_reports(make_result(verdict, findings), root / verdict, formats=("html",))[
            "html"
        ]
    return made


def load(page: Page, path: Path, size: tuple[int, int]) -> list[str]:
    """Open a report at a viewport size; return the URLs of every request except the page itself."""
    page.set_viewport(*size, mobile=size[0] < 600)
    before = len(page.requests())
    page.open(path.as_uri())
    return [url for url in page.requests()[before:] if url != path.as_uri()]


def assert_no_overflow(page: Page, what: str) -> None:
    layout = page.evaluate(OVERFLOW_JS)
    assert layout["scrollWidth"] <= layout["width"], (what, layout)
    assert not layout["bad"], (what, layout["bad"])


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_demo_report_fits_and_shows_the_verdict_first(
    page: Page, reports: dict[str, Path], shots: Path, lang: str, size: tuple[int, int]
) -> None:
    requests = load(page, reports[f"demo-{lang}"], size)
    assert requests == [], requests
    what = f"demo {lang} {size[0]}px"
    assert_no_overflow(page, what)
    verdict = page.evaluate("""(() => {
      const h = document.querySelector('h1'), header = h.closest('header');
      const first = document.querySelector('body h1, body h2, body h3');
      return {top: header.getBoundingClientRect().top, bottom: h.getBoundingClientRect().bottom,
              detailBottom: header.querySelector('p:not(.meta)').getBoundingClientRect().bottom,
              height: innerHeight, firstIsVerdict: first === h, text: h.textContent};
    })()""")
    assert verdict["firstIsVerdict"], what
    assert verdict["top"] <= 1, what
    assert verdict["bottom"] <= verdict["height"], (what, verdict)  # the verdict sentence is above the fold
    assert verdict["text"] == load_messages(lang).text("verdict.implant_found.headline")
    page.screenshot(shots / f"demo-{lang}-{'phone' if size == PHONE else 'desktop'}.png")
    # The expert annex, opened, must not stick out either (hashes, long paths, excerpts).
    page.evaluate("document.querySelector('details').open = true")
    assert_no_overflow(page, what + " (annex open)")


@pytest.mark.parametrize("name", ["timeline-en", "timeline-ug", "large-en", "large-ug", "markup-en"])
def test_fixture_results_fit_on_a_phone(page: Page, reports: dict[str, Path], shots: Path, name: str) -> None:
    assert load(page, reports[name], PHONE) == []
    page.evaluate("document.querySelector('details').open = true")
    assert_no_overflow(page, name)
    if name.startswith("timeline"):
        page.screenshot(shots / f"{name}-phone-full.png", full_page=True)


def test_fonts_for_every_script_are_installed_and_used(browser: Browser, page: Page, reports: dict[str, Path]) -> None:
    """The glyphs come from a font that has them (no empty boxes): CJK and Arabic-script fonts."""
    expected = {"zh_CN": re.compile(r"CJK|Hei|Han", re.I), "ug": re.compile(r"Arab|Naskh|UKIJ|Uighur|Tahoma", re.I)}
    for lang, pattern in expected.items():
        load(page, reports[f"demo-{lang}"], PHONE)
        root = page.send("DOM.getDocument")["root"]["nodeId"]
        node = page.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
        page.send("CSS.enable")
        fonts = page.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used = {f["familyName"]: f["glyphCount"] for f in fonts}
        assert any(pattern.search(name) and count > 10 for name, count in used.items()), (lang, used)


# --- right to left ---------------------------------------------------------------------------


RTL_JS = """(() => {
  const h = document.querySelector('h1'), header = h.closest('header');
  const range = document.createRange();
  range.setStart(h.firstChild, 0); range.setEnd(h.firstChild, 1);
  const first = range.getBoundingClientRect(), box = h.getBoundingClientRect(), hs = getComputedStyle(header);
  const li = document.querySelector('.checklist li'), ls = getComputedStyle(li);
  const path = [...document.querySelectorAll('.card .device-text')].find(e => e.textContent.startsWith('/'));
  const pathBox = path.getBoundingClientRect();
  const dd = path.closest('dd').getBoundingClientRect();
  return {htmlDir: document.documentElement.dir, lang: document.documentElement.lang,
          direction: getComputedStyle(h).direction, firstCharLeft: first.left, firstCharRight: first.right,
          boxLeft: box.left, boxRight: box.right,
          borderLeft: parseFloat(hs.borderLeftWidth), borderRight: parseFloat(hs.borderRightWidth),
          markerSide: parseFloat(ls.paddingRight) > parseFloat(ls.paddingLeft) ? 'right' : 'left',
          pathDirection: getComputedStyle(path).direction, pathText: path.textContent,
          pathRight: pathBox.right, ddRight: dd.right, pathLeft: pathBox.left, ddLeft: dd.left};
})()"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_uyghur_runs_right_to_left_and_english_left_to_right(
    page: Page, reports: dict[str, Path], size: tuple[int, int]
) -> None:
    load(page, reports["demo-ug"], size)
    ug = page.evaluate(RTL_JS)
    assert (ug["htmlDir"], ug["lang"], ug["direction"]) == ("rtl", "ug", "rtl")
    # The verdict starts at the right edge: its first letter is drawn there.
    assert abs(ug["firstCharRight"] - ug["boxRight"]) <= 2, ug
    assert ug["borderRight"] > 0 and ug["borderLeft"] == 0, ug  # its coloured edge is on the right
    assert ug["markerSide"] == "right"
    # A Latin path inside stays left to right, and sits on the right like the rest of the line.
    assert ug["pathDirection"] == "ltr" and ug["pathText"].startswith("/")
    assert abs(ug["pathRight"] - ug["ddRight"]) <= 2, ug

    load(page, reports["demo-en"], size)
    en = page.evaluate(RTL_JS)
    assert (en["htmlDir"], en["direction"]) == ("ltr", "ltr")
    assert abs(en["firstCharLeft"] - en["boxLeft"]) <= 2, en
    assert en["borderLeft"] > 0 and en["borderRight"] == 0
    assert en["markerSide"] == "left"
    assert abs(en["pathLeft"] - en["ddLeft"]) <= 2, en


# --- no request, no script -----------------------------------------------------------------


def test_the_request_counter_sees_requests(page: Page, tmp_path: Path) -> None:
    """The control for "no request": a page that does load something is seen loading it."""
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png">'
        '<img src="https://inspector-test.invalid/x.png"></body></html>',
        encoding="utf-8",
    )
    requests = load(page, leaky, DESKTOP)
    assert "http://127.0.0.1:9/pixel.png" in requests and "https://inspector-test.invalid/x.png" in requests


def test_hostile_markup_stays_text_in_the_browser(page: Page, reports: dict[str, Path], tmp_path: Path) -> None:
    assert load(page, reports["markup-en"], DESKTOP) == []
    dom = page.evaluate("""({
      active: document.querySelectorAll('script, img, iframe, object, embed, svg, a, link, form, input, video, '
                                        + 'audio, base, meta[http-equiv=refresh]').length,
      title: document.title, styles: document.querySelectorAll('style').length, text: document.body.innerText})""")
    assert dom["active"] == 0 and dom["styles"] == 1, dom
    assert "pwned" not in dom["title"]
    assert '"><img src=x onerror=alert(1)>' in dom["text"]
    # Even if markup slipped into the page, the Content-Security-Policy would keep it from loading.
    page_html = render_html(make_result()).replace("<main>", '<main><img src="http://127.0.0.1:9/csp.png">', 1)
    sneaky = tmp_path / "sneaky.html"
    sneaky.write_text(page_html, encoding="utf-8")
    load(page, sneaky, DESKTOP)
    assert page.blocked().get("http://127.0.0.1:9/csp.png") == "csp"
    assert not page.evaluate("document.querySelector('img').naturalWidth")


# --- accessibility basics ------------------------------------------------------------------


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(v) for v in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    a, b = sorted((_luminance(_rgb(foreground)), _luminance(_rgb(background))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_contrast_formula() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 1) == 4.5


@pytest.mark.parametrize("verdict", VERDICTS)
def test_verdict_colours_are_readable(page: Page, reports: dict[str, Path], verdict: str) -> None:
    """WCAG AA (4.5:1) for the verdict sentence, its explanation and the small print on its colour,
    computed from the styles the browser applied."""
    load(page, reports[f"verdict-{verdict}"], PHONE)
    colours = page.evaluate("""(() => {
      const header = document.querySelector('header.verdict'), bg = getComputedStyle(header).backgroundColor;
      const pick = s => getComputedStyle(header.querySelector(s)).color;
      const badges = [...document.querySelectorAll('.badge')].map(b => [getComputedStyle(b).color,
                                                                      getComputedStyle(b).backgroundColor]);
      return {bg, h1: pick('h1'), detail: pick('p:not(.meta):not(.private)'), meta: pick('.meta'),
              priv: pick('.private'), badges, border: getComputedStyle(header).borderInlineStartColor};
    })()""")
    for part in ("h1", "detail", "meta", "priv"):
        assert contrast(colours[part], colours["bg"]) >= 4.5, (verdict, part, colours)
    for foreground, background in colours["badges"]:
        assert contrast(foreground, background) >= 4.5, (verdict, foreground, background)
    # The coloured edge is a colour, not the text colour: one colour per verdict.
    assert colours["border"] != colours["h1"]


def test_lang_dir_and_heading_order(page: Page, reports: dict[str, Path]) -> None:
    for name in [f"demo-{lang}" for lang in LANGS] + ["timeline-en", "verdict-nothing_found"]:
        load(page, reports[name], DESKTOP)
        info = page.evaluate("""({lang: document.documentElement.lang, dir: document.documentElement.dir,
            levels: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]),
            title: document.title, empty: [...document.querySelectorAll('h1,h2,h3,h4')].filter(
                h => !h.textContent.trim()).length})""")
        assert info["lang"] and info["dir"] in ("ltr", "rtl"), name
        assert info["title"].strip(), name
        levels = info["levels"]
        assert levels[0] == 1 and levels.count(1) == 1, (name, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (name, levels)
        assert info["empty"] == 0, name
