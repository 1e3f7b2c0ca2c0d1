"""``dumpsys notification`` → notification listeners (allowed, enabled, live, snoozed).

Printed by ``NotificationManagerService.dumpImpl`` (``Notification listeners:`` then
``ManagedServices.dump`` with the caption "notification listener"; frameworks/base,
services/core/java/com/android/server/notification/). ManagedServices prints, Android 8–16::

      Notification listeners:
        Allowed notification listeners:
          com.x/com.x.Listener:com.y/.Other (user: 0 isPrimary: true)
        All notification listeners (2) enabled for current profiles:
          ComponentInfo{com.x/com.x.Listener}
        Live notification listeners (1):
          ComponentInfo{com.x/com.x.Listener} (user 0): android.service…$Stub$Proxy@5e3a1 SYSTEM
        Snoozed notification listeners (0):

The same layout follows for ``Notification assistant services:`` and ``Condition providers:``,
which end the listeners' block. Lines of other vendor forms inside the block that hold a component
name (``pkg/cls``) are kept as ``other``.

Public API: :func:`parse_dumpsys_notification` ``(data) -> NotificationListeners`` with ``allowed``
(list[:class:`ApprovedListener`]), ``enabled``, ``live`` (list[:class:`LiveListener`]), ``snoozed``,
``other`` (list[ComponentName]) and ``warnings``; :attr:`NotificationListeners.packages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from inspector.analyze.parsers._common import (
    ServiceLines,
    ComponentName,
    Input,
    Warnings,
    parse_component,
)

ARTIFACT = "dumpsys notification"


@dataclass
class ApprovedListener:
    entry: str  # a flattened component or a package name
    component: ComponentName | None
    user: int | None
    is_primary: bool | None


@dataclass
class LiveListener:
    component: ComponentName
    user: int | None
    system: bool


@dataclass
class NotificationListeners:
    allowed: list[ApprovedListener] = field(default_factory=list)
    enabled: list[ComponentName] = field(default_factory=list)
    live: list[LiveListener] = field(default_factory=list)
    snoozed: list[ComponentName] = field(default_factory=list)
    other: list[ComponentName] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def packages(self) -> list[str]:
        names: dict[str, None] = {}
        for approved in self.allowed:
            names.setdefault(approved.component.package if approved.component else approved.entry)
        for component in [*self.enabled, *(live.component for live in self.live), *self.other]:
            names.setdefault(component.package)
        return list(names)


_APPROVED_SUFFIX = re.compile(r"^(?P<list>.*?)\s*\(user: (?P<user>-?\d+) isPrimary: (?P<primary>true|false)\)$")
_LIVE = re.compile(r"^(?P<c>\S+)(?: \(user (?P<user>-?\d+)\))?(?::|$)")
_BLOCK_ENDS = ("Notification assistant services", "Condition providers", "Policy access", "Snoozed notifications",
               "Notification assistants")


def parse_dumpsys_notification(data: Input) -> NotificationListeners:
    """Parse the output of ``dumpsys notification`` (see the module docstring)."""
    warnings = Warnings()
    result = NotificationListeners()
    in_block = False
    block_indent = 0
    part: str | None = None
    recognised = False
    lines = ServiceLines(data, warnings)
    for number, line, text in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        if text.startswith(("Current Notification Manager state", "Notification List:")):
            recognised = True
        if text.rstrip(":") == "Notification listeners":
            in_block, block_indent, part, recognised = True, indent, None, True
            continue
        if not in_block:
            continue
        if (indent <= block_indent and text.endswith(":")) or text.startswith(_BLOCK_ENDS):
            in_block = False
            continue
        lower = text.lower()
        if lower.startswith("allowed notification listeners"):
            part = "allowed"
            continue
        if lower.startswith("all notification listeners") or lower.startswith("enabled notification listeners"):
            part = "enabled"
            continue
        if lower.startswith("live notification listeners"):
            part = "live"
            continue
        if lower.startswith("snoozed notification listeners"):
            part = "snoozed"
            continue
        if text.endswith(":") and "/" not in text:
            part = "unknown"
            continue
        if part == "allowed":
            _approved(result, text)
        elif part == "live":
            m = _LIVE.match(text)
            component = parse_component(m.group("c")) if m else None
            if component is None:
                warnings.add(f"line {number}: live listener not understood")
                continue
            user = int(m.group("user")) if m and m.group("user") else None
            result.live.append(LiveListener(component=component, user=user, system=text.endswith(" SYSTEM")
                                            or " SYSTEM " in text))
        elif part in ("enabled", "snoozed"):
            component = parse_component(text.split()[0])
            if component is None:
                warnings.add(f"line {number}: {part} listener {text[:80]!r} is not a component name")
                continue
            (result.enabled if part == "enabled" else result.snoozed).append(component)
        else:
            for word in re.split(r"[\s,:]+", text):
                component = parse_component(word)
                if component is not None:
                    result.other.append(component)
    lines.finish(recognised, ARTIFACT, "no notification manager state or listener block found")
    result.warnings = warnings.as_list()
    return result


def _approved(result: NotificationListeners, text: str) -> None:
    user: int | None = None
    primary: bool | None = None
    body = text
    if m := _APPROVED_SUFFIX.match(text):
        body, user, primary = m.group("list"), int(m.group("user")), m.group("primary") == "true"
    # Entries are joined with ':' (ManagedServices keeps components and, for some services, packages).
    for entry in body.split(":"):
        entry = entry.strip()
        if entry:
            result.allowed.append(ApprovedListener(entry=entry, component=parse_component(entry), user=user,
                                                   is_primary=primary))
