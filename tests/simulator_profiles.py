"""Build small simulated-phone profiles in a temporary folder, for tests.

Import it from a test module (pytest puts ``tests/`` on ``sys.path``)::

    from simulator_profiles import make_profile

    def test_something(tmp_path):
        profile = make_profile(
            tmp_path,
            files={"/sdcard/Android/cjlog.txt": b"...", b"/sdcard/odd\\xffname": b"x"},
            commands={("pm", "list", "packages"): b"package:com.example\\n"},
            meta={"/sdcard/Android/cjlog.txt": {"mtime": 1763459000, "mode": "0660", "uid": 1023}},
        )
        with SimulatedPhone(profile, auth=AuthPolicy(required=False)) as phone:
            ...
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from inspector.simulator import DeviceProfile

__all__ = ["make_profile", "write_profile"]


def _device_rel(device_path: str | bytes) -> bytes:
    raw = device_path if isinstance(device_path, bytes) else device_path.encode("utf-8", "surrogateescape")
    parts = [p for p in raw.split(b"/") if p not in (b"", b".")]
    if not parts or b".." in parts:
        raise ValueError(f"bad device path {device_path!r}")
    return b"/".join(parts)


def write_profile(
    root: str | os.PathLike[str],
    files: Mapping[str | bytes, bytes | str] | None = None,
    commands: Mapping[tuple[str, ...], bytes | str] | None = None,
    meta: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    dirs: Iterable[str | bytes] = (),
    symlinks: Mapping[str | bytes, str | bytes] | None = None,
    serial: str = "SIMTEST0001",
    banner: Mapping[str, str] | None = None,
    features: Iterable[str] = (),
    props: Mapping[str, str] | None = None,
    trusted_keys: Iterable[bytes] = (),
    exit_codes: Mapping[tuple[str, ...], int] | None = None,
) -> Path:
    """Write a profile folder at ``root`` (created if needed) and return its path.

    ``files``: device path (str, or bytes for non-UTF-8 names) -> content; parent folders are made.
    Names may contain anything Linux allows (spaces, quotes, ``;``, ``$()``, newlines, invalid UTF-8).
    ``commands``: exact argv tuple -> stdout (bytes are written to ``commands/``, str inline).
    ``meta``: device path -> fs_meta.yaml fields (``mtime``, ``atime``, ``ctime``, ``mode`` as an
    octal string like ``"0660"``, ``uid``, ``gid``).
    ``dirs``: extra (empty) device directories. ``symlinks``: device path -> link target (as stored,
    absolute targets mean device paths). ``banner``: ro.product.* overrides. ``trusted_keys``: adb_keys
    lines written to ``adb_keys`` and referenced as ``trusted_keys_file``. ``exit_codes``: argv -> exit.
    """
    root = Path(root)
    fs = root / "fs"
    fs.mkdir(parents=True, exist_ok=True)
    fs_b = os.fsencode(str(fs))
    for d in dirs:
        os.makedirs(os.path.join(fs_b, _device_rel(d)), exist_ok=True)
    for device_path, content in (files or {}).items():
        host = os.path.join(fs_b, _device_rel(device_path))
        os.makedirs(os.path.dirname(host), exist_ok=True)
        with open(host, "wb") as fh:
            fh.write(content.encode("utf-8") if isinstance(content, str) else content)
    for device_path, target in (symlinks or {}).items():
        host = os.path.join(fs_b, _device_rel(device_path))
        os.makedirs(os.path.dirname(host), exist_ok=True)
        os.symlink(target.encode("utf-8") if isinstance(target, str) else target, host)

    doc: dict[str, Any] = {"serial": serial, "features": list(features)}
    doc["banner"] = dict(banner) if banner else {
        "ro.product.name": "simtest",
        "ro.product.model": "SimTest Phone",
        "ro.product.device": "simtest",
    }
    if props:
        doc["props"] = dict(props)
    keys = list(trusted_keys)
    if keys:
        (root / "adb_keys").write_bytes(b"".join(k.rstrip(b"\0\n") + b"\n" for k in keys))
        doc["trusted_keys_file"] = "adb_keys"
    (root / "profile.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))

    entries = []
    if commands:
        (root / "commands").mkdir(exist_ok=True)
        for i, (argv, output) in enumerate(commands.items()):
            entry: dict[str, Any] = {"argv": [str(a) for a in argv]}
            if isinstance(output, str):
                entry["text"] = output
            else:
                name = f"out{i:04d}.bin"
                (root / "commands" / name).write_bytes(output)
                entry["stdout"] = name
            code = (exit_codes or {}).get(tuple(argv))
            if code:
                entry["exit"] = code
            entries.append(entry)
    (root / "commands.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))
    if meta:
        (root / "fs_meta.yaml").write_text(
            yaml.safe_dump({str(k): dict(v) for k, v in meta.items()}, allow_unicode=True))
    return root


def make_profile(
    tmp_path: str | os.PathLike[str],
    files: Mapping[str | bytes, bytes | str] | None = None,
    commands: Mapping[tuple[str, ...], bytes | str] | None = None,
    meta: Mapping[str, Mapping[str, Any]] | None = None,
    **kwargs: Any,
) -> DeviceProfile:
    """Write a profile under ``tmp_path/"profile"`` (see :func:`write_profile` for every argument,
    including the keyword-only ``dirs``, ``symlinks``, ``serial``, ``banner``, ``features``,
    ``props``, ``trusted_keys``, ``exit_codes``) and load it as a :class:`DeviceProfile`.

    Call it more than once in one test with different ``tmp_path`` sub-folders.
    """
    root = Path(tmp_path) / "profile"
    if root.exists():
        raise FileExistsError(f"{root} exists; pass a fresh folder")
    return DeviceProfile.load(write_profile(root, files, commands, meta, **kwargs))


def clean_twin(root: Path, serial: str) -> DeviceProfile:
    """The shipped ``clean`` phone under another serial number: another phone with the same apps."""
    import shutil

    from inspector.resources import simulator_profiles_dir

    folder = root / f"clean-{serial}"
    shutil.copytree(simulator_profiles_dir() / "clean", folder, symlinks=True)
    for name in ("profile.yaml", "commands/getprop.txt"):
        path = folder / name
        path.write_text(path.read_text().replace("33081JEHN09437", serial))
    return DeviceProfile.load(folder)
