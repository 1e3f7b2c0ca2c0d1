"""The agent's Java layer for real. frida-java-bridge also drives OpenJDK's HotSpot, so a Java
program (tests/fixtures/lab/LabProbe.java, compiled with javac in the test) exercises the Java hooks
that exist outside Android (Runtime.exec, ProcessBuilder.start), the machinery every Java hook uses
(one event per call of the app, Java backtraces), and the graceful failure of the Android-only
groups (a "hook_failed" event each, the others carry on). Android's own classes (content providers,
telephony…) are not in a desktop JVM: their mapping is tested on recorded events
(tests/test_lab_behaviour.py)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

frida = pytest.importorskip("frida", reason="lab mode needs the frida module (a dependency of inspector)")

from inspector.acquisition import Acquisition  # noqa: E402
from inspector.lab.behaviour import behaviour_findings  # noqa: E402
from inspector.lab.device import FridaTarget, open_device  # noqa: E402
from inspector.lab.events import read_events  # noqa: E402
from inspector.lab.trace import TraceOptions, run_trace  # noqa: E402

SOURCE = Path(__file__).parent / "fixtures" / "lab" / "LabProbe.java"
LOCAL = FridaTarget(local=True)


def events_of(acq: Acquisition) -> list[dict]:
    return [e.event for e in read_events(acq.artifact_path("events.jsonl"))]


@pytest.fixture(scope="module")
def probe_classes(tmp_path_factory) -> Path:
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.fail("a JDK is needed for the Java-layer test (apt-get install openjdk-17-jdk-headless)")
    folder = tmp_path_factory.mktemp("java")
    subprocess.run(["javac", "-d", str(folder), str(SOURCE)], check=True)
    return folder


def test_java_hooks_in_a_real_jvm(tmp_path, probe_classes):
    scanner = tmp_path / "wifiscan"
    scanner.write_text("#!/bin/sh\nexit 0\n")
    scanner.chmod(0o755)
    java = subprocess.Popen(["java", "-Xshare:auto", "-cp", str(probe_classes), "LabProbe", str(scanner)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    acq = Acquisition.create(tmp_path / "trace", platform="local", tool_version="t", signature_pack_version="-")
    result: dict = {}
    try:
        assert java.stdout.readline() == b"ready\n"

        def trace() -> None:
            result["outcome"] = run_trace(open_device(LOCAL), LOCAL, TraceOptions(
                target=[str(java.pid)], spawn=False, paths=("/nowhere/",), backtrace=True, duration_s=60), acq)

        tracer = threading.Thread(target=trace)
        tracer.start()
        partial = acq.path / ".partial-events.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (partial.exists() and b"agent_loaded" in partial.read_bytes()):
            time.sleep(0.2)
        java.stdin.write(b"go\n")
        java.stdin.flush()
        assert java.stdout.readline() == b"done\n"
        assert java.wait(timeout=60) == 0
        tracer.join(timeout=60)
    finally:
        if java.poll() is None:
            java.kill()
        java.wait(timeout=30)
    outcome = result["outcome"]
    assert outcome.stop_reason == "target_exited"
    # HotSpot's own SIGSEGVs (safepoint polls, implicit null checks) are not crashes.
    assert not [e for e in events_of(acq) if e["k"] == "crash"]
    assert [e["status"] for e in events_of(acq) if e["k"] == "exit"] == [0]  # flushed before the JVM ended
    assert outcome.agent["java"] is True and "process" in outcome.agent["hooks"]["java"]
    events = [e.event for e in read_events(acq.artifact_path("events.jsonl"))]
    # The Android-only groups say they could not be installed, and the trace goes on.
    failed = {e["group"] for e in events if e["k"] == "hook_failed"}
    assert {"content_resolver", "telephony", "wifi", "package_manager"} <= failed
    java_execs = [e for e in events if e["k"] == "exec" and e["layer"] == "java"]
    # Runtime.exec runs ProcessBuilder.start inside: still one event for that call.
    assert [(e["via"], e["argv"]) for e in java_execs] == [
        ("Runtime.exec", [str(scanner), "-q"]), ("ProcessBuilder.start", [str(scanner), "--again"])]
    assert all(e["tid"] > 0 and e["t"] > 0 for e in java_execs)
    # --backtrace: the Java frames that led there, the program's own method among them.
    assert any("LabProbe.main" in frame for frame in java_execs[0]["bt"]), java_execs[0]["bt"]
    # The JVM starts programs with posix_spawn (vfork): recorded in the parent, and the trace does
    # not hang on the child's execve.
    assert any(e["k"] == "exec" and e["layer"] == "native" and e["via"] == "posix_spawn" for e in events)
    findings = {f.rule_id: f for f in behaviour_findings(read_events(acq.artifact_path("events.jsonl")))}
    assert findings["lab.exec"].subject == "wifiscan" and findings["lab.exec"].params["times"] == 2
