"""``/proc/net/tcp`` and ``/proc/net/tcp6``: the kernel's socket tables (net/ipv4/tcp_ipv4.c,
net/ipv6/tcp_ipv6.c). Addresses are hex words in host (little-endian) order; state 0A is LISTEN."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import Input, Warnings, bounded_lines

ARTIFACT = "proc_net_tcp"
STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
          "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}
_ROW = re.compile(r"^\s*\d+:\s+(?P<local>[0-9A-Fa-f]+):(?P<lport>[0-9A-Fa-f]{4})\s+(?P<remote>[0-9A-Fa-f]+):"
                  r"(?P<rport>[0-9A-Fa-f]{4})\s+(?P<state>[0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+(?P<uid>\d+)\s+\d+\s+"
                  r"(?P<inode>\d+)")


@dataclass(frozen=True)
class Socket:
    local: str
    local_port: int
    remote: str
    remote_port: int
    state: str
    uid: int
    inode: int
    line: int


@dataclass
class SocketTable:
    sockets: list[Socket] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def listening(self) -> list[Socket]:
        return [s for s in self.sockets if s.state == "LISTEN"]


def _address(text: str) -> str:
    raw = bytes.fromhex(text)
    # each 32-bit word is in host order (little-endian on Android's ARM and x86)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(words)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def parse_proc_net_tcp(data: Input) -> SocketTable:
    warnings = Warnings()
    table = SocketTable()
    header = False
    for number, line in enumerate(bounded_lines(data, warnings), 1):
        if "local_address" in line:
            header = True
            continue
        match = _ROW.match(line)
        if not match:
            if line.strip():
                warnings.add(f"line {number}: not a socket row")
            continue
        try:
            table.sockets.append(Socket(
                local=_address(match.group("local")), local_port=int(match.group("lport"), 16),
                remote=_address(match.group("remote")), remote_port=int(match.group("rport"), 16),
                state=STATES.get(match.group("state").upper(), match.group("state")), uid=int(match.group("uid")),
                inode=int(match.group("inode")), line=number))
        except ValueError:
            warnings.add(f"line {number}: an address cannot be read")
    if not header and not table.sockets:
        raise ParseError(ARTIFACT, "no socket table header (the phone may not allow reading /proc/net)")
    table.warnings = warnings.as_list()
    return table
