"""The ADB key that identifies this computer to the phone.

Created on first use in the user's configuration folder, like ``~/.android/adbkey`` for the Android
SDK's ``adb``; the phone remembers its public half once the person taps *Always allow*.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_pythonrsa import PythonRSASigner

from inspector.paths import config_dir

KEY_NAME = "adbkey"


def key_path() -> Path:
    return config_dir() / KEY_NAME


def ensure_key(path: Path | None = None) -> Path:
    """The key pair, made on first use. Several processes or threads may start at once (a batch of
    phones): one makes the key under a lock, into temporary files renamed into place (public half
    first), so nobody ever reads a half-written key."""
    path = path or key_path()
    public = path.with_suffix(".pub")
    if path.is_file() and public.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.is_file() and public.is_file():  # made by another process while we waited
            return path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        old_umask = os.umask(0o077)
        try:
            keygen(str(tmp))
            os.replace(f"{tmp}.pub", public)
            os.replace(tmp, path)
        finally:
            os.umask(old_umask)
            for leftover in (tmp, Path(f"{tmp}.pub")):
                leftover.unlink(missing_ok=True)
    return path


def load_signer(path: Path | None = None) -> PythonRSASigner:
    path = ensure_key(path)
    return PythonRSASigner(path.with_suffix(".pub").read_text(), path.read_text())
