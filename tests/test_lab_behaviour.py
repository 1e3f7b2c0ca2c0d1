"""Events → behaviour findings → the result document → "What this app did" in the report and the
store, on a recorded Android trace (tests/fixtures/lab, Java and native events) and on hostile files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from inspector.acquisition import Acquisition
from inspector.lab.behaviour import behaviour_findings, findings_from_file, provider_of
from inspector.lab.events import EventWriter, RecordedEvent, read_events
from inspector.lab.result import trace_result
from inspector.report import render_html, render_json

FIXTURE = Path(__file__).parent / "fixtures" / "lab" / "android_trace.jsonl"
OWN = "com.example.fengcai"


def _by_rule(findings):
    return {(f.rule_id, f.subject): f for f in findings}


def test_the_recorded_android_trace_gives_plain_findings():
    findings = findings_from_file(FIXTURE, own_package=OWN, sha256="ab" * 32)
    found = _by_rule(findings)
    sms = found[("lab.read_sms", "content://sms/inbox, content://sms/sent")]
    assert (sms.params["rows"], sms.params["queries"], sms.severity) == (432, 2, "high")
    assert sms.params["columns"] == "_id, address, body, date"
    assert sms.evidence[0].locator == "lines 2, 3" and sms.evidence[0].sha256 == "ab" * 32
    assert json.loads(sms.evidence[0].excerpt.splitlines()[0])["uri"] == "content://sms/inbox"
    assert found[("lab.read_contacts", "content://com.android.contacts/data/phones")].params["rows"] == 215
    assert found[("lab.read_call_log", "content://call_log/calls")].params["rows"] == 88
    assert found[("lab.read_sim", "content://icc/adn")].params["rows"] == 12
    assert found[("lab.write_sms", "content://sms/inbox")].params["inserts"] == 1
    assert found[("lab.app_list", "getInstalledPackages")].params["apps"] == 143
    assert found[("lab.device_id", "getImei, getSubscriberId")].params["methods"] == "getImei, getSubscriberId"
    assert ("lab.location", "getLastKnownLocation") in found
    scan = found[("lab.storage_scan", "/storage/emulated/0")]  # the folder all of it is under
    # 12 folders listed; 31 files opened (a file that was not there is not counted as read).
    assert (scan.params["folders"], scan.params["files"], scan.severity) == (12, 31, "high")
    other = found[("lab.other_app_data", "com.tencent.mm")]
    assert other.params["files"] == 1 and ("lab.other_app_data", OWN) not in found
    # Runtime.exec("sh -c wifiscan -q") and the execve it leads to: one program, named for what ran.
    wifiscan = found[("lab.exec", "wifiscan")]
    assert wifiscan.params["times"] == 2 and wifiscan.params["command"] == "sh -c wifiscan -q"
    hotspot = found[("lab.connect", "192.168.43.1:8080")]
    assert hotspot.title == "finding.lab.connect.title" and hotspot.params["times"] == 2
    refused = found[("lab.connect", "[2001:db8:0:0:0:0:0:1]:443")]
    assert refused.title == "finding.lab.connect_failed.title"
    assert not any("dnsproxyd" in f.subject for f in findings)  # a local socket is not "sending data"
    assert found[("lab.http", "192.168.43.1")].params["first_request"] == "POST http://192.168.43.1:8080/upload?id=1"
    assert found[("lab.wifi_remove", "removeNetwork")].params["times"] == 1
    deleted = "/data/data/com.example.fengcai/files/cjlog.txt, /storage/emulated/0/Download/doc3.pdf"
    assert found[("lab.delete", deleted)].params["files"] == 2
    assert {f.family for f in findings} == {"behaviour"}
    # Most serious first.
    order = {"high": 0, "medium": 1, "low": 2}
    assert [order[f.severity] for f in findings] == sorted(order[f.severity] for f in findings)


def test_every_evidence_line_points_at_its_event():
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    for finding in findings_from_file(FIXTURE, own_package=OWN):
        numbers = [int(n) for n in re.findall(r"\d+", finding.evidence[0].locator.split("(")[0])]
        assert numbers and numbers[0] == finding.params["first_line"]
        first = json.loads(lines[numbers[0] - 1])
        assert first["seq"] == numbers[0]  # the fixture's seq equals its line number


def test_hostile_and_broken_event_files(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'\xff\xfe not json\n[1,2]\n{"k":"open","path":123,"ret":0}\n'
                     b'{"k":"provider_query","uri":null,"rows":"many"}\n'
                     b'{"k":"provider_query","uri":"content://sms/inbox","rows":-5}\n'
                     b'{"k":"connect","family":2,"addr":"10.0.0.1","port":"80"}\n'
                     b'{"k":"exec","argv":"not a list","path":null}\n'
                     b'{"k":"open","path":"/sdcard/a\\u202e.txt","ret":3}\n')
    events = list(read_events(path))
    assert [e.line for e in events] == [3, 4, 5, 6, 7, 8]
    found = _by_rule(behaviour_findings(events))
    assert found[("lab.read_sms", "content://sms/inbox")].params["rows"] == 0
    assert found[("lab.storage_read", "/sdcard/a\u202e.txt")].params["files"] == 1
    assert ("lab.exec", "") in found  # a program without a name is still reported
    assert not any(rule == "lab.connect" for rule, _ in found)  # a port that is not a number: no endpoint


def test_provider_names():
    assert provider_of("content://sms/inbox") == "sms"
    assert provider_of("content://mms-sms/conversations") == "sms"
    assert provider_of("content://telephony/siminfo") == "sim"
    assert provider_of("content://telephony/carriers") is None
    assert provider_of("content://com.android.calendar/events") == "calendar"
    assert provider_of("not a uri") is None


def test_the_writer_counts_lost_events_and_survives_odd_payloads():
    out = bytearray()

    class Sink:
        def write(self, data: bytes) -> int:
            out.extend(data)
            return len(data)

    writer = EventWriter(Sink())
    writer.add_batch([{"k": "open", "seq": 1}, {"k": "open", "seq": 4}, "junk", {"k": "x", "s": "\udcff"}])
    assert writer.lost == 2 and writer.lines == 4
    lines = out.decode("utf-8").splitlines()
    # A lone surrogate (from a Java string) is written as a JSON escape: valid UTF-8, read back as it was.
    assert json.loads(lines[2])["k"] == "malformed" and lines[3] == '{"k":"x","s":"\\udcff"}'
    assert json.loads(lines[3])["s"] == "\udcff"


def _trace_folder(tmp_path: Path) -> Acquisition:
    acq = Acquisition.create(tmp_path / "trace", platform="android", tool_version="test", signature_pack_version="-")
    acq.manifest["lab"] = {"target": [OWN], "device": "usb", "spawn": True, "frida_module_version": "17.26.2",
                           "outcome": {"stop_reason": "duration", "detail": "the duration of 60 s was reached",
                                       "events": 68, "agent": {"frida": "17.26.2", "java": True}}}
    acq.write_bytes("events.jsonl", FIXTURE.read_bytes())
    acq.finish()
    return acq


def test_result_document_and_the_report_section(tmp_path):
    acq = _trace_folder(tmp_path)
    result = trace_result(acq)
    assert result["verdict"] == "needs_review"
    assert result["trace"]["target"] == OWN and result["trace"]["java"] is True
    assert all(f["evidence"][0]["sha256"] == acq.artifact("events.jsonl")["sha256"] for f in result["findings"])
    json.loads(render_json(result))
    html = re.sub("[\u2066-\u2069]", "", render_html(result, lang="en"))  # bidi isolates around values
    section = html[html.index('id="behaviour"'):html.index('id="todo"')]
    for text in ("What this app did", "It read your text messages (432 rows)", "It ran a program: wifiscan",
                 "It connected to", "192.168.43.1:8080", "It removed a saved Wi-Fi network",
                 "It went through the files on your memory card", "It opened the private files of another app"):
        assert text in section, text
    found = html[html.index('id="found"'):html.index('id="behaviour"')]
    assert "It read your text messages" not in found  # shown once, in its own section
    assert "lab.read_sms" in html[html.index('id="expert"'):]  # the expert annex lists every finding
    for lang in ("zh_CN", "ru", "ug"):
        assert "432" in render_html(result, lang=lang)


def test_store_and_report_command_on_a_trace_folder(tmp_path):
    from inspector.pipeline_lab import report_trace
    from inspector.store import Store

    acq = _trace_folder(tmp_path)
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = Store.open(db)
    store.create_case("lab-case", None)
    store.close()
    outcome = report_trace(acq, formats=("json",), db=db, case="lab-case")
    assert outcome.store_error is None and outcome.scan_id is not None
    store = Store.open(db)
    try:
        (info,) = store.case_acquisitions("lab-case")
        assert info.verdict == "needs_review" and info.finding_count == len(outcome.result["findings"])
    finally:
        store.close()
    # `inspector report` without report.json: the trace is analysed again from events.jsonl.
    (acq.path / "report.json").unlink()
    exe = Path(sys.executable).with_name("inspector")
    proc = subprocess.run([str(exe), "report", str(acq.path), "--format", "html,json"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    rewritten = json.loads((acq.path / "report.json").read_text())
    assert {f["rule_id"] for f in rewritten["findings"]} == {f["rule_id"] for f in outcome.result["findings"]}
    assert "What this app did" in (acq.path / "report.html").read_text()
    # `inspector check` on a trace folder checks its events again (and the hashes), not phone artifacts.
    proc = subprocess.run([str(exe), "check", str(acq.path), "--no-store", "--format", "json", "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    checked = json.loads(proc.stdout)
    assert checked["trace"]["target"] == OWN and all(f["family"] == "behaviour" for f in checked["findings"])
    assert len(checked["findings"]) == len(outcome.result["findings"])


def test_recorded_event_is_a_plain_record():
    event = RecordedEvent(3, {"k": "open"}, '{"k":"open"}')
    assert event.line == 3 and event.event["k"] == "open"
