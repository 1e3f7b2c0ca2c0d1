"""Android bugreports (`adb bugreport` zips, Android 7–16) turned into an inspector acquisition.

The zip holds the dumpstate text (named by ``main_entry.txt``; ``bugreport-*.txt`` or ``dumpstate*``)
and an ``FS/`` tree. The text is a sequence of sections ``------ TITLE (command) ------`` and, inside
the dumpsys part, ``DUMP OF SERVICE [CRITICAL|HIGH|NORMAL ]name:`` blocks. We cut out the pieces that
our artifacts hold: getprop.txt, processes.txt, logcat.txt (system + event logs), dumpsys.txt (every
service block, under androidqf's separators), and keep the whole text as bugreport/dumpstate.txt.
Everything is streamed: a 300 MB bugreport is never held in memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import inspector
from inspector.acquisition import Acquisition
from inspector.sources.zips import UnsafeZip, copy_entry, entries, open_zip

_SECTION = re.compile(r"^------ (?P<title>.*?) (?:\((?P<command>.*)\) )?------$")
_SERVICE = re.compile(r"^DUMP OF SERVICE (?:(?:CRITICAL|HIGH|NORMAL) )?(?P<name>[^\s:]+):\s*$")
_SERVICE_END = re.compile(r"^-{5,} [\d.]+s was the duration of dumpsys ")
SEPARATOR = "-" * 79 + "\n"


class NotABugreport(Exception):
    pass


def main_entry_name(names: list[str], main_entry: str | None = None) -> str | None:
    """The dumpstate text: the file ``main_entry.txt`` names (Android 8+), else by its usual names."""
    if main_entry and main_entry.strip() in names:
        return main_entry.strip()
    for name in names:
        if name.rsplit("/", 1)[-1].startswith("bugreport-") and name.endswith(".txt"):
            return name
    for name in names:
        base = name.rsplit("/", 1)[-1]
        if base.startswith("dumpstate") and base.endswith(".txt") and "log" not in base:
            return name
    return None


def looks_like_bugreport(path: Path) -> bool:
    try:
        with open_zip(path) as archive:
            return main_entry_name(archive.namelist()) is not None
    except (UnsafeZip, OSError):
        return False


def section_target(title: str) -> str | None:
    upper = title.upper()
    if upper.startswith("SYSTEM PROPERTIES"):
        return "getprop.txt"
    if upper.startswith("PROCESSES AND THREADS") or upper == "PROCESSES" or upper.startswith("PROCESSES "):
        return "processes.txt"
    if upper.startswith(("SYSTEM LOG", "EVENT LOG")):
        return "logcat.txt"
    return None


def split(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(artifact, line) for every line that belongs in one of our artifacts."""
    current: str | None = None
    in_service = False
    for line in lines:
        bare = line.rstrip("\n")
        service = _SERVICE.match(bare)
        if service:
            in_service = True
            current = None
            yield "dumpsys.txt", SEPARATOR
            yield "dumpsys.txt", f"DUMP OF SERVICE {service.group('name')}:\n"
            continue
        if in_service:
            if _SERVICE_END.match(bare) or _SECTION.match(bare):
                in_service = False
            elif bare.startswith("-" * 20) and not bare.strip("-"):
                continue  # the separator before the next service
            else:
                yield "dumpsys.txt", line
                continue
        section = _SECTION.match(bare)
        if section:
            current = section_target(section.group("title"))
            continue
        if current:
            yield current, line


def convert(source: Path, out: Path) -> Acquisition:
    acq = Acquisition.create(out, platform="android", tool_version=inspector.__version__,
                             signature_pack_version="n/a", operator=None)
    acq.manifest["source"] = {"kind": "bugreport", "path": str(source.resolve())}
    acq.save()
    with open_zip(source) as archive:
        safe = {e.name: e for e in entries(archive)}
        pointer = None
        if "main_entry.txt" in safe and safe["main_entry.txt"].info.file_size < 4096:
            pointer = archive.read(safe["main_entry.txt"].info).decode("utf-8", "replace")
        main = main_entry_name(list(safe), pointer)
        if main is None:
            raise NotABugreport(f"{source} has no bugreport-*.txt or dumpstate text")
        with acq.writer("bugreport/dumpstate.txt", source_entry=main) as raw:
            copy_entry(archive, safe[main], raw)
    with ExitStack() as stack, open(acq.artifact_path("bugreport/dumpstate.txt"), "rb") as text:
        writers = {}
        lines = io.TextIOWrapper(text, encoding="utf-8", errors="replace", newline="\n")
        for artifact, line in split(lines):
            if artifact not in writers:
                writers[artifact] = stack.enter_context(acq.writer(artifact, source_entry=main))
            writers[artifact].write(line.encode("utf-8"))
    _finish(acq)
    return acq


def packages_from_dumpsys(acq: Acquisition) -> list[dict] | None:
    """androidqf-style package records built from the bugreport's ``dumpsys package`` (a bugreport has
    no `pm list packages`): name, APK folder, installer, uid, system/disabled/kept-data flags."""
    from inspector.analyze.parsers.dumpsys import iter_service_lines
    from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package

    path = acq.artifact_path("dumpsys.txt")
    if not path.is_file():
        return None
    with open(path, "rb") as f:
        lines = iter_service_lines(f, "package")
        dump = parse_dumpsys_package(lines)
    if not dump.packages:
        return None
    records = []
    for package in dump.packages:
        disabled = bool(package.users) and all(u.enabled in (2, 3) for u in package.users)
        records.append({
            "name": package.name,
            "files": [{"path": f"{package.code_path}/base.apk" if package.code_path and not
                       package.code_path.endswith(".apk") else package.code_path or "", "local_name": "", "md5": "",
                       "sha1": "", "sha256": "", "sha512": "", "error": ""}],
            "installer": package.installer_package_name or "null",
            "uid": package.app_id,
            "disabled": disabled,
            "system": package.system,
            "third_party": not package.system,
            "uninstalled": package.uninstalled_with_data,
            "version_code": package.version_code,
            "users": [str(u.user) for u in package.users],
            "installed_users": [str(u) for u in package.installed_users],
            "source": "dumpsys package",
        })
    return records


def _finish(acq: Acquisition) -> None:
    from inspector.acquisition.device import device_identity, parse_getprop

    packages = packages_from_dumpsys(acq)
    if packages is not None:
        acq.write_json("packages.json", packages, built_from="dumpsys.txt (dumpsys package)")
    getprop = acq.artifact_path("getprop.txt")
    props = parse_getprop(getprop.read_text("utf-8", "replace")) if getprop.is_file() else {}
    acq.set_device({**device_identity(props, "unknown"), "transport": "bugreport"})
    acq.finish()
