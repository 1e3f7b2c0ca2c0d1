"""The ADB key made on first use: one key pair however many processes and threads ask at once, never a
half-written file, private half readable only by its owner."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from inspector.acquire.android.keys import ensure_key, load_signer


def _public(folder: str) -> str:
    load_signer(Path(folder) / "adbkey")  # parses both halves: fails on a half-written file
    return (Path(folder) / "adbkey.pub").read_text()


def test_many_threads_and_processes_get_one_key(tmp_path):
    folder = str(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        from_processes = pool.map(_public, [folder] * 6)
    with ThreadPoolExecutor(8) as threads:
        from_threads = list(threads.map(_public, [folder] * 16))
    assert len(set(from_processes + from_threads)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".adbkey.lock", "adbkey", "adbkey.pub"]
    assert (tmp_path / "adbkey").stat().st_mode & 0o077 == 0


def test_an_existing_key_is_kept(tmp_path):
    first = ensure_key(tmp_path / "adbkey").read_text()
    assert ensure_key(tmp_path / "adbkey").read_text() == first
