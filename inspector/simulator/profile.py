"""Device profiles: a folder describing one simulated phone (see docs/simulator.md).

::

    profile.yaml     serial, banner properties, advertised features, optional trusted_keys_file, props
    commands.yaml    canned command outputs matched on exact argv
    commands/        output files named by commands.yaml (served byte for byte, streamed)
    fs/              the phone's file tree rooted at "/"
    fs_meta.yaml     optional per-path metadata overrides (mtime, atime, ctime, mode, uid, gid)

Device paths are bytes (Linux allows any byte but ``/`` and NUL in a name). :class:`FileTree`
resolves them inside ``fs/`` only: ``..`` stops at the device root and symlinks are followed in the
*device's* namespace (an absolute target ``/etc/x`` means ``fs/etc/x``), so nothing a client sends
can reach a host file outside the profile.
"""

from __future__ import annotations

import logging
import os
import stat as stat_mod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inspector.yaml_safe import safe_load

__all__ = [
    "CommandSpec",
    "DeviceProfile",
    "FileStat",
    "FileTree",
    "MetaOverride",
    "ProfileError",
    "SUPPORTED_FEATURES",
    "device_path_bytes",
]

log = logging.getLogger(__name__)

#: Features the simulator may advertise in its CNXN banner: they change nothing it would have to
#: implement. Anything else listed in a profile (shell_v2, stat_v2, ls_v2, delayed_ack, abb, ...)
#: is dropped with a warning, because a client would then speak a protocol the simulator lacks.
SUPPORTED_FEATURES = frozenset({"cmd", "fixed_push_mkdir", "fixed_push_symlink_timestamp", "apex"})

_DEFAULT_BANNER = {
    "ro.product.name": "simphone",
    "ro.product.model": "Simulated Phone",
    "ro.product.device": "simphone",
}

_MAX_SYMLINK_HOPS = 40


class ProfileError(ValueError):
    """The profile folder is missing something or contains something invalid."""


def device_path_bytes(path: str | bytes | os.PathLike[str]) -> bytes:
    """A device path as bytes (``str`` is encoded UTF-8 with surrogateescape)."""
    if isinstance(path, bytes):
        return path
    return os.fsencode(os.fspath(path)) if isinstance(path, os.PathLike) else path.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class CommandSpec:
    """One canned command: exact ``argv``, output from a file under ``commands/`` or inline text."""

    argv: tuple[str, ...]
    stdout_file: Path | None = None
    text: bytes | None = None
    exit_code: int = 0

    def chunks(self, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
        if self.text is not None:
            if self.text:
                yield self.text
            return
        if self.stdout_file is None:
            return
        with open(self.stdout_file, "rb") as fh:
            while True:
                block = fh.read(chunk_size)
                if not block:
                    return
                yield block


@dataclass(frozen=True)
class MetaOverride:
    mode: int | None = None  # permission bits only; the file type always comes from disk
    uid: int | None = None
    gid: int | None = None
    atime: int | None = None
    mtime: int | None = None
    ctime: int | None = None


@dataclass(frozen=True)
class FileStat:
    """What ``lstat``/``stat`` says about a device path (after fs_meta.yaml overrides)."""

    mode: int  # full st_mode: type bits and permission bits
    size: int
    uid: int
    gid: int
    atime: int
    mtime: int
    ctime: int
    nlink: int

    @property
    def is_dir(self) -> bool:
        return stat_mod.S_ISDIR(self.mode)

    @property
    def is_reg(self) -> bool:
        return stat_mod.S_ISREG(self.mode)

    @property
    def is_link(self) -> bool:
        return stat_mod.S_ISLNK(self.mode)


class FileTree:
    """The phone's file system: device paths (bytes) mapped into ``root`` and nowhere else."""

    def __init__(self, root: Path, meta: Mapping[bytes, MetaOverride] | None = None,
                 default_uid: int = 0, default_gid: int = 0) -> None:
        self.root = Path(root)
        self._root_b = os.fsencode(str(self.root))
        self.meta: dict[bytes, MetaOverride] = dict(meta or {})
        self.default_uid = default_uid
        self.default_gid = default_gid

    # -- path resolution ------------------------------------------------------------------------

    @staticmethod
    def normalize(path: bytes) -> list[bytes]:
        """Lexical components of a device path; relative paths are relative to ``/`` (adb's cwd)."""
        parts: list[bytes] = []
        for comp in path.split(b"/"):
            if comp in (b"", b"."):
                continue
            if comp == b"..":
                if parts:
                    parts.pop()
                continue
            parts.append(comp)
        return parts

    def _host(self, parts: list[bytes]) -> bytes:
        return os.path.join(self._root_b, *parts) if parts else self._root_b

    def resolve(self, path: bytes, *, follow_last: bool = True) -> tuple[list[bytes], bytes] | None:
        """Resolve an existing ``path`` to (canonical device components, host path).

        Symlinks are followed inside the device namespace (the last component only if
        ``follow_last``). ``None`` if a component is missing or not a directory, the path contains
        NUL, a trailing ``/`` names a non-directory, or a symlink chain is longer than 40 hops.
        """
        if b"\0" in path:
            return None
        pending = self.normalize(path)
        pending.reverse()  # a stack: next component on top
        done: list[bytes] = []
        hops = 0
        want_dir = path.endswith(b"/") and bool(path.strip(b"/"))
        while pending:
            comp = pending.pop()
            if comp == b"..":
                if done:
                    done.pop()
                continue
            if comp == b".":
                continue
            candidate = done + [comp]
            host = self._host(candidate)
            try:
                st = os.lstat(host)
            except (OSError, ValueError):
                return None
            is_last = not pending
            if stat_mod.S_ISLNK(st.st_mode) and (not is_last or follow_last or want_dir):
                hops += 1
                if hops > _MAX_SYMLINK_HOPS:
                    return None
                try:
                    target = os.readlink(host)
                except OSError:
                    return None
                if target.startswith(b"/"):
                    done = []
                # Push the target's components (and keep the rest) in order.
                for t in reversed([c for c in target.split(b"/") if c not in (b"", b".")]):
                    pending.append(t)
                continue
            if not is_last and not stat_mod.S_ISDIR(st.st_mode):
                return None
            done = candidate
        host = self._host(done)
        if want_dir:
            try:
                if not stat_mod.S_ISDIR(os.stat(host).st_mode):
                    return None
            except OSError:
                return None
        return done, host

    def device_path(self, parts: list[bytes]) -> bytes:
        return b"/" + b"/".join(parts)

    # -- metadata ------------------------------------------------------------------------------

    def _make_stat(self, parts: list[bytes], st: os.stat_result) -> FileStat:
        over = self.meta.get(self.device_path(parts))
        mode = st.st_mode
        uid, gid = self.default_uid, self.default_gid
        atime, mtime, ctime = int(st.st_atime), int(st.st_mtime), int(st.st_ctime)
        if over is not None:
            if over.mode is not None:
                mode = stat_mod.S_IFMT(mode) | (over.mode & 0o7777)
            uid = over.uid if over.uid is not None else uid
            gid = over.gid if over.gid is not None else gid
            atime = over.atime if over.atime is not None else atime
            mtime = over.mtime if over.mtime is not None else mtime
            ctime = over.ctime if over.ctime is not None else ctime
        return FileStat(mode, st.st_size, uid, gid, atime, mtime, ctime, st.st_nlink)

    def lstat(self, path: bytes) -> FileStat | None:
        return self._stat(path, follow_last=False)

    def stat(self, path: bytes) -> FileStat | None:
        return self._stat(path, follow_last=True)

    def _stat(self, path: bytes, follow_last: bool) -> FileStat | None:
        # resolve() follows the tree's links (the last one too for stat); what it gives is lstat'ed
        r = self.resolve(path, follow_last=follow_last)
        if r is None:
            return None
        parts, host = r
        try:
            return self._make_stat(parts, os.lstat(host))
        except OSError:
            return None

    def listdir(self, path: bytes) -> list[tuple[bytes, FileStat]] | None:
        """Entries of a directory, ``.`` and ``..`` first (as readdir gives them), then sorted names,
        each with its lstat. ``None`` if ``path`` is not a directory."""
        r = self.resolve(path, follow_last=True)
        if r is None:
            return None
        parts, host = r
        try:
            st = os.lstat(host)
            if not stat_mod.S_ISDIR(st.st_mode):
                return None
            names = sorted(os.listdir(host))
        except OSError:
            return None
        out: list[tuple[bytes, FileStat]] = [(b".", self._make_stat(parts, st))]
        parent = parts[:-1]
        try:
            out.append((b"..", self._make_stat(parent, os.lstat(self._host(parent)))))
        except OSError:
            pass
        for name in names:
            try:
                out.append((name, self._make_stat(parts + [name], os.lstat(os.path.join(host, name)))))
            except OSError:
                continue
        return out

    def open_file(self, path: bytes) -> tuple[int, FileStat]:
        """Open a regular file for reading. Raises ``FileNotFoundError``/``IsADirectoryError``/
        ``PermissionError`` (with the errno a real phone would give)."""
        r = self.resolve(path, follow_last=True)
        if r is None:
            raise FileNotFoundError(2, "No such file or directory")
        parts, host = r
        st = os.lstat(host)
        if stat_mod.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if not stat_mod.S_ISREG(st.st_mode):
            raise PermissionError(13, "Permission denied")
        fd = os.open(host, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        return fd, self._make_stat(parts, st)

    def read_chunks(self, path: bytes, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
        fd, _ = self.open_file(path)
        with os.fdopen(fd, "rb", buffering=0) as fh:
            while True:
                block = fh.read(chunk_size)
                if not block:
                    return
                yield block


@dataclass
class DeviceProfile:
    """A loaded profile folder. Build one with :meth:`load` (or :meth:`demo`)."""

    root: Path
    serial: str = "SIMULATED0001"
    banner: dict[str, str] = field(default_factory=lambda: dict(_DEFAULT_BANNER))
    features: list[str] = field(default_factory=list)
    props: dict[str, str] = field(default_factory=dict)
    commands: dict[tuple[str, ...], CommandSpec] = field(default_factory=dict)
    trusted_keys: set[bytes] = field(default_factory=set)
    fs: FileTree | None = None

    @property
    def fs_root(self) -> Path:
        return self.root / "fs"

    def getprop(self, name: str) -> str | None:
        if name in self.props:
            return self.props[name]
        if name in self.banner:
            return self.banner[name]
        if name == "ro.serialno":
            return self.serial
        return None

    def all_props(self) -> dict[str, str]:
        merged = {"ro.serialno": self.serial}
        merged.update(self.banner)
        merged.update(self.props)
        return merged

    def connect_banner(self) -> bytes:
        """The CNXN payload: ``device::ro.product.name=..;ro.product.model=..;ro.product.device=..;features=..``."""
        parts = []
        for key in ("ro.product.name", "ro.product.model", "ro.product.device"):
            value = self.banner.get(key, _DEFAULT_BANNER[key])
            parts.append(f"{key}={value};")
        parts.append("features=" + ",".join(self.features))
        return ("device::" + "".join(parts)).encode("utf-8")

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def demo(cls) -> DeviceProfile:
        """The shipped demo profile (``inspector/simulator/profiles/demo``)."""
        from inspector.resources import simulator_profiles_dir

        return cls.load(simulator_profiles_dir() / "demo")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DeviceProfile:
        root = Path(path).resolve()
        if not root.is_dir():
            raise ProfileError(f"profile folder {root} does not exist")
        doc = _load_yaml(root / "profile.yaml", required=True)
        if not isinstance(doc, dict):
            raise ProfileError(f"{root / 'profile.yaml'}: expected a mapping")

        serial = str(doc.get("serial", "SIMULATED0001"))
        banner_raw = doc.get("banner") or {}
        if not isinstance(banner_raw, dict):
            raise ProfileError("profile.yaml: banner must be a mapping")
        banner = dict(_DEFAULT_BANNER)
        for key, value in banner_raw.items():
            text = str(value)
            if any(c in text for c in ";\0") or any(c in str(key) for c in ";=\0"):
                raise ProfileError(f"profile.yaml: banner {key!r} may not contain ';', '=' or NUL")
            banner[str(key)] = text

        features: list[str] = []
        for feat in doc.get("features") or []:
            feat = str(feat)
            if feat in SUPPORTED_FEATURES:
                features.append(feat)
            else:
                log.warning("profile %s: feature %r is not implemented by the simulator; not advertised",
                            root, feat)

        props_raw = doc.get("props") or {}
        if not isinstance(props_raw, dict):
            raise ProfileError("profile.yaml: props must be a mapping")
        props = {str(k): str(v) for k, v in props_raw.items()}

        trusted: set[bytes] = set()
        keys_file = doc.get("trusted_keys_file")
        if keys_file:
            from .auth import KeyFormatError, decode_android_pubkey, key_id

            kpath = _inside(root, str(keys_file), "trusted_keys_file")
            try:
                lines = kpath.read_bytes().splitlines()
            except OSError as exc:
                raise ProfileError(f"trusted_keys_file {kpath}: {exc}") from None
            for line in lines:
                if not line.strip() or line.lstrip().startswith(b"#"):
                    continue
                try:
                    decode_android_pubkey(line)
                except KeyFormatError as exc:
                    raise ProfileError(f"trusted_keys_file {kpath}: {exc}") from None
                trusted.add(key_id(line))

        commands = _load_commands(root)
        meta = _load_meta(root)
        fs_root = root / "fs"
        if not fs_root.is_dir():
            raise ProfileError(f"profile {root} has no fs/ folder")
        uid = int(doc.get("default_uid", 0))
        gid = int(doc.get("default_gid", 0))
        tree = FileTree(fs_root, meta, default_uid=uid, default_gid=gid)
        return cls(root=root, serial=serial, banner=banner, features=features, props=props,
                   commands=commands, trusted_keys=trusted, fs=tree)


def _load_yaml(path: Path, *, required: bool = False) -> Any:
    if not path.exists():
        if required:
            raise ProfileError(f"{path} is missing")
        return None
    try:
        with open(path, "rb") as fh:
            return safe_load(fh.read())
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: {exc}") from None


def _inside(root: Path, rel: str, what: str) -> Path:
    candidate = (root / rel).resolve()
    if candidate != root and root not in candidate.parents:
        raise ProfileError(f"{what} {rel!r} points outside the profile folder")
    return candidate


def _load_commands(root: Path) -> dict[tuple[str, ...], CommandSpec]:
    doc = _load_yaml(root / "commands.yaml")
    if doc is None:
        return {}
    if not isinstance(doc, list):
        raise ProfileError("commands.yaml: expected a list of {argv, stdout|text, exit}")
    cmd_root = (root / "commands").resolve()
    out: dict[tuple[str, ...], CommandSpec] = {}
    for i, entry in enumerate(doc):
        if not isinstance(entry, dict) or "argv" not in entry:
            raise ProfileError(f"commands.yaml entry {i}: needs an argv list")
        argv_raw = entry["argv"]
        if isinstance(argv_raw, str) or not isinstance(argv_raw, list) or not argv_raw:
            raise ProfileError(f"commands.yaml entry {i}: argv must be a non-empty list")
        argv = tuple(str(a) for a in argv_raw)
        exit_code = int(entry.get("exit", 0))
        if "stdout" in entry and "text" in entry:
            raise ProfileError(f"commands.yaml entry {i}: give stdout or text, not both")
        if "stdout" in entry:
            rel = str(entry["stdout"])
            fpath = (cmd_root / rel).resolve()
            if cmd_root not in fpath.parents:
                raise ProfileError(f"commands.yaml entry {i}: {rel!r} is outside commands/")
            if not fpath.is_file():
                raise ProfileError(f"commands.yaml entry {i}: commands/{rel} does not exist")
            spec = CommandSpec(argv, stdout_file=fpath, exit_code=exit_code)
        elif "text" in entry:
            text = entry["text"]
            data = text if isinstance(text, bytes) else str(text if text is not None else "").encode("utf-8")
            spec = CommandSpec(argv, text=data, exit_code=exit_code)
        else:
            spec = CommandSpec(argv, text=b"", exit_code=exit_code)
        if argv in out:
            log.warning("commands.yaml: argv %r listed twice; the later entry wins", argv)
        out[argv] = spec
    return out


def _parse_int(value: Any, what: str, *, octal: bool = False) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ProfileError(f"fs_meta.yaml: {what} must be a number")
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 8 if octal else 10)
    except ValueError:
        raise ProfileError(f"fs_meta.yaml: {what} {value!r} is not a number") from None


def _load_meta(root: Path) -> dict[bytes, MetaOverride]:
    doc = _load_yaml(root / "fs_meta.yaml")
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ProfileError("fs_meta.yaml: expected a mapping of device path -> metadata")
    out: dict[bytes, MetaOverride] = {}
    for path, fields in doc.items():
        if not isinstance(fields, dict):
            raise ProfileError(f"fs_meta.yaml: {path!r}: expected a mapping")
        unknown = set(fields) - {"mode", "uid", "gid", "atime", "mtime", "ctime"}
        if unknown:
            raise ProfileError(f"fs_meta.yaml: {path!r}: unknown fields {sorted(unknown)}")
        key = FileTree.normalize(device_path_bytes(str(path)))
        out[b"/" + b"/".join(key)] = MetaOverride(
            mode=_parse_int(fields.get("mode"), "mode", octal=True),
            uid=_parse_int(fields.get("uid"), "uid"),
            gid=_parse_int(fields.get("gid"), "gid"),
            atime=_parse_int(fields.get("atime"), "atime"),
            mtime=_parse_int(fields.get("mtime"), "mtime"),
            ctime=_parse_int(fields.get("ctime"), "ctime"),
        )
    return out
