"""What an input to `inspector check PATH` is, and turning it into an acquisition to analyse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from inspector.acquisition import Acquisition, AcquisitionError
from inspector.sources import androidqf, bugreport
from inspector.sources.zips import UnsafeZip

# The iPhone readers are imported where they are needed: `inspector check X.apk` starts faster without them.


class UnknownInput(Exception):
    """Not something inspector can read; ``hint`` says what it can."""

    hint = ("inspector reads its own acquisition folders, androidqf folders or zips, and Android bugreport "
            "zips (`adb bugreport bugreport.zip`), and APK files or folders of them; for iPhones, iTunes/Finder "
            "backup folders, sysdiagnose archives (.tar.gz) and folders of crash logs (.ips).")


def apk_files(path: Path) -> list[Path] | None:
    """The APKs to check when PATH is an ``.apk`` file or a folder of them (and not an acquisition)."""
    if path.is_file() and path.suffix.lower() == ".apk":
        return [path]
    if path.is_dir() and not (path / "acquisition.json").is_file() and not androidqf.looks_like_androidqf_folder(path):
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".apk")
        return found or None
    return None


def kind_of(path: Path) -> str:
    from inspector.sources.ios import backup as ios_backup
    from inspector.sources.ios import convert as ios_convert
    from inspector.sources.ios import sysdiagnose as ios_sysdiagnose

    if apk_files(path):
        return "apk-folder" if path.is_dir() else "apk"
    if path.is_dir():
        if (path / "acquisition.json").is_file() and not androidqf.looks_like_androidqf_folder(path):
            return "inspector"
        if androidqf.looks_like_androidqf_folder(path):
            return "androidqf"
        if ios_backup.looks_like_backup(path):
            return "ios-backup"
        if ios_convert.looks_like_crash_folder(path):
            return "ios-crash-logs"
        raise UnknownInput(f"{path} is not an acquisition: it has no acquisition.json, packages.json or getprop.txt, "
                           f"and it is not an iPhone backup (Manifest.plist) or a folder of crash logs")
    if path.suffix == ".age":
        raise UnknownInput(f"{path} is an encrypted androidqf bundle: decrypt it first "
                           f"(`age --decrypt -i key.txt -o bundle.zip {path.name}`), then check the zip")
    if path.is_file():
        if bugreport.looks_like_bugreport(path):
            return "bugreport"
        if androidqf.looks_like_androidqf_zip(path):
            return "androidqf-zip"
        if ios_sysdiagnose.looks_like_sysdiagnose(path):
            return "sysdiagnose"
        raise UnknownInput(f"{path} is neither a bugreport zip, an androidqf zip nor a sysdiagnose archive (.tar.gz)")
    raise UnknownInput(f"{path} does not exist")


def default_output(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path.cwd() / f"inspector-check-{path.stem or 'input'}-{stamp}"


def open_for_check(path: Path, out: Path | None = None, *, password: str | None = None,
                   progress: Callable[[int], None] | None = None) -> tuple[Acquisition, str]:
    """The acquisition to analyse and what the input was. Other tools' inputs are converted into a
    new acquisition folder (``out``), never changed in place. ``password``: an encrypted iPhone
    backup's; ``progress``: called with the bytes read of a backup as it is recorded."""
    from inspector.sources.ios import convert as ios_convert

    kind = kind_of(path)
    if kind == "inspector":
        return Acquisition.open(path), kind
    target = out or default_output(path)
    try:
        if kind == "androidqf":
            return androidqf.convert_folder(path, target), kind
        if kind == "androidqf-zip":
            return androidqf.convert_zip(path, target), kind
        if kind == "ios-backup":
            return ios_convert.convert_backup(path, target, password, progress), kind
        if kind == "sysdiagnose":
            return ios_convert.convert_sysdiagnose(path, target), kind
        if kind == "ios-crash-logs":
            return ios_convert.convert_crash_folder(path, target), kind
        return bugreport.convert(path, target), kind
    except (UnsafeZip, bugreport.NotABugreport) as exc:
        raise AcquisitionError(f"{path}: {exc}") from None
