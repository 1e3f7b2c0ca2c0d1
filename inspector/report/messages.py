"""Message catalogs: every word a reader sees comes from the gettext catalogs in ``reports/locale/``.

Findings and coverage entries carry message *keys* (``finding.leftover_file.title``); this module
turns a key and its parameters into text in the reader's language. The keys are the gettext message
ids; the compiled catalogs (``reports/locale/<lang>/LC_MESSAGES/inspector.mo``) are read with Babel's
``Translations``. English is written in ``reports/messages/en.yaml`` and compiled like the others
(see :mod:`inspector.report.catalogs` and ``docs/report.md``).

A text is a string with ``{param}`` placeholders (``{{`` and ``}}`` for literal braces); a list entry
(the steps of "what to do now") has one item per line. When a parameter a text needs is missing, the
variant ``<key>.without_<param>`` is used if the catalog has one (a sentence written without that value).

Languages fall back key by key: ``zh_CN`` looks in ``zh_CN``, then ``zh``, then ``en``, so a
half-translated catalog still gives a complete report. A key missing everywhere renders as the key
itself and is logged once: a new check must never crash the report because its prose has not been
written yet.
"""

from __future__ import annotations

import gettext
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import Translations

from inspector.resources import reports_dir

log = logging.getLogger(__name__)

DEFAULT_LANG = "en"
DOMAIN = "inspector"

# Written right to left. The page gets dir="rtl" and the PDF the same layout, mirrored.
RTL_LANGS = frozenset({"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})

# Tags people type or their system sets, mapped to the catalog that serves them.
_ALIASES = {
    "zh": "zh_CN",
    "zh_Hans": "zh_CN",
    "zh_Hans_CN": "zh_CN",
    "zh_SG": "zh_CN",
    "zh_Hans_SG": "zh_CN",
    "ug_Arab": "ug",
    "ug_Arab_CN": "ug",
    "ug_CN": "ug",
}

# Language tags come from the command line or the environment; they name a folder, so they must
# never be able to name anything outside the catalog folder.
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Unicode "first strong isolate" and "pop directional isolate": a value put into a sentence (a
# path, a package name, a time) is laid out on its own, so an Arabic-script file name cannot reorder
# an English sentence and a Latin path cannot scramble a Uyghur one (Unicode bidi algorithm, UAX #9).
FSI, PDI = "\u2068", "\u2069"


def locale_dir() -> Path:
    return reports_dir() / "locale"


def normalize_lang(lang: str | None) -> str:
    """``zh-cn`` → ``zh_CN``; anything that is not a language tag → the default language."""
    if not lang or not _LANG_RE.match(lang):
        if lang:
            log.warning("ignoring invalid language tag %r, using %s", lang, DEFAULT_LANG)
        return DEFAULT_LANG
    parts = re.split(r"[_-]", lang)
    head = parts[0].lower()
    # BCP 47 casing: regions upper case (CN), scripts title case (Hant).
    tail = [p.upper() if len(p) == 2 else p.title() if len(p) == 4 and p.isalpha() else p for p in parts[1:]]
    return "_".join([head, *tail])


def system_lang(environ: Mapping[str, str] | None = None) -> str:
    """The reader's language from the environment, as gettext reads it: ``LANGUAGE`` (first of its
    list), ``LC_ALL``, ``LC_MESSAGES``, ``LANG``. ``C``/``POSIX`` and unset → English."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").split(":")[0]
        # ll_CC.encoding@modifier → ll_CC
        value = value.split(".")[0].split("@")[0]
        if value in ("", "C", "POSIX"):
            continue
        return normalize_lang(value)
    return DEFAULT_LANG


def fallback_chain(lang: str) -> list[str]:
    """``zh_Hant_TW`` → ``["zh_Hant_TW", "zh_Hant", "zh", "en"]``; aliases (``zh`` → ``zh_CN``) added
    after the tag they stand for."""
    parts = normalize_lang(lang).split("_")
    # Traditional Chinese readers get English rather than the Simplified catalog.
    traditional = parts[0] == "zh" and any(p in ("Hant", "TW", "HK", "MO") for p in parts[1:])
    chain: list[str] = []
    for i in range(len(parts), 0, -1):
        name = "_".join(parts[:i])
        chain.append(name)
        if name in _ALIASES and not traditional:
            chain.append(_ALIASES[name])
    if DEFAULT_LANG not in chain:
        chain.append(DEFAULT_LANG)
    return list(dict.fromkeys(chain))


def available_languages(directory: Path | None = None) -> list[str]:
    """Languages with a compiled catalog, English first."""
    directory = directory or locale_dir()
    found = sorted(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return sorted(found, key=lambda lang: lang != DEFAULT_LANG)


def is_rtl(lang: str) -> bool:
    return normalize_lang(lang).split("_")[0] in RTL_LANGS


def html_lang(lang: str) -> str:
    """``zh_CN`` → ``zh-CN`` (BCP 47, as HTML's lang attribute wants it)."""
    return normalize_lang(lang).replace("_", "-")


def zone(name: Any) -> tzinfo | None:
    """A time zone from its IANA name (``Asia/Urumqi``) or a fixed offset (``+08:00``); None if unknown."""
    if not isinstance(name, str) or not name:
        return None
    match = re.fullmatch(r"(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?", name.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return None if offset > timedelta(hours=14) else timezone(sign * offset)
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _offset_label(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset) as an aware datetime; naive times are taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_time(value: Any, tz: tzinfo | None = None) -> str:
    """An ISO 8601 time as ``2026-11-22 02:10 UTC`` (or, in zone ``tz``, ``2026-11-22 10:10 UTC+8``):
    readable everywhere, no month names to translate. Anything that is not a time is returned as
    text, unchanged."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.strftime("%Y-%m-%d %H:%M")
    moment = parse_time(value)
    if moment is None:
        return str(value)
    moment = moment.astimezone(tz or UTC)
    return f"{moment:%Y-%m-%d %H:%M} {_offset_label(moment)}"


@lru_cache(maxsize=32)
def _load_mo(path: Path, mtime_ns: int) -> Translations:
    del mtime_ns  # part of the cache key only, so a recompiled catalog is reloaded
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


def _lookup_own(catalog: gettext.GNUTranslations, message: str) -> str | None:
    # gettext() answers a missing id with the id itself; the catalog's own table tells a hit from a
    # miss, which per-key fallback (and the "missing key" warning) needs. Fallbacks are not linked
    # with add_fallback() because the compiled catalogs are cached and shared between languages.
    value = catalog._catalog.get(message)
    return value if isinstance(value, str) else None


class Messages:
    """The texts of one language, with per-key fallback to the languages after it.

    ``isolate`` (for HTML and PDF) wraps every value put into a sentence, and every text that came
    from a fallback language, in Unicode bidi isolates. ``tz`` is the zone times are shown in."""

    def __init__(
        self,
        lang: str,
        catalogs: list[tuple[str, gettext.GNUTranslations]],
        *,
        requested: str | None = None,
        isolate: bool = False,
        tz: tzinfo | None = None,
    ) -> None:
        self.lang = lang  # the language of the first catalog found: what the reader gets
        self.requested = requested or lang
        self.isolate = isolate
        self.tz = tz
        self._catalogs = catalogs
        self._warned: set[str] = set()

    @classmethod
    def load(cls, lang: str = DEFAULT_LANG, directory: Path | None = None, **options: Any) -> Messages:
        directory = directory or locale_dir()
        requested = normalize_lang(lang)
        catalogs: list[tuple[str, gettext.GNUTranslations]] = []
        for name in fallback_chain(requested):
            path = directory / name / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if path.is_file():
                catalogs.append((name, _load_mo(path, path.stat().st_mtime_ns)))
        if not catalogs:
            raise FileNotFoundError(f"no message catalog for {requested!r} or {DEFAULT_LANG!r} in {directory}")
        if catalogs[0][0] == DEFAULT_LANG and requested.split("_")[0] != DEFAULT_LANG:
            log.info("no catalog for %r: the report is in %s", requested, DEFAULT_LANG)
        return cls(catalogs[0][0], catalogs, requested=requested, **options)

    def with_options(self, **options: Any) -> Messages:
        """The same catalogs with other options (``isolate``, ``tz``)."""
        merged = {"isolate": self.isolate, "tz": self.tz, **options}
        return Messages(self.lang, self._catalogs, requested=self.requested, **merged)

    def _find(self, key: str) -> tuple[str, str] | None:
        for name, catalog in self._catalogs:
            value = _lookup_own(catalog, key)
            if value is not None:
                return name, value
        return None

    def lookup(self, key: str) -> str | None:
        """The raw catalog text for ``key`` (a list entry: its lines joined by newlines), or None.
        For optional texts: no warning."""
        found = self._find(key)
        return found[1] if found else None

    def source_lang(self, key: str) -> str | None:
        """Which catalog of the chain serves ``key``."""
        found = self._find(key)
        return found[0] if found else None

    def has(self, key: str) -> bool:
        return self.lookup(key) is not None

    def text(self, key: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> str:
        """The text for ``key`` with its ``{param}`` placeholders filled in.

        Unknown key → the key itself (and one warning in the log). Parameters whose name is
        ``time`` or ends in ``_time`` are shown as times (see :func:`format_time`).
        """
        found = self._find(key)
        if found is None:
            self._warn_once(key, "no text for message key %r in any catalog (%s)", key, self.lang)
            return key
        source, value = found
        value = " ".join(value.split("\n"))
        merged = {**(params or {}), **more}
        # A sentence that needs a value the finding does not have (an unknown time, an empty name)
        # may have a variant written without it: "<key>.without_<param>".
        for name in _PLACEHOLDER_RE.findall(value):
            if name and merged.get(name) in (None, "") and self.has(f"{key}.without_{name}"):
                return self.text(f"{key}.without_{name}", merged)
        return self._wrap(source, self._fill(key, value, merged))

    def optional(self, key: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> str | None:
        """Like :meth:`text`, but None (and no warning) when the key is not in any catalog."""
        if self.lookup(key) is None:
            return None
        return self.text(key, params, **more)

    def lines(self, key: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> list[str]:
        """A list entry (e.g. steps to follow) with placeholders filled; unknown key → ``[key]``."""
        found = self._find(key)
        if found is None:
            self._warn_once(key, "no text for message key %r in any catalog (%s)", key, self.lang)
            return [key]
        source, value = found
        merged = {**(params or {}), **more}
        return [self._wrap(source, self._fill(key, item, merged)) for item in value.split("\n") if item.strip()]

    def time(self, value: Any) -> str:
        """A time in this report's zone (isolated, so "2026-11-22" never reads "22-11-2026" inside
        right-to-left text)."""
        text = format_time(value, self.tz)
        return FSI + text + PDI if self.isolate else text

    def _wrap(self, source: str, text: str) -> str:
        if self.isolate and source != self.lang:
            return FSI + text + PDI  # an English sentence inside a right-to-left page keeps its order
        return text

    def _fill(self, key: str, template: str, params: Mapping[str, Any]) -> str:
        # Hand-rolled instead of str.format: a catalog (and so a translator) can only name
        # parameters, never reach attributes or indexes of the values.
        def replace(match: re.Match[str]) -> str:
            token = match.group(0)
            if token == "{{":
                return "{"
            if token == "}}":
                return "}"
            name = match.group(1)
            if name not in params or params[name] is None:
                self._warn_once(f"{key}:{name}", "message %r needs parameter %r, not given", key, name)
                unknown = self.lookup("ui.unknown_value")
                value = unknown if unknown is not None else "?"
            elif name == "time" or name.endswith("_time"):
                value = format_time(params[name], self.tz)
            else:
                value = str(params[name])
            # A number reads right in either direction; anything with letters or punctuation is isolated.
            return FSI + value + PDI if self.isolate and not value.isdigit() else value

        return _PLACEHOLDER_RE.sub(replace, template)

    def _warn_once(self, token: str, message: str, *args: Any) -> None:
        if token not in self._warned:
            self._warned.add(token)
            log.warning(message, *args)


def load_messages(lang: str | None = DEFAULT_LANG, directory: Path | None = None, **options: Any) -> Messages:
    """The catalogs for ``lang``; ``None`` → the system's language (:func:`system_lang`)."""
    return Messages.load(system_lang() if lang is None else lang, directory, **options)
