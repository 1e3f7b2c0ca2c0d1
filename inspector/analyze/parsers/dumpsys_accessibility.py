"""``dumpsys accessibility`` → per user: enabled, bound, binding, crashed and installed services.

Printed by ``AccessibilityManagerService.dump`` / ``AccessibilityUserState.dump``
(frameworks/base, services/accessibility/java/com/android/server/accessibility/). Forms read:

- AOSP 8–16: ``User state[attributes:{id=0, …}`` (8–11) or ``User state[`` + ``attributes:{id=0, …}``
  (12+), then ``Bound services:{Service[label=TalkBack, feedbackType[…], …]}``,
  ``Enabled services:{{com.x/com.x.Svc}, {com.y/.Other}}``, ``Binding services:{}``,
  ``Crashed services:{}`` (12+), ``installedServiceCount=N`` among the attributes.
- Samsung One UI: lower-case blocks over several lines::

      installed services: {
        0 : com.samsung.accessibility/.universalswitch.UniversalSwitchService
      }
      enabled services: {
      }

Bound services are printed by label only (no component), so ``bound`` holds labels.

Public API: :func:`parse_dumpsys_accessibility` ``(data) -> AccessibilityDump`` with ``users``
(list[:class:`AccessibilityUser`]) and ``warnings``; :attr:`AccessibilityDump.enabled` lists every
enabled service of every user.
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

ARTIFACT = "dumpsys accessibility"


@dataclass
class AccessibilityUser:
    user: int | None
    enabled: list[ComponentName] = field(default_factory=list)
    binding: list[ComponentName] = field(default_factory=list)
    crashed: list[ComponentName] = field(default_factory=list)
    installed: list[ComponentName] = field(default_factory=list)
    bound_labels: list[str] = field(default_factory=list)
    installed_count: int | None = None
    touch_exploration_enabled: bool | None = None


@dataclass
class AccessibilityDump:
    users: list[AccessibilityUser] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> list[ComponentName]:
        return [c for u in self.users for c in u.enabled]


_BRACED = re.compile(r"\{([^{}]*)\}")
_LIST_HEAD = re.compile(r"^(?P<name>bound|enabled|binding|crashed|installed) services:\s*\{(?P<rest>.*)$", re.I)
_SAMSUNG_ITEM = re.compile(r"^\d+\s*:\s*(?P<c>\S+)$")
_LABEL = re.compile(r"Service\[label=(?P<label>[^,\]]*)")


def parse_dumpsys_accessibility(data: Input) -> AccessibilityDump:
    """Parse the output of ``dumpsys accessibility`` (see the module docstring)."""
    warnings = Warnings()
    result = AccessibilityDump()
    user: AccessibilityUser | None = None
    open_list: str | None = None  # a Samsung-style list whose items follow on their own lines
    recognised = False
    lines = ServiceLines(data, warnings)

    def current() -> AccessibilityUser:
        nonlocal user
        if user is None:
            user = AccessibilityUser(user=None)
            result.users.append(user)
        return user

    for number, _line, text in lines:
        if text.startswith(("ACCESSIBILITY MANAGER", "currentUserId=")):
            recognised = True
        if text.startswith("User state["):
            recognised = True
            user = AccessibilityUser(user=None)
            result.users.append(user)
            open_list = None
        if user is not None and user.user is None and (m := re.search(r"\bid=(-?\d+)", text)):
            user.user = int(m.group(1))
        if "attributes:{" in text:
            target = current()
            if m := re.search(r"installedServiceCount=(\d+)", text):
                target.installed_count = int(m.group(1))
            if m := re.search(r"touchExplorationEnabled=(true|false)", text):
                target.touch_exploration_enabled = m.group(1) == "true"
        if open_list is not None:
            if text.startswith("}"):
                open_list = None
                continue
            if m := _SAMSUNG_ITEM.match(text):
                _add(current(), open_list, m.group("c"), number, warnings)
            elif component := parse_component(text):
                _add(current(), open_list, component.raw, number, warnings)
            continue
        match = _LIST_HEAD.match(text)
        if not match:
            continue
        recognised = True
        name, rest = match.group("name").lower(), match.group("rest").rstrip()
        if rest.endswith("}]"):
            rest = rest[:-1]  # Android ≤ 10 closes "User state[" on the last list's line
        target = current()
        if name == "bound":
            target.bound_labels.extend(m.group("label").strip() for m in _LABEL.finditer(rest))
            if not rest.rstrip().endswith("}"):
                open_list = name if "Service[" not in rest else None
            continue
        body = rest.rstrip()
        if body.endswith("}"):
            body = body[:-1]
        if body.strip() == "" and not rest.rstrip().endswith("}"):
            open_list = name  # Samsung: items on the following lines
            continue
        for inner in _BRACED.findall(body) or ([body] if body.strip() else []):
            for piece in inner.split(","):
                if piece.strip():
                    _add(target, name, piece.strip(), number, warnings)
    lines.finish(recognised, ARTIFACT, "no accessibility user state found")
    result.warnings = warnings.as_list()
    return result


def _add(user: AccessibilityUser, name: str, text: str, number: int, warnings: Warnings) -> None:
    if name == "bound":
        user.bound_labels.append(text)
        return
    component = parse_component(text)
    if component is None:
        warnings.add(f"line {number}: {name} service {text[:80]!r} is not a component name")
        return
    getattr(user, name).append(component)
