"""The HTML report: one self-contained page a traveller can read on a phone, and print.

The page loads nothing: CSS is inlined, there are no scripts, images, fonts or links, and a
Content-Security-Policy forbids any request should something slip through. Everything that came
from the device is hostile (package names with markup, paths with control or bidi characters,
bytes that are not UTF-8): Jinja2 autoescaping is always on, lone surrogates become U+FFFD, and
invisible control characters are shown as ``[U+202E]`` so they cannot disguise a name.

This module builds a plain view of the result (all words already looked up in the catalog) and
hands it to ``reports/templates/report.html.j2``; the template only lays it out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from inspector.report.json_report import make_text_safe
from inspector.report.messages import Messages, format_time, load_messages, normalize_lang
from inspector.resources import reports_dir

log = logging.getLogger(__name__)

VERDICTS = ("implant_found", "needs_review", "nothing_found", "incomplete")
_SEVERITY_RANK = {name: rank for rank, name in enumerate(("critical", "high", "medium", "low", "info"))}
_CONFIDENCE_RANK = {name: rank for rank, name in enumerate(("verified", "high", "medium", "low"))}
_RTL_LANGS = {"ar", "fa", "he", "ps", "ug", "ur", "yi"}

# Longest device string shown in the traveller's part of the page / in the expert annex; the
# JSON report always has the whole value.
_CARD_CLIP = 400
_EXCERPT_CLIP = 4000

# C0/C1 controls (tab, newline and carriage return excepted) and the bidirectional formatting
# characters a hostile name could use to reorder what the reader sees ("gpj.exe" tricks).
_INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """Device text with invisible control and bidi characters written out as ``[U+XXXX]``."""
    return _INVISIBLE_RE.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def _visible_deep(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {k: _visible_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_visible_deep(v) for v in value]
    return value


def _clip(text: str, limit: int, messages: Messages) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + " " + messages.text("ui.expert.truncated", count=len(text) - limit)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _records(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _plain(value: Any, messages: Messages) -> str:
    """A value of the result document as annex text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return messages.text("ui.expert.yes" if value else "ui.expert.no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return str(value)


@lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,  # always, whatever the template's file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)


def _css(templates: Path) -> str:
    css = _CSS_COMMENT_RE.sub("", (templates / "report.css").read_text(encoding="utf-8")).strip()
    if "</" in css:
        raise ValueError("report.css must not contain '</' (it is inlined in a <style> element)")
    return css


def load_helplines(directory: Path | None = None) -> list[dict[str, Any]]:
    path = (directory or reports_dir()) / "helplines.yaml"
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return _records(data.get("helplines"))


# --- Building the view ---------------------------------------------------------------------


def _verdict_view(verdict: Any, messages: Messages) -> dict[str, str]:
    if verdict not in VERDICTS:
        # A verdict from a newer analysis: never reassure; say we cannot tell.
        log.warning("unknown verdict %r: shown as incomplete", verdict)
        verdict = "incomplete"
    return {
        "css": verdict.replace("_", "-"),
        "headline": messages.text(f"verdict.{verdict}.headline"),
        "detail": messages.text(f"verdict.{verdict}.detail"),
        "todo_key": f"todo.{verdict}",
    }


def _device_line(device: dict[str, Any], messages: Messages) -> str:
    name = " ".join(str(device[k]) for k in ("manufacturer", "model") if device.get(k))
    platform = device.get("platform")
    os_part = ""
    if platform:
        label = messages.optional(f"platform.{platform}") or str(platform)
        os_part = " ".join(p for p in (label, str(device.get("os_version") or "")) if p)
    parts = [p for p in (name, os_part) if p]
    return " · ".join(parts) if parts else messages.text("ui.device.unknown")


def _check_text(check: Any, messages: Messages, counts: Any = None) -> str:
    name = str(check or "")
    key = name if name.startswith("check.") else f"check.{name}"
    # A check may report counts (files examined, matches…) that its sentence can quote.
    params = {k: v for k, v in counts.items() if isinstance(v, int)} if isinstance(counts, dict) else {}
    return messages.text(key, params)


def _reason_text(reason: Any, messages: Messages) -> str | None:
    if not reason:
        return None
    # A reason may be a message key (translated) or free text from the analysis (shown as is).
    text = messages.optional(str(reason)) or str(reason)
    return messages.text("ui.coverage.reason", reason=text)


def _artifact_label(name: str, messages: Messages) -> str:
    return messages.optional(f"artifact.{name}") or messages.optional(f"artifact.{name.rstrip('/')}") or name


def _coverage_view(result: dict[str, Any], messages: Messages) -> tuple[list[str], list[dict[str, Any]]]:
    checked: list[str] = []
    not_checked: list[dict[str, Any]] = []
    for entry in _records(result.get("coverage")):
        text = _check_text(entry.get("check"), messages, entry.get("counts"))
        status = entry.get("status")
        if status == "ran":
            checked.append(text)
            continue
        status_text = messages.optional(f"ui.coverage.{status}") or str(status)
        not_checked.append({"text": text, "status": status_text, "reason": _reason_text(entry.get("reason"), messages)})

    acquisition = _mapping(result.get("acquisition"))
    if acquisition.get("complete") is False:
        not_checked.append({"text": messages.text("ui.acquisition.incomplete"), "status": None, "reason": None})
    for artifact in _records(acquisition.get("artifacts")):
        status = artifact.get("status")
        if status in ("partial", "failed"):
            label = _artifact_label(str(artifact.get("name") or "?"), messages)
            not_checked.append(
                {"text": messages.text(f"ui.artifact.{status}", name=label), "status": None, "reason": None}
            )

    inventory = _mapping(result.get("inventory"))
    collected, analyzed = inventory.get("apks_collected"), inventory.get("apks_analyzed")
    if isinstance(collected, int) and isinstance(analyzed, int) and analyzed < collected:
        not_checked.append(
            {
                "text": messages.text("ui.inventory.apks_not_analyzed", count=collected - analyzed, total=collected),
                "status": None,
                "reason": None,
            }
        )
    return checked, not_checked


def _inventory_view(result: dict[str, Any], messages: Messages) -> list[dict[str, Any]]:
    rows = []
    for key, value in _mapping(result.get("inventory")).items():
        label = messages.optional(f"ui.inventory.{key}")
        if label and isinstance(value, int | str):
            rows.append({"label": label, "value": value})
    return rows


def _finding_sort_key(finding: dict[str, Any]) -> tuple[int, int]:
    return (
        _SEVERITY_RANK.get(finding.get("severity"), len(_SEVERITY_RANK)),
        _CONFIDENCE_RANK.get(finding.get("confidence"), len(_CONFIDENCE_RANK)),
    )


def _card_view(index: int, finding: dict[str, Any], messages: Messages) -> dict[str, Any]:
    subject = str(finding.get("subject") or "")
    family = str(finding.get("family") or "")
    params = {k: v for k, v in _mapping(finding.get("params")).items() if v is not None}
    prose_params: dict[str, Any] = {"subject": subject, "family": family, "family_name": family or "?"}
    prose_params.update(params)
    prose_params = {k: _clip(v, _CARD_CLIP, messages) if isinstance(v, str) else v for k, v in prose_params.items()}

    title_key = str(finding.get("title") or "")
    explanation_key = str(finding.get("explanation") or "")
    severity = finding.get("severity")
    confidence = finding.get("confidence")

    when = [
        messages.text(f"when.{name}", {name: value})
        for name, value in params.items()
        if name != "time" and messages.has(f"when.{name}")
    ]
    time = finding.get("time")
    # A leftover file's time is usually its modification time: say it once, in the specific words.
    if time and time not in {v for k, v in params.items() if isinstance(v, str) and messages.has(f"when.{k}")}:
        when.insert(0, messages.text("when.time", time=time))

    advice_key = f"{title_key.removesuffix('.title')}.advice" if title_key.endswith(".title") else ""
    if advice_key and messages.has(advice_key):
        advice = messages.lines(advice_key, prose_params)
    else:
        advice = messages.lines(f"advice.{severity}") if messages.has(f"advice.{severity}") else []

    takes = params.get("takes")
    takes_text = [
        messages.optional(f"takes.{item}") or _clip(str(item), _CARD_CLIP, messages)
        for item in (takes if isinstance(takes, list) else [])
    ]

    return {
        "anchor": f"finding-{index}",
        "takes": takes_text,
        "title": messages.text(title_key, prose_params) if title_key else messages.text("ui.finding.subject"),
        "explanation": messages.text(explanation_key, prose_params) if explanation_key else None,
        "subject": _clip(subject, _CARD_CLIP, messages),
        "severity": severity if severity in _SEVERITY_RANK else "unknown",
        "severity_text": messages.optional(f"severity.{severity}") or str(severity),
        "confidence_text": messages.optional(f"confidence.{confidence}") or str(confidence),
        "when": when,
        "advice": advice,
    }


def _expert_finding(index: int, finding: dict[str, Any], messages: Messages) -> dict[str, Any]:
    def clip(text: str) -> str:
        return _clip(text, _EXCERPT_CLIP, messages)

    evidence = []
    for item in _records(finding.get("evidence")):
        evidence.append(
            {
                "artifact": _plain(item.get("artifact"), messages),
                "locator": _plain(item.get("locator"), messages),
                "sha256": _plain(item.get("sha256"), messages),
                "excerpt": clip(_plain(item.get("excerpt"), messages)),
            }
        )
    references = finding.get("references")
    return {
        "anchor": f"finding-{index}",
        "rows": [
            (messages.text("ui.expert.rule"), _plain(finding.get("rule_id"), messages)),
            (messages.text("ui.expert.family"), _plain(finding.get("family"), messages)),
            (messages.text("ui.expert.severity"), _plain(finding.get("severity"), messages)),
            (messages.text("ui.expert.confidence"), _plain(finding.get("confidence"), messages)),
            (messages.text("ui.expert.subject"), clip(_plain(finding.get("subject"), messages))),
            (messages.text("ui.expert.time"), _plain(finding.get("time"), messages)),
            (messages.text("ui.expert.params"), clip(_plain(finding.get("params") or None, messages))),
        ],
        "evidence": evidence,
        "references": [str(r) for r in references] if isinstance(references, list) else [],
    }


def _expert_view(result: dict[str, Any], findings: list[dict[str, Any]], messages: Messages) -> dict[str, Any]:
    def t(key: str) -> str:
        return messages.text(f"ui.expert.{key}")

    tool = _mapping(result.get("tool"))
    pack = _mapping(tool.get("signature_pack"))
    device = _mapping(result.get("device"))
    acquisition = _mapping(result.get("acquisition"))
    return {
        "summary": [
            (t("tool"), f"{_plain(tool.get('name'), messages)} {_plain(tool.get('version'), messages)}"),
            (t("signature_pack"), _plain(pack.get("version"), messages)),
            (f"{t('signature_pack')} {t('sha256')}", _plain(pack.get("sha256"), messages)),
            (t("schema_version"), _plain(result.get("schema_version"), messages)),
            (t("generated_at"), _plain(result.get("generated_at"), messages)),
            (t("verdict"), _plain(result.get("verdict"), messages)),
        ],
        "device": [
            (key, _plain(device.get(key), messages))
            for key in ("platform", "manufacturer", "model", "os_version", "build", "serial_sha256")
        ]
        + [
            (key, _plain(value, messages))
            for key, value in device.items()
            if key not in {"platform", "manufacturer", "model", "os_version", "build", "serial_sha256"}
        ],
        "acquisition": [
            (t("acquisition_id"), _plain(acquisition.get("id"), messages)),
            (t("path"), _plain(acquisition.get("path"), messages)),
            (t("complete"), _plain(acquisition.get("complete"), messages)),
            (t("started_at"), _plain(acquisition.get("started_at"), messages)),
            (t("finished_at"), _plain(acquisition.get("finished_at"), messages)),
            (t("operator"), _plain(acquisition.get("operator"), messages)),
            (t("hashes_csv_sha256"), _plain(acquisition.get("hashes_csv_sha256"), messages)),
        ],
        "artifacts": [
            {
                "name": _plain(a.get("name"), messages),
                "status": _plain(a.get("status"), messages),
                "error": _clip(_plain(a.get("error"), messages), _EXCERPT_CLIP, messages),
            }
            for a in _records(acquisition.get("artifacts"))
        ],
        "coverage": [
            {
                "check": _plain(c.get("check"), messages),
                "status": _plain(c.get("status"), messages),
                "reason": _plain(c.get("reason"), messages),
            }
            for c in _records(result.get("coverage"))
        ],
        "inventory": [(str(k), _plain(v, messages)) for k, v in _mapping(result.get("inventory")).items()],
        "findings": [_expert_finding(i, f, messages) for i, f in enumerate(findings, 1)],
    }


def build_view(result: Mapping[str, Any], messages: Messages) -> dict[str, Any]:
    """Everything the template shows, as plain strings and lists, device text already made safe."""
    doc = _visible_deep(make_text_safe(result))
    if not isinstance(doc, dict):
        raise TypeError("the result document must be a mapping")
    version = str(doc.get("schema_version") or "")
    if version and not version.startswith("1."):
        log.warning("result schema %r is not 1.x; rendering what this version understands", version)
    verdict = _verdict_view(doc.get("verdict"), messages)
    findings = sorted(_records(doc.get("findings")), key=_finding_sort_key)
    checked, not_checked = _coverage_view(doc, messages)
    tool = _mapping(doc.get("tool"))
    pack = _mapping(tool.get("signature_pack"))
    generated_at = doc.get("generated_at")
    lang = messages.lang

    helplines = []
    for entry in load_helplines():
        helplines.append(
            {
                "name": str(entry.get("name") or entry.get("id") or ""),
                "email": str(entry["email"]) if entry.get("email") else None,
                "web": str(entry["web"]) if entry.get("web") else None,
                "description": messages.optional(f"helpline.{entry.get('id')}.description"),
            }
        )

    return {
        "lang": lang.replace("_", "-"),
        "dir": "rtl" if lang.split("_")[0] in _RTL_LANGS else "ltr",
        "title": messages.text("ui.title"),
        "verdict": verdict,
        "device": _device_line(_mapping(doc.get("device")), messages),
        "checked_at": format_time(generated_at) if generated_at else messages.text("ui.unknown_value"),
        "cards": [_card_view(i, f, messages) for i, f in enumerate(findings, 1)],
        "todo": messages.lines(verdict["todo_key"]),
        "checked": checked,
        "inventory": _inventory_view(doc, messages),
        "not_checked": not_checked,
        "helplines": helplines,
        "expert": _expert_view(doc, findings, messages),
        "footer": messages.text(
            "ui.footer",
            tool=tool.get("name") or "inspector",
            version=tool.get("version") or "?",
            pack=pack.get("version") or "?",
        ),
    }


def render_html(result: Mapping[str, Any], lang: str = "en") -> str:
    """The result document as one self-contained HTML page in language ``lang``."""
    messages = load_messages(normalize_lang(lang))
    templates = reports_dir() / "templates"
    css = _css(templates)
    # Only this exact stylesheet may apply; no other source of anything is allowed.
    style_hash = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    template = _environment(templates).get_template("report.html.j2")
    return template.render(
        view=build_view(result, messages),
        t=messages.text,
        css=Markup(css),
        csp=f"default-src 'none'; style-src 'sha256-{style_hash}'; img-src 'none'; base-uri 'none'; form-action 'none'",
    )
