"""The fleet summary of ``inspector batch`` as one self-contained HTML page (no script, no request):
every phone with its verdict and findings, and which rule matched on how many phones. Labels come
from the message catalogs (``fleet.*`` keys); device text is escaped by Jinja2's autoescape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

from inspector.report.messages import load_messages
from inspector.resources import reports_dir

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


_VERDICTS = ("implant_found", "needs_review", "nothing_found", "incomplete")


def render_fleet_html(summary: Mapping[str, Any], lang: str | None = "en") -> str:
    messages = load_messages(lang)
    phones = [{**phone, "verdict_text": messages.text(f"verdict.{phone['verdict']}.headline")
               if phone.get("verdict") in _VERDICTS else phone.get("stage") or ""}
              for phone in summary.get("phones") or []]
    summary = {**summary, "phones": phones}
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir() / "templates")), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("fleet.html.j2").render(
        summary=summary, t=messages.text, csp=_CSP, lang=(lang or "en").replace("_", "-"))
