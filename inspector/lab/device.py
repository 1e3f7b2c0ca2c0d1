"""Reaching Frida: frida-server on a test phone over USB or TCP (``--frida-host`` after
``adb forward tcp:27042 tcp:27042``), or this computer's own processes (``--local``, used by the tests
and for trying the agent on a program).

The frida module and frida-server must share a major version: across majors the wire protocol and
the agent runtime differ (Frida 17 took the Java bridge out of the runtime), and frida reports the
difference as a bare protocol error, which :func:`open_device` turns into a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from inspector.lab.errors import FridaMissing, FridaServerUnreachable, FridaVersionMismatch, LabError

DEFAULT_PORT = 27042
DEVICE_TIMEOUT_S = 5


def import_frida() -> Any:
    """The frida module, or :class:`FridaMissing` with what to install."""
    try:
        import frida
    except ImportError as exc:
        raise FridaMissing(f"the Python module 'frida' is not installed ({exc})") from None
    return frida


def module_version() -> str | None:
    try:
        return import_frida().__version__
    except FridaMissing:
        return None


@dataclass(frozen=True)
class FridaTarget:
    """Which Frida device: this computer (``local``), a frida-server at ``host`` (HOST:PORT), a USB
    device by ``device_id``, or (none of them) the only USB device."""

    local: bool = False
    host: str | None = None
    device_id: str | None = None

    def describe(self) -> str:
        if self.local:
            return "this computer"
        if self.host:
            return f"frida-server at {self.host}"
        return f"USB device {self.device_id}" if self.device_id else "the USB device"

    @property
    def kind(self) -> str:
        return "local" if self.local else "remote" if self.host else "usb"


_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$")
_NAME = re.compile(r"^[A-Za-z0-9.\-]+$")


def parse_frida_host(text: str) -> str:
    """``HOST:PORT`` checked and normalised (``[::1]:27042`` for IPv6); ``HOST`` alone gets 27042."""
    bracketed = _BRACKETED.match(text)
    if bracketed:
        host, port = f"[{bracketed.group(1)}]", bracketed.group(2) or str(DEFAULT_PORT)
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, str(DEFAULT_PORT)
    if not (host.startswith("[") or _NAME.match(host)) or not port.isdigit() or not 0 < int(port) < 65536:
        raise LabError(f"{text!r} is not HOST:PORT", hint="Write it like 127.0.0.1:27042.")
    return f"{host}:{port}"


def open_device(target: FridaTarget, timeout_s: float = DEVICE_TIMEOUT_S) -> Any:
    """The frida Device for ``target``, checked to answer (a frida-server that is not running, or
    speaks another major version, fails here with a clear error)."""
    frida = import_frida()
    try:
        if target.local:
            device = frida.get_local_device()
        elif target.host:
            device = frida.get_device_manager().add_remote_device(parse_frida_host(target.host))
        elif target.device_id:
            device = frida.get_device(target.device_id, timeout=int(timeout_s))
        else:
            device = frida.get_usb_device(timeout=int(timeout_s))
    except (frida.InvalidArgumentError, frida.TimedOutError) as exc:
        raise FridaServerUnreachable(
            f"no Frida device found for {target.describe()}: {exc}",
            hint="Plug in the test phone with USB debugging on (`adb devices` must list it) and start frida-server "
                 "on it; or use --frida-host after adb forward.") from None
    probe(device, target)
    return device


def probe(device: Any, target: FridaTarget) -> dict[str, Any]:
    """Ask the device something cheap, so that a missing or mismatched frida-server is found before
    anything is spawned. Returns its system parameters (empty where it cannot say: a portal)."""
    frida = import_frida()
    try:
        try:
            return dict(device.query_system_parameters())
        except frida.NotSupportedError:
            device.enumerate_processes()
            return {}
    except frida.ProtocolError as exc:
        raise FridaVersionMismatch(
            f"{target.describe()} does not speak the protocol of the frida module {frida.__version__} here ({exc}): "
            "frida-server and the frida module must have the same major version") from None
    except (frida.ServerNotRunningError, frida.TransportError, frida.InvalidOperationError,
            frida.TimedOutError) as exc:
        raise FridaServerUnreachable(f"frida-server does not answer ({target.describe()}): {exc}") from None


def compare_versions(module: str, server: str) -> str:
    """``same``, ``minor`` (same major: works, maybe with small differences) or ``major``."""
    if module == server:
        return "same"
    return "minor" if module.split(".")[0] == server.split(".")[0] else "major"


def version_problem(module: str, server: str) -> FridaVersionMismatch | None:
    if compare_versions(module, server) != "major":
        return None
    return FridaVersionMismatch(
        f"frida-server runs Frida {server}, the frida module here is {module}: the major versions differ")
