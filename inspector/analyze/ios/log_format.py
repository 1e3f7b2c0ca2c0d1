"""Rendering an ``os_log`` format string with the values a tracev3 entry carries.

The format strings are printf's with Apple's additions: a ``{…}`` annotation after the ``%``
(``%{public}s``, ``%{private}@``, ``%{bool}d``, ``%{errno}d``…), ``%@`` for objects (stored as their
description string) and ``%P`` for binary data. A value logged as private is not in the log at all:
it renders as ``<private>``, as ``log show`` prints it. Annotations we do not know render the value
plainly. What ``log show`` calls the value decoders (libyal's and plaso's lists of them are long) is
not needed to see which process was active when, so only ``bool``/``BOOL``, ``errno`` and ``uuid_t``
are rendered specially.
"""

from __future__ import annotations

import re
import struct
import uuid
from dataclasses import dataclass
from functools import lru_cache

# (kind, data): kind int (little-endian bytes), str (bytes, None for a null pointer), bin (bytes),
# private (None): the value was not recorded.
@dataclass(frozen=True)
class Arg:
    kind: str
    data: bytes | None = None


PRIVATE = Arg("private")
MISSING = "<decode: missing data>"

_SPEC = re.compile(r"%(?:\{([^}]{0,128})\})?([-+ #0']*)(\d+|\*)?(?:\.(\d+|\*)?)?"
                   r"(hh|h|ll|l|j|z|t|q|L)?([@aAcCdDeEfFgGimnoOpPsSuUxX%])")
_SIGNED = frozenset("diD")
_UNSIGNED = frozenset("uUoOxXpcC")


def _int(data: bytes, signed: bool) -> int | None:
    if len(data) not in (1, 2, 4, 8):
        return None
    return int.from_bytes(data, "little", signed=signed)


def _text(data: bytes | None) -> str:
    if data is None:
        return "(null)"
    return data.split(b"\x00", 1)[0].decode("utf-8", "replace")


def _pad(text: str, flags: str, width: str | None) -> str:
    if not width or width == "*":
        return text
    size = int(width)
    if "-" in flags:
        return text.ljust(size)
    if "0" in flags and text.lstrip("-").isalnum():
        sign = "-" if text.startswith("-") else ""
        return sign + text.lstrip("-").rjust(size - len(sign), "0")
    return text.rjust(size)


def _one(arg: Arg, decoder: str, flags: str, specifier: str) -> str:
    if arg.kind == "private":
        return "<private>"
    if arg.kind == "str":
        return _text(arg.data)
    data = arg.data or b""
    if arg.kind == "bin":
        if decoder == "uuid_t" and len(data) == 16:
            return str(uuid.UUID(bytes=data)).upper()
        return data.hex()
    # an integer (or a double)
    if specifier in "aAeEfFgG":
        if len(data) == 8:
            return f"{struct.unpack('<d', data)[0]:g}" if specifier in "gG" else f"{struct.unpack('<d', data)[0]:f}"
        return MISSING
    if decoder in ("bool", "BOOL"):
        value = _int(data, False)
        if value is None:
            return MISSING
        return ("true" if value else "false") if decoder == "bool" else ("YES" if value else "NO")
    value = _int(data, specifier in _SIGNED or specifier in "m" or decoder in ("errno", "darwin.errno"))
    if value is None:
        return MISSING
    if specifier in "xX":
        text = f"{value:x}" if specifier == "x" else f"{value:X}"
        return ("0x" + text if "#" in flags and value else text)
    if specifier in "oO":
        return f"{value:o}"
    if specifier == "p":
        return f"0x{value:x}"
    if specifier in "cC":
        return chr(value) if 0 <= value < 0x110000 else MISSING
    return str(value)


@lru_cache(maxsize=4096)
def _parse(format_string: str) -> tuple[tuple[str, ...], tuple[tuple[str, str, str | None, str], ...]]:
    """(literal texts, conversions (decoder, flags, width, specifier)): literal i comes before
    conversion i, the last literal after the last one. A format string is parsed once."""
    literals: list[str] = []
    specs: list[tuple[str, str, str | None, str]] = []
    text, last = [], 0
    for match in _SPEC.finditer(format_string):
        text.append(format_string[last:match.start()])
        last = match.end()
        annotation, flags, width, _precision, _length, specifier = match.groups()
        if specifier == "%":
            text.append("%")
            continue
        if specifier == "n":
            continue
        decoders = [d.strip() for d in (annotation or "").split(",")]
        decoder = next((d for d in decoders if d and d not in ("public", "private", "sensitive")
                        and not d.startswith("name=")), "")
        literals.append("".join(text))
        text = []
        specs.append((decoder, flags, width, specifier))
    text.append(format_string[last:])
    literals.append("".join(text))
    return tuple(literals), tuple(specs)


def render(format_string: str, args: list[Arg]) -> str:
    """The message, as ``log show`` would print it (values it could not read: ``<decode: …>``)."""
    literals, specs = _parse(format_string)
    out = [literals[0]]
    for index, (decoder, flags, width, specifier) in enumerate(specs):
        arg = args[index] if index < len(args) else None
        out.append(MISSING if arg is None else _pad(_one(arg, decoder, flags, specifier), flags, width))
        out.append(literals[index + 1])
    return "".join(out)
