"""Helpers of the lab-mode tests: the C target program (tests/lab_target.c) compiled with gcc, a
TCP listener for it to connect to, and a Frida portal on loopback that stands in for frida-server
behind `adb forward` (frida.PortalService + add_remote_device)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

SOURCE = Path(__file__).with_name("lab_target.c")


def build_target(folder: Path) -> Path:
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed to build tests/lab_target.c (apt-get install gcc libc6-dev)")
    binary = folder / "lab_target"
    subprocess.run(["gcc", "-O2", "-Wall", "-o", str(binary), str(SOURCE)], check=True)
    return binary


class Listener:
    """Accepts TCP connections on 127.0.0.1 and counts them (the target's ``connect``)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
