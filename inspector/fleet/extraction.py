"""The batch's one extraction line: every phone hands in the apps it was first to have, one thread
extracts them through the bounded process pool (time limit, memory guard), taking everything handed in
so far in one pool call, and each app is marked done as soon as its own record is in.

Before, each phone extracted its own apps in a pool call of its own, one phone at a time: a pool was
started for every phone, and when phones finished collecting together (a batch of phones plugged in at
once does that) they queued behind each other. Now a pool call serves every phone that is waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.analyze.apk.pool import features_many


class SharedExtraction:
    """``submit({sha256: path})`` → one event per SHA-256, set once that app's features are in the cache
    (or failed: the phone's APK check then reports why). An app already handed in by another phone is
    not queued again: its phone gets the same event. ``close()`` ends the thread once it is idle."""

    def __init__(self, yara_rules: Callable[[], tuple[Any, tuple[Path, ...]]],
                 on_done: Callable[[Path, dict[str, Any], bool], None]) -> None:
        self._yara_rules = yara_rules  # called once, by the thread, when the first apps arrive
        self._on_done = on_done
        self._lock = threading.Condition()
        self._queue: dict[str, Path] = {}
        self._events: dict[str, threading.Event] = {}
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, claims: dict[str, Path]) -> list[threading.Event]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the batch's extraction is closed")
            events = []
            for sha, path in claims.items():
                if sha not in self._events:  # the first phone with this app
                    self._events[sha] = threading.Event()
                    self._queue[sha] = path
                events.append(self._events[sha])
            if self._queue and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="batch-extraction", daemon=True)
                self._thread.start()
            self._lock.notify()
            return events

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        yara, folders = self._yara_rules()
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if not self._queue:
                    return
                wave, self._queue = self._queue, {}
            self._extract(wave, yara, folders)

    def _extract(self, wave: dict[str, Path], yara, folders: tuple[Path, ...]) -> None:
        by_path = {path: sha for sha, path in wave.items()}

        def done(path: Path, record: dict[str, Any], cached: bool) -> None:
            self._on_done(path, record, cached)
            self._events[by_path[Path(path)]].set()

        try:
            features_many(list(wave.values()), yara=yara, yara_folders=folders, keep=False, on_done=done,
                          known_sha256=by_path)
        except Exception:  # noqa: BLE001, S110 - each phone's APK check tries again and reports what fails
            pass
        finally:
            for sha in wave:  # whatever features_many did not hand back is not waited for forever
                self._events[sha].set()
