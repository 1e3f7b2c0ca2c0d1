"""Apple's clocks: Mac absolute time (seconds, or nanoseconds on newer iOS, since 2001-01-01 UTC) and
Unix time, as ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

MAC_EPOCH = 978307200


def _iso(unix: float) -> str | None:
    try:
        return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def from_mac(value: object) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value:
        return None
    seconds = value / 1e9 if abs(value) > 1e11 else value  # iOS 11+ stores nanoseconds in sms.db
    return _iso(seconds + MAC_EPOCH)


def from_unix(value: object) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value:
        return None
    return _iso(float(value))


def from_datetime(value: object) -> str | None:
    if not isinstance(value, datetime):
        return None
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # plists hold naive UTC
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
