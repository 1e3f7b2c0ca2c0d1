"""The keybag of an encrypted iTunes/Finder backup (``BackupKeyBag`` in Manifest.plist), unlocked with
the backup password.

Format (from iphone-dataprotection's keybag.py, BSD-3): TLV blocks (4-byte tag, 4-byte big-endian
length). Header: VERS, TYPE, UUID, HMCK, WRAP, SALT, ITER, DPWT, DPIC, DPSL; then per protection class:
UUID, CLAS, WRAP, KTYP, WPKY. Since iOS 10.2 the passphrase key is
pbkdf2-sha1(pbkdf2-sha256(password, DPSL, DPIC), SALT, ITER); class keys are AES key-wrapped (RFC 3394)
with it. The crypto itself is `cryptography`'s.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap

from inspector.acquisition import AcquisitionError

# Iteration counts above these are not from a real device and would keep the CPU busy for hours.
MAX_DPIC = 20_000_000
MAX_ITER = 1_000_000
WRAP_PASSPHRASE = 2


class KeybagError(Exception):
    """The keybag is damaged or not a backup keybag."""


class WrongPassword(AcquisitionError):
    """The password does not unlock this backup's keybag."""

    hint = ("Type the backup password again (it is the one set in iTunes/Finder or by the tool that made "
            "the backup, not the phone's passcode): --password, $INSPECTOR_BACKUP_PASSWORD, or the prompt.")


def tlv_blocks(blob: bytes):
    at = 0
    while at + 8 <= len(blob):
        tag = blob[at:at + 4]
        (length,) = struct.unpack(">L", blob[at + 4:at + 8])
        if at + 8 + length > len(blob):
            raise KeybagError(f"keybag block {tag!r} runs past the end of the keybag")
        yield tag, blob[at + 8:at + 8 + length]
        at += 8 + length


@dataclass
class Keybag:
    attrs: dict[bytes, object] = field(default_factory=dict)
    classes: dict[int, dict[bytes, object]] = field(default_factory=dict)
    keys: dict[int, bytes] = field(default_factory=dict)

    @classmethod
    def parse(cls, blob: object) -> Keybag:
        if not isinstance(blob, bytes) or not blob:
            raise KeybagError("BackupKeyBag is missing or not binary data")
        bag = cls()
        current: dict[bytes, object] | None = None
        seen_uuid = False
        for tag, data in tlv_blocks(blob):
            value: object = struct.unpack(">L", data)[0] if len(data) == 4 else data
            if tag == b"UUID":
                if not seen_uuid:
                    seen_uuid = True
                    bag.attrs[tag] = value
                    continue
                bag._close(current)
                current = {tag: value}
            elif current is not None and tag in (b"CLAS", b"WRAP", b"WPKY", b"KTYP", b"PBKY"):
                current[tag] = value
            else:
                bag.attrs.setdefault(tag, value)
        bag._close(current)
        for name in (b"SALT", b"ITER", b"DPSL", b"DPIC"):
            if name not in bag.attrs:
                raise KeybagError(f"keybag has no {name.decode()} (not a backup keybag of iOS 10.2 or later)")
        return bag

    def _close(self, current: dict[bytes, object] | None) -> None:
        if current and isinstance(current.get(b"CLAS"), int):
            self.classes[int(current[b"CLAS"])] = current

    def unlock(self, password: str | bytes) -> None:
        """Unwrap every class key; WrongPassword if the password is not this backup's."""
        secret = password.encode("utf-8") if isinstance(password, str) else password
        dpic, iters = self.attrs[b"DPIC"], self.attrs[b"ITER"]
        if not isinstance(dpic, int) or not isinstance(iters, int) or not (0 < dpic <= MAX_DPIC) \
                or not (0 < iters <= MAX_ITER):
            raise KeybagError(f"keybag iteration counts out of range (DPIC={dpic!r}, ITER={iters!r})")
        salt, dpsl = self.attrs[b"SALT"], self.attrs[b"DPSL"]
        if not isinstance(salt, bytes) or not isinstance(dpsl, bytes):
            raise KeybagError("keybag salts are not binary data")
        round1 = hashlib.pbkdf2_hmac("sha256", secret, dpsl, dpic, 32)
        key = hashlib.pbkdf2_hmac("sha1", round1, salt, iters, 32)
        keys = {}
        for number, record in self.classes.items():
            wrapped = record.get(b"WPKY")
            wrap = record.get(b"WRAP")
            if not isinstance(wrapped, bytes) or not isinstance(wrap, int) or not wrap & WRAP_PASSPHRASE:
                continue
            try:
                keys[number] = aes_key_unwrap(key, wrapped)
            except (InvalidUnwrap, ValueError):
                raise WrongPassword("the backup password is wrong") from None
        if not keys:
            raise KeybagError("the keybag holds no class key wrapped with a password")
        self.keys = keys

    def unwrap_file_key(self, protection_class: int, wrapped: bytes) -> bytes:
        """The AES-256 key of one file (or of Manifest.db), from its wrapped key and class."""
        class_key = self.keys.get(protection_class)
        if class_key is None:
            raise KeybagError(f"no key for protection class {protection_class}")
        if len(wrapped) != 40:
            raise KeybagError(f"a wrapped file key is {len(wrapped)} bytes, not 40")
        try:
            return aes_key_unwrap(class_key, wrapped)
        except (InvalidUnwrap, ValueError):
            raise KeybagError("a file key does not unwrap with its class key (damaged Manifest.db?)") from None
