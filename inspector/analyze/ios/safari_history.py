"""Safari's ``History.db`` (HomeDomain Library/Safari/History.db): visited addresses and when."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector.analyze.ios._sqlite import rows
from inspector.analyze.ios.times import from_mac


@dataclass(frozen=True)
class Visit:
    url: str
    time: str | None
    visit_id: int


def parse(path: Path) -> list[Visit]:
    found = rows(path, "SELECT history_visits.id, history_items.url, history_visits.visit_time FROM history_items "
                       "JOIN history_visits ON history_visits.history_item = history_items.id "
                       "ORDER BY history_visits.visit_time")
    return [Visit(url, from_mac(when), int(vid or 0)) for vid, url, when in found if isinstance(url, str)]
