"""androidqf acquisitions (a folder, or the zip androidqf can make of it) turned into ours.

androidqf (github.com/mvt-project/androidqf) writes the same artifact names we use, so converting is
copying: each known artifact is streamed into a new inspector acquisition and hashed; the original is
never changed. Its own ``acquisition.json`` is kept as ``source/androidqf_acquisition.json``.
An encrypted androidqf bundle (``.age``) must be decrypted with age first.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import inspector
from inspector.acquisition import Acquisition
from inspector.sources.zips import UnsafeZip, copy_entry, entries, open_zip

# The artifacts analysis reads, by androidqf's names.
KNOWN = ("getprop.txt", "settings_global.txt", "settings_secure.txt", "settings_system.txt", "processes.txt",
         "packages.json", "dumpsys.txt", "files.json", "logcat.txt", "root_binaries.json", "mounts.json")


class NotAndroidqf(Exception):
    pass


def looks_like_androidqf_folder(path: Path) -> bool:
    if not path.is_dir():
        return False
    names = {p.name for p in path.iterdir()}
    if "acquisition.json" in names:
        try:
            data = json.loads((path / "acquisition.json").read_text("utf-8"))
        except (OSError, ValueError):
            return False
        if isinstance(data, dict) and "artifacts" in data and "format_version" in data:
            return False  # ours
    return bool(names & {"packages.json", "getprop.txt", "dumpsys.txt"})


def looks_like_androidqf_zip(path: Path) -> bool:
    try:
        with open_zip(path) as archive:
            names = {n.rsplit("/", 1)[-1] for n in archive.namelist()}
    except (UnsafeZip, OSError):
        return False
    return bool(names & {"packages.json", "getprop.txt"}) and not any(
        n.startswith(("bugreport-", "dumpstate")) for n in names)


def _new(out: Path, source: Path) -> Acquisition:
    acq = Acquisition.create(out, platform="android", tool_version=inspector.__version__,
                             signature_pack_version="n/a", operator=None)
    acq.manifest["source"] = {"kind": "androidqf", "path": str(source.resolve())}
    acq.save()
    return acq


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)  # symlinks are not followed out of the folder
    except OSError:
        return False


def convert_folder(source: Path, out: Path) -> Acquisition:
    acq = _new(out, source)
    for name in KNOWN:
        if _regular_file(source / name):
            _copy_file(acq, source / name, name)
    if _regular_file(source / "acquisition.json"):
        _copy_file(acq, source / "acquisition.json", "source/androidqf_acquisition.json")
    apks = source / "apks"
    if apks.is_dir() and not apks.is_symlink():
        for apk in sorted(apks.iterdir()):
            if _regular_file(apk) and apk.suffix == ".apk":
                _copy_file(acq, apk, f"apks/{_safe(apk.name)}")
    _finish(acq)
    return acq


def convert_zip(source: Path, out: Path) -> Acquisition:
    acq = _new(out, source)
    with open_zip(source) as archive:
        for entry in entries(archive):
            base = entry.name.rsplit("/", 1)[-1]
            if base in KNOWN:
                target = base
            elif base == "acquisition.json":
                target = "source/androidqf_acquisition.json"
            elif "/apks/" in f"/{entry.name}" and base.endswith(".apk"):
                target = f"apks/{_safe(base)}"
            else:
                continue
            with acq.writer(target, source_entry=entry.name) as dst:
                copy_entry(archive, entry, dst)
    _finish(acq)
    return acq


def _copy_file(acq: Acquisition, path: Path, name: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as src, acq.writer(name, source_file=path.name) as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


def _safe(name: str) -> str:
    from inspector.acquisition.names import safe_component

    return safe_component(name)


def _finish(acq: Acquisition) -> None:
    from inspector.acquisition.device import device_identity, parse_getprop

    getprop = acq.artifact_path("getprop.txt")
    props = parse_getprop(getprop.read_text("utf-8", "replace")) if getprop.is_file() else {}
    acq.set_device({**device_identity(props, "unknown"), "transport": "androidqf"})
    acq.finish()
