"""Every test gets its own config, data and cache folders: no test touches the user's real ones."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("userdirs")
    for name in ("CONFIG", "DATA", "CACHE"):
        monkeypatch.setenv(f"INSPECTOR_{name}_DIR", str(base / name.lower()))
    monkeypatch.delenv("INSPECTOR_DB", raising=False)
    return base
