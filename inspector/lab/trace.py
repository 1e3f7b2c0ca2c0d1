"""One trace: spawn or attach, load the agent, record its events into ``events.jsonl`` of an
acquisition folder, and stop cleanly on Ctrl-C, when the app ends, or after the duration.

Whatever ends the trace (the user, the app exiting or crashing, the phone disconnecting), what was
recorded stays in the acquisition with its SHA-256 in hashes.csv: ``complete`` when the trace ended
as asked or with the app, ``partial`` with the reason when the device or the agent went away.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from inspector.acquisition import Acquisition
from inspector.lab.agent import bundle, bundle_sha256
from inspector.lab.device import FridaTarget, import_frida, version_problem
from inspector.lab.errors import AgentError, LabError, SpawnFailed, TargetNotFound
from inspector.lab.events import EventWriter

EVENTS = "events.jsonl"
OUTPUT = "target-output.txt"

# Shared storage and app data, as Android names them: what the file hooks record by default.
ANDROID_PATHS = ("/sdcard", "/storage/", "/mnt/sdcard", "/mnt/media_rw/", "/mnt/user/", "/data/media/",
                 "/data/data/", "/data/user/", "/data/user_de/", "/data/misc/wifi", "/data/system/")
POLL_S = 0.1
FINAL_FLUSH_TIMEOUT_S = 5.0
DETACH_SETTLE_S = 2.0
DETACH_PAUSE_S = 0.2

STOP_DURATION = "duration"
STOP_INTERRUPTED = "interrupted"
STOP_REQUESTED = "requested"
STOP_TARGET_EXITED = "target_exited"
STOP_DEVICE_LOST = "device_lost"
STOP_AGENT_FAILED = "agent_failed"


@dataclass
class TraceOptions:
    """What to trace and how. ``target``: a package name (phone) or, with a local device, a
    program and its arguments (spawn) or a process name or PID (attach)."""

    target: list[str]
    spawn: bool = True
    duration_s: float | None = None
    paths: tuple[str, ...] | None = ANDROID_PATHS  # None: every path
    backtrace: bool = False
    capture_content: bool = False
    java: bool = True
    kill_on_stop: bool = True  # a spawned app is ended with the trace (it was started for it)
    ring_slots: int | None = None  # slots of the agent's ring for file opens (default 65,536; tests make it small)

    def agent_settings(self) -> dict[str, Any]:
        return {"paths": list(self.paths) if self.paths is not None else None, "backtrace": self.backtrace,
                "captureContent": self.capture_content, "java": self.java,
                "ownPackage": self.target[0] if self.target else None, "ringSlots": self.ring_slots}


@dataclass
class TraceOutcome:
    stop_reason: str = ""
    detail: str | None = None
    pid: int | None = None
    events: int = 0
    lost_events: int = 0
    agent: dict[str, Any] = field(default_factory=dict)
    version_note: str | None = None
    crash: str | None = None
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Stop:
    """Why the trace ends, set once from whichever thread sees it first."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason: str | None = None
        self.detail: str | None = None
        self.crash: str | None = None
        self.detached = threading.Event()  # the session's "detached" signal has come

    def set(self, reason: str, detail: str | None = None) -> None:
        if not self.event.is_set():
            self.reason, self.detail = reason, detail
            self.event.set()


def device_record(parameters: dict[str, Any]) -> dict[str, Any]:
    """acquisition.json's ``device`` from frida's system parameters (frida-server on Android gives the
    OS version, API level, architecture and the phone's name)."""
    os_info = parameters.get("os") if isinstance(parameters.get("os"), dict) else {}
    record = {"platform": os_info.get("id") or parameters.get("platform"), "os_version": os_info.get("version"),
              "model": parameters.get("name"), "arch": parameters.get("arch"),
              "api_level": parameters.get("api-level")}
    return {k: str(v) for k, v in record.items() if v not in (None, "")}


def run_trace(device: Any, target: FridaTarget, options: TraceOptions, acq: Acquisition,
              on_progress: Callable[[int], None] | None = None,
              stop_when: threading.Event | None = None) -> TraceOutcome:
    """Trace on ``device`` (from :func:`inspector.lab.device.open_device`) into ``acq``. Raises
    :class:`LabError` when the trace cannot start (nothing recorded then, the artifact says failed);
    once started, every way of ending returns an outcome and keeps the events. ``stop_when``: the
    caller's own way to end the trace (set it from another thread)."""
    frida = import_frida()
    outcome = TraceOutcome()
    stop = _Stop()
    acq.manifest["lab"] = {
        "target": options.target, "device": target.kind, "frida_host": target.host, "spawn": options.spawn,
        "duration_s": options.duration_s, "paths": list(options.paths) if options.paths is not None else None,
        "backtrace": options.backtrace, "capture_content": options.capture_content,
        "frida_module_version": frida.__version__, "agent_sha256": bundle_sha256(),
    }
    acq.save()
    output: list[bytes] = []
    started = time.monotonic()
    with acq.writer(EVENTS, content="Frida agent events, one JSON object per line") as sink:
        writer = EventWriter(sink)
        session = script = None
        try:
            session, script, pid = _start(frida, device, target, options, writer, stop, output, outcome)
            outcome.pid = pid
            _wait(stop, options.duration_s, writer, on_progress, stop_when)
        except KeyboardInterrupt:
            stop.set(STOP_INTERRUPTED, "stopped by the user (Ctrl-C)")
        except LabError:
            writer.add({"k": "trace_failed", "layer": "host", "t": time.monotonic()})
            raise
        finally:
            _finish(frida, device, session, script, options, outcome, stop, writer)
            outcome.events, outcome.lost_events = writer.lines, writer.lost
            outcome.duration_s = round(time.monotonic() - started, 3)
            if output:
                acq.write_bytes(OUTPUT, b"".join(output), content="the traced program's stdout and stderr")
    if stop.reason == STOP_TARGET_EXITED and not target.local and not _still_reachable(frida, device):
        # A frida-server that goes away (cable pulled, server killed) may first report its
        # processes as terminated: the device not answering any more tells the two apart.
        stop.reason, stop.detail = STOP_DEVICE_LOST, f"the connection to the device was lost ({stop.detail})"
    outcome.stop_reason = stop.reason or STOP_TARGET_EXITED
    outcome.detail, outcome.crash = stop.detail, stop.crash
    if outcome.stop_reason in (STOP_DEVICE_LOST, STOP_AGENT_FAILED):
        # Everything that arrived is in the file, but the app went on without being watched.
        record = acq.artifact(EVENTS) or {}
        acq.mark(EVENTS, "partial", error=outcome.detail or outcome.stop_reason,
                 **{k: v for k, v in record.items() if k not in ("status", "error")})
    acq.manifest["lab"]["outcome"] = outcome.to_dict()
    acq.finish(interrupted=outcome.detail if outcome.stop_reason in (STOP_DEVICE_LOST, STOP_AGENT_FAILED) else None)
    return outcome


def _attach(frida: Any, device: Any, pid: int, tries: int = 3) -> Any:
    """device.attach, tried again after a pause when Frida's injector itself crashes ("loader crashed
    with signal 11": a transient failure of frida's helper, seen now and then on a busy machine; the
    target is not touched by it)."""
    for attempt in range(tries):
        try:
            return device.attach(pid)
        except frida.NotSupportedError as exc:
            if "loader crashed" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _start(frida: Any, device: Any, target: FridaTarget, options: TraceOptions, writer: EventWriter,
           stop: _Stop, output: list[bytes], outcome: TraceOutcome) -> tuple[Any, Any, int]:
    if options.spawn:
        if target.local:
            device.on("output", lambda pid, fd, data: output.append(data or b""))
        try:
            program = options.target if target.local else options.target[0]
            pid = device.spawn(program, stdio="pipe") if target.local else device.spawn(program)
        except (frida.ExecutableNotFoundError, frida.ExecutableNotSupportedError, frida.NotSupportedError,
                frida.PermissionDeniedError, frida.InvalidArgumentError, frida.ProcessNotRespondingError) as exc:
            raise SpawnFailed(f"could not start {' '.join(options.target)!r}: {exc}",
                              hint="Check the program's path, and that it is an executable for this computer."
                              if target.local else None) from None
        except (frida.TransportError, frida.ServerNotRunningError) as exc:
            raise LabError(f"the device went away while starting the app: {exc}") from None
    else:
        pid = find_process(frida, device, options.target[0])
    try:
        session = _attach(frida, device, pid)
    except (frida.ProcessNotFoundError, frida.ProcessNotRespondingError) as exc:
        raise SpawnFailed(f"the app (pid {pid}) ended or hung before the agent could be loaded: {exc}") from None
    except (frida.PermissionDeniedError, frida.NotSupportedError) as exc:
        if "loader crashed" in str(exc):
            # Frida's injector itself failed (seen rarely under heavy load): not a permission problem.
            raise SpawnFailed(f"Frida could not load its agent into pid {pid}: {exc}",
                              hint="Try again; if it keeps happening, restart frida-server and the app.") from None
        raise LabError(f"not allowed to attach to pid {pid}: {exc}",
                       hint="frida-server must run as root on the phone (adb shell su -c …).") from None

    def on_detached(reason: str, crash: Any) -> None:
        stop.detached.set()
        if crash is not None:
            stop.crash = str(getattr(crash, "summary", None) or crash)
        if reason in ("process-terminated", "process-replaced", "application-requested"):
            stop.set(STOP_TARGET_EXITED, f"the app ended ({reason})" + (f": {stop.crash}" if stop.crash else ""))
        else:
            stop.set(STOP_DEVICE_LOST, f"the connection to the device was lost ({reason})")

    session.on("detached", on_detached)
    script = session.create_script(bundle(), name="inspector-lab")

    def on_message(message: dict[str, Any], data: Any) -> None:
        if message.get("type") == "send":
            payload = message.get("payload")
            if isinstance(payload, dict) and payload.get("type") == "lines":
                # The C hooks' events come as bytes (data), the others as text (lines).
                writer.add_lines(data if isinstance(data, bytes) else payload.get("lines"), payload.get("first"),
                                 payload.get("last"), payload.get("count"))
                # Flow control: the agent sends more only once this much is written (events.js).
                script.post({"type": "written", "last": payload.get("last")})
            elif isinstance(payload, dict) and payload.get("type") == "events":
                events = payload.get("events")
                writer.add_batch(events if isinstance(events, list) else [events])
            elif isinstance(payload, dict) and payload.get("type") == "sync":
                script.post({"type": f"ack-{payload.get('id')}"})
        elif message.get("type") == "error":
            # An exception inside a hook: kept as an event, the trace goes on.
            writer.add({"k": "agent_error", "layer": "agent", "description": str(message.get("description")),
                        "stack": str(message.get("stack"))[:2000]})

    script.on("message", on_message)
    try:
        script.load()
        outcome.agent = dict(script.exports_sync.init(options.agent_settings()))
    except (frida.InvalidOperationError, frida.ProcessNotFoundError, frida.TransportError) as exc:
        raise SpawnFailed(f"the app ended before the agent was ready: {exc}") from None
    except frida.core.RPCException as exc:
        raise AgentError(f"the agent failed to start in the app: {exc}") from None
    server = str(outcome.agent.get("frida") or "")
    if server:
        problem = version_problem(frida.__version__, server)
        if problem is not None:
            raise problem
        if server != frida.__version__:
            outcome.version_note = (f"frida-server runs Frida {server} and the frida module here is "
                                    f"{frida.__version__}: same major version, so it works; matching them "
                                    "exactly avoids surprises.")
    if options.spawn:
        device.resume(pid)
    return session, script, pid


def _still_reachable(frida: Any, device: Any) -> bool:
    try:
        device.enumerate_processes()
    except (frida.TransportError, frida.InvalidOperationError, frida.ServerNotRunningError, frida.TimedOutError):
        return False
    except frida.NotSupportedError:
        return True
    return True


def find_process(frida: Any, device: Any, name: str) -> int:
    """The PID of the running app or process ``name`` (a package name, a process name, or a PID)."""
    if name.isdigit():
        return int(name)
    try:
        apps = [a for a in device.enumerate_applications() if a.identifier == name and a.pid]
    except (frida.NotSupportedError, frida.InvalidOperationError):
        apps = []
    if apps:
        return int(apps[0].pid)
    processes = [p for p in device.enumerate_processes() if p.name == name]
    if len(processes) == 1:
        return int(processes[0].pid)
    if len(processes) > 1:
        raise TargetNotFound(f"{len(processes)} processes are named {name!r}: "
                             f"{', '.join(str(p.pid) for p in processes[:10])}",
                             hint="Give the PID instead of the name.")
    raise TargetNotFound(f"no running app or process named {name!r} on the device")


def _wait(stop: _Stop, duration_s: float | None, writer: EventWriter,
          on_progress: Callable[[int], None] | None, stop_when: threading.Event | None) -> None:
    deadline = time.monotonic() + duration_s if duration_s else None
    while not stop.event.wait(POLL_S):
        if stop_when is not None and stop_when.is_set():
            stop.set(STOP_REQUESTED, "stopped by the caller")
        if on_progress is not None:
            on_progress(writer.lines)
        if deadline is not None and time.monotonic() >= deadline:
            stop.set(STOP_DURATION, f"the duration of {duration_s:g} s was reached")


def _finish(frida: Any, device: Any, session: Any, script: Any, options: TraceOptions, outcome: TraceOutcome,
            stop: _Stop, writer: EventWriter) -> None:
    """Collect what the agent still holds, then let go of the app. Each step may fail because the
    app or the device is already gone: that is expected, and what was recorded stays."""
    alive = session is not None and stop.reason not in (STOP_TARGET_EXITED, STOP_DEVICE_LOST)
    if script is not None and alive:
        done = threading.Event()

        def final_flush() -> None:
            try:
                script.exports_sync.flush()
            except Exception:  # the app may end at this very moment
                pass
            finally:
                done.set()

        # A hung app must not hang inspector: the flush gets a few seconds.
        threading.Thread(target=final_flush, daemon=True).start()
        if not done.wait(FINAL_FLUSH_TIMEOUT_S):
            writer.add({"k": "flush_timeout", "layer": "host", "seconds": FINAL_FLUSH_TIMEOUT_S})
        for step in (script.unload, session.detach):
            try:
                step()
            except (frida.InvalidOperationError, frida.TransportError, frida.ProcessNotFoundError):
                pass
        # detach() returns before the agent has left the app; attaching again (to any process) while
        # it leaves crashed the app now and then here (SIGSEGV/SIGTRAP in about one trace in three
        # when attach followed at once). The "detached" signal, then a short pause, let it finish.
        stop.detached.wait(DETACH_SETTLE_S)
        time.sleep(DETACH_PAUSE_S)
    if options.spawn and options.kill_on_stop and outcome.pid and alive:
        try:
            device.kill(outcome.pid)
        except (frida.ProcessNotFoundError, frida.InvalidOperationError, frida.TransportError, frida.NotSupportedError):
            pass
    if writer.lost:
        writer.add({"k": "lost", "layer": "host", "count": writer.lost})
