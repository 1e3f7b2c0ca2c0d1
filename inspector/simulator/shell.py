"""The simulated phone's tiny shell: POSIX-sh word splitting, injection detection, built-ins.

Whatever arrives through ``shell:CMD`` or ``exec:CMD`` is what a real phone would hand to
``/system/bin/sh -c CMD``. Our own code must always quote what it sends, so this shell refuses to
interpret anything a shell would treat as syntax rather than as part of a word:

* unquoted ``;`` ``|`` ``&`` ``<`` ``>`` ``(`` ``)`` ``$`` backtick or newline,
* ``$`` or backtick inside double quotes,
* an unterminated quote, or an unquoted ``#`` starting a word (a comment that swallows the rest),

each records the raw command in ``violations`` and answers ``/system/bin/sh: syntax error: ...``
without running anything. Backslash escapes, single and double quotes work as in sh. There is no
globbing, variable expansion or tilde expansion: ``*``, ``?``, ``[``, ``~`` are literal characters.

Every command that parses is recorded in ``commands_seen`` as a tuple of str (bytes decoded UTF-8
with surrogateescape, so ``os.fsencode``-style round trips are lossless) and dispatched to, in order:
programmatic overrides (``SimulatedPhone.set_command``), the profile's ``commands.yaml``, built-ins
over the profile's file tree (``sha256sum``, ``md5sum``, ``stat -c``, ``cat``, ``ls``, ``echo``,
``id``, ``true``, ``false``, ``getprop``), else ``/system/bin/sh: NAME: inaccessible or not found``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat as stat_mod
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .profile import DeviceProfile, FileStat, FileTree

__all__ = [
    "CommandResult",
    "ParsedCommand",
    "TinyShell",
    "parse_command",
]

log = logging.getLogger(__name__)

_METACHARS = frozenset(";|&<>()$`\n")
_BLANKS = frozenset(" \t")
_DQ_ESCAPABLE = frozenset('$`"\\\n')

Output = bytes | Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class ParsedCommand:
    """Result of :func:`parse_command`: ``argv`` if the command is plain words, else ``error``."""

    argv: tuple[str, ...]
    error: str | None = None  # sh-style syntax error message when a metacharacter was found

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class CommandResult:
    chunks: Iterable[bytes]
    exit_code: int = 0


def parse_command(raw: bytes | str) -> ParsedCommand:
    """Split a command line into words like POSIX sh, refusing anything that is shell syntax."""
    text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, (bytes, bytearray)) else raw
    words: list[str] = []
    cur: list[str] = []
    in_word = False  # a word has started (even if empty, e.g. '')
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _BLANKS:
            if in_word:
                words.append("".join(cur))
                cur, in_word = [], False
            i += 1
            continue
        if c == "#" and not in_word:
            return ParsedCommand((), "syntax error: unquoted '#' starts a comment")
        if c in _METACHARS:
            shown = "newline" if c == "\n" else f"'{c}'"
            return ParsedCommand((), f"syntax error: unexpected {shown}")
        if c == "\\":
            in_word = True
            if i + 1 >= n:  # trailing backslash: literal
                cur.append("\\")
                i += 1
            elif text[i + 1] == "\n":  # line continuation
                i += 2
            else:
                cur.append(text[i + 1])
                i += 2
            continue
        if c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return ParsedCommand((), "syntax error: unterminated quoted string")
            cur.append(text[i + 1 : end])
            in_word = True
            i = end + 1
            continue
        if c == '"':
            in_word = True
            i += 1
            while True:
                if i >= n:
                    return ParsedCommand((), "syntax error: unterminated quoted string")
                d = text[i]
                if d == '"':
                    i += 1
                    break
                if d in "$`":
                    return ParsedCommand((), f"syntax error: unexpected '{d}' inside double quotes")
                if d == "\\" and i + 1 < n and text[i + 1] in _DQ_ESCAPABLE:
                    if text[i + 1] != "\n":
                        cur.append(text[i + 1])
                    i += 2
                    continue
                cur.append(d)
                i += 1
            continue
        cur.append(c)
        in_word = True
        i += 1
    if in_word:
        words.append("".join(cur))
    return ParsedCommand(tuple(words))


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


_USERS = {0: "root", 1000: "system", 1015: "sdcard_rw", 1023: "media_rw", 1028: "sdcard_r",
          2000: "shell", 9997: "everybody", 3003: "inet"}


def _user(uid: int) -> str:
    if uid in _USERS:
        return _USERS[uid]
    if 10000 <= uid < 20000:
        return f"u0_a{uid - 10000}"
    return str(uid)


def _mode_string(mode: int) -> str:
    return stat_mod.filemode(mode)


def _file_type(st: FileStat) -> str:
    m = st.mode
    if stat_mod.S_ISREG(m):
        return "regular empty file" if st.size == 0 else "regular file"
    if stat_mod.S_ISDIR(m):
        return "directory"
    if stat_mod.S_ISLNK(m):
        return "symbolic link"
    if stat_mod.S_ISFIFO(m):
        return "fifo"
    if stat_mod.S_ISSOCK(m):
        return "socket"
    if stat_mod.S_ISCHR(m):
        return "character special file"
    if stat_mod.S_ISBLK(m):
        return "block special file"
    return "unknown"


class TinyShell:
    """Parses and runs commands for one phone. Thread-safe (one instance serves every stream)."""

    def __init__(self, profile: DeviceProfile, *, commands_seen: list[tuple[str, ...]],
                 violations: list[str], overrides: dict[tuple[str, ...], tuple[Output, int]]) -> None:
        self.profile = profile
        self.fs: FileTree = profile.fs if profile.fs is not None else FileTree(profile.fs_root)
        self.commands_seen = commands_seen
        self.violations = violations
        self.overrides = overrides
        self._lock = threading.Lock()
        self._builtins: dict[str, Callable[[tuple[str, ...]], CommandResult]] = {
            "sha256sum": lambda argv: self._hashsum(argv, hashlib.sha256),
            "md5sum": lambda argv: self._hashsum(argv, hashlib.md5),
            "stat": self._stat,
            "cat": self._cat,
            "ls": self._ls,
            "echo": self._echo,
            "id": self._id,
            "true": lambda argv: CommandResult([], 0),
            "false": lambda argv: CommandResult([], 1),
            "getprop": self._getprop,
        }

    def run(self, raw: bytes) -> CommandResult:
        parsed = parse_command(raw)
        if not parsed.ok:
            text = raw.decode("utf-8", "surrogateescape")
            with self._lock:
                self.violations.append(text)
            log.warning("shell metacharacter in command %r: %s", text, parsed.error)
            return CommandResult([f"/system/bin/sh: {parsed.error}\n".encode()], 2)
        argv = parsed.argv
        if not argv:
            return CommandResult([], 0)
        with self._lock:
            self.commands_seen.append(argv)
        log.debug("shell: %r", argv)

        override = self.overrides.get(argv)
        if override is not None:
            output, code = override
            if callable(output):
                return CommandResult(output(), code)
            return CommandResult([output] if output else [], code)
        spec = self.profile.commands.get(argv)
        if spec is not None:
            return CommandResult(spec.chunks(), spec.exit_code)
        builtin = self._builtins.get(argv[0])
        if builtin is not None:
            return builtin(argv)
        return CommandResult([_enc(f"/system/bin/sh: {argv[0]}: inaccessible or not found\n")], 127)

    # -- built-ins ---------------------------------------------------------------------------------

    def _hashsum(self, argv: tuple[str, ...], algo: Callable[[], Any]) -> CommandResult:
        name = argv[0]
        paths = [a for a in argv[1:] if not (a.startswith("-") and len(a) > 1)]

        def gen() -> Iterator[bytes]:
            for p in paths:
                pb = _enc(p)
                h = algo()
                try:
                    for block in self.fs.read_chunks(pb, 1024 * 1024):
                        h.update(block)
                except FileNotFoundError:
                    yield _enc(f"{name}: {p}: No such file or directory\n")
                    continue
                except IsADirectoryError:
                    yield _enc(f"{name}: {p}: Is a directory\n")
                    continue
                except OSError:
                    yield _enc(f"{name}: {p}: Permission denied\n")
                    continue
                yield h.hexdigest().encode() + b"  " + pb + b"\n"

        return CommandResult(gen(), 0)

    def _stat(self, argv: tuple[str, ...]) -> CommandResult:
        fmt: str | None = None
        follow = False
        paths: list[str] = []
        args = list(argv[1:])
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                paths.extend(args[i + 1 :])
                break
            if a in ("-c", "--format"):
                if i + 1 >= len(args):
                    return CommandResult([b"stat: option requires an argument -- c\n"], 1)
                fmt = args[i + 1]
                i += 2
                continue
            if a.startswith("--format="):
                fmt = a[len("--format="):]
            elif a.startswith("-c") and len(a) > 2:
                fmt = a[2:]
            elif a == "-L":
                follow = True
            elif a.startswith("-") and len(a) > 1:
                return CommandResult([_enc(f"stat: Unknown option '{a}'\n")], 1)
            else:
                paths.append(a)
            i += 1
        if not paths:
            return CommandResult([b"stat: Need 1 argument\n"], 1)
        out: list[bytes] = []
        code = 0
        for p in paths:
            pb = _enc(p)
            st = self.fs.stat(pb) if follow else self.fs.lstat(pb)
            if st is None:
                out.append(_enc(f"stat: '{p}': No such file or directory\n"))
                code = 1
                continue
            if fmt is None:
                out.append(self._default_stat(pb, st))
            else:
                out.append(self._format_stat(fmt, pb, st) + b"\n")
        return CommandResult(out, code)

    def _format_stat(self, fmt: str, path: bytes, st: FileStat) -> bytes:
        out = bytearray()
        i, n = 0, len(fmt)
        while i < n:
            c = fmt[i]
            if c != "%" or i + 1 >= n:
                out += _enc(c)
                i += 1
                continue
            spec = fmt[i + 1]
            i += 2
            if spec == "%":
                out += b"%"
            elif spec == "s":
                out += str(st.size).encode()
            elif spec == "f":
                out += f"{st.mode:x}".encode()
            elif spec == "a":
                out += f"{st.mode & 0o7777:o}".encode()
            elif spec == "A":
                out += _mode_string(st.mode).encode()
            elif spec == "u":
                out += str(st.uid).encode()
            elif spec == "U":
                out += _user(st.uid).encode()
            elif spec == "g":
                out += str(st.gid).encode()
            elif spec == "G":
                out += _user(st.gid).encode()
            elif spec == "X":
                out += str(st.atime).encode()
            elif spec == "Y":
                out += str(st.mtime).encode()
            elif spec == "Z":
                out += str(st.ctime).encode()
            elif spec == "n":
                out += path
            elif spec == "N":
                out += b"'" + path + b"'"
                if st.is_link:
                    target = self._readlink(path)
                    if target is not None:
                        out += b" -> '" + target + b"'"
            elif spec == "F":
                out += _file_type(st).encode()
            elif spec == "h":
                out += str(st.nlink).encode()
            else:  # unknown: literal, like the rest of the text
                out += _enc("%" + spec)
        return bytes(out)

    def _readlink(self, path: bytes) -> bytes | None:
        r = self.fs.resolve(path, follow_last=False)
        if r is None:
            return None
        try:
            return os.readlink(r[1])
        except OSError:
            return None

    def _default_stat(self, path: bytes, st: FileStat) -> bytes:
        def ts(t: int) -> str:
            return time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", time.gmtime(t))

        return (
            b"  File: `" + path + b"'\n"
            + (f"  Size: {st.size}\t Blocks: {(st.size + 511) // 512}\t IO Blocks: 4096\t"
               f"{_file_type(st)}\n"
               f"Device: fd00h/64768d\t Inode: 0\t Links: {st.nlink}\n"
               f"Access: ({st.mode & 0o7777:04o}/{_mode_string(st.mode)})\t"
               f"Uid: ({st.uid:5}/{_user(st.uid):>8})\tGid: ({st.gid:5}/{_user(st.gid):>8})\n"
               f"Access: {ts(st.atime)}\nModify: {ts(st.mtime)}\nChange: {ts(st.ctime)}\n").encode()
        )

    def _cat(self, argv: tuple[str, ...]) -> CommandResult:
        paths = [a for a in argv[1:] if not (a.startswith("-") and len(a) > 1)] or []

        def gen() -> Iterator[bytes]:
            for p in paths:
                try:
                    yield from self.fs.read_chunks(_enc(p), 256 * 1024)
                except FileNotFoundError:
                    yield _enc(f"cat: {p}: No such file or directory\n")
                except IsADirectoryError:
                    yield _enc(f"cat: {p}: Is a directory\n")
                except OSError:
                    yield _enc(f"cat: {p}: Permission denied\n")

        return CommandResult(gen(), 0)

    def _ls(self, argv: tuple[str, ...]) -> CommandResult:
        flags = set()
        paths: list[str] = []
        for a in argv[1:]:
            if a.startswith("-") and len(a) > 1:
                flags.update(a[1:])
            else:
                paths.append(a)
        if not paths:
            paths = ["/"]
        long = "l" in flags
        show_all = "a" in flags
        code = 0
        out: list[bytes] = []
        dirs: list[tuple[str, list[tuple[bytes, FileStat]]]] = []
        files: list[tuple[bytes, FileStat]] = []
        for p in paths:
            pb = _enc(p)
            st = self.fs.stat(pb)
            if st is None:
                out.append(_enc(f"ls: {p}: No such file or directory\n"))
                code = 1
                continue
            if st.is_dir and "d" not in flags:
                entries = self.fs.listdir(pb) or []
                if not show_all:
                    entries = [(nm, s) for nm, s in entries if not nm.startswith(b".")]
                dirs.append((p, entries))
            else:
                files.append((pb, self.fs.lstat(pb) or st))

        def line(name: bytes, st: FileStat) -> bytes:
            if not long:
                return name + b"\n"
            when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(st.mtime))
            return (f"{_mode_string(st.mode)} {st.nlink:>2} {_user(st.uid)} {_user(st.gid)} "
                    f"{st.size:>8} {when} ").encode() + name + b"\n"

        for name, st in files:
            out.append(line(name, st))
        for idx, (p, entries) in enumerate(dirs):
            if len(paths) > 1:
                if files or idx:
                    out.append(b"\n")
                out.append(_enc(p) + b":\n")
            if long:
                out.append(f"total {len(entries)}\n".encode())
            for name, st in entries:
                out.append(line(name, st))
        return CommandResult(out, code)

    def _echo(self, argv: tuple[str, ...]) -> CommandResult:
        args = list(argv[1:])
        newline = True
        if args and args[0] == "-n":
            newline = False
            args = args[1:]
        return CommandResult([_enc(" ".join(args)) + (b"\n" if newline else b"")], 0)

    def _id(self, argv: tuple[str, ...]) -> CommandResult:
        return CommandResult([
            b"uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),"
            b"1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),"
            b"3006(net_bw_stats),3009(readproc),3011(uhid) context=u:r:shell:s0\n"
        ], 0)

    def _getprop(self, argv: tuple[str, ...]) -> CommandResult:
        if len(argv) == 1:
            props = self.profile.all_props()
            return CommandResult(
                [_enc("".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())))], 0)
        value = self.profile.getprop(argv[1])
        if value is None:
            value = argv[2] if len(argv) > 2 else ""
        return CommandResult([_enc(value + "\n")], 0)
