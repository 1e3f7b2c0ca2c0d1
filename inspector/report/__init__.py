"""Reports: views of one result document (see ``docs/result-schema.md``) for people and programs.

- :func:`render_html`: a self-contained page a traveller can read on a phone (no request of any kind).
- :func:`render_pdf` (:mod:`inspector.report.pdf`): the same page laid out for paper.
- :func:`render_json`: the document itself, in a stable order, as UTF-8 JSON.
- :func:`redact_result`: a copy for sharing, with personal details masked.
- :func:`write_reports`: any of them, written atomically into a folder.

Words come from the gettext catalogs in ``reports/locale/`` (English source:
``reports/messages/en.yaml``); templates and styles from ``reports/templates/``. This package reads
only the result document: it never imports the acquisition, simulator or CLI code. See docs/report.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from inspector.report.html import render_html
from inspector.report.json_report import render_json
from inspector.report.messages import Messages, load_messages
from inspector.report.redact import redact_result

__all__ = [
    "Messages",
    "load_messages",
    "parse_formats",
    "redact_result",
    "render_html",
    "render_json",
    "write_reports",
    "ReportFiles",
    "REPORT_FILES",
    "REDACTED_FILES",
    "FORMATS",
]

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "json")
# Format → file name inside the output folder. A redacted copy has its own names, so it never
# replaces the complete report (nor is ever read back as the result document).
REPORT_FILES: dict[str, str] = {"html": "report.html", "pdf": "report.pdf", "json": "report.json"}
REDACTED_FILES: dict[str, str] = {
    fmt: name.replace("report.", "report-redacted.") for fmt, name in REPORT_FILES.items()
}


class ReportFiles(dict[str, Path]):
    """Format → path written. ``problems`` holds format → message for a format that could not be
    made (the PDF engine missing): the other formats are written all the same."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: dict[str, str] = {}


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,pdf"`` → ``("html", "pdf")``; ValueError naming an unknown format."""
    items = text.split(",") if isinstance(text, str) else list(text)
    formats = tuple(dict.fromkeys(f.strip().lower() for f in items if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown report format(s) {unknown or [text]}; choose from {', '.join(FORMATS)}")
    return formats


def _write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` as UTF-8 so that ``path`` is either the old file or the whole new one, never
    half a report (a crash, a full disk, a reader opening it mid-write).

    The file is readable by its owner only (the temporary file's 0600 mode is kept): a report
    describes what is on someone's phone.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
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
    lang: str | None = "en",
    *,
    redact: bool = False,
) -> ReportFiles:
    """Render ``result`` in each of ``formats`` and write ``report.<format>`` into ``out_dir``
    (created if missing). ``lang`` None: the system's language. ``redact``: a copy for sharing,
    written as ``report-redacted.<format>``.

    Every format is rendered before the first file is written, so an error leaves no mix of old and
    new reports behind. A PDF that cannot be made (engine missing) is the one exception: it is
    recorded in the returned ``problems`` and the other formats are written all the same."""
    formats = parse_formats(formats)
    document: Mapping[str, Any] = redact_result(result) if redact else result
    renderers: dict[str, Callable[[], str | bytes]] = {
        "html": lambda: render_html(document, lang=lang),
        "json": lambda: render_json(document),
        "pdf": lambda: _render_pdf(document, lang),
    }
    written = ReportFiles()
    rendered: dict[str, str | bytes] = {}
    for fmt in formats:
        if fmt == "pdf":
            from inspector.report.pdf import PdfEngineMissing

            try:
                rendered[fmt] = renderers[fmt]()
            except PdfEngineMissing as exc:
                written.problems[fmt] = f"{exc}. {exc.hint}"
            continue
        rendered[fmt] = renderers[fmt]()

    names = REDACTED_FILES if redact else REPORT_FILES
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt, data in rendered.items():
        path = out_dir / names[fmt]
        _write_atomic(path, data)
        written[fmt] = path
    return written


def _render_pdf(document: Mapping[str, Any], lang: str | None) -> bytes:
    from inspector.report.pdf import render_pdf

    return render_pdf(document, lang=lang)
