"""`inspector doctor --frida`: is this computer ready for lab mode? The frida module, a device with
frida-server answering, and whether their versions match."""

from __future__ import annotations

import time
from typing import Any

from inspector.lab.device import FridaTarget, compare_versions, import_frida, open_device
from inspector.lab.errors import LabError
from inspector.lab.trace import DETACH_PAUSE_S


def frida_checks(target: FridaTarget, make_check: Any) -> list[Any]:
    """``make_check(title, status, detail, fix)`` builds one line of the doctor's output."""
    checks = []
    try:
        frida = import_frida()
    except LabError as exc:
        return [make_check("Frida module", "fail", str(exc), exc.hint)]
    checks.append(make_check("Frida module", "ok", f"frida {frida.__version__}"))
    try:
        from inspector.lab.agent import bundle

        bundle()
        checks.append(make_check("Lab agent", "ok", "the compiled agent is installed"))
    except OSError as exc:
        checks.append(make_check("Lab agent", "fail", f"the compiled agent is missing ({exc})",
                                 "Reinstall inspector, or rebuild it: python scripts/build_lab_agent.py"))
    try:
        device = open_device(target)
    except LabError as exc:
        checks.append(make_check(f"frida-server ({target.describe()})", "fail", str(exc), exc.hint))
        return checks
    checks.append(make_check(f"frida-server ({target.describe()})", "ok", f"answers: {device.name}"))
    server = _server_version(frida, device, target)
    if server is None:
        checks.append(make_check("Versions", "warn", "could not read frida-server's version "
                                 "(no process to attach to); a trace checks it again when it starts"))
    else:
        match = compare_versions(frida.__version__, server)
        status = {"same": "ok", "minor": "warn", "major": "fail"}[match]
        checks.append(make_check("Versions", status, f"frida-server {server}, frida module {frida.__version__}",
                                 f"Install frida-server {frida.__version__} on the phone (docs/lab-mode.md), or "
                                 f"pip install 'frida=={server}'."))
    return checks


def _server_version(frida: Any, device: Any, target: FridaTarget) -> str | None:
    """Frida's version as the device runs it: a tiny script in a process the device already shows
    (the agent reports Frida.version). Nothing is changed in that process."""
    try:
        processes = sorted(device.enumerate_processes(), key=lambda p: p.pid)
    except frida.NotSupportedError:
        return None
    if target.local:
        import os

        processes = [p for p in processes if p.pid == os.getpid()] or processes
    for process in processes[:5]:
        try:
            session = device.attach(process.pid)
        except Exception:  # not allowed, gone: try the next one
            continue
        try:
            script = session.create_script("rpc.exports = { version: () => Frida.version };")
            script.load()
            return str(script.exports_sync.version())
        except Exception:
            continue
        finally:
            try:
                session.detach()
            except Exception:
                pass
            # As after a trace (inspector/lab/trace.py): let the agent leave before anything attaches again.
            time.sleep(DETACH_PAUSE_S)
    return None
