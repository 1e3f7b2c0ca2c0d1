"""``dumpsys appops`` → per uid/package operations with mode and access/reject times.

Printed by ``AppOpsService.dump`` (frameworks/base, services/core/java/com/android/server/appop/).
Forms read, all under ``Uid <uid>:`` (``1000``, ``10262`` or ``u0a262``) and ``Package <name>:``:

- Android ≤ 8: ``CAMERA: mode=allow; time=+1h2m3s ago; rejectTime=+5m ago; duration=+28s``
  (times relative to the dump: need ``now``).
- Android 9: ``CAMERA (allow):`` then ``Access: top = 2019-05-01 10:00:00.123 (-1d2h…)`` with further
  states on continuation lines (``fgsvc = …``), ``Reject: …``, ``duration=+…``.
- Android 10+: ``CAMERA (allow / switch COARSE_LOCATION=allow):`` and ``Access: [top-s] 2026-11-18
  17:44:02.415 (-3h55m57s585ms) duration=+82ms`` (``[uid state-flags]``); Android 11+ nests these in
  attribution-tag blocks (``null=[`` … ``]``, ``tag=[``) and may add ``proxy[uid=…, pkg=…, …]``.
- Uid-wide modes directly under ``Uid …:``: ``COARSE_LOCATION: mode=ignore`` (package None).

The absolute local date-time (``tz``) is used when printed; otherwise the relative one with ``now``.

Public API: :func:`parse_dumpsys_appops` ``(data, tz=None, now=None) -> AppOpsDump`` with ``ops``
(list[:class:`AppOp`], each with ``accesses``: list[:class:`OpAccess`]) and ``warnings``;
``AppOp.last_access`` / ``last_reject`` give the latest dated access/reject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from inspector.analyze.parsers._common import (
    ServiceLines,
    Input,
    Stamp,
    TimeContext,
    Warnings,
    parse_duration_ms,
    parse_uid,
    stamp_ago,
    StampCache,
    time_context,
)

ARTIFACT = "dumpsys appops"


@dataclass(slots=True)
class OpAccess:
    kind: str  # "access", "reject" or "running"
    time: Stamp | None
    uid_state: str | None = None  # top, fg, fgsvc, bg, cch, pers …
    flags: str | None = None  # s (self), tp (trusted proxy), up (untrusted proxy), tpd, upd
    attribution_tag: str | None = None
    duration_ms: int | None = None
    proxy: str | None = None
    line: int = 0


@dataclass(slots=True)
class AppOp:
    uid: int | None
    uid_raw: str
    package: str | None  # None: a uid-wide mode
    op: str
    mode: str | None
    accesses: list[OpAccess] = field(default_factory=list)
    duration_ms: int | None = None  # op-level duration (Android ≤ 9)
    line: int = 0

    def _latest(self, kind: str) -> Stamp | None:
        dated = [a.time for a in self.accesses if a.kind == kind and a.time is not None and a.time.time]
        return max(dated, key=lambda s: s.time or "") if dated else None

    @property
    def last_access(self) -> Stamp | None:
        return self._latest("access")

    @property
    def last_reject(self) -> Stamp | None:
        return self._latest("reject")


@dataclass
class AppOpsDump:
    ops: list[AppOp] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def for_package(self, package: str) -> list[AppOp]:
        return [op for op in self.ops if op.package == package]


_UID = re.compile(r"^Uid (?P<uid>\S+?):$")
_PACKAGE = re.compile(r"^Package (?P<pkg>\S+?):$")
_OP_NEW = re.compile(r"^(?P<op>[A-Z][A-Z0-9_]*) \((?P<mode>[\w-]+)(?:[^)]*)\):?$")
_OP_OLD = re.compile(r"^(?P<op>[A-Z][A-Z0-9_]*): mode=(?P<mode>[\w-]+)(?P<rest>.*)$")
_TAG_OPEN = re.compile(r"^(?P<tag>\S+)=\[$")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?")
_REL = re.compile(r"\((?P<rel>[+-][0-9dhms]+)\)")
_STATE_NEW = re.compile(r"\[(?P<state>[a-z]+)(?:-(?P<flags>[a-z]+))?\]")
_STATE_OLD = re.compile(r"^(?P<state>[a-z]+) = ")
_DURATION = re.compile(r"duration=(?P<d>[+-]?[0-9dhms]+)")
_PROXY = re.compile(r"proxy\[(?P<p>[^\]]*)\]")
_ACCESS_HEADS = ("Access:", "Reject:")
_OLD_FIELD = re.compile(r"(?P<key>time|rejectTime|duration)=(?P<value>[+-]?[0-9dhms]+)(?: ago)?")


def _access(kind: str, text: str, number: int, tag: str | None, ctx: TimeContext, when: StampCache) -> OpAccess:
    text = text.strip()
    stamp: Stamp | None = None
    if kind == "running":
        # "Running start at: +5h12m58s0ms": how long before the dump the op started.
        raw = text.rsplit(":", 1)[-1].strip()
        return OpAccess(kind=kind, time=stamp_ago(raw, parse_duration_ms(raw), ctx), attribution_tag=tag, line=number)
    if m := _DATE.search(text):
        stamp = when(m.group(0))
    elif m := _REL.search(text):
        duration = parse_duration_ms(m.group("rel"))
        stamp = stamp_ago(m.group("rel"), -duration if duration is not None else None, ctx)
    access = OpAccess(kind=kind, time=stamp, attribution_tag=tag, line=number)
    if m := _STATE_NEW.search(text):
        access.uid_state, access.flags = m.group("state"), m.group("flags")
    elif m := _STATE_OLD.match(text):
        access.uid_state = m.group("state")
    if m := _DURATION.search(text):
        access.duration_ms = parse_duration_ms(m.group("d"))
    if m := _PROXY.search(text):
        access.proxy = m.group("p")
    return access


def parse_dumpsys_appops(data: Input, tz: str | None = None,
                         now: datetime | str | float | None = None) -> AppOpsDump:
    """Parse the output of ``dumpsys appops`` (see the module docstring)."""
    warnings = Warnings()
    ctx = time_context(tz, now, warnings=warnings)
    when = StampCache(ctx)
    result = AppOpsDump()
    uid_raw: str | None = None
    uid_indent = -1
    package: str | None = None
    package_indent = -1
    op: AppOp | None = None
    op_indent = -1
    tag: str | None = None
    kind: str | None = None  # the kind of the last Access/Reject line, for Android 9 continuations
    recognised = False
    lines = ServiceLines(data, warnings)
    for number, line, text in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        first = text[0]
        # Most lines of a large dump are accesses inside an op: take them before any other test.
        if op is not None and indent > op_indent and (first == "A" or first == "R") and text[:7] in _ACCESS_HEADS:
            kind = text[:6].lower()
            op.accesses.append(_access(kind, text[7:], number, tag, ctx, when))
            continue
        if text.startswith("Current AppOps Service state"):
            recognised = True
            continue
        if text.startswith("Uid ") and (m := _UID.match(text)):
            uid_raw, package, op, tag, kind = m.group("uid"), None, None, None, None
            package_indent, uid_indent = -1, indent
            recognised = True
            continue
        # Only a header ends a block: a garbage line must not move the ops after it to another owner.
        header = text.endswith(":")
        if uid_raw is not None and indent <= uid_indent and header:
            # Another block of the dump (discrete accesses, watchers …) at the uids' level.
            uid_raw, package, op = None, None, None
        if uid_raw is None:
            continue
        if text.startswith("Package ") and (m := _PACKAGE.match(text)):
            package, package_indent, op, tag, kind = m.group("pkg"), indent, None, None, None
            continue
        if package is not None and indent <= package_indent and header:
            package, op = None, None
        if op is not None and indent <= op_indent:
            op, tag, kind = None, None, None
        m_new = _OP_NEW.match(text) if first.isupper() else None
        m_old = None if m_new or not first.isupper() else _OP_OLD.match(text)
        if m_new or m_old:
            match = m_new or m_old
            assert match is not None
            op = AppOp(uid=parse_uid(uid_raw), uid_raw=uid_raw, package=package, op=match.group("op"),
                       mode=match.group("mode"), line=number)
            op_indent, tag, kind = indent, None, None
            result.ops.append(op)
            if m_old:
                _old_fields(op, m_old.group("rest"), number, ctx)
            continue
        if op is None:
            continue
        if text == "]":
            tag = None
            continue
        if m := _TAG_OPEN.match(text):
            tag = None if m.group("tag") == "null" else m.group("tag")
            continue
        head = text.split(":", 1)[0]
        if head in ("Access", "Reject"):
            kind = head.lower()
            op.accesses.append(_access(kind, text.split(":", 1)[1], number, tag, ctx, when))
        elif head.startswith("Running"):
            op.accesses.append(_access("running", text, number, tag, ctx, when))
        elif kind and (_STATE_OLD.match(text) or _STATE_NEW.match(text)):
            op.accesses.append(_access(kind, text, number, tag, ctx, when))
        elif text.startswith("duration="):
            op.duration_ms = parse_duration_ms(text.split("=", 1)[1].split()[0])
    lines.finish(recognised, ARTIFACT, "no 'Uid …:' block or AppOps header found")
    result.warnings = warnings.as_list()
    return result


def _old_fields(op: AppOp, rest: str, number: int, ctx: TimeContext) -> None:
    for m in _OLD_FIELD.finditer(rest):
        value = m.group("value")
        duration = parse_duration_ms(value)
        if m.group("key") == "duration":
            op.duration_ms = duration
        else:
            kind = "access" if m.group("key") == "time" else "reject"
            # "+1h2m ago": the duration is how long before the dump.
            op.accesses.append(OpAccess(kind=kind, time=stamp_ago(value + " ago", duration, ctx), line=number))
    if "(running)" in rest:
        op.accesses.append(OpAccess(kind="running", time=None, line=number))
