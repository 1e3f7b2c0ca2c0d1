"""The crossing window and the timeline (optional 1.x fields ``window`` and ``timeline``): the
"What happened when" section, and each finding's place relative to the crossing."""

from __future__ import annotations

import json

from report_results import make_result, timeline_result
from test_report_html import parse, section

from inspector.report import render_html, render_json


def text_of(page: str) -> str:
    return " ".join(parse(page).text)


def card(page: str, anchor: str) -> str:
    html = page.split(f'id="{anchor}">', 1)[1].split("</article>", 1)[0]
    return " ".join(parse(html).text)


def test_timeline_section_in_the_crossing_time_zone() -> None:
    page = render_html(timeline_result())
    timeline = section(page, "timeline")
    assert "What happened when" in timeline
    # The window is given in UTC; shown in the zone of the crossing (Asia/Shanghai, UTC+8).
    assert "from 2026-11-21 16:00 UTC+8 to 2026-11-21 20:00 UTC+8" in timeline
    assert "time zone of the crossing (Asia/Shanghai)" in timeline
    # Oldest first; the window's two ends placed among the events.
    order = [
        "The file /sdcard/Download/notes.pdf was changed.",
        "The crossing starts",
        "USB debugging was turned on.",
        "The app com.fiberhome.wifiaudit was installed.",
        "A file left behind by BXAQ was found",  # a "finding" event reads as the finding's title
        "brand_new_event",  # an event this version has no words for: shown by its id
        "The crossing ends",
        "The phone was connected to a computer by USB.",
    ]
    positions = [timeline.index(item) for item in order]
    assert positions == sorted(positions), positions
    assert timeline.count("During the crossing") == 4
    assert "See the finding: A known surveillance app is installed on this phone" in timeline
    assert "Found in: settings_global.txt" in timeline
    # Every other time of the report is in the same zone.
    assert "Checked on 2026-11-22 10:10 UTC+8" in text_of(page)


def test_each_finding_says_where_it_lies_against_the_crossing() -> None:
    result = timeline_result()
    result["findings"].append({**result["findings"][0], "rule_id": "other.rule", "subject": "com.other", "time": None})
    page = render_html(result)
    # Sorted by severity: critical (installed app, and the untimed one), high (leftover), low (target file).
    assert "This happened during the crossing" in card(page, "finding-1")  # told by its timeline entry
    assert "We cannot tell whether this happened during the crossing" in card(page, "finding-2")
    assert "This happened during the crossing" in card(page, "finding-3")  # its own time
    assert "This happened before the crossing." in card(page, "finding-4")


def test_a_finding_raised_because_of_the_crossing_says_why() -> None:
    result = timeline_result()
    result["findings"][1]["params"].update(raised_from="medium", raised_because="in_crossing_window")
    page = render_html(result)
    assert "we rate it one level more serious" in text_of(page)


def test_no_window_and_no_timeline_no_section() -> None:
    page = render_html(make_result())
    assert 'id="timeline"' not in page
    assert "crossing" not in text_of(page)
    # An empty timeline without a window is nothing to show either.
    assert 'id="timeline"' not in render_html({**make_result(), "timeline": []})


def test_a_timeline_without_a_window_is_in_utc() -> None:
    result = timeline_result()
    del result["window"]
    page = render_html(result)
    timeline = section(page, "timeline")
    assert "2026-11-21 09:12 UTC" in timeline and "UTC+8" not in page
    assert "The crossing starts" not in timeline and "During the crossing" in timeline


def test_a_long_timeline_keeps_the_crossing_and_counts_the_rest() -> None:
    result = timeline_result()
    result["timeline"] = [
        {
            "time": f"2026-10-{1 + i // 24:02d}T{i % 24:02d}:00:00Z",
            "event": "app_used",
            "subject": f"com.app{i}",
            "artifact": "dumpsys.txt",
            "in_window": False,
        }
        for i in range(600)
    ] + result["timeline"]
    page = render_html(result)
    timeline = section(page, "timeline")
    assert "Events not shown here (all are in report.json): 406." in timeline
    assert "USB debugging was turned on." in timeline  # in the window: kept
    assert page.count('class="event') == 200
    assert len(json.loads(render_json(result))["timeline"]) == 606


def test_timeline_keys_are_ordered_in_json() -> None:
    document = json.loads(render_json(timeline_result()))
    assert list(document)[-2:] == ["window", "timeline"]
    assert list(document["timeline"][0]) == ["time", "event", "subject", "artifact", "in_window", "finding_rule_id"]
    assert list(document["window"]) == ["start", "end", "timezone"]


def test_timeline_in_every_language() -> None:
    for lang, words in (("zh_CN", "过境开始"), ("ru", "Начало пересечения границы"), ("ug", "چېگرىدىن ئۆتۈش باشلاندى")):
        page = render_html(timeline_result(), lang=lang)
        assert words in page
        assert "2026-11-21 16:00 UTC+8" in page


def test_an_unknown_time_zone_falls_back_to_utc() -> None:
    result = timeline_result()
    result["window"]["timezone"] = "Mars/Olympus_Mons"
    page = render_html(result)
    assert "from 2026-11-21 08:00 UTC to 2026-11-21 12:00 UTC" in text_of(page)
    assert "Mars/Olympus_Mons" not in section(page, "timeline")
