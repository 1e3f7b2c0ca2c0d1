"""Encryption at rest to a recipient's public key, with ``cryptography`` (already a dependency).

A traveller encrypts an acquisition to the helpdesk's public key before a crossing: without the
helpdesk's private key it cannot be opened, so there is nothing the traveller could be made to open.

The construction is age's (age-encryption.org/v1), with X25519 and ChaCha20-Poly1305, in a file of
our own (not readable by the age tool):

- header: ``MAGIC`` (12 bytes), the ephemeral X25519 public key (32), a random salt (16);
- key: HKDF-SHA256 over the X25519 shared secret, salt = salt, info = ``INFO`` + ephemeral public key
  + recipient public key (binds the key to both);
- payload: the plaintext in 64 KiB chunks, each sealed with ChaCha20-Poly1305 under a 12-byte nonce
  = 11-byte big-endian chunk counter + 1 byte that is 1 on the last chunk only (age's STREAM), so a
  file cut short, reordered or extended fails to open, and no chunk is ever written unauthenticated.

Keys are files: the private key in PKCS#8 PEM (mode 0600), the public key in SubjectPublicKeyInfo
PEM, so that ``openssl pkey`` can read both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"INSPSEALED1\n"
INFO = b"inspector sealed v1"
CHUNK = 64 * 1024
_TAG = 16
_HEADER = len(MAGIC) + 32 + 16


class SealedError(Exception):
    """A sealed file that cannot be opened, with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class WrongKey(SealedError):
    pass


class NotSealed(SealedError):
    pass


class SealedCorrupt(SealedError):
    pass


def is_sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def new_keypair(private_path: Path, public_path: Path) -> None:
    """Write a new key pair; the private key file is created 0600 and never overwritten."""
    key = X25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))


def load_public_key(path: Path) -> X25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SealedError(f"{path}: not a public key ({exc})",
                          hint="Use the .pub file made by `inspector keys new`.") from None
    if not isinstance(key, X25519PublicKey):
        raise SealedError(f"{path}: not an X25519 public key", hint="Use the .pub file made by `inspector keys new`.")
    return key


def load_private_key(path: Path) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SealedError(f"{path}: not a private key ({exc})",
                          hint="Use the private key file made by `inspector keys new`.") from None
    if not isinstance(key, X25519PrivateKey):
        raise SealedError(f"{path}: not an X25519 private key")
    return key


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _derive(shared: bytes, salt: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO + ephemeral + recipient).derive(shared)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _chunks(source: BinaryIO, size: int) -> Iterator[tuple[bytes, bool]]:
    current = source.read(size)
    while True:
        following = source.read(size)
        yield current, not following
        if not following:
            return
        current = following


def seal(source: BinaryIO, target: BinaryIO, recipient: X25519PublicKey) -> None:
    ephemeral = X25519PrivateKey.generate()
    salt = os.urandom(16)
    eph_raw = _raw(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), salt, eph_raw, _raw(recipient))
    aead = ChaCha20Poly1305(key)
    target.write(MAGIC + eph_raw + salt)
    for counter, (chunk, last) in enumerate(_chunks(source, CHUNK)):
        target.write(aead.encrypt(_nonce(counter, last), chunk, None))


def unseal(source: BinaryIO, target: BinaryIO, identity: X25519PrivateKey) -> None:
    """Decrypt ``source`` into ``target``. :class:`WrongKey` when the first chunk does not open
    with this key (nothing is written then); :class:`SealedCorrupt` when a later chunk fails or the
    file is cut short (the caller must discard what was written)."""
    header = source.read(_HEADER)
    if len(header) < _HEADER or not header.startswith(MAGIC):
        raise NotSealed("not a file sealed by inspector (no header)")
    eph_raw, salt = header[len(MAGIC):len(MAGIC) + 32], header[len(MAGIC) + 32:]
    try:
        shared = identity.exchange(X25519PublicKey.from_public_bytes(eph_raw))
    except ValueError:
        raise SealedCorrupt("the sealed file's header is damaged") from None
    aead = ChaCha20Poly1305(_derive(shared, salt, eph_raw, _raw(identity.public_key())))
    for counter, (chunk, last) in enumerate(_chunks(source, CHUNK + _TAG)):
        try:
            target.write(aead.decrypt(_nonce(counter, last), chunk, None))
        except InvalidTag:
            if counter == 0:
                raise WrongKey("this key does not open the sealed file (another recipient's key, or damaged)",
                               hint="Use the private key that matches the public key it was sealed to.") from None
            raise SealedCorrupt(f"the sealed file is damaged or cut short (chunk {counter})") from None

