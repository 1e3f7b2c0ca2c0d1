"""The ADB key that identifies this computer to the phone.

Created on first use in the user's configuration folder, like ``~/.android/adbkey`` for the Android
SDK's ``adb``; the phone remembers its public half once the person taps *Always allow*.
"""

from __future__ import annotations

import os
from pathlib import Path

from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_pythonrsa import PythonRSASigner

from inspector.paths import config_dir

KEY_NAME = "adbkey"


def key_path() -> Path:
    return config_dir() / KEY_NAME


def ensure_key(path: Path | None = None) -> Path:
    path = path or key_path()
    if not path.is_file() or not path.with_suffix(".pub").is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        old_umask = os.umask(0o077)
        try:
            keygen(str(path))
        finally:
            os.umask(old_umask)
    return path


def load_signer(path: Path | None = None) -> PythonRSASigner:
    path = ensure_key(path)
    return PythonRSASigner(path.with_suffix(".pub").read_text(), path.read_text())
