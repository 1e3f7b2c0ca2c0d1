"""What the report's "as a person sees it" tests need from the machine: the PDF engine, Poppler's
pdftotext/pdfinfo/pdftoppm, headless Chromium. A missing tool skips its tests with the reason, except
in CI (``CI=true``), where it fails them: scripts/test.sh installs every one of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a tool the test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: scripts/test.sh should have installed it)")
    pytest.skip(reason)


def require_tools(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    require(not missing, f"missing {', '.join(missing)} (Debian: apt-get install poppler-utils)")


def require_pdf_engine() -> None:
    from inspector.report.pdf import engine_version

    require(engine_version() is not None, "the PDF engine (WeasyPrint with Pango) cannot be loaded")


def artifacts_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """Where screenshots and page images go: $INSPECTOR_TEST_ARTIFACTS/<name> to keep them, else a temp folder."""
    chosen = os.environ.get("INSPECTOR_TEST_ARTIFACTS")
    if chosen:
        path = Path(chosen) / name
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp(name)


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, bidi marks removed and whitespace collapsed."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(BIDI_CONTROLS.sub("", out.stdout.decode("utf-8")).split())


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(path)], capture_output=True, check=True)
    info = {}
    for line in out.stdout.decode("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_to_png(path: Path, out_dir: Path, first: int = 1, last: int = 1, dpi: int = 50) -> list[Path]:
    prefix = out_dir / path.stem
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(first), "-l", str(last), str(path), str(prefix)],
        check=True,
        capture_output=True,
    )
    return sorted(out_dir.glob(f"{path.stem}-*.png"))
