"""Where the shipped data lives: the signature pack and the report templates.

In a wheel they are installed under ``inspector/_data``; in a source checkout (editable install, or
running from the repository) they are the top-level ``signatures/`` and ``reports/`` folders.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    shipped = _PACKAGE / "_data" / name
    if shipped.is_dir():
        return shipped
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"inspector's {name}/ data is missing (looked in {shipped} and {checkout}); reinstall inspector"
    )


def signatures_dir() -> Path:
    """The shipped pack, or the folder named by INSPECTOR_SIGNATURES_DIR (a pack the user chose, e.g. a
    newer one received from a helpdesk)."""
    chosen = os.environ.get("INSPECTOR_SIGNATURES_DIR")
    if chosen:
        return Path(chosen)
    return _data_dir("signatures")


def reports_dir() -> Path:
    return _data_dir("reports")


def simulator_profiles_dir() -> Path:
    return _PACKAGE / "simulator" / "profiles"
