"""Benchmark: decoding the binary unified log of a sysdiagnose (issue 5, inspector/analyze/ios/tracev3.py).

Input, generated once into ~/.cache/inspector-bench (tests/ios_logarchive.py, the format the tests
check against plaso): a logarchive of ``--files`` tracev3 files of ~10 MB each (the size logd gives
``Persist/`` files), 64 KiB LZ4 chunksets of firehose chunks, 43 processes of which 3 are the watched
ones (lockdownd, afcd, BackupAgent2: 3 % of the entries), messages with random tokens and numbers so
that LZ4 compresses them about as much as real logs; plus its timesync and uuidtext files, and the
same logarchive inside a sysdiagnose ``.tar.gz``. Each measurement runs in a fresh process (wall time
and peak RSS of that process), medians of ``--runs``:

- decode, watched processes only (what ``ios_device_activity`` does): the tracev3 files read from disk;
- decode, every process (every entry rendered): the decoder's full cost;
- baseline: one streaming pass over the sysdiagnose ``.tar.gz`` reading every member (gzip + tar, the
  least any reader of the archive pays);
- the check's path: ``IOSEvidence.logarchive`` on the acquisition of that sysdiagnose (two passes over
  the archive: support files, then each tracev3 file decoded as it is decompressed);
- import only: the interpreter with inspector's analysis imported (the floor of the RSS figures; each
  measurement also reports its growth above that floor).

    python bench/ios_unified_log.py [--files 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CACHE = Path(os.environ.get("INSPECTOR_BENCH_CACHE", Path.home() / ".cache" / "inspector-bench")) / "unified-log"
ENTRIES_PER_FILE = 210_000  # ~10 MB of tracev3, as logd's Persist files


def generate(files: int) -> tuple[Path, Path]:
    """(logarchive folder, sysdiagnose .tar.gz), built once per --files."""
    import ios_logarchive as builder

    folder = CACHE / f"{files}" / "system_logs.logarchive"
    archive = CACHE / f"{files}" / "sysdiagnose_2026.11.18_10-15-32+0800_iPhone-OS_iPhone_21G93.tar.gz"
    if archive.is_file():
        return folder, archive
    others = [f"daemon{n:02d}" for n in range(40)]
    for n, name in enumerate(others):
        builder.PROCESSES[name] = (f"/usr/libexec/{name}", 200 + n, 0, f"com.apple.{name}")
    rng = random.Random(5)
    start = datetime(2026, 11, 18, tzinfo=UTC)
    formats = ["%{public}s: request %d from %{public}s took %llu us", "state %{public}s -> %{public}s (%d)",
               "%{public}s: connection %d %{public}s", "cache miss for %{public}s, %u entries"]
    lines = []
    for n in range(ENTRIES_PER_FILE):
        pick = rng.random()
        process = ("lockdownd" if pick < 0.015 else "afcd" if pick < 0.025 else "BackupAgent2" if pick < 0.03
                   else rng.choice(others))
        fmt = rng.choice(formats)
        values = [f"{rng.choice(['xpc', 'session', 'svc', 'conn'])}-{rng.getrandbits(40):010x}"
                  if piece.startswith("{public}s") else rng.getrandbits(24) for piece in fmt.split("%")[1:]]
        lines.append(builder.LogLine(process, start + timedelta(seconds=n * 0.3), fmt, values))
    strings = {name: builder._Strings() for name in builder.PROCESSES}
    data = builder.tracev3(lines, strings, builder.sync_record(), per_chunk=40, chunkset_bytes=64 << 10)
    for n in range(files):
        target = folder / "Persist" / f"{n + 1:016x}.tracev3"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for name, (path, *_rest) in builder.PROCESSES.items():
        hexed = str(builder.image_uuid(name)).replace("-", "").upper()
        (folder / hexed[:2]).mkdir(exist_ok=True)
        (folder / hexed[:2] / hexed[2:]).write_bytes(builder.uuidtext(path, bytes(strings[name].data)))
    (folder / "timesync").mkdir(exist_ok=True)
    (folder / "timesync" / "0000000000000001.timesync").write_bytes(builder.timesync(builder.sync_record()))
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="sysdiagnose_2026.11.18_10-15-32+0800_iPhone-OS_iPhone_21G93/system_logs.logarchive")
    return folder, archive


# -- one measurement, in its own process ------------------------------------------------------------------------
def child(mode: str, folder: Path, archive: Path, acq_dir: Path) -> dict:
    out: dict = {}
    from inspector.acquisition import Acquisition
    from inspector.analyze.ios import logarchive
    from inspector.analyze.ios.evidence import IOSEvidence
    from inspector.analyze.ios.unified_log import watched_processes

    imported_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    if mode in ("decode-watched", "decode-all"):
        log = logarchive.LogArchive(watched_processes() if mode == "decode-watched" else None)
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and logarchive.member_kind(relative) in ("timesync", "uuidtext", "dsc"):
                log.add(relative, path.read_bytes())
        activities = 0
        for path in sorted(folder.rglob("*.tracev3")):
            with open(path, "rb") as stream:
                activities += sum(1 for _ in logarchive.activities(log.entries(path.name, stream)))
        out = {"entries": log.counts["entries"], "log_records": log.counts["log"], "activities": activities,
               "skipped_chunks": log.counts["skipped_chunks"], "problems": log.problems[:3]}
    elif mode == "tar-baseline":
        total = 0
        with tarfile.open(archive, "r|gz") as tar:
            for info in tar:
                handle = tar.extractfile(info)
                while handle is not None and (piece := handle.read(1 << 20)):
                    total += len(piece)
        out = {"bytes": total}
    elif mode == "sysdiagnose":
        ev = IOSEvidence(Acquisition.open(acq_dir))
        content = ev.logarchive
        assert content is not None
        out = {"entries": content.counts["entries"], "activities": len(content.activities),
               "problems": content.problems[:3], "error": content.error}
        ev.close()
    out["seconds"] = time.perf_counter() - began
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["growth_mb"] = out["peak_rss_mb"] - imported_rss  # above the interpreter with inspector imported
    return out


def measure(mode: str, folder: Path, archive: Path, acq_dir: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--child", mode, str(folder), str(archive), str(acq_dir)],
                              check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = dict(results[0])
    best["seconds"] = statistics.median(r["seconds"] for r in results)
    best["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in results)
    best["growth_mb"] = statistics.median(r["growth_mb"] for r in results)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("MODE", "FOLDER", "ARCHIVE", "ACQ"))
    args = parser.parse_args()
    if args.child:
        mode, folder, archive, acq_dir = args.child
        print(json.dumps(child(mode, Path(folder), Path(archive), Path(acq_dir))))
        return
    folder, archive = generate(args.files)
    acq_dir = archive.parent / "acq"
    if not acq_dir.is_dir():
        from inspector.sources.detect import open_for_check

        open_for_check(archive, acq_dir)
    tracev3 = sum(p.stat().st_size for p in folder.rglob("*.tracev3"))
    print(f"logarchive: {args.files} tracev3 files, {tracev3 / 1e6:.1f} MB; sysdiagnose .tar.gz "
          f"{archive.stat().st_size / 1e6:.1f} MB")
    for mode in ("import", "decode-watched", "decode-all", "tar-baseline", "sysdiagnose"):
        if mode == "import":
            result = measure("none", folder, archive, acq_dir, args.runs)
        else:
            result = measure(mode, folder, archive, acq_dir, args.runs)
        rate = f"{tracev3 / 1e6 / result['seconds']:.0f} MB/s of tracev3" if mode != "import" else ""
        print(f"{mode:15s} {result['seconds']:7.2f} s  {rate:24s} peak RSS {result['peak_rss_mb']:.0f} MB "
              f"(+{result['growth_mb']:.1f} MB over the imports)  "
              f"{ {k: v for k, v in result.items() if k not in ('seconds', 'peak_rss_mb', 'growth_mb')} }")


if __name__ == "__main__":
    main()
