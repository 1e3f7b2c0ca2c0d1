"""Every parser on hostile input: cut anywhere, bytes flipped, garbage interleaved, pathological lines.

A parser may raise ParseError (the input is not its artifact at all) and nothing else; a cut or
damaged artifact still gives the records before the damage.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys import split_dumpsys
from inspector.analyze.parsers.dumpsys_accessibility import parse_dumpsys_accessibility
from inspector.analyze.parsers.dumpsys_adb import parse_dumpsys_adb
from inspector.analyze.parsers.dumpsys_appops import parse_dumpsys_appops
from inspector.analyze.parsers.dumpsys_batterystats import parse_dumpsys_batterystats
from inspector.analyze.parsers.dumpsys_device_policy import parse_dumpsys_device_policy
from inspector.analyze.parsers.dumpsys_notification import parse_dumpsys_notification
from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package
from inspector.analyze.parsers.dumpsys_usagestats import parse_dumpsys_usagestats
from inspector.analyze.parsers.dumpsys_wifi import parse_dumpsys_wifi
from inspector.analyze.parsers.files_json import parse_files_json
from inspector.analyze.parsers.logcat import parse_logcat
from inspector.analyze.parsers.processes import parse_processes
from inspector.analyze.parsers.settings import parse_settings

FIXTURES = Path(__file__).parent / "fixtures" / "android"
NOW = "2026-01-01T00:00:00Z"

# parser, fixture, the list of records that a damaged input must still mostly keep
CASES: list[tuple[str, Callable, str, Callable]] = [
    ("package", lambda d: parse_dumpsys_package(d, tz="Asia/Shanghai"), "dumpsys_package_android13.txt",
     lambda r: r.packages),
    ("usagestats", lambda d: parse_dumpsys_usagestats(d, tz="Asia/Bishkek", now=NOW),
     "dumpsys_usagestats_android11.txt", lambda r: r.events),
    ("appops", lambda d: parse_dumpsys_appops(d, tz="Asia/Bishkek", now=NOW), "dumpsys_appops_android11.txt",
     lambda r: r.ops),
    ("batterystats", lambda d: parse_dumpsys_batterystats(d, tz="Asia/Bishkek"), "dumpsys_batterystats_android11.txt",
     lambda r: r.history_events),
    ("accessibility", parse_dumpsys_accessibility, "dumpsys_accessibility_android13.txt", lambda r: r.enabled),
    ("device_policy", parse_dumpsys_device_policy, "dumpsys_device_policy_android11.txt", lambda r: r.admins),
    ("notification", parse_dumpsys_notification, "dumpsys_notification_android11.txt", lambda r: r.live),
    ("adb", parse_dumpsys_adb, "dumpsys_adb_android11.txt", lambda r: r.keys),
    ("wifi", lambda d: parse_dumpsys_wifi(d, tz="Asia/Bishkek", now=NOW), "dumpsys_wifi_android11.txt",
     lambda r: r.log),
    ("settings", parse_settings, "settings_secure_android11.txt", lambda r: list(r.values)),
    ("processes", parse_processes, "ps_android11.txt", lambda r: r.processes),
    ("logcat", lambda d: parse_logcat(d, tz="Asia/Bishkek", year=2021), "logcat_android11.txt", lambda r: r.lines),
    ("files_json", parse_files_json, "files_androidqf_collector.json", lambda r: r.files),
    ("dumpsys", split_dumpsys, "bugreport_dumpstate_android11.txt", lambda r: list(r.services)),
]
IDS = [case[0] for case in CASES]


def run(parser: Callable, data):
    try:
        return parser(data)
    except ParseError:
        return None


@pytest.mark.parametrize(("name", "parser", "fixture", "records"), CASES, ids=IDS)
def test_str_and_bytes_give_the_same_records(name, parser, fixture, records):
    data = (FIXTURES / fixture).read_bytes()
    assert records(parser(data)) == records(parser(data.decode("utf-8")))
    assert parser(data).warnings == parser(data.decode("utf-8")).warnings


@pytest.mark.parametrize(("name", "parser", "fixture", "records"), CASES, ids=IDS)
def test_cut_anywhere(name, parser, fixture, records):
    data = (FIXTURES / fixture).read_bytes()
    complete = len(records(parser(data)))
    previous = 0
    for cut in range(0, len(data) + 1, max(1, len(data) // 40)):
        result = run(parser, data[:cut])
        if result is None:
            assert previous == 0, f"cut at {cut}: ParseError after records were found"
            continue
        found = len(records(result))
        assert found <= complete + 1
        previous = max(previous, found)
    assert previous >= complete - 1


@pytest.mark.parametrize(("name", "parser", "fixture", "records"), CASES, ids=IDS)
def test_flipped_bytes_and_interleaved_garbage(name, parser, fixture, records):
    data = (FIXTURES / fixture).read_bytes()
    rng = random.Random(fixture)
    for _ in range(5):
        damaged = bytearray(data)
        for _ in range(max(1, len(data) // 200)):
            damaged[rng.randrange(len(damaged))] = rng.choice([0x00, 0xFF, 0xC3, 0x80, 0x0A, 0x22, 0x5B, 0x7B])
        run(parser, bytes(damaged))
    lines = data.split(b"\n")
    garbage = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))).replace(b"\n", b" ")
               for _ in range(len(lines))]
    mixed = b"\n".join(x for pair in zip(lines, garbage, strict=True) for x in pair)
    result = run(parser, mixed)
    if name != "files_json":  # garbage between JSON records is not JSON
        assert result is not None
        assert len(records(result)) >= len(records(parser(data))) // 2


@pytest.mark.parametrize(("name", "parser", "fixture", "records"), CASES, ids=IDS)
def test_random_bytes_are_parse_errors_or_nearly_empty(name, parser, fixture, records):
    rng = random.Random(name)
    blob = bytes(rng.randrange(256) for _ in range(20_000))
    result = run(parser, blob)
    assert result is None or len(records(result)) <= 2


@pytest.mark.parametrize(("name", "parser", "fixture", "records"), CASES, ids=IDS)
def test_pathological_lines(name, parser, fixture, records):
    head = (FIXTURES / fixture).read_text("utf-8")[:2000]
    nasty = "\n".join([
        "[" * 70_000, "=" * 70_000, " " * 70_000 + "x", "{" * 5000 + "}" * 5000, "a=" * 30_000,
        "Package [" + "]" * 20_000 + " (1):", "time=\"" + "9" * 5000 + "\" type=X", "ID: 1 SSID: " + "\"" * 9000,
        "QAAAA" + "A" * 60_000, "0" * 400 + "-" + "1" * 400 + " 00:00:00", "\x00" * 10_000,
    ])
    result = run(parser, head + "\n" + nasty + "\n")
    if result is not None and name != "files_json":
        assert any("cut to" in w for w in result.warnings)


@pytest.mark.parametrize(("name", "parser", "fixture", "records"), [c for c in CASES if c[2].startswith("dumpsys_")],
                         ids=[c[0] for c in CASES if c[2].startswith("dumpsys_")])
def test_a_service_dumpsys_cannot_dump_is_absent_not_foreign(name, parser, fixture, records):
    # Android 9 has no "adb" service: `dumpsys adb` prints this line (and the mfsocket profile shows it).
    result = parser(b"Can't find service: adb\n")
    assert records(result) == [] and result.warnings == ["service unavailable: Can't find service: adb"]
