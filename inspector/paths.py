"""The user's folders: configuration (ADB key), data (the store), cache (pulled APKs).

Each can be moved with an environment variable, which tests and batch set-ups use.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "inspector"


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    path = Path(value) if value else Path(default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    return _dir("INSPECTOR_CONFIG_DIR", platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return _dir("INSPECTOR_DATA_DIR", platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    return _dir("INSPECTOR_CACHE_DIR", platformdirs.user_cache_dir(APP))


def apk_cache_dir() -> Path:
    path = cache_dir() / "apks"
    path.mkdir(parents=True, exist_ok=True)
    return path
