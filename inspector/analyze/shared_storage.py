"""Shared storage ("/sdcard") goes by several names depending on the Android version and on the tool
that listed it; indicators name paths relative to it."""

from __future__ import annotations

SHARED_ROOTS = ("/sdcard/", "/storage/emulated/0/", "/storage/self/primary/", "/mnt/sdcard/", "/mnt/user/0/primary/")


def shared_relative(path: str) -> str | None:
    for root in SHARED_ROOTS:
        if path.startswith(root):
            return path[len(root):]
    return None
