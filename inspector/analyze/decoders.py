"""Decoders for the contents of implants' leftover files, named by rules (``decode:`` in
signatures/implants/*.yaml). Pure: bytes in, values for the finding's params out; never raise on
garbage (return {} instead)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

# Unix times outside this range are not check times (0, negative, year 3000…).
_EARLIEST, _LATEST = 1262304000, 4102444800  # 2010-01-01 .. 2100-01-01


def bxaq_cjlog_plain(data: bytes) -> dict[str, Any]:
    """BXAQ's decrypted check log: tab-separated lines, field 4 (0-based) a Unix time; the latest is
    when the phone was last checked (IMPLANTS.md §1, verified in the sample)."""
    times = []
    for line in data.decode("utf-8", "replace").splitlines():
        fields = line.split("\t")
        if len(fields) > 4 and fields[4].strip().isdigit():
            value = int(fields[4].strip())
            if _EARLIEST <= value <= _LATEST:
                times.append(value)
    if not times:
        return {}
    latest = datetime.fromtimestamp(max(times), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"check_time": latest, "check_count": len(times)}


DECODERS: dict[str, Callable[[bytes], dict[str, Any]]] = {
    "bxaq_cjlog_plain": bxaq_cjlog_plain,
}
