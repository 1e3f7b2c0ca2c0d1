"""Reports: views of one result document (see ``docs/result-schema.md``) for people and programs.

- :func:`render_html`: a self-contained page a traveller can read on a phone (no request of any kind).
- :func:`render_json`: the document itself, in a stable order, as UTF-8 JSON.
- :func:`write_reports`: both, written atomically into a folder.

Words come from the catalogs in ``reports/messages/``; templates and styles from
``reports/templates/``. This package reads only the result document: it never imports the
acquisition, simulator or CLI code.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from inspector.report.html import render_html
from inspector.report.json_report import render_json
from inspector.report.messages import Messages, load_messages

__all__ = ["Messages", "load_messages", "render_html", "render_json", "write_reports", "REPORT_FILES"]

# Format → file name inside the output folder.
REPORT_FILES: dict[str, str] = {"html": "report.html", "json": "report.json"}


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 so that ``path`` is either the old file or the whole new one, never
    half a report (a crash, a full disk, a reader opening it mid-write).

    The file is readable by its owner only (the temporary file's 0600 mode is kept): a report
    describes what is on someone's phone.
    """
    data = text.encode("utf-8")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_reports(
    result: Mapping[str, Any],
    out_dir: Path,
    formats: Iterable[str] = ("html", "json"),
    lang: str = "en",
) -> dict[str, Path]:
    """Render ``result`` in each of ``formats`` and write ``report.<format>`` into ``out_dir``
    (created if missing). Returns format → path written. Every format is rendered before the first
    file is written, so an error leaves no mix of old and new reports behind."""
    formats = [formats] if isinstance(formats, str) else list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in REPORT_FILES]
    if unknown:
        raise ValueError(f"unsupported report format(s) {unknown}; known: {sorted(REPORT_FILES)}")
    renderers: dict[str, Callable[[], str]] = {
        "html": lambda: render_html(result, lang=lang),
        "json": lambda: render_json(result),
    }
    rendered = {fmt: renderers[fmt]() for fmt in formats}

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt, text in rendered.items():
        path = out_dir / REPORT_FILES[fmt]
        _write_atomic(path, text)
        written[fmt] = path
    return written
