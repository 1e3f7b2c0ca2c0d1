"""Features of many APKs, in parallel and bounded: a process pool over the APKs whose features are
not cached yet, each worker under a memory ceiling (RLIMIT_AS) and every APK under a time limit.

An APK that goes past either limit, or crashes its worker, becomes an error entry for that APK with
what happened; the others go on. Records come back to the parent, which caches them and matches them
(matching is cheap and needs the whole pack, which the workers never load).

Workers start from a fork server that has already imported androguard (``forkserver`` preload): no
fork of a parent that runs threads (the progress bar), and no per-worker import cost."""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.analyze.apk import cache
from inspector.analyze.apk.features import empty_record, extract, file_sha256

DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_MEMORY_MB = 2048  # address space per worker; androguard's APK() needs far less on real apps
_GRACE_S = 10.0  # past the limit, a worker stuck in C code is killed from outside


@dataclass(frozen=True)
class Limits:
    time_s: float = DEFAULT_TIME_LIMIT_S
    memory_mb: int = DEFAULT_MEMORY_MB


DEFAULT_LIMITS = Limits()


class _TimeLimit(Exception):
    pass


def _on_alarm(signum, frame):  # pragma: no cover - runs in the worker
    raise _TimeLimit


def _init_worker(memory_mb: int) -> None:  # pragma: no cover - runs in the worker
    limit = memory_mb << 20
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass  # a lower hard limit already applies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGALRM, _on_alarm)


def _failed(path: Path, sha256: str, why: str) -> dict[str, Any]:
    """The record of an APK a limit or a crash stopped: ``incomplete``, so never cached."""
    return {**empty_record(sha256, None), "errors": [why], "incomplete": True}


def _job(path: str, sha256: str, time_s: float, yara_folders: tuple[str, ...], yara_version: str, memory_mb: int,
         deep: tuple[str, ...] | None) -> dict:  # pragma: no cover
    """Runs in a worker: one APK's features, or a record that says which limit stopped it."""
    yara = None
    if yara_folders:
        from inspector.analyze.apk.yara_rules import yara_for

        yara = yara_for([Path(f) for f in yara_folders], yara_version)
    signal.setitimer(signal.ITIMER_REAL, time_s)
    try:
        return _extract(Path(path), sha256, yara, deep)
    except _TimeLimit:
        return _failed(Path(path), sha256, f"analysis stopped after {time_s:g} s (time limit)")
    except MemoryError:
        return _failed(Path(path), sha256, f"analysis stopped: needs more than {memory_mb} MB (memory limit)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _extract(path: Path, sha256: str, yara, deep: tuple[str, ...] | None) -> dict[str, Any]:
    if deep is None:
        return extract(path, sha256, yara=yara)
    from inspector.analyze.apk.deep import deep_record

    return deep_record(path, sha256, yara=yara, needles=set(deep))


def _context():
    import multiprocessing  # here, not at the top: one APK is read in this process and needs none of it

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["inspector.analyze.apk.features", "inspector.analyze.apk.androguard_loaded"])
    return ctx


def features_many(paths: Iterable[Path], *, jobs: int | None = None, limits: Limits = DEFAULT_LIMITS,
                  yara=None, yara_folders: tuple[Path, ...] = (), use_cache: bool = True,
                  on_done: Callable[[Path, dict[str, Any], bool], None] | None = None,
                  deep: set[str] | None = None, keep: bool = True,
                  known_sha256: Mapping[Path, str] | None = None) -> dict[Path, tuple[dict[str, Any], bool]]:
    """Feature records of ``paths`` → {path: (record, from_cache)}. Cached records are returned at once;
    the rest are extracted by ``jobs`` workers (default: the CPU count; 1 = in this process, still
    under the time limit, when called from the main thread; from another thread, always a worker).
    ``on_done(path, record, cached)`` is called as each one is ready.
    ``deep``: the strings whose users to look up; runs androguard's full analysis on every APK (never
    cached, never read from the cache). ``keep=False``: records are only handed to ``on_done`` and not
    kept (the result maps each path to (None, cached)), so that memory does not grow with the number
    of APKs. ``known_sha256``: the SHA-256 of some paths, already computed by the caller (not read
    again)."""
    if deep is not None:
        use_cache = False
    deep_args = tuple(sorted(deep)) if deep is not None else None
    out: dict[Path, tuple[dict[str, Any], bool]] = {}
    todo: list[tuple[Path, str]] = []
    for path in paths:
        path = Path(path)
        try:
            sha256 = (known_sha256 or {}).get(path) or file_sha256(path)
        except OSError as exc:
            out[path] = (_failed(path, "", f"cannot be read: {exc}"), False)
            _notify(on_done, path, out[path], out, keep)
            continue
        if use_cache and (record := cache.load_current(path, sha256, yara)) is not None:
            out[path] = (record, True)
            _notify(on_done, path, out[path], out, keep)
        else:
            todo.append((path, sha256))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    # In this process only on the main thread: the time limit is a SIGALRM, which only the main thread
    # receives. Another thread (a batch's phone) uses the pool even for one APK, so that a hostile APK
    # cannot hold that thread, and the batch, past the limit.
    if (jobs == 1 or len(todo) == 1) and threading.current_thread() is threading.main_thread():
        for path, sha256 in todo:
            record = _in_process(path, sha256, limits, yara, deep_args)
            _keep(out, path, record, use_cache, on_done, keep)
        return out
    _pooled(todo, jobs, limits, yara, tuple(map(str, yara_folders)) if yara is not None else (), use_cache, out,
            on_done, deep_args, keep)
    return out


def _notify(on_done, path, item, out=None, keep: bool = True) -> None:
    if on_done is not None:
        on_done(path, item[0], item[1])
    if not keep and out is not None:
        out[path] = (None, item[1])


def _keep(out, path: Path, record: dict, use_cache: bool, on_done, keep: bool = True) -> None:
    if use_cache and not record.get("incomplete") and "deep" not in record:
        cache.save(record)
    out[path] = (record, False)
    _notify(on_done, path, out[path], out, keep)


def _in_process(path: Path, sha256: str, limits: Limits, yara, deep) -> dict[str, Any]:
    """One APK in this process, under the time limit (SIGALRM; the main thread only)."""
    timed = threading.current_thread() is threading.main_thread()
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limits.time_s)
    try:
        return _extract(path, sha256, yara, deep)
    except _TimeLimit:
        return _failed(path, sha256, f"analysis stopped after {limits.time_s:g} s (time limit)")
    except MemoryError:
        return _failed(path, sha256, "analysis stopped: out of memory")
    except Exception as exc:  # noqa: BLE001 - extract is defensive; anything left is this APK's error
        return _failed(path, sha256, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _pooled(todo, jobs, limits: Limits, yara, yara_folders, use_cache, out, on_done, deep, keep) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    pending = list(todo)
    while pending:
        executor = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=_context(),
                                       initializer=_init_worker, initargs=(limits.memory_mb,))
        started: dict = {}  # Future → (path, sha256, start time)
        queue = list(pending)
        pending = []
        broken = False
        try:
            # Keep at most `jobs` tasks submitted, so that each one's clock starts when it starts.
            while queue or started:
                while queue and len(started) < jobs:
                    path, sha256 = queue.pop(0)
                    future = executor.submit(_job, str(path), sha256, limits.time_s,
                                             yara_folders, yara.sha256 if yara is not None else "",
                                             limits.memory_mb, deep)
                    started[future] = (path, sha256, time.monotonic())
                done, _ = wait(list(started), timeout=1.0, return_when=FIRST_COMPLETED)
                for future in done:
                    path, sha256, _t0 = started.pop(future)
                    try:
                        record = future.result()
                    except BrokenProcessPool:
                        broken = True
                        record = _failed(path, sha256, "the analysis process died on this APK "
                                                       "(memory limit or a crash in a library)")
                    except Exception as exc:  # noqa: BLE001
                        record = _failed(path, sha256, f"{type(exc).__name__}: {exc}"[:500])
                    _keep(out, path, record, use_cache, on_done, keep)
                if broken:
                    break
                now = time.monotonic()
                stuck = [f for f, (_p, _s, t0) in started.items() if now - t0 > limits.time_s + _GRACE_S]
                if stuck:
                    for future in stuck:
                        path, sha256, _t0 = started.pop(future)
                        _keep(out, path, _failed(path, sha256, f"analysis stopped after {limits.time_s:g} s "
                                                               "(time limit; the process was killed)"),
                              use_cache, on_done, keep)
                    broken = True
                    break
        finally:
            if broken:
                # Whatever was running or queued is retried in a fresh pool; the killed ones are done.
                pending = [(p, s) for (p, s, _t) in started.values()] + queue
                for process in list(getattr(executor, "_processes", {}).values()):
                    process.kill()
                executor.shutdown(wait=False, cancel_futures=True)
            else:
                executor.shutdown(wait=True)
