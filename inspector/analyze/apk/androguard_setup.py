"""What is done once before androguard is imported.

- Its logs: androguard logs with loguru at DEBUG on import and on every APK, and we show none of it.
  loguru is in our process only for androguard (no other dependency of ours uses it), and importing it
  costs ~55 ms CPU of every ``inspector check`` (it pulls in asyncio and ssl), so when nothing has
  imported it yet, ``loguru`` is registered as a logger that discards every call (``NullLogger``).
  If loguru is already imported (a program that uses inspector as a library and loguru itself), it
  stays, and androguard's messages are only disabled in it.
- Its table of Android's public resources (``androguard.core.resources.public``): androguard builds it
  at import by parsing a 190 kB ``public.xml`` with minidom (~23 ms of every ``inspector check``), and
  uses it for every manifest attribute. The same package ships the same table as ``public.json``
  (generated from that XML by the module itself); when the two hold the same data, the module is
  registered built from the JSON (~1 ms). ``tests/test_apk_engine.py`` checks that the result equals
  androguard's own module, so a future androguard that changes either file is noticed.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import types
from pathlib import Path

PUBLIC = "androguard.core.resources.public"


def prepare_androguard() -> None:
    """Silence androguard's logs and register its public-resources table; safe to call repeatedly."""
    _public_from_json()
    logging.getLogger("androguard").setLevel(logging.ERROR)
    if "loguru" not in sys.modules:
        module = types.ModuleType("loguru", "A logger that discards everything (inspector: androguard's logs)")
        module.logger = NullLogger()
        sys.modules["loguru"] = module
    from loguru import logger

    logger.disable("androguard")


class NullLogger:
    """What androguard calls on loguru's ``logger``, discarding every message."""

    def _discard(self, *args, **kwargs) -> None:
        return None

    trace = debug = info = success = warning = error = critical = exception = log = _discard
    disable = enable = remove = complete = _discard

    def opt(self, *args, **kwargs) -> NullLogger:
        return self

    bind = contextualize = patch = opt

    def add(self, *args, **kwargs) -> int:
        return 0

    def level(self, name, *args, **kwargs):
        return types.SimpleNamespace(name=name, no=0, color="", icon="")

    def catch(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs and not isinstance(args[0], type):
            return args[0]  # @logger.catch
        return lambda function: function  # @logger.catch(...)


def public_tables(public_res: dict) -> dict:
    """``SYSTEM_RESOURCES`` as androguard's ``public`` module builds it from its parsed table."""
    return {kind: {"forward": dict(public_res[key]), "inverse": {v: k for k, v in public_res[key].items()}}
            for kind, key in (("attributes", "attr"), ("styles", "style"))}


def _public_from_json() -> None:
    if PUBLIC in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(PUBLIC)
    except ImportError:  # androguard missing: its own import fails later, with its own message
        return
    if spec is None or not spec.origin:
        return
    source = Path(spec.origin)
    try:
        public_res = json.loads((source.parent / "public.json").read_text("utf-8"))
        if not isinstance(public_res.get("attr"), dict) or not isinstance(public_res.get("style"), dict):
            return
        tables = public_tables(public_res)
    except (OSError, ValueError, AttributeError, TypeError):
        return  # androguard imports its own module, from the XML
    module = types.ModuleType(PUBLIC, "Android's public resource ids (androguard's table, read from public.json)")
    module.__file__ = str(source)
    module._public_res = public_res
    module.SYSTEM_RESOURCES = tables
    sys.modules[PUBLIC] = module
    parent = sys.modules.get(PUBLIC.rpartition(".")[0])
    if parent is not None:
        parent.public = module
