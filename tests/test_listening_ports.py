"""Sockets an implant listens on: MFSocket's TCP 10103 on the simulated police-checkpoint phone."""

from __future__ import annotations

import pytest

from inspector.acquire.android.connection import AndroidConnection
from inspector.acquisition import Acquisition
from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.proc_net import parse_proc_net_tcp
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.pipeline import acquire_android
from inspector.resources import simulator_profiles_dir
from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone

ROW4 = ("   0: 0100007F:2777 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10135        0 58213 1 "
        "0000000000000000 100 0 0 10 0\n")
HEADER4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def test_kernel_format_both_families():
    table = parse_proc_net_tcp(HEADER4 + ROW4 + "garbage line\n")
    (socket,) = table.sockets
    assert (socket.local, socket.local_port, socket.state, socket.uid) == ("127.0.0.1", 10103, "LISTEN", 10135)
    assert table.warnings
    six = parse_proc_net_tcp((simulator_profiles_dir() / "mfsocket" / "fs" / "proc" / "net" / "tcp6").read_text())
    assert [(s.local, s.local_port) for s in six.listening()] == [("::", 10103)]
    with pytest.raises(ParseError):
        parse_proc_net_tcp("cat: /proc/net/tcp: Permission denied\n")


def test_mfsocket_phone_listening_port_is_found(tmp_path):
    pack = SignaturePack.load()
    with SimulatedPhone(DeviceProfile.load(simulator_profiles_dir() / "mfsocket"),
                        auth=AuthPolicy(required=False)) as phone:
        host, port = phone.address.rsplit(":", 1)
        with AndroidConnection.connect_tcp(host, int(port)) as conn:
            acquire_android(conn, tmp_path / "acq", resume=False, operator=None, pack=pack)
    result = analyze(Acquisition.open(tmp_path / "acq"), pack)
    (listening,) = [f for f in result["findings"] if f["rule_id"] == "mfsocket.port"]
    assert listening["params"]["port"] == 10103 and listening["params"]["apps"] == ["com.Android.MFSocket"]
    assert listening["confidence"] == "verified"  # owned by the implant's own package
    assert result["verdict"] == "implant_found"


def test_unreadable_proc_net_is_named_in_coverage(tmp_path):
    acq = Acquisition.create(tmp_path / "a", platform="android", tool_version="t", signature_pack_version="t")
    acq.write_bytes("proc_net_tcp.txt", b"cat: /proc/net/tcp: Permission denied\n")
    acq.finish()
    coverage = {c["check"]: c for c in analyze(acq, SignaturePack.load())["coverage"]}["listening_ports"]
    assert coverage["status"] == "failed" and "Permission" in coverage["reason"] or "header" in coverage["reason"]
