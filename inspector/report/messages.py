"""Message catalogs: every word a reader sees comes from ``reports/messages/<lang>.yaml``.

Findings and coverage entries carry message *keys* (``finding.leftover_file.title``); this module
turns a key and its parameters into text in the reader's language.

A catalog is a YAML mapping from key to text. Keys are dotted and may be written flat
(``finding.leftover_file.title: …``) or nested; both load to the same flat keys. A value is a string
with ``{param}`` placeholders (``{{`` and ``}}`` for literal braces) or a list of such strings (the
steps of a "what to do now" list). When a parameter a text needs is missing, the variant
``<key>.without_<param>`` is used if the catalog has one (a sentence written without that value).

Languages fall back key by key: ``zh_CN`` looks in ``zh_CN.yaml``, then ``zh.yaml``, then
``en.yaml``, so a half-translated catalog still gives a complete report. A key missing everywhere
renders as the key itself and is logged once: a new check must never crash the report because
its prose has not been written yet.

A later issue moves the catalogs to gettext/Babel; keys stay the message ids, so only this module
changes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from inspector.resources import reports_dir

log = logging.getLogger(__name__)

DEFAULT_LANG = "en"

# Language tags come from the command line or a config file; they name a file, so they must never
# be able to name anything outside the catalog folder.
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def messages_dir() -> Path:
    return reports_dir() / "messages"


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


def fallback_chain(lang: str) -> list[str]:
    """``zh_Hant_TW`` → ``["zh_Hant_TW", "zh_Hant", "zh", "en"]``."""
    parts = normalize_lang(lang).split("_")
    chain = ["_".join(parts[:i]) for i in range(len(parts), 0, -1)]
    if DEFAULT_LANG not in chain:
        chain.append(DEFAULT_LANG)
    return chain


def format_time(value: Any) -> str:
    """An ISO 8601 time as ``2026-11-22 02:10 UTC``: readable everywhere, no month names to
    translate. Anything that is not a time is returned as text, unchanged."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return text
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str | list[str]]:
    flat: dict[str, str | list[str]] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = [str(item) for item in value]
        elif value is None:
            continue  # an empty entry in a partial translation: fall back to the next catalog
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=32)
def _load_catalog(path: Path, mtime_ns: int) -> dict[str, str | list[str]]:
    del mtime_ns  # part of the cache key only, so an edited catalog is reloaded
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: a message catalog must be a mapping of key to text")
    return _flatten(data)


class Messages:
    """The texts of one language, with per-key fallback to the languages after it."""

    def __init__(self, lang: str, catalogs: list[dict[str, str | list[str]]]) -> None:
        self.lang = lang
        self._catalogs = catalogs
        self._warned: set[str] = set()

    @classmethod
    def load(cls, lang: str = DEFAULT_LANG, directory: Path | None = None) -> Messages:
        directory = directory or messages_dir()
        lang = normalize_lang(lang)
        catalogs = []
        for name in fallback_chain(lang):
            path = directory / f"{name}.yaml"
            if path.is_file():
                catalogs.append(_load_catalog(path, path.stat().st_mtime_ns))
        if not catalogs:
            raise FileNotFoundError(f"no message catalog for {lang!r} or {DEFAULT_LANG!r} in {directory}")
        return cls(lang, catalogs)

    def lookup(self, key: str) -> str | list[str] | None:
        """The raw catalog value for ``key``, or None. For optional texts: no warning."""
        for catalog in self._catalogs:
            if key in catalog:
                return catalog[key]
        return None

    def has(self, key: str) -> bool:
        return self.lookup(key) is not None

    def text(self, key: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> str:
        """The text for ``key`` with its ``{param}`` placeholders filled in.

        Unknown key → the key itself (and one warning in the log). Parameters whose name is
        ``time`` or ends in ``_time`` are shown as times (see :func:`format_time`).
        """
        value = self.lookup(key)
        if value is None:
            self._warn_once(key, "no text for message key %r in any catalog (%s)", key, self.lang)
            return key
        if isinstance(value, list):
            value = " ".join(value)
        merged = {**(params or {}), **more}
        # A sentence that needs a value the finding does not have (an unknown time) may have a
        # variant written without it: "<key>.without_<param>".
        for name in _PLACEHOLDER_RE.findall(value):
            if name and merged.get(name) is None and self.has(f"{key}.without_{name}"):
                return self.text(f"{key}.without_{name}", merged)
        return self._fill(key, value, merged)

    def optional(self, key: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> str | None:
        """Like :meth:`text`, but None (and no warning) when the key is not in any catalog."""
        if self.lookup(key) is None:
            return None
        return self.text(key, params, **more)

    def lines(self, key: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> list[str]:
        """A list entry (e.g. steps to follow) with placeholders filled; unknown key → ``[key]``."""
        value = self.lookup(key)
        if value is None:
            self._warn_once(key, "no text for message key %r in any catalog (%s)", key, self.lang)
            return [key]
        items = value if isinstance(value, list) else [value]
        merged = {**(params or {}), **more}
        return [self._fill(key, item, merged) for item in items]

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
                return unknown if isinstance(unknown, str) else "?"
            value = params[name]
            if name == "time" or name.endswith("_time"):
                return format_time(value)
            return str(value)

        return _PLACEHOLDER_RE.sub(replace, template)

    def _warn_once(self, token: str, message: str, *args: Any) -> None:
        if token not in self._warned:
            self._warned.add(token)
            log.warning(message, *args)


def load_messages(lang: str = DEFAULT_LANG, directory: Path | None = None) -> Messages:
    return Messages.load(lang, directory)
