"""``python -m fake_ios SOCKET [--untrusted] [--deny] [--locked]`` (run from tests/): serve the fake
iPhone until killed; prints "ready" once the socket listens."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from . import FakeIPhone, FakeUsbmuxd, Trust

parser = argparse.ArgumentParser(prog="fake_ios")
parser.add_argument("socket")
parser.add_argument("--untrusted", action="store_true", help="no pair record yet: the Trust dialog appears")
parser.add_argument("--pending", type=float, default=1.0, help="seconds before Trust is tapped")
parser.add_argument("--deny", action="store_true", help="the user taps Don't Trust")
parser.add_argument("--locked", action="store_true", help="the phone is locked (PasswordProtected)")
parser.add_argument("--devices", type=int, default=1, help="how many iPhones are plugged in")
parser.add_argument("--apps", type=int, default=0, help="add N more user apps (benchmarks)")
parser.add_argument("--crash-logs", type=int, default=0, help="add N more crash logs (benchmarks)")
parser.add_argument("--crash-kb", type=int, default=40, help="size of each added crash log, KiB")
args = parser.parse_args()

phones = []
for n in range(args.devices):
    answer = "deny" if args.deny else "locked" if args.locked else "accept"
    phone = FakeIPhone(trusted=not args.untrusted, trust=Trust(answer, args.pending))
    if n:
        phone.profile.udid = f"00008110-00000000000000{n:02d}"
        phone.values["UniqueDeviceID"] = phone.profile.udid
    for i in range(args.apps):
        phone.profile.apps.append({"CFBundleIdentifier": f"com.example.bench{i}", "ApplicationType": "User",
                                   "CFBundleShortVersionString": "1.0", "SignerIdentity": "Apple iPhone OS Application "
                                   "Signing", "Path": f"/private/var/containers/Bundle/Application/{i:08d}/B.app"})
    line = b'{"bug_type":"309"}\n' + b"x" * 1004 + b"\n"  # 1 KiB
    for i in range(args.crash_logs):
        phone.profile.crash_logs[f"Retired/bench-{i:05d}.ips"] = line * args.crash_kb
    phones.append(phone)
mux = FakeUsbmuxd(phones, folder=Path(args.socket).parent)
mux.address = args.socket
mux.start()
print("ready", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
try:
    stop.wait()
except KeyboardInterrupt:
    pass
mux.stop()
sys.exit(0)
