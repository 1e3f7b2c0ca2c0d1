"""The fixed commands the collector runs, and the one way to add a device-supplied value to them.

No command is ever built by pasting device strings into text: every argument goes through
``shlex.quote`` (bytes that are not UTF-8 travel as they are, still inside single quotes).
"""

from __future__ import annotations

import shlex

# (artifact, argv) for the plain text artifacts, in collection order. File names follow androidqf.
TEXT_ARTIFACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("getprop.txt", ("getprop",)),
    ("settings_global.txt", ("settings", "list", "global")),
    ("settings_secure.txt", ("settings", "list", "secure")),
    ("settings_system.txt", ("settings", "list", "system")),
    ("processes.txt", ("ps", "-A")),
    # Listening and connected TCP sockets (an extraction agent such as MFSocket listens on a port).
    ("proc_net_tcp.txt", ("cat", "/proc/net/tcp")),
    ("proc_net_tcp6.txt", ("cat", "/proc/net/tcp6")),
)
# Old Android (< 8) has a ps that lists everything without -A and rejects it.
PROCESSES_FALLBACK = ("ps",)

LOGCAT = ("logcat", "-d", "-b", "all", "-v", "threadtime")
# Android < 7 does not know the "all" buffer name.
LOGCAT_FALLBACK = ("logcat", "-d", "-b", "main", "-b", "system", "-b", "events", "-b", "crash", "-v", "threadtime")

# Services that later checks read; dumped one by one into dumpsys.txt with androidqf's separators.
DUMPSYS_SERVICES = (
    "package",
    "accessibility",
    "device_policy",
    "usagestats",
    "appops",
    "adb",
    "notification",
    "wifi",
    "batterystats",
)

PM_LIST_USERS = ("pm", "list", "users")


def pm_list_all(user: str) -> list[tuple[str, ...]]:
    """Every package of a user with path, installer, uid and version, kept-data ones included; the
    later variants drop the flags that old Android versions and some vendor builds lack."""
    return [
        ("pm", "list", "packages", "-f", "-i", "-U", "-u", "--show-versioncode", "--user", user),
        ("pm", "list", "packages", "-f", "-i", "-U", "-u", "--user", user),
        ("pm", "list", "packages", "-f", "-i", "-u", "--user", user),
        ("pm", "list", "packages", "-f", "-i", "-u"),
        ("pm", "list", "packages", "-f"),
    ]


def pm_list_flag(flag: str | None, user: str) -> tuple[str, ...]:
    argv = ("pm", "list", "packages") + ((flag,) if flag else ()) + ("--user", user)
    return argv


def quote(value: str | bytes) -> bytes:
    """One shell word for ``value``; device bytes that are not UTF-8 keep their exact bytes."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    return shlex.quote(value).encode("utf-8", "surrogateescape")


def command(*words: str | bytes) -> bytes:
    return b" ".join(quote(w) for w in words)


def looks_unsupported(output: bytes) -> bool:
    """How pm, ps and logcat say they do not know an option, across Android versions and vendors."""
    head = output[:4096].lower()
    return (
        b"unknown option" in head
        or b"unknown argument" in head
        or b"error: unknown" in head
        or b"invalid option" in head
        or b"unrecognized option" in head
        or b"unknown buffer" in head
        or b"inaccessible or not found" in head
        or (b"usage:" in head and b"package:" not in head)
    )
