"""The simulated phone driven by the adb-shell library (AdbDeviceTcp), over real loopback sockets."""

from __future__ import annotations

import hashlib
import io
import random
import stat
import time

import pytest
from adb_shell import exceptions as adb_exc
from adb_shell.adb_device import AdbDeviceTcp
from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_pythonrsa import PythonRSASigner
from simulator_profiles import make_profile

from inspector.simulator import AuthPolicy, Faults, SimulatedPhone, key_id

HOSTILE_NAMES = [
    b"with space",
    b"quote'single",
    b'dq"x',
    b"semi;colon",
    b"$(reboot)",
    b"`id`",
    b"new\nline",
    b"\xff\xferaw-latin1",
    "ünïcödé".encode(),
    b"-rf",
    b" lead",
    b"trail ",
    b"back\\slash",
    b"*",
]
BIG = random.Random(1).randbytes(5 * 1024 * 1024)
NON_UTF8 = b"\xff\x00battery \xc3\x28 level: 42\r\n\x80"
CJLOG_MTIME = 1763459000


@pytest.fixture(scope="module")
def signers(tmp_path_factory) -> list[PythonRSASigner]:
    out = []
    for i in range(2):
        path = str(tmp_path_factory.mktemp("keys") / f"adbkey{i}")
        keygen(path)
        out.append(PythonRSASigner.FromRSAKeyPath(path))
    return out


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    files: dict[str | bytes, bytes] = {
        "/sdcard/a": b"alpha\n",
        "/sdcard/a;touch x": b"the file with a semicolon\n",
        "/sdcard/big.bin": BIG,
        "/sdcard/Android/cjlog.txt": b"2025-11-18 uploading contacts\n",
    }
    for name in HOSTILE_NAMES:
        files[b"/sdcard/hostile/" + name] = name
    return make_profile(
        tmp_path_factory.mktemp("phone"),
        files=files,
        commands={("dumpsys", "battery"): NON_UTF8, ("getprop", "ro.build.version.release"): "14\n"},
        meta={"/sdcard/Android/cjlog.txt": {"mtime": CJLOG_MTIME, "mode": "0660", "uid": 1023, "gid": 1023}},
    )


@pytest.fixture
def phone(profile):
    with SimulatedPhone(profile, auth=AuthPolicy(required=False)) as p:
        yield p


def connect(phone: SimulatedPhone, signer: PythonRSASigner | None = None, **kw) -> AdbDeviceTcp:
    dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
    kw.setdefault("auth_timeout_s", 3)
    kw.setdefault("read_timeout_s", 5)
    assert dev.connect(rsa_keys=[signer] if signer else None, **kw)
    return dev


# ---------------------------------------------------------------------------------------------
# Authentication


def test_new_key_prompt_then_signature(profile, signers) -> None:
    signer = signers[0]
    with SimulatedPhone(profile, auth=AuthPolicy(allow_delay_s=0.5)) as phone:
        fired = []
        t0 = time.monotonic()
        dev = connect(phone, signer, auth_callback=lambda d: fired.append(d))
        assert time.monotonic() - t0 >= 0.5
        assert len(fired) == 1
        assert [e.kind for e in phone.auth_events] == [
            "token_sent", "signature_rejected", "token_sent", "prompt", "key_allowed"]
        kid = key_id(signer.GetPublicKey())
        assert kid in phone.trusted_keys
        assert phone.auth_events[3].key == kid
        assert dev.shell("echo ok") == "ok\n"
        dev.close()

        # Second connection, same key: the signature is enough, no prompt.
        n = len(phone.auth_events)
        fired.clear()
        t0 = time.monotonic()
        dev = connect(phone, signer, auth_callback=lambda d: fired.append(d))
        assert time.monotonic() - t0 < 0.5
        assert fired == []
        assert [e.kind for e in phone.auth_events[n:]] == ["token_sent", "signature_ok"]
        assert phone.auth_events[-1].connection == 2
        dev.close()
        assert phone.connections == 2


def test_denied_key_times_out(profile, signers) -> None:
    with SimulatedPhone(profile, auth=AuthPolicy(on_new_key="deny")) as phone:
        dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=2)
        t0 = time.monotonic()
        with pytest.raises((adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError)):
            dev.connect(rsa_keys=[signers[0]], auth_timeout_s=0.4, read_timeout_s=1)
        assert time.monotonic() - t0 < 3
        dev.close()
        kinds = [e.kind for e in phone.auth_events]
        assert kinds[-2:] == ["prompt", "key_denied"]
        assert not phone.trusted_keys
        # No keys at all: adb-shell gives up at the first AUTH.
        with pytest.raises(adb_exc.DeviceAuthError):
            connect(phone, None)


def test_preauthorised_keys(tmp_path, signers) -> None:
    pub = signers[1].GetPublicKey().encode()
    with SimulatedPhone(make_profile(tmp_path / "a", trusted_keys=[pub]),
                        auth=AuthPolicy(on_new_key="deny")) as phone:
        connect(phone, signers[1]).close()
        assert [e.kind for e in phone.auth_events] == ["token_sent", "signature_ok"]
    with SimulatedPhone(make_profile(tmp_path / "b"),
                        auth=AuthPolicy(trusted_keys={pub}, on_new_key="deny")) as phone:
        # The first key is unknown, the second one signs fine.
        dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
        assert dev.connect(rsa_keys=[signers[0], signers[1]], auth_timeout_s=1)
        assert [e.kind for e in phone.auth_events] == [
            "token_sent", "signature_rejected", "token_sent", "signature_ok"]
        dev.close()


# ---------------------------------------------------------------------------------------------
# Shell


def test_shell_output_byte_exact(phone) -> None:
    dev = connect(phone)
    assert dev.shell("cat /sdcard/a") == "alpha\n"
    assert dev.shell("dumpsys battery", decode=False) == NON_UTF8
    assert dev.exec_out("dumpsys battery", decode=False) == NON_UTF8
    assert dev.shell("getprop ro.build.version.release") == "14\n"
    assert dev.shell("getprop ro.product.model") == "SimTest Phone\n"  # from the banner
    assert dev.shell("frobnicate --now") == "/system/bin/sh: frobnicate: inaccessible or not found\n"
    assert dev.shell("sha256sum /sdcard/big.bin /sdcard/nope") == (
        hashlib.sha256(BIG).hexdigest() + "  /sdcard/big.bin\n"
        "sha256sum: /sdcard/nope: No such file or directory\n")
    assert dev.shell("md5sum /sdcard/a") == hashlib.md5(b"alpha\n").hexdigest() + "  /sdcard/a\n"
    out = dev.shell("stat -c '%s|%a|%A|%u|%g|%Y|%n|%F' /sdcard/Android/cjlog.txt /sdcard/missing")
    assert out == (f"30|660|-rw-rw----|1023|1023|{CJLOG_MTIME}|/sdcard/Android/cjlog.txt|regular file\n"
                   "stat: '/sdcard/missing': No such file or directory\n")
    assert dev.shell("id").startswith("uid=2000(shell)")
    assert dev.shell("true") == ""
    assert ("cat", "/sdcard/a") in phone.commands_seen
    assert ("dumpsys", "battery") in phone.commands_seen
    assert phone.violations == []
    dev.close()


def test_set_command_overrides_and_generators(phone) -> None:
    phone.set_command(("pm", "list", "packages"), b"package:com.example\n")
    phone.set_command(("cat", "/sdcard/a"), b"overridden\n")
    calls = []

    def counter():
        calls.append(1)
        yield b"run %d\n" % len(calls)

    phone.set_command(("count",), counter)
    dev = connect(phone)
    assert dev.shell("pm list packages") == "package:com.example\n"
    assert dev.shell("cat /sdcard/a") == "overridden\n"
    assert dev.shell("count") == "run 1\n"
    assert dev.shell("count") == "run 2\n"
    dev.close()


def test_streaming_shell_20mb_generator(phone) -> None:
    line = b"11-18 10:00:00.000  1234  5678 I Tag: " + b"x" * 60 + b"\n"  # 100 bytes
    n_lines = 200_000  # 20 MB

    def logcat():
        block = line * 1000
        for _ in range(n_lines // 1000):
            yield block

    phone.set_command(("logcat", "-d"), logcat)
    dev = connect(phone)
    h = hashlib.sha256()
    total = 0
    for chunk in dev.streaming_shell("logcat -d", decode=False):
        h.update(chunk)
        total += len(chunk)
    assert total == len(line) * n_lines
    assert h.hexdigest() == hashlib.sha256(line * n_lines).hexdigest()
    dev.close()


def test_injection_detection(phone) -> None:
    dev = connect(phone)
    out = dev.shell("cat /sdcard/a;touch x")
    assert out.startswith("/system/bin/sh: syntax error")
    assert phone.violations == ["cat /sdcard/a;touch x"]
    assert ("cat", "/sdcard/a") not in phone.commands_seen
    assert dev.shell("cat '/sdcard/a;touch x'") == "the file with a semicolon\n"
    assert phone.violations == ["cat /sdcard/a;touch x"]
    assert phone.commands_seen[-1] == ("cat", "/sdcard/a;touch x")
    dev.shell('ls "$(reboot)"')
    dev.exec_out("id | sh")
    assert phone.violations[1:] == ['ls "$(reboot)"', "id | sh"]
    dev.close()


# ---------------------------------------------------------------------------------------------
# Sync


def test_list_hostile_names(phone) -> None:
    dev = connect(phone)
    entries = dev.list("/sdcard/hostile")
    names = [bytes(e.filename) for e in entries]
    assert names[:2] == [b".", b".."]
    assert sorted(names[2:]) == sorted(HOSTILE_NAMES)
    by_name = {bytes(e.filename): e for e in entries}
    for name in HOSTILE_NAMES:
        assert stat.S_ISREG(by_name[name].mode) and by_name[name].size == len(name)
    assert dev.list("/nonexistent") == []
    # The shell sees the same names (unquoted here would be an injection; quoted is fine).
    assert dev.shell("cat '/sdcard/hostile/semi;colon'") == "semi;colon"
    assert dev.shell("cat '/sdcard/hostile/$(reboot)'") == "$(reboot)"
    raw = dev.shell("ls /sdcard/hostile", decode=False)
    assert b"\xff\xferaw-latin1\n" in raw and b"new\nline\n" in raw
    assert phone.violations == []
    dev.close()


def test_pull_and_stat(phone, tmp_path) -> None:
    dev = connect(phone)
    buf = io.BytesIO()
    dev.pull("/sdcard/big.bin", buf)
    assert buf.getvalue() == BIG
    dev.pull("/sdcard/hostile/new\nline", str(tmp_path / "nl"))
    assert (tmp_path / "nl").read_bytes() == b"new\nline"
    mode, size, mtime = dev.stat("/sdcard/Android/cjlog.txt")
    assert (stat.S_IMODE(mode), size, mtime) == (0o660, 30, CJLOG_MTIME) and stat.S_ISREG(mode)
    assert dev.stat("/sdcard/nope") == (0, 0, 0)
    assert stat.S_ISDIR(dev.stat("/sdcard")[0])
    with pytest.raises(adb_exc.AdbCommandFailureException, match="No such file"):
        dev.pull("/sdcard/nope", io.BytesIO())
    with pytest.raises(adb_exc.AdbCommandFailureException, match="Is a directory"):
        dev.pull("/sdcard", io.BytesIO())
    with pytest.raises(adb_exc.PushFailedError, match="Read-only"):
        dev.push(io.BytesIO(b"x" * 100_000), "/sdcard/new")
    # The connection survives all of that.
    assert dev.shell("echo still") == "still\n"
    dev.close()


# ---------------------------------------------------------------------------------------------
# Faults


def test_drop_mid_pull_then_resume(phone) -> None:
    dev = connect(phone)
    phone.reset_fault_counters()
    phone.faults = Faults(drop_after_bytes=2 * 1024 * 1024)
    t0 = time.monotonic()
    with pytest.raises((OSError, adb_exc.AdbTimeoutError, adb_exc.TcpTimeoutException)):
        dev.pull("/sdcard/big.bin", io.BytesIO(), read_timeout_s=3)
    assert time.monotonic() - t0 < 2  # a reset, noticed at once
    dev.close()
    # The resume run: no fault.
    phone.faults = Faults()
    phone.reset_fault_counters()
    dev = connect(phone)
    buf = io.BytesIO()
    dev.pull("/sdcard/big.bin", buf)
    assert buf.getvalue() == BIG
    dev.close()


def test_stall_gives_client_timeout(phone) -> None:
    dev = connect(phone)
    phone.reset_fault_counters()
    phone.faults = Faults(stall_after_bytes=100_000)
    t0 = time.monotonic()
    with pytest.raises((adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError)):
        dev.pull("/sdcard/big.bin", io.BytesIO(), transport_timeout_s=0.5, read_timeout_s=0.5)
    assert time.monotonic() - t0 < 3
    sent = phone.bytes_sent
    dev.close()
    assert phone.bytes_sent == sent  # nothing more went out


def test_refused_connection(profile) -> None:
    with SimulatedPhone(profile, auth=AuthPolicy(required=False), faults=Faults(refuse_connections=True)) as phone:
        dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=2)
        with pytest.raises((OSError, adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError)):
            dev.connect(read_timeout_s=1)
        assert phone.connections == 0 and phone.refused_connections == 1
