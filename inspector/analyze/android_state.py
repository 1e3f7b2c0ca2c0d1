"""The parsed Android artifacts of one acquisition, parsed once and shared by the checks.

Each piece is parsed on first use. A piece that cannot be parsed (not that artifact at all, or
unreadable) is recorded in ``errors`` with the reason, and reads as None: the checks that need it
report "failed" in coverage, the others go on. Times are read in the phone's timezone
(``persist.sys.timezone``) relative to when the artifact was collected.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from inspector.acquisition import Acquisition
from inspector.acquisition.device import parse_getprop
from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys import iter_service_lines, section_offsets
from inspector.analyze.parsers.dumpsys_accessibility import parse_dumpsys_accessibility
from inspector.analyze.parsers.dumpsys_adb import parse_dumpsys_adb
from inspector.analyze.parsers.dumpsys_appops import parse_dumpsys_appops
from inspector.analyze.parsers.dumpsys_batterystats import parse_dumpsys_batterystats
from inspector.analyze.parsers.dumpsys_device_policy import parse_dumpsys_device_policy
from inspector.analyze.parsers.dumpsys_notification import parse_dumpsys_notification
from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package
from inspector.analyze.parsers.dumpsys_usagestats import parse_dumpsys_usagestats
from inspector.analyze.parsers.dumpsys_wifi import parse_dumpsys_wifi
from inspector.analyze.parsers.logcat import extract_package_events, iter_logcat
from inspector.analyze.parsers.settings import parse_settings

_MISSING = object()


class AndroidState:
    def __init__(self, acq: Acquisition) -> None:
        self.acq = acq
        self.errors: dict[str, str] = {}
        self._cache: dict[str, Any] = {}
        self._offsets: dict[str, int] | None = None  # dumpsys.txt: service → offset of its first section
        device = acq.manifest.get("device") or {}
        self.tz: str | None = device.get("timezone")

    @classmethod
    def of(cls, acq: Acquisition) -> AndroidState:
        """One shared state per acquisition object (the checks of one analysis share the parsing)."""
        state = getattr(acq, "_android_state", None)
        if state is None:
            state = cls(acq)
            acq._android_state = state  # type: ignore[attr-defined]
        return state

    def _now(self, artifact: str) -> str | None:
        record = self.acq.artifact(artifact) or {}
        return record.get("started_at") or self.acq.manifest.get("started_at")

    def _get(self, key: str, load: Callable[[], Any]) -> Any:
        value = self._cache.get(key, _MISSING)
        if value is _MISSING:
            try:
                value = load()
            except ParseError as exc:
                self.errors[key] = exc.reason
                value = None
            except FileNotFoundError:
                self.errors[key] = "not collected"
                value = None
            except (OSError, ValueError) as exc:
                self.errors[key] = str(exc)
                value = None
            self._cache[key] = value
        return value

    @contextmanager
    def _open(self, artifact: str) -> Iterator[Any]:
        path = self.acq.artifact_path(artifact)
        if not path.is_file():
            raise FileNotFoundError(artifact)
        with open(path, "rb") as f:
            yield f

    def _service(self, service: str, parse: Callable[..., Any], **kwargs: Any) -> Any:
        def load() -> Any:
            with self._open("dumpsys.txt") as f:
                if self._offsets is None:  # one pass finds every service; each is then read alone
                    self._offsets = section_offsets(f)
                if service in self._offsets:
                    f.seek(self._offsets[service])
                lines = iter_service_lines(f, service)
                first = next(lines, None)
                if first is None:
                    raise ValueError("the service is not in dumpsys.txt")
                # streamed: the package dump alone can be 50 MB
                return parse(itertools.chain([first], lines), **kwargs)
        return self._get(f"dumpsys {service}", load)

    # -- pieces -----------------------------------------------------------------------------------
    def settings(self, namespace: str):
        def load():
            with self._open(f"settings_{namespace}.txt") as f:
                return parse_settings(f)
        return self._get(f"settings_{namespace}.txt", load)

    def getprop(self) -> dict[str, str] | None:
        def load():
            return parse_getprop(self.acq.artifact_path("getprop.txt").read_text("utf-8", "replace"))
        return self._get("getprop.txt", load)

    def package_dump(self):
        return self._service("package", parse_dumpsys_package, tz=self.tz)

    def adb(self):
        return self._service("adb", parse_dumpsys_adb)

    def wifi(self):
        return self._service("wifi", parse_dumpsys_wifi, tz=self.tz, now=self._now("dumpsys.txt"))

    def accessibility(self):
        return self._service("accessibility", parse_dumpsys_accessibility)

    def device_policy(self):
        return self._service("device_policy", parse_dumpsys_device_policy)

    def notification(self):
        return self._service("notification", parse_dumpsys_notification)

    def usagestats(self):
        return self._service("usagestats", parse_dumpsys_usagestats, tz=self.tz, now=self._now("dumpsys.txt"))

    def appops(self):
        return self._service("appops", parse_dumpsys_appops, tz=self.tz, now=self._now("dumpsys.txt"))

    def batterystats(self):
        return self._service("batterystats", parse_dumpsys_batterystats, tz=self.tz)

    def logcat_package_events(self):
        def load():
            with self._open("logcat.txt") as f:
                return extract_package_events(iter_logcat(f, tz=self.tz, now=self._now("logcat.txt")))
        return self._get("logcat.txt", load)
