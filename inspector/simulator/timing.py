"""How fast the simulated phone answers. By default it answers at once (tests want that); with a
:class:`DeviceTiming` it takes the time a real phone takes, which matters wherever the phone and not
the computer sets the pace: a batch of phones acquired at the same time, progress shown to a user.

The time of a real phone has three parts, modelled separately:

* every shell/exec command costs a round trip and adbd starting the program (``command_s``);
* some programs cost more: ``pm`` starts a Java VM on the phone (``program_s``);
* every byte to the computer goes through one USB link (``link_bytes_per_s``), shared by all the
  streams of that phone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["USB2_PHONE", "DeviceTiming", "LinkClock"]


@dataclass(frozen=True)
class DeviceTiming:
    command_s: float = 0.0
    program_s: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    link_bytes_per_s: float | None = None

    def __post_init__(self) -> None:
        if self.command_s < 0 or any(v < 0 for v in self.program_s.values()):
            raise ValueError("a command cannot take less than no time")
        if self.link_bytes_per_s is not None and self.link_bytes_per_s <= 0:
            raise ValueError("link_bytes_per_s must be positive (None: no limit)")

    def command_delay(self, argv: tuple[str, ...]) -> float:
        """Seconds the phone takes before a command's first byte of output."""
        if not argv:
            return self.command_s
        return self.command_s + self.program_s.get(argv[0], 0.0)


# A phone on USB 2.0, at the fast end of what was measured on real phones:
# - 80 ms for a light command through adb: `adb shell dumpsys package com.wire.internal` on an Android 7
#   phone, 17:37:46.724 -> 17:37:46.804 in appium-adb's log (github.com/appium/appium-adb/pull/355);
# - 400 ms for `pm`: "pm path ... This call takes 400ms - 600ms" (github.com/flutter/flutter/pull/3841);
#   the appium log above has 1.21 s for `pm list packages`, so 400 ms is the low end;
# - 36 MB/s for file transfer over USB 2.0 without compression (a Pixel 3, "blueline over USB 2.0 from
#   36 MB/s to 70 MB/s" with compression, AOSP adb commit 2f0f9eb0 "adb: implement compression for
#   file sync"); APKs are mostly compressed already.
USB2_PHONE = DeviceTiming(command_s=0.08, program_s=MappingProxyType({"pm": 0.32}), link_bytes_per_s=36e6)


class LinkClock:
    """One phone's link to the computer: sends are spaced so that bytes never go faster than the link.
    A send reserves its slot under a lock and then sleeps (outside the lock) until the slot ends;
    debts under a millisecond are carried over rather than slept."""

    _MIN_SLEEP_S = 0.001

    def __init__(self, bytes_per_s: float) -> None:
        self.bytes_per_s = bytes_per_s
        self._lock = threading.Lock()
        self._free_at = 0.0

    def charge(self, nbytes: int, stopping: threading.Event) -> None:
        now = time.monotonic()
        with self._lock:
            start = max(now, self._free_at)
            self._free_at = start + nbytes / self.bytes_per_s
            wait = self._free_at - now
        if wait >= self._MIN_SLEEP_S:
            stopping.wait(wait)
