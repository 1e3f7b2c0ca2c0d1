"""The PDF report: the HTML page, laid out for paper by WeasyPrint.

Why WeasyPrint: it is maintained, pure Python on PyPI (it needs the Pango text library, which every
Linux desktop has and Debian ships as ``libpango-1.0-0``), renders the same HTML and CSS as the
page (so there is one template, one stylesheet, one set of catalogs), shapes Arabic-script and CJK
text through HarfBuzz, lays out right-to-left pages, and embeds subsets of the fonts it uses. It
opens no browser and needs no network. See docs/report.md for the alternatives considered.

The engine is imported only when a PDF is asked for. When it cannot be loaded (not installed, or
Pango missing), :class:`PdfEngineMissing` says what to install; the other formats are still written
(:func:`inspector.report.write_reports`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from inspector.report.html import render_html

log = logging.getLogger(__name__)


class PdfEngineMissing(RuntimeError):
    """The PDF engine (WeasyPrint and the Pango library it uses) cannot be loaded."""

    hint = (
        "Install WeasyPrint (pip install weasyprint; it comes with inspector) and the Pango text library "
        "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; for Chinese and Uyghur text also "
        "fonts-noto-cjk fonts-noto-core). The HTML report has everything the PDF would have: open it in a "
        "browser and print it to PDF."
    )


def _engine() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint is there but Pango is not
        raise PdfEngineMissing(f"the PDF report needs WeasyPrint, which could not be loaded ({exc})") from exc
    return weasyprint


def engine_version() -> str | None:
    """The PDF engine's version, or None if it cannot be loaded."""
    try:
        return str(_engine().__version__)
    except PdfEngineMissing:
        return None


def _url_fetcher(weasyprint: Any) -> Any:
    """A fetcher that refuses every URL: the report must never make a request, even from the PDF
    engine (the template references nothing; this is the belt to that pair of braces)."""

    def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
        log.warning("the PDF engine was asked to load %r: refused (the report loads nothing)", url[:200])
        raise ValueError("inspector reports load nothing")

    base = getattr(weasyprint, "URLFetcher", None)
    if base is None:  # WeasyPrint < 66 takes a plain function
        return refuse

    class NoRequests(base):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return refuse(url)

    return NoRequests()


def render_pdf(result: Mapping[str, Any], lang: str | None = "en") -> bytes:
    """The result document as a PDF in language ``lang``: the HTML report, for print, the expert
    annex open. Raises :class:`PdfEngineMissing` when the engine cannot be loaded."""
    weasyprint = _engine()
    page = render_html(result, lang=lang, for_print=True)
    document = weasyprint.HTML(string=page, base_url=None, url_fetcher=_url_fetcher(weasyprint), media_type="print")
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):
        raise RuntimeError("the PDF engine returned no document")
    return pdf
