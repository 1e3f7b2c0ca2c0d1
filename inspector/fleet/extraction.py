"""The batch's extraction line: every phone hands in the apps it was first to have; a thread extracts
them through the bounded process pool (time limit, memory guard), taking everything handed in so far in
one pool call, and each app is marked done as soon as its own record is in.

Before, each phone extracted its own apps in a pool call of its own, one phone at a time: a pool was
started for every phone, and when phones finished collecting together (a batch of phones plugged in at
once does that) they queued behind each other. Now a pool call serves every phone that is waiting.

A pool call ends when its slowest APK does, and a hostile APK takes its whole time limit: so while every
line is busy, one more line may start (``max_lines``), and the other phones' apps do not wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.analyze.apk.pool import DEFAULT_LIMITS, Limits, features_many

MAX_LINES = 2


class SharedExtraction:
    """``submit({sha256: path})`` → one event per SHA-256, set once that app's features are in the cache
    (or failed: the phone's APK check then reports why). An app already handed in by another phone is
    not queued again: its phone gets the same event. ``close()`` ends the lines once they are idle."""

    def __init__(self, yara_rules: Callable[[], tuple[Any, tuple[Path, ...]]],
                 on_done: Callable[[Path, dict[str, Any], bool], None], *,
                 limits: Limits = DEFAULT_LIMITS, max_lines: int = MAX_LINES) -> None:
        self._yara_rules = yara_rules  # called by each line when it starts
        self._on_done = on_done
        self._limits = limits
        self._max_lines = max(1, max_lines)
        self._lock = threading.Condition()
        self._queue: dict[str, Path] = {}
        self._events: dict[str, threading.Event] = {}
        self._closed = False
        self._lines: list[threading.Thread] = []
        self._idle = 0  # lines waiting for apps

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
            if self._queue and not self._idle and len(self._lines) < self._max_lines:
                line = threading.Thread(target=self._run, name=f"batch-extraction-{len(self._lines) + 1}",
                                        daemon=True)
                self._lines.append(line)
                line.start()
            self._lock.notify()
            return events

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            lines = list(self._lines)
        for line in lines:
            line.join()

    def _run(self) -> None:
        yara, folders = self._yara_rules()
        while True:
            with self._lock:
                self._idle += 1
                while not self._queue and not self._closed:
                    self._lock.wait()
                self._idle -= 1
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
            features_many(list(wave.values()), limits=self._limits, yara=yara, yara_folders=folders, keep=False,
                          on_done=done, known_sha256=by_path)
        except Exception:  # noqa: BLE001, S110 - each phone's APK check tries again and reports what fails
            pass
        finally:
            for sha in wave:  # whatever features_many did not hand back is not waited for forever
                self._events[sha].set()
