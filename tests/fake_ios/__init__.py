"""A fake iPhone on loopback: usbmuxd + lockdownd + the services inspector uses (see README.md)."""

from .lockdownd import FakeIPhone, Trust
from .profile import SERIAL, UDID, FakeProfile
from .usbmuxd import FakeUsbmuxd

__all__ = ["SERIAL", "UDID", "FakeIPhone", "FakeProfile", "FakeUsbmuxd", "Trust"]
