"""The events of a trace: written as JSON Lines (``events.jsonl``), one event per line, in the order
they arrived. Line numbers are what findings point to as evidence.

Each event is an object with ``k`` (kind: open, opendir, unlink, rmdir, connect, exec, exec_result,
provider_query, provider_insert, app_list, device_id, location, camera, microphone, wifi_remove,
http, agent_loaded, hook_failed, hook_error, agent_error, dropped…), ``layer`` (native, java, agent,
host), ``seq`` (the agent's counter: a gap means lost events), ``t`` (seconds on the device's
CLOCK_MONOTONIC), ``tid`` (thread id), an optional ``bt`` (backtrace, with ``--backtrace``) and the
kind's own fields (docs/lab-mode.md lists them). Strings the app supplied keep bytes that are not
UTF-8 as ``\\xNN`` escapes, with the exact bytes hex-encoded beside them (``path_hex``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class ByteSink(Protocol):
    def write(self, data: bytes) -> int: ...


def encode_event(event: dict[str, Any]) -> bytes:
    # Lone surrogates (possible in strings from a Java app) cannot be UTF-8: escaped, not lost.
    return (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "backslashreplace")


@dataclass
class EventWriter:
    """Appends batches of events to ``sink`` (the artifact stream of events.jsonl). Called from
    Frida's message thread and from the trace loop, hence the lock; one ``write`` per batch."""

    sink: ByteSink
    lines: int = 0
    last_seq: int = 0
    lost: int = 0  # events the agent numbered but that never arrived
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_batch(self, events: list[Any]) -> None:
        chunks = []
        with self._lock:
            for event in events:
                if not isinstance(event, dict):
                    event = {"k": "malformed", "layer": "host", "value": repr(event)[:200]}
                seq = event.get("seq")
                if isinstance(seq, int) and seq > 0:
                    if seq > self.last_seq + 1:
                        self.lost += seq - self.last_seq - 1
                    self.last_seq = max(self.last_seq, seq)
                chunks.append(encode_event(event))
            self.lines += len(chunks)
            self.sink.write(b"".join(chunks))
            # On disk at once: if inspector itself is killed, the events so far are in the file.
            stream = getattr(self.sink, "stream", None)
            if stream is not None:
                stream.flush()

    def add_lines(self, text: str | bytes, first: Any, last: Any, count: Any) -> None:
        """A batch as the agent sends it: JSON Lines (text, or UTF-8 bytes from the C hooks) of
        ``count`` events numbered ``first`` to ``last``, appended as it is."""
        if isinstance(text, bytes):
            data = text
        elif isinstance(text, str):
            data = text.encode("utf-8", "backslashreplace")
        else:
            return
        if not data.endswith(b"\n"):
            data += b"\n"
        with self._lock:
            if isinstance(first, int) and isinstance(last, int) and first > 0:
                if first > self.last_seq + 1:
                    self.lost += first - self.last_seq - 1
                self.last_seq = max(self.last_seq, last)
            self.lines += count if isinstance(count, int) and count >= 0 else data.count(b"\n")
            self.sink.write(data)
            stream = getattr(self.sink, "stream", None)
            if stream is not None:
                stream.flush()

    def add(self, event: dict[str, Any]) -> None:
        self.add_batch([event])


@dataclass(frozen=True)
class RecordedEvent:
    line: int  # 1-based line number in events.jsonl
    event: dict[str, Any]
    text: str  # the line as written


def read_events(path: Path) -> Iterator[RecordedEvent]:
    """The events of a recorded file, with their line numbers. A line that is not a JSON object (a
    file cut short by a crash, or edited) is skipped: the others still count."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            text = raw.decode("utf-8", "backslashreplace").rstrip("\n")
            try:
                event = json.loads(text)
            except ValueError:
                continue
            if isinstance(event, dict):
                yield RecordedEvent(number, event, text)
