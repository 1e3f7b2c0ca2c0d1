"""ADB authentication: Android's RSAPublicKey struct, token signatures, and the phone's policy.

A key as adb sends it (``AUTH RSAPUBLICKEY``) and as ``/data/misc/adb/adb_keys`` stores it is the
base64 of Android's ``RSAPublicKey`` struct, optionally followed by `` user@host`` (and, on the wire,
a NUL)::

    uint32 len          modulus size in 32-bit words (64 for RSA-2048)
    uint32 n0inv        -1 / n[0] mod 2**32 (Montgomery parameter; not needed to verify)
    uint32 n[len]       modulus, little-endian words, least significant first
    uint32 rr[len]      R**2 mod n (Montgomery parameter; not needed to verify)
    uint32 exponent     3 or 65537

A client proves it holds a trusted key by signing the 20-byte token the device sent: PKCS#1 v1.5
over the token treated as an already computed SHA-1 digest.
"""

from __future__ import annotations

import base64
import binascii
import logging
import struct
from dataclasses import dataclass, field
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

__all__ = [
    "AuthEvent",
    "AuthPolicy",
    "KeyFormatError",
    "decode_android_pubkey",
    "encode_android_pubkey",
    "key_id",
    "verify_token_signature",
]

log = logging.getLogger(__name__)

_MAX_WORDS = 512  # 16384-bit modulus: far above anything adb uses


class KeyFormatError(ValueError):
    """Not a well-formed Android RSAPublicKey blob."""


def key_id(blob: bytes | str) -> bytes:
    """The canonical identity of a key line: its base64 part, without comment, whitespace or NUL.

    ``b"QAAAAL...= user@host\\0"`` and ``"QAAAAL...="`` give the same id.
    """
    if isinstance(blob, str):
        blob = blob.encode("ascii", "replace")
    blob = blob.split(b"\0", 1)[0].strip()
    parts = blob.split(None, 1)
    if not parts:
        raise KeyFormatError("empty key")
    return parts[0]


def decode_android_pubkey(blob: bytes | str) -> rsa.RSAPublicKey:
    """Decode an adb public key line (base64 RSAPublicKey struct, optional comment, optional NUL)."""
    ident = key_id(blob)
    try:
        raw = base64.b64decode(ident, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"key is not valid base64: {exc}") from None
    if len(raw) < 12:
        raise KeyFormatError(f"key struct too short ({len(raw)} bytes)")
    (words,) = struct.unpack_from("<I", raw, 0)
    if not 1 <= words <= _MAX_WORDS:
        raise KeyFormatError(f"implausible modulus size of {words} words")
    expected = 4 * (3 + 2 * words)
    if len(raw) != expected:
        raise KeyFormatError(f"key struct of {len(raw)} bytes, expected {expected} for {words} words")
    n = int.from_bytes(raw[8 : 8 + 4 * words], "little")
    (exponent,) = struct.unpack_from("<I", raw, 8 + 8 * words)
    if n < 3 or n % 2 == 0 or exponent < 3 or exponent % 2 == 0:
        raise KeyFormatError("modulus or exponent is not a valid RSA value")
    try:
        return rsa.RSAPublicNumbers(exponent, n).public_key()
    except ValueError as exc:
        raise KeyFormatError(f"unusable RSA key: {exc}") from None


def encode_android_pubkey(public_key: rsa.RSAPublicKey, comment: str | None = None) -> bytes:
    """The adb_keys line for ``public_key``: base64 of the struct, then `` comment`` if given."""
    numbers = public_key.public_numbers()
    n, e = numbers.n, numbers.e
    words = (n.bit_length() + 31) // 32
    n0inv = (-pow(n & 0xFFFFFFFF, -1, 1 << 32)) & 0xFFFFFFFF
    rr = pow(2, 64 * words, n)  # R = 2**(32*words); R**2 mod n
    raw = (
        struct.pack("<II", words, n0inv)
        + n.to_bytes(4 * words, "little")
        + rr.to_bytes(4 * words, "little")
        + struct.pack("<I", e)
    )
    line = base64.b64encode(raw)
    if comment:
        line += b" " + comment.encode("utf-8")
    return line


def verify_token_signature(public_key: rsa.RSAPublicKey, token: bytes, signature: bytes) -> bool:
    """True if ``signature`` is PKCS#1 v1.5 over ``token`` as a pre-hashed SHA-1 digest."""
    if len(token) != 20:
        return False
    try:
        public_key.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@dataclass
class AuthPolicy:
    """How the simulated phone treats ADB authentication.

    ``required``: send AUTH TOKEN after CNXN (a real phone always does); ``False`` answers CNXN at once.
    ``trusted_keys``: adb_keys lines (``b"QAAAAL...= user@host"``; the comment is ignored) that are
    already authorised. ``on_new_key``: what the user does at the "Allow USB debugging?" prompt when a
    client sends an unknown public key; ``"allow"`` remembers the key in the phone (for later
    connections) and answers CNXN after ``allow_delay_s`` seconds; ``"deny"`` never answers.
    """

    required: bool = True
    trusted_keys: set[bytes] = field(default_factory=set)
    on_new_key: Literal["allow", "deny"] = "allow"
    allow_delay_s: float = 0.0

    def __post_init__(self) -> None:
        if self.on_new_key not in ("allow", "deny"):
            raise ValueError(f"on_new_key must be 'allow' or 'deny', not {self.on_new_key!r}")
        if self.allow_delay_s < 0:
            raise ValueError("allow_delay_s must be >= 0")


@dataclass(frozen=True)
class AuthEvent:
    """One step of an authentication exchange, appended to ``SimulatedPhone.auth_events``.

    ``kind`` is one of: ``"not_required"`` (CNXN answered without AUTH), ``"token_sent"``,
    ``"signature_ok"``, ``"signature_rejected"``, ``"prompt"`` (a new public key arrived: the phone
    shows "Allow USB debugging?"), ``"key_allowed"``, ``"key_denied"``, ``"bad_key"`` (an
    RSAPUBLICKEY that does not decode). ``key`` is the key's :func:`key_id` where one is known.
    """

    kind: str
    connection: int
    time: float
    key: bytes | None = None
    detail: str = ""
