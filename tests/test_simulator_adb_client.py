"""The simulated phone driven by Debian's official ``adb`` client: a conformance check.

Each module run starts a private adb server (its own port, its own HOME and thus its own
~/.android/adbkey) and kills it at the end. Without ``adb`` installed the tests are skipped, except
in CI (``CI=true``) where that is a failure.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from simulator_profiles import make_profile

from inspector.simulator import AuthPolicy, SimulatedPhone

pytestmark = pytest.mark.adb_client

ADB = shutil.which("adb") or ("/usr/bin/adb" if os.path.exists("/usr/bin/adb") else None)
PULL_DATA = random.Random(7).randbytes(3 * 1024 * 1024)


def _free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not 5555 <= port <= 5585:  # the adb server treats those as emulators
            return port


class AdbClient:
    def __init__(self, home: Path) -> None:
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ANDROID_", "ADB_"))}
        self.env.update(HOME=str(home), ANDROID_ADB_SERVER_PORT=str(_free_port()))

    def __call__(self, *args: str, timeout: float = 20, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([ADB, *args], env=self.env, capture_output=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise AssertionError(f"adb {' '.join(args)} failed ({result.returncode}): "
                                 f"{result.stdout!r} {result.stderr!r}")
        return result


@pytest.fixture(scope="module")
def adb(tmp_path_factory):
    if ADB is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Debian's adb client is required in CI (apt-get install adb)")
        pytest.skip("adb is not installed (apt-get install adb)")
    client = AdbClient(tmp_path_factory.mktemp("adbhome"))
    client("start-server", timeout=30)
    try:
        yield client
    finally:
        client("kill-server", timeout=10, check=False)


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    profile = make_profile(
        tmp_path_factory.mktemp("phone"),
        files={
            "/sdcard/big.bin": PULL_DATA,
            "/sdcard/Download/report.pdf": b"%PDF-1.4\n",
            "/sdcard/with space.txt": b"spaced\n",
            "/sdcard/Android/cjlog.txt": b"log\n",
        },
        commands={("getprop", "ro.product.model"): "Pixel 7\n"},
        banner={"ro.product.name": "panther", "ro.product.model": "Pixel 7", "ro.product.device": "panther"},
    )
    with SimulatedPhone(profile, auth=AuthPolicy(allow_delay_s=0.1)) as p:
        yield p


def _wait_online(adb: AdbClient, address: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = adb("-s", address, "get-state", check=False, timeout=5).stdout.decode().strip()
        if state == "device":
            return state
        time.sleep(0.05)
    return state


@pytest.fixture(scope="module")
def connected(adb, phone) -> str:
    out = adb("connect", phone.address).stdout.decode()
    # adb prints "failed to authenticate" while the phone shows its prompt; the allow follows.
    assert phone.address in out
    assert _wait_online(adb, phone.address) == "device"
    return phone.address


def test_connect_and_devices(adb, phone, connected) -> None:
    listing = adb("devices", "-l").stdout.decode()
    line = next(ln for ln in listing.splitlines() if ln.startswith(connected))
    assert "device" in line.split() and "model:Pixel_7" in line and "product:panther" in line
    kinds = [e.kind for e in phone.auth_events]
    assert "prompt" in kinds and "key_allowed" in kinds  # adb's fresh key went through the prompt
    assert len(phone.trusted_keys) == 1


def test_shell(adb, phone, connected) -> None:
    assert adb("-s", connected, "shell", "getprop", "ro.product.model").stdout == b"Pixel 7\n"
    assert ("getprop", "ro.product.model") in phone.commands_seen
    listing = adb("-s", connected, "shell", "ls", "/sdcard").stdout
    assert listing == b"Android\nDownload\nbig.bin\nwith space.txt\n"
    # adb joins its arguments with spaces: quoting is the caller's job, and the phone notices.
    adb("-s", connected, "shell", "cat", "/sdcard/x;", "id")
    assert "cat /sdcard/x; id" in phone.violations
    assert adb("-s", connected, "shell", "cat '/sdcard/with space.txt'").stdout == b"spaced\n"


def test_pull_byte_exact(adb, phone, connected, tmp_path) -> None:
    dest = tmp_path / "big.bin"
    adb("-s", connected, "pull", "/sdcard/big.bin", str(dest), timeout=60)
    assert dest.read_bytes() == PULL_DATA
    # A directory, recursively.
    adb("-s", connected, "pull", "/sdcard/Download", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "report.pdf").read_bytes() == b"%PDF-1.4\n"
    missing = adb("-s", connected, "pull", "/sdcard/nope", str(tmp_path / "n"), check=False)
    assert missing.returncode != 0 and b"does not exist" in missing.stdout + missing.stderr


def test_push_refused_read_only(adb, connected, tmp_path) -> None:
    src = tmp_path / "f"
    src.write_bytes(b"x" * 10_000)
    result = adb("-s", connected, "push", str(src), "/sdcard/f", check=False)
    assert result.returncode != 0 and b"Read-only file system" in result.stdout + result.stderr
