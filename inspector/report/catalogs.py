"""The gettext catalogs of the report: built from the English source, kept in step, compiled.

Where the words live (all under the top-level ``reports/`` folder, shipped in the wheel)::

    reports/messages/en.yaml                            English: the source, edited by developers
    reports/locale/inspector.pot                        template for new languages (generated)
    reports/locale/en/LC_MESSAGES/inspector.po          English as a catalog (generated, never edited)
    reports/locale/<lang>/LC_MESSAGES/inspector.po      a translation (edited by translators)
    reports/locale/<lang>/LC_MESSAGES/inspector.mo      compiled; what the report reads at run time

The message id of every entry is its key (``finding.leftover_file.title``), never the English text:
findings carry keys, so a finding stays data and an English wording change does not orphan every
translation. Translators see the English text as an extracted comment (``#. English: …``). When the
English text of a key changes, its translation is marked fuzzy (needs review) and the report shows
English for it until a translator confirms it. A list in en.yaml (the steps of "what to do now") is
one entry whose lines are the steps.

``python scripts/update_catalogs.py`` regenerates the template and the English catalog, adds new keys
to every translation (empty, so they fall back to English), and compiles every ``.mo``;
``--check`` only says what is out of date (the test suite runs it). The ``.mo`` files are committed:
the wheel ships ``reports/`` as it is, with no build step, and an install from a checkout must work.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from inspector.resources import reports_dir
from inspector.yaml_safe import safe_load

DOMAIN = "inspector"
SOURCE_LANG = "en"
ENGLISH_PREFIX = "English: "
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

_TEMPLATE_HEADER = """\
# Texts of the inspector report: template for a new language.
# Generated from reports/messages/en.yaml by scripts/update_catalogs.py: do not edit.
# msgid is the message key; the English text is in the "#. English:" comment above each entry.
#"""

_ENGLISH_HEADER = """\
# English texts of the inspector report, generated from reports/messages/en.yaml by
# scripts/update_catalogs.py: do not edit (edit en.yaml and run the script).
#"""

_NEW_LANGUAGE_HEADER = """\
# {name} texts of the inspector report.
# This file is distributed under the same license as inspector (GPL-3.0-or-later).
#
# msgid is the message key; translate the English text given in the "#. English:" comment.
# Keep every {{placeholder}} as it is; a list ("what to do now") has one step per line.
# Translation status: new, not yet translated.
#"""


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            # A list (steps to follow) is one gettext entry, one item per line.
            flat[name] = "\n".join(" ".join(str(item).split("\n")) for item in value)
        elif value is not None:
            flat[name] = str(value)
    return flat


def english_source(reports: Path | None = None) -> dict[str, str]:
    """The English texts from ``reports/messages/en.yaml``: key → text (lists joined by newlines)."""
    path = (reports or reports_dir()) / "messages" / f"{SOURCE_LANG}.yaml"
    with path.open(encoding="utf-8") as handle:
        data = safe_load(handle.read()) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: a message catalog must be a mapping of key to text")
    return _flatten(data)


def locale_dir(reports: Path | None = None) -> Path:
    return (reports or reports_dir()) / "locale"


def po_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def languages(locales: Path | None = None) -> list[str]:
    """Every language with a catalog, English first."""
    locales = locales or locale_dir()
    found = sorted(p.parent.parent.name for p in locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return sorted(found, key=lambda lang: lang != SOURCE_LANG)


def placeholders(text: str) -> set[str]:
    return {name for name in PLACEHOLDER_RE.findall(text) if name}


def _english_comment(text: str) -> list[str]:
    lines = text.split("\n")
    return [ENGLISH_PREFIX + lines[0], *lines[1:]]


def _comment_text(comments: list[str]) -> str | None:
    if not comments or not comments[0].startswith(ENGLISH_PREFIX):
        return None
    return "\n".join([comments[0][len(ENGLISH_PREFIX) :], *comments[1:]])


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def _serialize_po(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, include_lineno=False)
    return buffer.getvalue()


def compile_mo(catalog: Catalog) -> bytes:
    """The ``.mo`` for a catalog. Fuzzy and empty entries are left out, so they fall back to English."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _dates(existing: Catalog | None) -> dict[str, Any]:
    # Keep the dates of the file being rewritten so that a run that changes nothing changes no byte.
    if existing is None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        return {"creation_date": now, "revision_date": now}
    return {"creation_date": existing.creation_date, "revision_date": existing.revision_date}


def _new_catalog(lang: str | None, header: str, existing: Catalog | None, **meta: Any) -> Catalog:
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment=header,
        project="inspector",
        version=meta.pop("version", None) or (existing.version if existing else None) or "1",
        msgid_bugs_address="the inspector issue tracker",
        charset="utf-8",
        fuzzy=False,
        **_dates(existing),
        **meta,
    )


def build_template(english: Mapping[str, str], existing: Catalog | None = None) -> Catalog:
    catalog = _new_catalog(None, _TEMPLATE_HEADER, existing)
    for key, text in english.items():
        catalog.add(key, "", auto_comments=_english_comment(text))
    return catalog


def build_english(english: Mapping[str, str], existing: Catalog | None = None) -> Catalog:
    catalog = _new_catalog(
        SOURCE_LANG,
        _ENGLISH_HEADER,
        existing,
        language_team="inspector developers",
        last_translator="inspector developers",
    )
    for key, text in english.items():
        catalog.add(key, text)
    return catalog


def merge_translation(english: Mapping[str, str], existing: Catalog | None, lang: str) -> Catalog:
    """A translation brought in step with English: every English key present, in English order,
    with its English text as a comment; translations kept; a translation whose English text changed
    since it was made marked fuzzy; keys English no longer has kept as obsolete entries."""
    header = existing.header_comment if existing is not None else _NEW_LANGUAGE_HEADER.format(name=lang)
    meta: dict[str, Any] = {}
    if existing is not None:
        meta = {"last_translator": existing.last_translator, "language_team": existing.language_team}
    catalog = _new_catalog(lang, header, existing, **meta)
    for key, text in english.items():
        old = existing.get(key) if existing is not None else None
        string = ""
        flags: set[str] = set()
        user_comments: list[str] = []
        if old is not None and old.string:
            string = str(old.string)
            flags = set(old.flags) - {"python-format", "python-brace-format"}
            user_comments = list(old.user_comments)
            previous_english = _comment_text(list(old.auto_comments))
            # Compared without line breaks: write_po wraps long comments.
            if previous_english is not None and previous_english.split() != text.split():
                flags.add("fuzzy")
        catalog.add(key, string, auto_comments=_english_comment(text), flags=flags, user_comments=user_comments)
    if existing is not None:
        for message in list(existing) + list(existing.obsolete.values()):
            if message.id and message.id not in english and message.string:
                catalog.obsolete[message.id] = message
    return catalog


@dataclass
class CatalogUpdate:
    """What :func:`update_catalogs` changed (or, with ``check``, would change)."""

    changed: list[Path] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return not self.changed


def update_catalogs(
    reports: Path | None = None, *, check: bool = False, new_languages: tuple[str, ...] = ()
) -> CatalogUpdate:
    """Regenerate ``inspector.pot`` and the English catalog from en.yaml, bring every translation in
    step, compile every ``.mo``. With ``check``: write nothing, report what is out of date."""
    reports = reports or reports_dir()
    locales = locale_dir(reports)
    english = english_source(reports)
    outcome = CatalogUpdate()

    def put(path: Path, data: bytes) -> None:
        if path.is_file() and _same_messages(path, data):
            return
        outcome.changed.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    pot = locales / f"{DOMAIN}.pot"
    put(pot, _serialize_po(build_template(english, read_catalog(pot) if pot.is_file() else None)))

    langs = [*languages(locales), *(lang for lang in new_languages if lang not in languages(locales))]
    if SOURCE_LANG not in langs:
        langs.insert(0, SOURCE_LANG)
    for lang in langs:
        po = po_path(locales, lang)
        existing = read_catalog(po, lang) if po.is_file() else None
        if lang == SOURCE_LANG:
            catalog = build_english(english, existing)
        else:
            catalog = merge_translation(english, existing, lang)
        data = _serialize_po(catalog)
        put(po, data)
        put(mo_path(locales, lang), compile_mo(read_po(io.BytesIO(data), locale=lang, domain=DOMAIN)))
    return outcome


def _messages(data: bytes, compiled: bool) -> list[tuple]:
    """What a catalog says, without its header (which names the Babel version and spells the plural
    formula in that version's own way, so a catalog made by another Babel is still "in step")."""
    catalog = read_mo(io.BytesIO(data)) if compiled else read_po(io.BytesIO(data))
    return sorted(
        (str(m.id), str(m.string), sorted(m.flags), list(m.auto_comments))
        for m in catalog
        if m.id
    )


def _same_messages(path: Path, data: bytes) -> bool:
    old = path.read_bytes()
    if old == data:
        return True
    try:
        return _messages(old, path.suffix == ".mo") == _messages(data, path.suffix == ".mo")
    except Exception:  # an unreadable catalog on disk is out of date
        return False


@dataclass
class CatalogProblems:
    """Why a shipped translation is not complete (see :func:`translation_problems`)."""

    missing: list[str] = field(default_factory=list)  # no translation (fall back to English)
    fuzzy: list[str] = field(default_factory=list)  # English changed since it was translated
    placeholders: list[str] = field(default_factory=list)  # {names} differ from English
    lines: list[str] = field(default_factory=list)  # a list entry with another number of steps

    def __bool__(self) -> bool:
        return bool(self.missing or self.fuzzy or self.placeholders or self.lines)


def translation_problems(lang: str, reports: Path | None = None) -> CatalogProblems:
    """Keys English has that the ``lang`` catalog lacks or gets wrong."""
    english = english_source(reports)
    catalog = read_catalog(po_path(locale_dir(reports), lang), lang)
    problems = CatalogProblems()
    for key, text in english.items():
        message = catalog.get(key)
        if message is None or not message.string:
            problems.missing.append(key)
            continue
        if message.fuzzy:
            problems.fuzzy.append(key)
        translated = str(message.string)
        if placeholders(translated) != placeholders(text):
            problems.placeholders.append(f"{key}: {sorted(placeholders(translated))} != {sorted(placeholders(text))}")
        if "\n" in text and translated.count("\n") != text.count("\n"):
            problems.lines.append(key)
    return problems
