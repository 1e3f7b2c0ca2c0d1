"""``settings list global|secure|system`` (settings_*.txt) → {key: value}.

``SettingsProvider``'s shell command prints ``key=value`` per line, the value up to the line end
(it may contain ``=``). A value with a line break continues on lines without ``=``: they are joined
back with ``\\n``. A key printed twice keeps its last value (a warning says so).

Public API: :func:`parse_settings` ``(data) -> Settings`` with ``values`` (dict[str, str]) and
``warnings``; :meth:`Settings.get`, :meth:`Settings.components` (a ``:``-separated component list such
as ``enabled_accessibility_services`` or ``enabled_notification_listeners`` → list[ComponentName]) and
:meth:`Settings.flag` (``"1"``/``"0"`` → bool). :func:`split_components` does the same for any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import ComponentName, Input, Warnings, bounded_lines, parse_component

ARTIFACT = "settings"

_KEY = re.compile(r"^[A-Za-z0-9_.:\-]+$")


@dataclass
class Settings:
    values: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def flag(self, key: str) -> bool | None:
        value = self.values.get(key)
        if value is None or value.strip() in ("", "null"):
            return None
        return value.strip() not in ("0", "false")

    def components(self, key: str) -> list[ComponentName]:
        return split_components(self.values.get(key) or "")


def split_components(value: str) -> list[ComponentName]:
    """``com.x/.A:com.y/com.y.B`` → components (entries that are not ``pkg/cls`` are skipped)."""
    found = []
    for entry in value.split(":"):
        component = parse_component(entry)
        if component is not None:
            found.append(component)
    return found


def parse_settings(data: Input) -> Settings:
    """Parse the output of ``settings list <namespace>`` (see the module docstring)."""
    warnings = Warnings()
    result = Settings()
    last_key: str | None = None
    saw_text = False
    for number, line in enumerate(bounded_lines(data, warnings), 1):
        if not line.strip():
            if last_key is not None:
                result.values[last_key] += "\n"
            continue
        saw_text = True
        key, sep, value = line.partition("=")
        if sep and _KEY.match(key):
            if key in result.values:
                warnings.add(f"line {number}: {key!r} printed again; the last value is kept")
            result.values[key] = value
            last_key = key
        elif last_key is not None:
            result.values[last_key] += "\n" + line
        else:
            warnings.add(f"line {number}: not a key=value line")
    if last_key is not None:
        for key, value in result.values.items():
            if value.endswith("\n"):
                result.values[key] = value.rstrip("\n")
    if not saw_text:
        warnings.add("empty input")
    elif not result.values:
        raise ParseError(ARTIFACT, "no key=value line found")
    result.warnings = warnings.as_list()
    return result
