"""A simulated phone that takes the time a real one takes (``DeviceTiming``): commands wait before
their output, per program; every byte goes through one link of limited speed; the bytes are the
same as from an instant phone. Then a batch of such phones is worked on at once, not one after
another. The times asserted are lower bounds (a loaded machine only makes things slower)."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest
from adb_shell.adb_device import AdbDeviceTcp
from simulator_profiles import clean_twin, make_profile

from inspector.analyze.signatures import SignaturePack
from inspector.fleet.batch import Batch, BatchOptions
from inspector.simulator import USB2_PHONE, AuthPolicy, DeviceTiming, SimulatedPhone

BIG = bytes(range(256)) * 8192  # 2 MiB


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return make_profile(tmp_path_factory.mktemp("phone"), files={"/sdcard/big.bin": BIG},
                        commands={("pm", "list", "users"): "Users:\n\tUserInfo{0:Owner:c13} running\n",
                                  ("settings", "list", "global"): "adb_enabled=1\n"})


def _connect(phone: SimulatedPhone) -> AdbDeviceTcp:
    dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=10)
    assert dev.connect(auth_timeout_s=3, read_timeout_s=10)
    return dev


def _timed(dev: AdbDeviceTcp, command: str) -> tuple[str, float]:
    started = time.monotonic()
    out = dev.shell(command, read_timeout_s=10)
    return out, time.monotonic() - started


def test_commands_wait_as_long_as_their_program_takes(profile) -> None:
    timing = DeviceTiming(command_s=0.2, program_s={"pm": 0.4})
    with SimulatedPhone(profile, auth=AuthPolicy(required=False), timing=timing) as phone:
        dev = _connect(phone)
        try:
            settings, light = _timed(dev, "settings list global")
            users, heavy = _timed(dev, "pm list users")
        finally:
            dev.close()
    assert settings == "adb_enabled=1\n" and users.startswith("Users:\n")
    assert light >= 0.2 and heavy >= 0.6
    assert timing.command_delay(("pm", "path", "x")) == pytest.approx(0.6)
    assert timing.command_delay(()) == pytest.approx(0.2)


def test_the_link_limits_the_bytes_per_second_and_keeps_them_intact(profile, tmp_path: Path) -> None:
    timing = DeviceTiming(link_bytes_per_s=4e6)  # 2 MiB at 4 MB/s: at least ~0.52 s
    with SimulatedPhone(profile, auth=AuthPolicy(required=False), timing=timing) as phone:
        dev = _connect(phone)
        try:
            started = time.monotonic()
            target = tmp_path / "big.bin"
            dev.pull("/sdcard/big.bin", str(target), read_timeout_s=10)
            elapsed = time.monotonic() - started
        finally:
            dev.close()
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(BIG).digest()
    assert elapsed >= len(BIG) / 4e6 * 0.95  # the clock may round a last sub-millisecond slot away


def test_a_stopped_phone_does_not_sleep_out_its_delays(profile) -> None:
    before = set(threading.enumerate())
    phone = SimulatedPhone(profile, auth=AuthPolicy(required=False), timing=DeviceTiming(command_s=30.0))
    phone.start()
    dev = _connect(phone)
    client = threading.Thread(target=lambda: _quietly(dev.shell, "settings list global", read_timeout_s=3),
                              daemon=True)
    client.start()
    time.sleep(0.3)
    phone.stop()
    # The command's service thread was waiting out its 30 s: it ends with the phone.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [t for t in set(threading.enumerate()) - before if t.name.startswith("simphone-") and t.is_alive()]
        if not left:
            break
        time.sleep(0.05)
    assert not left
    client.join(10)
    dev.close()


def _quietly(call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except Exception:  # noqa: BLE001, S110 - the client's error on a stopped phone is not what is tested
        pass


@pytest.mark.parametrize("bad", [dict(command_s=-1.0), dict(program_s={"pm": -0.1}), dict(link_bytes_per_s=0)])
def test_impossible_timings_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        DeviceTiming(**bad)


def test_the_usb2_phone_uses_the_measured_figures() -> None:
    assert USB2_PHONE.command_delay(("dumpsys", "package")) == pytest.approx(0.08)
    assert USB2_PHONE.command_delay(("pm", "list", "packages")) == pytest.approx(0.40)
    assert USB2_PHONE.link_bytes_per_s == 36e6


def test_a_batch_works_on_slow_phones_at_the_same_time(tmp_path: Path) -> None:
    """Three phones that each take seconds: every phone is started before the first is finished, so
    the batch takes about as long as one phone, not three."""
    timing = DeviceTiming(command_s=0.05, program_s={"pm": 0.05})
    phones = [SimulatedPhone(clean_twin(tmp_path, f"SLOW{n:04d}"), auth=AuthPolicy(required=False), timing=timing)
              for n in range(3)]
    for phone in phones:
        phone.start()
    try:
        options = BatchOptions(out=tmp_path / "b", tcp=[p.address for p in phones], store=False,
                               formats=("json",), poll_s=0.05)
        summary = Batch(options, SignaturePack.load()).run()
    finally:
        for phone in phones:
            phone.stop()
    assert [r.stage for r in summary.rows] == ["done"] * 3
    first_finished = min(r.finished for r in summary.rows)
    assert all(r.started < first_finished for r in summary.rows)
    # Each phone ran its commands one after another, each taking >= 0.05 s (pm: 0.1 s).
    for phone in phones:
        row = next(r for r in summary.rows if r.label == phone.address)
        assert len(phone.commands_seen) > 20
        assert row.finished - row.started >= 0.05 * len(phone.commands_seen)
