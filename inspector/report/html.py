"""The HTML report: one self-contained page a traveller can read on a phone, and print.

The page loads nothing: CSS is inlined, there are no scripts, images, fonts or links, and a
Content-Security-Policy forbids any request should something slip through. Everything that came
from the device is hostile (package names with markup, paths with control or bidi characters,
bytes that are not UTF-8): Jinja2 autoescaping is always on, lone surrogates become U+FFFD, and
invisible control characters are shown as ``[U+202E]`` so they cannot disguise a name.

This module builds a plain view of the result (all words already looked up in the catalog) and
hands it to ``reports/templates/report.html.j2``; the template only lays it out. The PDF
(:mod:`inspector.report.pdf`) is the same page, laid out for print.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from inspector.report.json_report import make_text_safe
from inspector.report.messages import (
    Messages,
    html_lang,
    is_rtl,
    load_messages,
    parse_time,
    zone,
)
from inspector.report.redact import is_redacted
from inspector.resources import reports_dir
from inspector.yaml_safe import safe_load

log = logging.getLogger(__name__)

VERDICTS = ("implant_found", "needs_review", "nothing_found", "incomplete")
_SEVERITY_RANK = {name: rank for rank, name in enumerate(("critical", "high", "medium", "low", "info"))}
_CONFIDENCE_RANK = {name: rank for rank, name in enumerate(("verified", "high", "medium", "low"))}

# Longest device string shown in the traveller's part of the page / in the expert annex; the
# JSON report always has the whole value.
_CARD_CLIP = 400
_EXCERPT_CLIP = 4000
# On paper an excerpt is a pointer into the evidence, not the evidence: shorter, so that a phone with
# fifty findings gives a PDF of tens of pages, not hundreds.
_PRINT_EXCERPT_CLIP = 240
_PRINT_EXCERPT_LINES = 3
# Timeline entries shown on the page (those in the crossing window and those tied to a finding
# first); the rest are counted, and all are in report.json.
_TIMELINE_LIMIT = 200
_PRINT_TIMELINE_LIMIT = 60

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
    if isinstance(value, dict):
        # One "key: value" line per parameter reads better than JSON, on a phone and on paper.
        return "\n".join(f"{k}: {_inline(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return _inline(value)
    return str(value)


def _inline(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "—" if value is None else str(value)


def text_direction(text: Any) -> str | None:
    """``ltr`` or ``rtl`` from the first letter with a direction (Unicode bidi class L, or R/AL), the
    way ``dir="auto"`` decides; None for text without one (numbers, punctuation)."""
    for char in str(text):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def _dir_attribute(text: Any) -> Markup:
    """`` dir="ltr"`` for a device string, so that a Latin path keeps its order on a right-to-left
    page (and an Arabic-script name on a left-to-right one). Decided here rather than with
    ``dir="auto"`` or ``unicode-bidi: plaintext``, which the PDF engine does not implement."""
    direction = text_direction(text)
    return Markup(f' dir="{direction}"') if direction else Markup("")


@lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,  # always, whatever the template's file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["dir"] = _dir_attribute
    return environment


_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)


def _css(templates: Path) -> str:
    css = _CSS_COMMENT_RE.sub("", (templates / "report.css").read_text(encoding="utf-8")).strip()
    if "</" in css:
        raise ValueError("report.css must not contain '</' (it is inlined in a <style> element)")
    return css


def load_helplines(directory: Path | None = None) -> list[dict[str, Any]]:
    path = (directory or reports_dir()) / "helplines.yaml"
    with path.open(encoding="utf-8") as handle:
        data = safe_load(handle.read()) or {}
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


def _window_bounds(window: dict[str, Any]) -> tuple[Any, Any]:
    return parse_time(window.get("start")), parse_time(window.get("end"))


def _window_relation(finding: dict[str, Any], context: _Context) -> str | None:
    """Where a finding lies against the crossing window: during, before, after, or unknown. The
    analysis's own word (a timeline entry tied to the finding, with ``in_window``) wins over times."""
    if not context.window:
        return None
    linked = [e for e in context.timeline if e.get("finding_rule_id") == finding.get("rule_id")]
    subject = finding.get("subject")
    if subject and any(e.get("subject") == subject for e in linked):
        linked = [e for e in linked if e.get("subject") == subject]
    if any(e.get("in_window") is True for e in linked):
        return "during"
    start, end = _window_bounds(context.window)
    moment = parse_time(finding.get("time")) or next(
        (t for t in (parse_time(e.get("time")) for e in linked) if t is not None), None
    )
    if moment is None:
        return "unknown"
    if start is not None and moment < start:
        return "before"
    if end is not None and moment > end:
        return "after"
    if start is None and end is None:
        return "unknown"
    return "during"


def _card_view(index: int, finding: dict[str, Any], messages: Messages, context: _Context) -> dict[str, Any]:
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
    relation = _window_relation(finding, context)
    window_text = messages.text(f"when.window.{relation}") if relation else None
    if params.get("raised_because") == "in_crossing_window":
        # The analysis rated it one level higher because of when it happened: say why.
        window_text = " ".join(t for t in (window_text, messages.text("when.window.raised")) if t)

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
        "window": window_text,
        "window_relation": relation,
        "advice": advice,
    }


def _timeline_view(
    context: _Context, cards: dict[str, str], messages: Messages, limit: int = _TIMELINE_LIMIT
) -> dict[str, Any] | None:
    """The timeline section, or None when the result has neither a window nor a timeline."""
    window, events = context.window, context.timeline
    if not window and not events:
        return None
    start, end = _window_bounds(window)
    zone_name = window.get("timezone") if isinstance(window.get("timezone"), str) else None

    def sort_key(item: tuple[int, dict[str, Any]]) -> tuple[int, Any, int]:
        moment = parse_time(item[1].get("time"))
        return (0, moment, item[0]) if moment is not None else (1, 0, item[0])

    ordered = [e for _, e in sorted(enumerate(events), key=sort_key)]
    if len(ordered) > limit:
        # Keep what matters most: events in the window and events behind a finding.
        important = [e for e in ordered if e.get("in_window") is True or e.get("finding_rule_id")]
        rest = [e for e in ordered if not (e.get("in_window") is True or e.get("finding_rule_id"))]
        keep_ids = {id(e) for e in (important + rest)[:limit]}
        shown = [e for e in ordered if id(e) in keep_ids]
    else:
        shown = ordered
    hidden = len(ordered) - len(shown)

    def marker(kind: str, moment: Any) -> dict[str, Any]:
        return {"kind": kind, "time": messages.time(moment), "text": messages.text(f"ui.timeline.{kind}")}

    # The window's two ends are placed among the events, so that "during the crossing" is visible.
    rows: list[dict[str, Any]] = []
    start_placed = end_placed = False
    for entry in shown:
        moment = parse_time(entry.get("time"))
        if (
            start is not None
            and not start_placed
            and ((moment is not None and moment >= start) or (end is not None and (moment is None or moment > end)))
        ):
            rows.append(marker("window_start", start))
            start_placed = True
        if end is not None and not end_placed and (moment is None or moment > end):
            rows.append(marker("window_end", end))
            end_placed = True
        event = str(entry.get("event") or "")
        subject = _clip(str(entry.get("subject") or ""), _CARD_CLIP, messages)
        rule = str(entry.get("finding_rule_id") or "")
        linked_title = cards.get(rule) if rule else None
        detail = None
        if event == "finding" and linked_title:
            # The event is a finding: say it in the finding's own words; the subject goes below.
            text, detail = linked_title, subject or None
        else:
            text = messages.optional(f"timeline.{event}", {"subject": subject}) or messages.text(
                "timeline.other", subject=subject or "—", event=_clip(event, _CARD_CLIP, messages) or "?"
            )
        in_window = entry.get("in_window") is True
        artifact = entry.get("artifact")
        rows.append(
            {
                "kind": "event",
                "time": messages.time(entry.get("time"))
                if moment is not None
                else messages.text("ui.timeline.unknown_time"),
                "text": text,
                "detail": detail,
                "in_window": in_window,
                "during": messages.text("ui.timeline.during") if in_window else None,
                "source": messages.text("ui.timeline.source", artifact=_clip(str(artifact), _CARD_CLIP, messages))
                if artifact
                else None,
                "finding": messages.text("ui.timeline.finding", title=linked_title)
                if linked_title and event != "finding"
                else None,
            }
        )
    if start is not None and not start_placed:
        rows.append(marker("window_start", start))
    if end is not None and not end_placed:
        rows.append(marker("window_end", end))

    return {
        "window": messages.text("ui.timeline.window", start_time=window.get("start"), end_time=window.get("end"))
        if window
        else None,
        "zone": messages.text("ui.timeline.zone", zone=zone_name) if zone_name and context.tz is not None else None,
        "rows": rows,
        "has_events": bool(shown),
        "more": messages.text("ui.timeline.more", count=hidden) if hidden else None,
    }


def _expert_finding(index: int, finding: dict[str, Any], messages: Messages, for_print: bool = False) -> dict[str, Any]:
    def clip(text: str) -> str:
        if not for_print:
            return _clip(text, _EXCERPT_CLIP, messages)
        limit = _PRINT_EXCERPT_CLIP
        lines = text.split("\n", _PRINT_EXCERPT_LINES)
        if len(lines) > _PRINT_EXCERPT_LINES:
            limit = min(limit, len("\n".join(lines[:_PRINT_EXCERPT_LINES])))
        return _clip(text, limit, messages)

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
        ]
        # On paper the parameters are left out: the card above says them in words, report.json has them.
        + (
            []
            if for_print
            else [(messages.text("ui.expert.params"), clip(_plain(finding.get("params") or None, messages)))]
        ),
        "evidence": evidence,
        "references": [str(r) for r in references] if isinstance(references, list) else [],
    }


def _expert_view(
    result: dict[str, Any], findings: list[dict[str, Any]], messages: Messages, for_print: bool = False
) -> dict[str, Any]:
    def t(key: str) -> str:
        return messages.text(f"ui.expert.{key}")

    tool = _mapping(result.get("tool"))
    pack = _mapping(tool.get("signature_pack"))
    device = _mapping(result.get("device"))
    acquisition = _mapping(result.get("acquisition"))
    artifacts = _records(acquisition.get("artifacts"))
    complete = sum(1 for a in artifacts if a.get("status") == "complete")
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
            for a in artifacts
            # On paper, the hundreds of complete artifacts (one per app) are counted, not listed.
            if not (for_print and a.get("status") == "complete")
        ],
        "artifacts_complete": messages.text("ui.expert.artifacts_complete", count=complete)
        if for_print and complete
        else None,
        "coverage": [
            {
                "check": _plain(c.get("check"), messages),
                "status": _plain(c.get("status"), messages),
                "reason": _plain(c.get("reason"), messages),
            }
            for c in _records(result.get("coverage"))
        ],
        "inventory": [(str(k), _plain(v, messages)) for k, v in _mapping(result.get("inventory")).items()],
        "findings": [_expert_finding(i, f, messages, for_print) for i, f in enumerate(findings, 1)],
    }


@dataclass
class _Context:
    """What several parts of the view need: the crossing window, the timeline, the display zone."""

    window: dict[str, Any] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    tz: tzinfo | None = None


def _privacy_view(doc: dict[str, Any], messages: Messages) -> dict[str, Any]:
    redaction = _mapping(doc.get("redaction"))
    redacted = is_redacted(doc)
    counts = []
    for kind, count in sorted(_mapping(redaction.get("counts")).items()):
        if isinstance(count, int) and count > 0:
            counts.append(messages.optional(f"redaction.kind.{kind}", count=count) or f"{kind}: {count}")
    summary = None
    if redacted:
        summary = (
            messages.text("ui.redacted.counts", summary=messages.text("ui.list_separator").join(counts))
            if counts
            else messages.text("ui.redacted.nothing")
        )
    return {
        "short": messages.text("ui.privacy.short"),
        "note": messages.text("ui.privacy.note"),
        "offline": messages.text("ui.privacy.offline"),
        "redacted": redacted,
        "banner": messages.text("ui.redacted.banner") if redacted else None,
        "summary": summary,
        "complete": None if redacted else messages.text("ui.privacy.not_redacted"),
    }


def _is_behaviour(finding: dict[str, Any]) -> bool:
    return finding.get("family") == "behaviour"


def _behaviour_view(doc: dict[str, Any], cards: list[dict[str, Any]], messages: Messages) -> dict[str, Any] | None:
    """"What this app did" (lab mode, inspector trace): the behaviour findings, with what was traced."""
    trace = _mapping(doc.get("trace"))
    if not trace and not cards:
        return None
    events = trace.get("events") if isinstance(trace.get("events"), int) else 0
    detail = trace.get("detail") or trace.get("stop_reason")
    return {
        "intro": messages.text("ui.behaviour.intro", events=events,
                               target=_clip(str(trace.get("target") or "?"), _CARD_CLIP, messages)),
        "cards": cards,
        "stopped": messages.text("ui.behaviour.stopped", detail=_clip(str(detail), _CARD_CLIP, messages))
        if detail else None,
    }


def build_view(result: Mapping[str, Any], messages: Messages, for_print: bool = False) -> dict[str, Any]:
    """Everything the template shows, as plain strings and lists, device text already made safe.
    ``for_print``: for the PDF (shorter evidence excerpts)."""
    doc = _visible_deep(make_text_safe(result))
    if not isinstance(doc, dict):
        raise TypeError("the result document must be a mapping")
    version = str(doc.get("schema_version") or "")
    if version and not version.startswith("1."):
        log.warning("result schema %r is not 1.x; rendering what this version understands", version)
    window = _mapping(doc.get("window"))
    context = _Context(window=window, timeline=_records(doc.get("timeline")), tz=zone(window.get("timezone")))
    # Times read best in the zone of the crossing, when it is known; otherwise in UTC.
    messages = messages.with_options(tz=context.tz)
    verdict = _verdict_view(doc.get("verdict"), messages)
    findings = sorted(_records(doc.get("findings")), key=_finding_sort_key)
    checked, not_checked = _coverage_view(doc, messages)
    tool = _mapping(doc.get("tool"))
    pack = _mapping(tool.get("signature_pack"))
    generated_at = doc.get("generated_at")
    cards = [_card_view(i, f, messages, context) for i, f in enumerate(findings, 1)]
    card_titles: dict[str, str] = {}
    for finding, card in zip(findings, cards, strict=True):
        card_titles.setdefault(str(finding.get("rule_id")), card["title"])

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

    behaviour = _behaviour_view(doc, [c for f, c in zip(findings, cards, strict=True) if _is_behaviour(f)], messages)
    return {
        "lang": html_lang(messages.lang),
        "dir": "rtl" if is_rtl(messages.lang) else "ltr",
        "title": messages.text("ui.title"),
        "verdict": verdict,
        "privacy": _privacy_view(doc, messages),
        "device": _device_line(_mapping(doc.get("device")), messages),
        "checked_at": messages.time(generated_at) if generated_at else messages.text("ui.unknown_value"),
        "cards": [c for f, c in zip(findings, cards, strict=True) if not _is_behaviour(f)],
        "behaviour": behaviour,
        "todo": messages.lines(verdict["todo_key"]),
        "timeline": _timeline_view(
            context, card_titles, messages, _PRINT_TIMELINE_LIMIT if for_print else _TIMELINE_LIMIT
        ),
        "checked": checked,
        "inventory": _inventory_view(doc, messages),
        "not_checked": not_checked,
        "helplines": helplines,
        "expert": _expert_view(doc, findings, messages, for_print),
        "footer": messages.text(
            "ui.footer",
            tool=tool.get("name") or "inspector",
            version=tool.get("version") or "?",
            pack=pack.get("version") or "?",
        ),
    }


def render_html(result: Mapping[str, Any], lang: str | None = "en", *, for_print: bool = False) -> str:
    """The result document as one self-contained HTML page in language ``lang`` (``None``: the
    system's language). ``for_print``: the expert annex is open (the PDF is made from this)."""
    messages = load_messages(lang, isolate=True)
    templates = reports_dir() / "templates"
    css = _css(templates)
    # Only this exact stylesheet may apply; no other source of anything is allowed.
    style_hash = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    template = _environment(templates).get_template("report.html.j2")
    view = build_view(result, messages, for_print)
    return template.render(
        view=view,
        t=messages.text,
        css=Markup(css),
        for_print=for_print,
        csp=f"default-src 'none'; style-src 'sha256-{style_hash}'; img-src 'none'; base-uri 'none'; form-action 'none'",
    )
