"""The simulated phone at the byte level: header packing, a raw protocol client, the tiny shell's
tokenizer, the Android public-key struct, and the profile's file tree confinement."""

from __future__ import annotations

import base64
import os
import socket
import struct
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from simulator_profiles import make_profile

from inspector.simulator import (
    AuthPolicy,
    DeviceProfile,
    ProfileError,
    SimulatedPhone,
    decode_android_pubkey,
    encode_android_pubkey,
    key_id,
    parse_command,
)
from inspector.simulator import wire
from inspector.simulator.wire import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_WRTE,
    WireError,
    checksum,
    pack_header,
    pack_message,
    unpack_header,
)

# ---------------------------------------------------------------------------------------------
# Headers


def test_header_round_trip() -> None:
    data = b"host::features=cmd"
    raw = pack_message(A_CNXN, 0x01000001, 1 << 20, data)
    assert len(raw) == 24 + len(data)
    hdr = unpack_header(raw[:24])
    assert (hdr.command, hdr.arg0, hdr.arg1, hdr.data_length) == (A_CNXN, 0x01000001, 1 << 20, len(data))
    assert hdr.data_checksum == sum(data)
    assert hdr.magic == A_CNXN ^ 0xFFFFFFFF
    assert hdr.name == "CNXN"
    assert raw[:4] == b"CNXN"
    assert struct.unpack("<6I", raw[:24])[5] == struct.unpack("<I", b"CNXN")[0] ^ 0xFFFFFFFF


def test_checksum() -> None:
    assert checksum(b"") == 0
    assert checksum(b"\x01\x02\xff") == 258
    assert checksum(bytes(range(256)) * 4) == 4 * sum(range(256))
    assert pack_message(A_WRTE, 1, 2, b"abc", with_checksum=False)[16:20] == b"\0\0\0\0"
    big = b"\xff" * (1 << 20)
    assert checksum(big) == (255 << 20) & 0xFFFFFFFF


def test_bad_headers_rejected() -> None:
    good = pack_header(A_OKAY, 1, 2, 0, 0)
    bad_magic = good[:20] + struct.pack("<I", 0x12345678)
    with pytest.raises(WireError, match="magic"):
        unpack_header(bad_magic)
    unknown = struct.pack("<6I", 0x41414141, 0, 0, 0, 0, 0x41414141 ^ 0xFFFFFFFF)
    with pytest.raises(WireError, match="unknown command"):
        unpack_header(unknown)
    with pytest.raises(WireError):
        unpack_header(good[:23])
    with pytest.raises(WireError, match="exceeds"):
        unpack_header(pack_header(A_WRTE, 1, 2, 5_000_000, 0), max_data=1 << 20)
    assert wire.command_name(0x41414141) == "AAAA"


# ---------------------------------------------------------------------------------------------
# A raw client: exactly what goes over the socket


class RawClient:
    def __init__(self, address: tuple[str, int], timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(address, timeout=timeout)

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"", *, ck: bool = True) -> None:
        self.sock.sendall(pack_message(command, arg0, arg1, data, with_checksum=ck))

    def recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError(f"connection closed after {len(buf)} of {n} bytes")
            buf += chunk
        return buf

    def recv(self) -> tuple[wire.Header, bytes]:
        hdr = unpack_header(self.recv_exact(24))
        data = self.recv_exact(hdr.data_length) if hdr.data_length else b""
        return hdr, data

    def connect(self, version: int = 0x01000001, maxdata: int = 1 << 20) -> tuple[wire.Header, bytes]:
        self.send(A_CNXN, version, maxdata, b"host::\0")
        return self.recv()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def open_phone(tmp_path):
    profile = make_profile(
        tmp_path,
        files={"/sdcard/a.txt": b"alpha\n", "/sdcard/big.bin": os.urandom(300_000)},
    )
    phone = SimulatedPhone(profile, auth=AuthPolicy(required=False))
    phone.set_command(("yes",), lambda: (b"y\n" * 1000 for _ in range(10_000)))  # 20 MB, lazily
    with phone:
        yield phone


def _addr(phone: SimulatedPhone) -> tuple[str, int]:
    return ("127.0.0.1", phone.port)


def test_cnxn_banner_and_checksum_by_version(open_phone: SimulatedPhone) -> None:
    old = RawClient(_addr(open_phone))
    hdr, data = old.connect(version=0x01000000, maxdata=4096)
    assert hdr.name == "CNXN" and hdr.arg0 == 0x01000001 and hdr.arg1 == 4096
    assert data.startswith(b"device::ro.product.name=simtest;ro.product.model=SimTest Phone;")
    assert b"features=" in data and b"shell_v2" not in data
    assert hdr.data_checksum == sum(data)  # old protocol: checksummed
    old.send(A_OPEN, 7, 0, b"shell:echo hi\0")
    okay, _ = old.recv()
    assert okay.name == "OKAY" and okay.arg1 == 7
    wrte, payload = old.recv()
    assert wrte.name == "WRTE" and payload == b"hi\n" and wrte.data_checksum == sum(payload)
    old.close()

    new = RawClient(_addr(open_phone))
    hdr, data = new.connect()
    assert hdr.arg1 == 1 << 20 and hdr.data_checksum == 0  # modern peers skip checksums
    new.close()


def _assert_closed_by_peer(sock: socket.socket) -> None:
    try:
        assert sock.recv(100) == b""  # FIN
    except ConnectionResetError:  # or RST, when our unread bytes were still queued
        pass


def test_garbage_closes_connection_and_phone_survives(open_phone: SimulatedPhone) -> None:
    c = RawClient(_addr(open_phone))
    c.sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    _assert_closed_by_peer(c.sock)
    c.close()
    c = RawClient(_addr(open_phone))
    c.sock.sendall(pack_header(A_CNXN, 1, 2, 0, 0)[:20] + b"XXXX")  # bad magic
    _assert_closed_by_peer(c.sock)
    c.close()
    c = RawClient(_addr(open_phone))
    c.send(A_CNXN, 0x01000001, 1 << 20, b"host::\0")
    c.sock.sendall(pack_header(A_WRTE, 1, 1, 3, 999) + b"abc")  # wrong checksum
    c.recv()  # the CNXN reply
    with pytest.raises((EOFError, ConnectionError)):
        c.recv()
    c.close()
    ok = RawClient(_addr(open_phone))
    assert ok.connect()[0].name == "CNXN"
    ok.close()


def test_one_wrte_in_flight_and_early_close(open_phone: SimulatedPhone) -> None:
    c = RawClient(_addr(open_phone), timeout=2)
    c.connect()
    c.send(A_OPEN, 1, 0, b"shell:yes\0")
    okay, _ = c.recv()
    local = okay.arg0
    wrte, data = c.recv()
    assert wrte.name == "WRTE" and 0 < len(data) <= 1 << 20
    # Without our OKAY the phone must not send another WRTE.
    c.sock.settimeout(0.3)
    with pytest.raises(TimeoutError):
        c.recv_exact(1)
    c.sock.settimeout(2)
    c.send(A_OKAY, 1, local)
    assert c.recv()[0].name == "WRTE"
    # Close early: the phone answers CLSE and stops producing.
    c.send(A_CLSE, 1, local)
    while True:
        hdr, _ = c.recv()
        if hdr.name == "CLSE":
            break
    # The connection is still usable.
    c.send(A_OPEN, 2, 0, b"shell:echo after\0")
    assert c.recv()[0].name == "OKAY"
    assert c.recv()[1] == b"after\n"
    c.close()


def test_several_streams_at_once(open_phone: SimulatedPhone) -> None:
    c = RawClient(_addr(open_phone))
    c.connect()
    for rid in (11, 12, 13):
        c.send(A_OPEN, rid, 0, f"shell:echo stream{rid}\0".encode())
    got: dict[int, bytes] = {}
    closed = set()
    while len(closed) < 3:
        hdr, data = c.recv()
        if hdr.name == "WRTE":
            got[hdr.arg1] = got.get(hdr.arg1, b"") + data
            c.send(A_OKAY, hdr.arg1, hdr.arg0)
        elif hdr.name == "CLSE":
            closed.add(hdr.arg1)
            c.send(A_CLSE, hdr.arg1, hdr.arg0)
    assert got == {11: b"stream11\n", 12: b"stream12\n", 13: b"stream13\n"}
    c.close()


def test_sync_over_raw_stream_split_requests(open_phone: SimulatedPhone) -> None:
    """Sync requests split across WRTEs, and STAT/RECV answers batched in one WRTE."""
    c = RawClient(_addr(open_phone))
    c.connect()
    c.send(A_OPEN, 5, 0, b"sync:\0")
    local = c.recv()[0].arg0
    path = b"/sdcard/a.txt"
    req = struct.pack("<2I", wire.ID_STAT, len(path)) + path + struct.pack("<2I", wire.ID_RECV, len(path)) + path
    c.send(A_WRTE, 5, local, req[:5])
    assert c.recv()[0].name == "OKAY"
    c.send(A_WRTE, 5, local, req[5:])
    assert c.recv()[0].name == "OKAY"
    buf = b""
    while len(buf) < 16 + 8 + 6 + 8:
        hdr, data = c.recv()
        assert hdr.name == "WRTE"
        buf += data
        c.send(A_OKAY, 5, local)
    ident, mode, size, _mtime = struct.unpack_from("<4I", buf)
    assert ident == wire.ID_STAT and size == 6 and mode & 0o170000 == 0o100000
    assert buf[16:24] == struct.pack("<2I", wire.ID_DATA, 6) and buf[24:30] == b"alpha\n"
    assert buf[30:38] == struct.pack("<2I", wire.ID_DONE, 0)
    c.send(A_WRTE, 5, local, struct.pack("<2I", wire.ID_QUIT, 0))
    names = []
    while "CLSE" not in names:
        names.append(c.recv()[0].name)
    c.close()


def test_unknown_service_refused_and_open_before_auth_ignored(tmp_path) -> None:
    profile = make_profile(tmp_path, files={"/x": b"x"})
    with SimulatedPhone(profile) as phone:  # auth required by default
        c = RawClient(_addr(phone), timeout=2)
        hdr, token = c.connect()
        assert hdr.name == "AUTH" and hdr.arg0 == wire.AUTH_TOKEN and len(token) == 20
        c.send(A_OPEN, 1, 0, b"shell:id\0")  # not authenticated: ignored
        c.sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            c.recv_exact(1)
        c.close()
        assert phone.commands_seen == []
    profile2 = make_profile(tmp_path / "p2")
    with SimulatedPhone(profile2, auth=AuthPolicy(required=False)) as phone:
        c = RawClient(_addr(phone))
        c.connect()
        for service in (b"reboot:", b"shell,v2,raw:id", b"shell:", b"jdwp:1234"):
            c.send(A_OPEN, 9, 0, service + b"\0")
            hdr, _ = c.recv()
            assert hdr.name == "CLSE" and hdr.arg1 == 9, service
        c.close()


def test_refuse_connections_and_stop(tmp_path) -> None:
    profile = make_profile(tmp_path)
    phone = SimulatedPhone(profile, auth=AuthPolicy(required=False))
    phone.start()
    phone.faults.refuse_connections = True
    # The reset can arrive before or after the TCP connect returns: both are a refusal.
    with pytest.raises((ConnectionError, EOFError)):
        c = RawClient(_addr(phone))
        try:
            c.connect()
        finally:
            c.close()
    deadline = time.monotonic() + 2
    while phone.refused_connections < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert phone.refused_connections == 1
    phone.faults.refuse_connections = False
    c = RawClient(_addr(phone))
    assert c.connect()[0].name == "CNXN"
    t0 = time.monotonic()
    phone.stop()
    assert time.monotonic() - t0 < 2
    with pytest.raises((ConnectionError, EOFError, OSError)):
        c.recv()
    c.close()
    assert not phone.running


# ---------------------------------------------------------------------------------------------
# The tiny shell's tokenizer


@pytest.mark.parametrize(
    ("raw", "argv"),
    [
        ("ls -l /sdcard", ("ls", "-l", "/sdcard")),
        ("  echo   a\tb  ", ("echo", "a", "b")),
        ("cat '/sdcard/a;touch x'", ("cat", "/sdcard/a;touch x")),
        ("cat '/sdcard/it'\\''s'", ("cat", "/sdcard/it's")),
        ('cat "/sdcard/d q;|&<>()"', ("cat", "/sdcard/d q;|&<>()")),
        ('echo "a\\"b" "\\$x" "c\\d"', ("echo", 'a"b', "$x", "c\\d")),
        ("echo a\\;b \\$HOME \\|", ("echo", "a;b", "$HOME", "|")),
        ("echo '' \"\" x", ("echo", "", "", "x")),
        ("echo 'new\nline'", ("echo", "new\nline")),
        ("echo a#b", ("echo", "a#b")),
        ("stat -c '%s %Y' /x", ("stat", "-c", "%s %Y", "/x")),
        ("", ()),
    ],
)
def test_tokenizer_words(raw: str, argv: tuple[str, ...]) -> None:
    parsed = parse_command(raw)
    assert parsed.ok, parsed.error
    assert parsed.argv == argv


@pytest.mark.parametrize(
    "raw",
    [
        "cat /sdcard/a;touch x",
        "ls | sh",
        "ls && reboot",
        "ls & reboot",
        "cat < /x",
        "ls > /x",
        "ls 2>/dev/null",
        "echo $(id)",
        "echo `id`",
        "echo $HOME",
        'echo "$(id)"',
        'echo "`id`"',
        "ls\nreboot",
        "(reboot)",
        "cat 'unterminated",
        'cat "unterminated',
        "ls #comment",
    ],
)
def test_tokenizer_metacharacters(raw: str) -> None:
    parsed = parse_command(raw)
    assert not parsed.ok and parsed.error.startswith("syntax error")


def test_tokenizer_bytes_surrogateescape() -> None:
    parsed = parse_command(b"cat '/sdcard/\xff\xfe'")
    assert parsed.argv == ("cat", "/sdcard/\udcff\udcfe")
    assert parsed.argv[1].encode("utf-8", "surrogateescape") == b"/sdcard/\xff\xfe"


# ---------------------------------------------------------------------------------------------
# Keys


def test_android_pubkey_round_trip_matches_adb_shell(tmp_path) -> None:
    from adb_shell.auth.keygen import encode_pubkey
    from cryptography.hazmat.primitives import serialization

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    line = encode_android_pubkey(key.public_key(), "me@host")
    assert line.endswith(b" me@host")
    pub = decode_android_pubkey(line + b"\0")
    assert pub.public_numbers() == key.public_key().public_numbers()
    # adb-shell's encoder produces the very same struct (n0inv and rr included)
    pem = tmp_path / "adbkey"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    theirs = base64.b64encode(encode_pubkey(str(pem)))
    assert theirs == line.split(b" ")[0]
    assert key_id(theirs) == key_id(line + b"\0")


def test_bad_pubkeys_rejected() -> None:
    from inspector.simulator import KeyFormatError

    for bad in (b"", b"not base64!", b"QUFBQQ==", b"AAAA" * 10):
        with pytest.raises(KeyFormatError):
            decode_android_pubkey(bad)


# ---------------------------------------------------------------------------------------------
# Profile and file tree


def test_file_tree_confinement(tmp_path) -> None:
    secret = tmp_path / "host-secret"
    secret.write_bytes(b"host only")
    profile = make_profile(
        tmp_path,
        files={"/sdcard/a": b"A", "/etc/passwd": b"device passwd"},
        symlinks={
            "/sdcard/abs": "/etc/passwd",  # absolute: a device path
            "/sdcard/rel": "../etc/passwd",
            "/sdcard/up": "../../../../../../../../" + str(secret).lstrip("/"),
            "/sdcard/loop": "/sdcard/loop",
            "/sdcard/hostabs": str(secret),
        },
    )
    fs = profile.fs
    assert fs is not None

    def read(p: bytes) -> bytes | None:
        try:
            return b"".join(fs.read_chunks(p))
        except OSError:
            return None

    assert read(b"/sdcard/a") == b"A"
    assert read(b"/sdcard/../../../../sdcard/a") == b"A"
    assert read(b"/../../etc/passwd") == b"device passwd"
    assert read(b"/sdcard/abs") == b"device passwd"
    assert read(b"/sdcard/rel") == b"device passwd"
    assert read(b"/sdcard/up") is None
    assert read(b"/sdcard/hostabs") is None
    assert read(b"/sdcard/loop") is None
    assert read(b"/sdcard/a\0x") is None
    assert read(os.fsencode(str(secret))) is None
    st = fs.lstat(b"/sdcard/abs")
    assert st is not None and st.is_link
    st = fs.stat(b"/sdcard/abs")
    assert st is not None and st.is_reg and st.size == len(b"device passwd")
    assert fs.stat(b"/sdcard/a/") is None  # trailing slash on a file
    names = [n for n, _ in fs.listdir(b"/sdcard")]
    assert names[:2] == [b".", b".."]


def test_profile_metadata_and_errors(tmp_path) -> None:
    profile = make_profile(
        tmp_path,
        files={"/sdcard/Android/cjlog.txt": b"log"},
        meta={"/sdcard/Android/cjlog.txt": {"mtime": 1763459000, "atime": 1763459001, "ctime": 1763459002,
                                             "mode": "0660", "uid": 1023, "gid": 1023}},
        features=["cmd", "shell_v2", "stat_v2"],
        banner={"ro.product.name": "n", "ro.product.model": "m", "ro.product.device": "d"},
    )
    st = profile.fs.stat(b"/sdcard/Android/cjlog.txt")
    assert (st.mtime, st.atime, st.ctime, st.mode & 0o7777, st.uid, st.gid) == (
        1763459000, 1763459001, 1763459002, 0o660, 1023, 1023)
    assert st.is_reg and st.size == 3
    assert profile.features == ["cmd"]  # unimplemented protocol features never advertised
    assert profile.connect_banner() == b"device::ro.product.name=n;ro.product.model=m;ro.product.device=d;features=cmd"

    bad = tmp_path / "bad"
    (bad / "fs").mkdir(parents=True)
    with pytest.raises(ProfileError, match="profile.yaml"):
        DeviceProfile.load(bad)
    (bad / "profile.yaml").write_text("serial: X\n")
    (bad / "commands.yaml").write_text("- {argv: [cat, x], stdout: ../../etc/passwd}\n")
    with pytest.raises(ProfileError, match="outside"):
        DeviceProfile.load(bad)
    (bad / "commands.yaml").write_text("- {argv: [cat, x], stdout: missing.txt}\n")
    with pytest.raises(ProfileError, match="does not exist"):
        DeviceProfile.load(bad)
    (bad / "commands.yaml").write_text("- {argv: [id], text: hi, exit: 3}\n")
    assert DeviceProfile.load(bad).commands[("id",)].exit_code == 3
    with pytest.raises(ProfileError):
        DeviceProfile.load(tmp_path / "nowhere")


def test_serve_forever_until_stop(tmp_path) -> None:
    import threading

    phone = SimulatedPhone(make_profile(tmp_path), auth=AuthPolicy(required=False))
    runner = threading.Thread(target=phone.serve_forever, daemon=True)
    runner.start()
    deadline = time.monotonic() + 5
    while not phone.running and time.monotonic() < deadline:
        time.sleep(0.01)
    c = RawClient(_addr(phone))
    assert c.connect()[0].name == "CNXN"
    c.close()
    phone.stop()
    runner.join(5)
    assert not runner.is_alive() and not phone.running
