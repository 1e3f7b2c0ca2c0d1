"""A simulated Android phone: a fake adbd on loopback speaking the real ADB wire protocol.

Used by ``inspector scan --demo``, the test-suite and the benchmarks. Both the ``adb-shell`` library
and the official ``adb`` client can connect to it. See docs/simulator.md for the profile format.

    from inspector.simulator import DeviceProfile, SimulatedPhone

    with SimulatedPhone(DeviceProfile.demo()) as phone:
        ...  # connect an ADB client to phone.address
"""

from .auth import AuthEvent, AuthPolicy, KeyFormatError, decode_android_pubkey, encode_android_pubkey, key_id
from .profile import DeviceProfile, FileStat, FileTree, ProfileError
from .server import Faults, SimulatedPhone
from .shell import parse_command
from .timing import USB2_PHONE, DeviceTiming

__all__ = [
    "USB2_PHONE",
    "AuthEvent",
    "AuthPolicy",
    "DeviceProfile",
    "DeviceTiming",
    "Faults",
    "FileStat",
    "FileTree",
    "KeyFormatError",
    "ProfileError",
    "SimulatedPhone",
    "decode_android_pubkey",
    "encode_android_pubkey",
    "key_id",
    "parse_command",
]
