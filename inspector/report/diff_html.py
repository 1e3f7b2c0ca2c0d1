"""The diff of two acquisitions (``inspector diff --html``) as one self-contained HTML page: what
changed on the phone between A and B, most serious first, each change in the reader's language
(``finding.diff.*`` and ``diff.*`` keys), device text escaped by Jinja2's autoescape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

from inspector.report.messages import load_messages
from inspector.resources import reports_dir

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_diff_html(document: Mapping[str, Any], lang: str | None = "en") -> str:
    messages = load_messages(lang)
    changes = []
    for finding in document.get("findings") or []:
        params = {**(finding.get("params") or {}), "subject": finding.get("subject")}
        explanation = messages.text(str(finding.get("explanation") or ""), params)
        payloads = _profile_payloads(messages, params)
        if payloads:
            explanation = f"{explanation} — {'; '.join(payloads)}"
        changes.append({
            "severity": finding.get("severity"),
            "severity_text": messages.text(f"severity.{finding.get('severity')}"),
            "title": messages.text(str(finding.get("title") or ""), params),
            "explanation": explanation,
            "subject": finding.get("subject"),
            "rule_id": finding.get("rule_id"),
        })
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir() / "templates")), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("diff.html.j2").render(
        document=document, changes=changes, t=messages.text, csp=_CSP, lang=(lang or "en").replace("_", "-"))


def _profile_payloads(messages, params: Mapping[str, Any]) -> list[str]:
    """What a new iPhone profile does, when a backup held its payloads (``diff.profile_added``
    ``payloads``: mdm, root_certificate, vpn, proxy), in the words of the iOS profile check."""
    kinds = params.get("payloads")
    if not isinstance(kinds, list):
        return []
    return [messages.text(f"finding.ios.profile.{kind}.title") for kind in kinds
            if isinstance(kind, str) and messages.has(f"finding.ios.profile.{kind}.title")]
