"""``sms.db`` (HomeDomain Library/SMS/sms.db): the links in SMS and iMessage messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from inspector.analyze.ios._sqlite import rows
from inspector.analyze.ios.times import from_mac

_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']{1,2000}")


@dataclass(frozen=True)
class MessageLink:
    url: str
    sender: str
    time: str | None
    row: int


def links(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?)]") for m in _URL.finditer(text or "")]


def parse(path: Path) -> list[MessageLink]:
    found = rows(path, "SELECT message.ROWID, message.text, message.date, handle.id FROM message "
                       "LEFT JOIN handle ON handle.ROWID = message.handle_id")
    out = []
    for rowid, text, date, sender in found:
        for url in links(text if isinstance(text, str) else ""):
            out.append(MessageLink(url, sender if isinstance(sender, str) else "", from_mac(date), int(rowid or 0)))
    return out
