"""Parsers of Android artifacts: pure functions, text in, records out.

One module per artifact (``dumpsys_package``, ``dumpsys_usagestats``, ``logcat``, ``files_json`` …).
Each takes the artifact as ``str`` (callers decode with ``errors="replace"``), ``bytes`` or an iterable
of lines, reads it line by line, and returns a result dataclass whose lists hold typed records and
whose ``warnings`` say what could not be read. Nothing is ever executed or fetched.

Rules every parser keeps:

- Input is hostile. Garbage, truncated sections, non-UTF-8 bytes and absurd values give partial
  records and warnings, never an exception. :class:`ParseError` is raised only when the input is not
  that artifact at all (no line of it looks like one); empty input gives an empty result and a warning.
- Every time is a :class:`Stamp`: the raw text, the UTC time ``"YYYY-MM-DDTHH:MM:SSZ"`` or ``None``,
  and a note (see ``_common``). Local times need the phone's zone (``tz``, an IANA name from
  ``persist.sys.timezone``); times printed relative to the dump ("-3h55m ago") need ``now``, the
  moment the dump was taken (the artifact's ``started_at`` in acquisition.json); times printed
  without a year ("11-18 09:10:04.000") need ``year`` or ``now``.
- Large inputs are read as a stream: a 50 MB ``dumpsys package`` parses in a few seconds without
  building a list of its lines.
- Output that dumpsys prints instead of a dump (``Can't find service: adb`` on Android 9) is an
  absent service, not a foreign artifact: an empty result with a warning.

Entry points (each module's docstring lists its record types and the Android print code it reads):

========================================  ===========================================================
``dumpsys.split_dumpsys``                 dumpsys.txt / bugreport → {service: text}
``dumpsys.iter_service_lines``            the lines of one service, streamed (feed them to a parser)
``dumpsys_package.parse_dumpsys_package``  packages, package changes, install sessions
``dumpsys_usagestats.parse_dumpsys_usagestats``  usage events, last-used times, standby states
``dumpsys_appops.parse_dumpsys_appops``   ops per uid/package with access/reject times
``dumpsys_batterystats.parse_dumpsys_batterystats``  uid → package, install/uninstall, history
``dumpsys_accessibility.parse_dumpsys_accessibility``  enabled/bound/installed services
``dumpsys_device_policy.parse_dumpsys_device_policy``  device admins, device/profile owners
``dumpsys_notification.parse_dumpsys_notification``  notification listeners
``dumpsys_adb.parse_dumpsys_adb``         trusted ADB keys (also ``dumpsys usb`` on Android ≤ 9)
``dumpsys_wifi.parse_dumpsys_wifi``       saved networks, config log, connections, scans, gateways
``settings.parse_settings``               settings_global/secure/system.txt
``processes.parse_processes``             processes.txt (``ps -A`` / ``ps``)
``logcat.iter_logcat`` / ``parse_logcat`` logcat.txt; ``logcat.extract_package_events``
``files_json.parse_files_json``           files.json (inspector's and androidqf's variants)
========================================  ===========================================================
"""

from __future__ import annotations

from inspector.analyze.parsers._common import ComponentName, Stamp


class ParseError(ValueError):
    """The input is not the artifact this parser reads (not merely damaged: then there are warnings)."""

    def __init__(self, artifact: str, reason: str) -> None:
        super().__init__(f"{artifact}: {reason}")
        self.artifact = artifact
        self.reason = reason


__all__ = ["ComponentName", "ParseError", "Stamp"]
