"""Lab mode for real: the compiled agent inside local child processes (tests/lab_target.c), the
event stream into an acquisition folder, the remote-device path through a Frida portal on loopback,
and the ways a trace ends (app exit, crash, duration, Ctrl-C, a flood of events)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

frida = pytest.importorskip("frida", reason="lab mode needs the frida module (a dependency of inspector)")

from inspector.acquisition import Acquisition  # noqa: E402
from inspector.lab.device import FridaTarget, open_device  # noqa: E402
from inspector.lab.errors import FridaServerUnreachable, SpawnFailed, TargetNotFound  # noqa: E402
from inspector.lab.events import read_events  # noqa: E402
from inspector.lab.trace import TraceOptions, _attach, find_process, run_trace  # noqa: E402
from lab_tools import Listener, build_target, free_port  # noqa: E402

LOCAL = FridaTarget(local=True)


@pytest.fixture(scope="module")
def target_program(tmp_path_factory) -> Path:
    return build_target(tmp_path_factory.mktemp("labbin"))


def _trace(tmp_path: Path, argv: list[str], *, paths=None, name="trace", **options):
    acq = Acquisition.create(tmp_path / name, platform="local", tool_version="test", signature_pack_version="-")
    outcome = run_trace(open_device(LOCAL), LOCAL, TraceOptions(target=argv, paths=paths, **options), acq)
    return acq, outcome, [e.event for e in read_events(acq.artifact_path("events.jsonl"))]


def _hashes(acq: Acquisition) -> dict[str, str]:
    with open(acq.path / "hashes.csv", newline="") as handle:
        return {row["path"]: row["sha256"] for row in csv.DictReader(handle)}


def test_native_hooks_record_what_the_program_does(tmp_path, target_program):
    work = tmp_path / "files"
    (work / "sub").mkdir(parents=True)
    (work / "a.txt").write_text("a")
    (work / "gone.txt").write_text("b")
    listener = Listener()
    try:
        acq, outcome, events = _trace(tmp_path, [
            str(target_program), "open", str(work / "a.txt"), "openat", str(work / "missing"),
            "opendir", str(work / "sub"), "unlink", str(work / "gone.txt"), "open", "/etc/hostname",
            "connect", "127.0.0.1", str(listener.port), "sleep", "50"], paths=(str(work),))
    finally:
        listener.close()
    assert outcome.stop_reason == "target_exited"
    kinds = [e["k"] for e in events]
    assert kinds[0] == "agent_loaded" and events[0]["java"] is False
    opens = [e for e in events if e["k"] == "open"]
    # The path filter: /etc/hostname is outside it and is not recorded.
    assert [(e["via"], e["path"], e["ret"] >= 0) for e in opens] == [
        ("open", str(work / "a.txt"), True), ("openat", str(work / "missing"), False)]
    assert opens[1]["errno"] == 2  # ENOENT
    assert [e["path"] for e in events if e["k"] == "opendir"] == [str(work / "sub")]
    assert [(e["path"], e["ret"]) for e in events if e["k"] == "unlink"] == [(str(work / "gone.txt"), 0)]
    assert not (work / "gone.txt").exists()
    connects = [e for e in events if e["k"] == "connect"]
    assert [(c["addr"], c["port"], c["ret"]) for c in connects] == [("127.0.0.1", listener.port, 0)]
    assert listener.accepted == 1
    assert [e["status"] for e in events if e["k"] == "exit"] == [0]
    # Every event: agent sequence without gaps, a thread id, a monotonic time that never goes back.
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(isinstance(e["tid"], int) and e["tid"] > 0 for e in events)
    times = [e["t"] for e in events]
    assert times == sorted(times) and times[-1] - times[0] < 30
    assert all(e["tid"] == outcome.pid for e in events if e["layer"] == "native")
    # The acquisition: complete, events.jsonl hashed, the program's output kept.
    assert acq.status("events.jsonl") == "complete"
    digest = hashlib.sha256(acq.artifact_path("events.jsonl").read_bytes()).hexdigest()
    assert _hashes(acq)["events.jsonl"] == digest
    assert b"done" in acq.artifact_path("target-output.txt").read_bytes()
    manifest = json.loads((acq.path / "acquisition.json").read_text())
    assert manifest["lab"]["outcome"]["events"] == len(events) and manifest["complete"] is True


@pytest.mark.parametrize("backtrace", [False, True], ids=["c-hooks", "js-hooks"])
def test_non_utf8_paths_keep_their_bytes(tmp_path, target_program, backtrace):
    """The same bytes from both implementations of the open hooks (C by default, JavaScript with
    --backtrace)."""
    raw = str(tmp_path).encode() + b"/caf\xe9-\xff\xfe \"q\"\\\x01.txt"
    _acq, _outcome, events = _trace(tmp_path, [str(target_program), "openhex", raw.hex(), "sleep", "20"],
                                    paths=(str(tmp_path),), backtrace=backtrace)
    (event,) = [e for e in events if e["k"] == "open"]
    assert bytes.fromhex(event["path_hex"]) == raw
    assert event["path"] == raw.decode("utf-8", "backslashreplace")


def test_execve_is_recorded_before_the_image_is_replaced(tmp_path, target_program):
    _acq, outcome, events = _trace(tmp_path, [str(target_program), "exec", "/bin/echo", "wifiscan", "-a"])
    (event,) = [e for e in events if e["k"] == "exec"]
    assert event["path"] == "/bin/echo" and event["argv"] == ["/bin/echo", "wifiscan", "-a"]
    assert outcome.stop_reason == "target_exited"


def test_a_crash_keeps_the_events_before_it(tmp_path, target_program):
    work = tmp_path / "w"
    work.mkdir()
    (work / "x").write_text("x")
    acq, outcome, events = _trace(tmp_path, [str(target_program), "open", str(work / "x"), "crash"],
                                  paths=(str(work),))
    kinds = [e["k"] for e in events]
    assert kinds.index("open") < kinds.index("crash")
    assert [e["type"] for e in events if e["k"] == "crash"] == ["access-violation"]
    assert outcome.stop_reason == "target_exited" and acq.status("events.jsonl") == "complete"


def test_a_program_that_cannot_start_is_a_clear_error(tmp_path):
    acq = Acquisition.create(tmp_path / "t", platform="local", tool_version="t", signature_pack_version="-")
    with pytest.raises(SpawnFailed, match="could not start") as info:
        run_trace(open_device(LOCAL), LOCAL, TraceOptions(target=[str(tmp_path / "no-such-program")]), acq)
    assert "program's path" in info.value.hint
    reopened = Acquisition.open(acq.path)
    assert reopened.status("events.jsonl") in ("failed", "partial")


def test_attach_finds_a_process_by_pid_and_by_name(tmp_path, target_program):
    child = subprocess.Popen([str(target_program), "wait-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n"
        device = open_device(LOCAL)
        assert find_process(frida, device, str(child.pid)) == child.pid
        with pytest.raises(TargetNotFound):
            find_process(frida, device, "no-such-process-name-xyz")
        acq = Acquisition.create(tmp_path / "a", platform="local", tool_version="t", signature_pack_version="-")
        outcome = run_trace(device, LOCAL, TraceOptions(target=[str(child.pid)], spawn=False, duration_s=0.5,
                                                          paths=(str(tmp_path),)), acq)
        assert outcome.stop_reason == "duration"
        assert child.poll() is None  # attach mode leaves the app running
        # A caller of the library ends a trace with its own event.
        stop = threading.Event()
        threading.Timer(0.5, stop.set).start()
        acq = Acquisition.create(tmp_path / "b", platform="local", tool_version="t", signature_pack_version="-")
        outcome = run_trace(device, LOCAL, TraceOptions(target=[str(child.pid)], spawn=False), acq, stop_when=stop)
        assert outcome.stop_reason == "requested" and acq.status("events.jsonl") == "complete"
        assert child.poll() is None
    finally:
        child.stdin.close()
        child.wait(timeout=10)


def _join_portal(local, pid: int, address: str):
    """The program joins the portal (what frida-server is to inspector). A moment first: attaching while
    the program's dynamic loader still runs made frida's injector crash now and then ("loader crashed");
    the same transient failure is retried by inspector's own attach."""
    time.sleep(0.3)
    return _attach(frida, local, pid).join_portal(address)


def test_remote_device_through_a_portal(tmp_path, target_program):
    """What `adb forward` to frida-server looks like: a remote device on loopback. The program
    joins a PortalService; inspector reaches it with add_remote_device and attaches."""
    cluster, control = free_port(), free_port()
    portal = frida.PortalService(frida.EndpointParameters(address="127.0.0.1", port=cluster),
                                 frida.EndpointParameters(address="127.0.0.1", port=control))
    portal.start()
    work = tmp_path / "r"
    work.mkdir()
    (work / "f").write_text("x")
    local = frida.get_local_device()
    pid = local.spawn([str(target_program), "sleep", "2500", "loop", "3", str(work / "f"), "sleep", "300"])
    membership = None
    try:
        local.resume(pid)
        membership = _join_portal(local, pid, f"127.0.0.1:{cluster}")
        remote = FridaTarget(host=f"127.0.0.1:{control}")
        acq = Acquisition.create(tmp_path / "rt", platform="android", tool_version="t", signature_pack_version="-")
        outcome = run_trace(open_device(remote), remote, TraceOptions(target=[str(pid)], spawn=False,
                                                                       paths=(str(work),)), acq)
        events = [e.event for e in read_events(acq.artifact_path("events.jsonl"))]
        assert outcome.agent["frida"] == frida.__version__
        assert [e["path"] for e in events if e["k"] == "open"] == [str(work / "f")] * 3
        assert acq.manifest["lab"]["device"] == "remote"
    finally:
        if membership is not None:
            try:
                membership.terminate()
            except (frida.InvalidOperationError, frida.TransportError):
                pass
        try:
            local.kill(pid)
        except frida.ProcessNotFoundError:
            pass
        portal.stop()


def test_the_device_going_away_keeps_the_events_as_partial(tmp_path, target_program):
    """The portal (standing in for frida-server behind adb forward) stops mid-trace, as when the
    phone's cable is pulled: the trace ends, events.jsonl is kept, hashed and marked partial."""
    cluster, control = free_port(), free_port()
    portal = frida.PortalService(frida.EndpointParameters(address="127.0.0.1", port=cluster),
                                 frida.EndpointParameters(address="127.0.0.1", port=control))
    portal.start()
    work = tmp_path / "d"
    work.mkdir()
    (work / "f").write_text("x")
    local = frida.get_local_device()
    pid = local.spawn([str(target_program), "sleep", "2000", "loop", "2", str(work / "f"), "sleep", "20000"])
    stopped = threading.Event()
    try:
        local.resume(pid)
        _join_portal(local, pid, f"127.0.0.1:{cluster}")
        remote = FridaTarget(host=f"127.0.0.1:{control}")
        acq = Acquisition.create(tmp_path / "lost", platform="android", tool_version="t", signature_pack_version="-")

        def pull_the_cable() -> None:
            time.sleep(3.0)
            portal.stop()
            stopped.set()

        threading.Thread(target=pull_the_cable, daemon=True).start()
        outcome = run_trace(open_device(remote), remote, TraceOptions(target=[str(pid)], spawn=False,
                                                                       paths=(str(work),), duration_s=30), acq)
    finally:
        stopped.wait(10)
        try:
            local.kill(pid)
        except frida.ProcessNotFoundError:
            pass
    assert outcome.stop_reason == "device_lost", outcome
    reopened = Acquisition.open(acq.path)
    assert reopened.status("events.jsonl") == "partial"
    assert "lost" in reopened.artifact("events.jsonl")["error"]
    assert reopened.verify_hashes() == [] and reopened.complete is False
    events = [e.event for e in read_events(acq.artifact_path("events.jsonl"))]
    assert [e["path"] for e in events if e["k"] == "open"] == [str(work / "f")] * 2


def test_backtraces_on_request(tmp_path, target_program):
    (tmp_path / "f").write_text("x")
    _acq, _outcome, events = _trace(tmp_path, [str(target_program), "open", str(tmp_path / "f"), "sleep", "20"],
                                    paths=(str(tmp_path / "f"),), backtrace=True)
    (event,) = [e for e in events if e["k"] == "open"]
    assert 1 <= len(event["bt"]) <= 8 and any("lab_target" in frame for frame in event["bt"]), event["bt"]


def test_no_frida_server_is_a_clear_error():
    with pytest.raises(FridaServerUnreachable, match="does not answer") as info:
        open_device(FridaTarget(host=f"127.0.0.1:{free_port()}"))
    assert "adb forward" in info.value.hint


def test_a_flood_of_a_million_events_keeps_memory_flat_and_accounts_for_every_one(tmp_path, target_program):
    """1,000,000 opens as fast as the program can: the app never waits for inspector; every open is
    either a line of events.jsonl or counted in a "dropped" line (when the host falls behind by more
    than the agent may keep in flight); the file is whole (every line JSON, no sequence gap); and the
    host's memory stays flat while over 100 MB of events flow."""
    (tmp_path / "f").write_text("x")
    acq = Acquisition.create(tmp_path / "flood", platform="local", tool_version="test", signature_pack_version="-")
    samples: list[tuple[int, int]] = []  # (events written, this process's resident memory in KiB)

    def sample(written: int) -> None:
        status = Path("/proc/self/status").read_text()
        samples.append((written, int(status.split("VmRSS:")[1].split()[0])))

    outcome = run_trace(open_device(LOCAL), LOCAL, TraceOptions(
        target=[str(target_program), "loop", "1000000", str(tmp_path / "f")], paths=(str(tmp_path / "f"),)), acq,
        on_progress=sample)
    opens = dropped = 0
    last_seq = 0
    with open(acq.artifact_path("events.jsonl"), "rb") as handle:
        for line in handle:
            event = json.loads(line)
            assert event["seq"] == last_seq + 1
            last_seq = event["seq"]
            opens += event["k"] == "open"
            dropped += event["count"] if event["k"] == "dropped" else 0
    assert opens + dropped == 1_000_000 and opens > 500_000 and outcome.lost_events == 0
    assert acq.status("events.jsonl") == "complete"
    assert b"done" in acq.artifact_path("target-output.txt").read_bytes()
    assert acq.artifact_path("events.jsonl").stat().st_size > 60_000_000
    flowing = [rss for written, rss in samples if written > 0]
    assert len(flowing) >= 5
    grown_mib = (max(flowing) - flowing[0]) / 1024
    assert grown_mib < 80, f"the host's memory grew by {grown_mib:.0f} MiB while the events flowed"
    print(f"flood: {opens:,} recorded, {dropped:,} dropped, memory grew {grown_mib:.0f} MiB")


def _cli(args: list[str], **kwargs) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("inspector")
    # A shell without job control starts background commands with SIGINT ignored, and a child keeps
    # that: give the CLI the default disposition, as in a terminal, so that Ctrl-C reaches it.
    return subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "COLUMNS": "200"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


def test_cli_stops_on_sigint_and_keeps_the_events(tmp_path, target_program):
    (tmp_path / "f").write_text("x")
    out = tmp_path / "cli"
    proc = _cli(["trace", "--local", "--no-store", "--path", str(tmp_path), "--out", str(out), "--",
                 str(target_program), "open", str(tmp_path / "f"), "sleep", "60000"])
    deadline = time.monotonic() + 60
    # events.jsonl is written as .partial-events.jsonl until the trace ends (inspector/acquisition).
    partial = out / ".partial-events.jsonl"
    while time.monotonic() < deadline and not (partial.exists() and b'"open"' in partial.read_bytes()):
        time.sleep(0.2)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    text = stdout.decode() + stderr.decode()
    assert "stopped by the user" in text, text
    acq = Acquisition.open(out)
    assert acq.status("events.jsonl") == "complete"
    assert [e.event["path"] for e in read_events(acq.artifact_path("events.jsonl")) if e.event["k"] == "open"] == [
        str(tmp_path / "f")]
    assert acq.verify_hashes() == []
    result = json.loads((out / "report.json").read_text())
    assert result["trace"]["stop_reason"] == "interrupted"
    assert "What this app did" in (out / "report.html").read_text()


def test_cli_duration_and_findings_in_the_report(tmp_path, target_program):
    listener = Listener()
    out = tmp_path / "dur"
    try:
        proc = _cli(["trace", "--local", "--no-store", "--duration", "2", "--out", str(out), "--format", "html,json",
                     "--", str(target_program), "connect", "127.0.0.1", str(listener.port), "sleep", "60000"])
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        listener.close()
    assert proc.returncode == 0, stderr.decode()  # a loopback connection is a low finding: no review needed
    result = json.loads((out / "report.json").read_text())
    assert result["trace"]["stop_reason"] == "duration"
    # The device as frida describes it (on a phone: Android, its version, API level, model).
    parameters = frida.get_local_device().query_system_parameters()
    device = json.loads((out / "acquisition.json").read_text())["device"]
    assert device["arch"] == parameters["arch"] and device["platform"] == parameters["os"]["id"]
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "lab.connect"]
    assert finding["subject"] == f"127.0.0.1:{listener.port}"
    line = int(finding["evidence"][0]["locator"].split()[1])
    recorded = (out / "events.jsonl").read_text().splitlines()[line - 1]
    assert json.loads(recorded)["k"] == "connect"
    html = (out / "report.html").read_text()
    assert "It connected to" in html and "What this app did" in html


def test_cli_trace_without_frida_server_exits_2(tmp_path):
    proc = _cli(["trace", "--frida-host", f"127.0.0.1:{free_port()}", "--no-store", "--out", str(tmp_path / "x"),
                 "com.example.app"])
    stdout, stderr = proc.communicate(timeout=60)
    text = stdout.decode() + stderr.decode()
    assert proc.returncode == 2 and "frida-server" in text and "What to do" in text


def test_doctor_checks_a_frida_server_and_its_version(tmp_path, target_program):
    """`inspector doctor --frida-host` against a portal on loopback: it answers, and the version
    read from inside a process it shows matches the frida module; then against nothing at all."""
    cluster, control = free_port(), free_port()
    portal = frida.PortalService(frida.EndpointParameters(address="127.0.0.1", port=cluster),
                                 frida.EndpointParameters(address="127.0.0.1", port=control))
    portal.start()
    local = frida.get_local_device()
    pid = local.spawn([str(target_program), "sleep", "30000"])
    try:
        local.resume(pid)
        _join_portal(local, pid, f"127.0.0.1:{cluster}")
        stdout, stderr = _cli(["doctor", "--frida-host", f"127.0.0.1:{control}"]).communicate(timeout=60)
    finally:
        try:
            local.kill(pid)
        except frida.ProcessNotFoundError:
            pass
        portal.stop()
    text = stdout.decode()
    assert f"✓ Frida module: frida {frida.__version__}" in text, text
    assert "✓ Lab agent" in text
    assert f"✓ frida-server (frida-server at 127.0.0.1:{control}): answers" in text, text
    assert f"✓ Versions: frida-server {frida.__version__}, frida module {frida.__version__}" in text, text
    proc = _cli(["doctor", "--frida-host", f"127.0.0.1:{free_port()}"])
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "✗ frida-server" in stdout.decode() and "adb forward" in stdout.decode()


def test_a_full_ring_drops_and_counts_instead_of_waiting(tmp_path, target_program):
    """The C hooks never make the app wait for the host: with a ring of 64 slots, a flood of opens
    overflows it between two flushes, and what could not be recorded is counted in "dropped" events."""
    (tmp_path / "f").write_text("x")
    acq = Acquisition.create(tmp_path / "ring", platform="local", tool_version="test", signature_pack_version="-")
    outcome = run_trace(open_device(LOCAL), LOCAL, TraceOptions(
        target=[str(target_program), "loop", "200000", str(tmp_path / "f")], paths=(str(tmp_path / "f"),),
        ring_slots=64), acq)
    events = [e.event for e in read_events(acq.artifact_path("events.jsonl"))]
    recorded = sum(1 for e in events if e["k"] == "open")
    dropped = sum(e["count"] for e in events if e["k"] == "dropped")
    assert dropped > 0 and recorded > 0 and recorded + dropped == 200_000
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) and outcome.lost_events == 0
    assert b"done" in acq.artifact_path("target-output.txt").read_bytes()
