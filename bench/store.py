"""Benchmark of ``inspector rescan --all`` (issue 7): N stored acquisitions re-matched against a new
signature pack (one APK rule added), on SQLite (or any --db URL).

Setup: the shipped ``clean`` and ``bxaq-installed`` simulated phones are collected once over loopback
and scanned into the store; each is then copied N/2 times (hard links; a new acquisition id and
serial in each copy's acquisition.json) and its result recorded for every copy, so the store holds
N acquisitions with 8–9 apps each. The APK engine's cache is emptied before the rescan: every feature
record must come back from the store (``apks_read_again`` must be 0).

While the rescan runs, another process records a scan every 50 ms (what the end of an acquisition
does) and reports how long each write took: the "store writes never block an acquisition for more
than 100 ms" target (an acquisition itself never writes the store; only its end does).

Baseline, in the same run: the analysis alone (``analyze()`` of every folder with the cache warm, no
store reads or writes): what the rescan costs on top of re-running the checks is the store.

    python bench/store.py [--n 1000] [--db URL]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _schedstat() -> tuple[float, float]:
    """This thread's time on a CPU and time waiting for one (run queue), in ms (Linux schedstat)."""
    try:
        running, waiting, _ = Path("/proc/thread-self/schedstat").read_text().split()
        return int(running) / 1e6, int(waiting) / 1e6
    except (OSError, ValueError):
        return 0.0, 0.0


def _writer(url: str, result: dict, stop, out) -> None:
    """Record a copy of ``result`` every 50 ms until ``stop``; put the list of writes: (wall ms, ms on a
    CPU, ms waiting for a CPU). Wall minus both is time asleep: waiting for the store's lock or the disk."""
    from inspector.store import Store

    writes = []
    with Store.open(url) as store:
        number = 0
        while not stop.is_set():
            copy = json.loads(json.dumps(result))
            copy["acquisition"]["id"] = f"concurrent-{number}"
            cpu0, queue0 = _schedstat()
            started = time.perf_counter()
            store.record_scan(copy)
            wall = 1000 * (time.perf_counter() - started)
            cpu1, queue1 = _schedstat()
            writes.append((wall, cpu1 - cpu0, queue1 - queue0))
            number += 1
            time.sleep(0.05)
    out.put(writes)


def _write_figures(writes: list[tuple[float, float, float]]) -> dict:
    walls = [w[0] for w in writes]
    slowest = sorted(writes, reverse=True)[:5]
    return {"count": len(writes), "median": round(statistics.median(walls), 1), "max": round(max(walls), 1),
            "over_100ms": sum(1 for w in walls if w > 100),
            "slowest_wall_cpu_runqueue_ms": [[round(x, 1) for x in w] for w in slowest]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="stored acquisitions (default 1000)")
    parser.add_argument("--db", help="store URL (default: a new SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="rescan processes (default: cores)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    for var in ("CONFIG", "DATA", "CACHE"):
        os.environ[f"INSPECTOR_{var}_DIR"] = str(work / var.lower())

    from inspector.acquire.android.connection import AndroidConnection
    from inspector.acquisition import Acquisition
    from inspector.analyze.result import analyze
    from inspector.analyze.signatures import SignaturePack
    from inspector.fleet.rescan import rescan
    from inspector.pipeline import acquire_android, apk_features_of
    from inspector.resources import signatures_dir, simulator_profiles_dir
    from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone
    from inspector.store import Store

    url = args.db or f"sqlite:///{work / 'store.sqlite3'}"
    pack = SignaturePack.load()
    store = Store.open(url)
    templates = []
    for name in ("clean", "bxaq-installed"):
        profile = DeviceProfile.load(simulator_profiles_dir() / name)
        with SimulatedPhone(profile, auth=AuthPolicy(required=False)) as phone:
            host, port = phone.address.rsplit(":", 1)
            with AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=10) as conn:
                acq, _stats, _lost = acquire_android(conn, work / f"template-{name}", resume=False, operator=None,
                                                     pack=pack)
        templates.append((acq, analyze(acq, pack), apk_features_of(acq)))

    started = time.perf_counter()
    folders = []
    for i in range(args.n):
        acq, result, features = templates[i % 2]
        folder = work / "acq" / f"{i:05d}"
        shutil.copytree(acq.path, folder, copy_function=os.link)
        manifest = json.loads((folder / "acquisition.json").read_text("utf-8"))
        manifest["id"] = f"bench-{i:05d}"
        manifest["device"]["serial_sha256"] = hashlib.sha256(f"serial-{i}".encode()).hexdigest()
        (folder / "acquisition.json").unlink()  # a hard link: never write through it into the template
        (folder / "acquisition.json").write_text(json.dumps(manifest), "utf-8")
        copy = json.loads(json.dumps(result))
        copy["acquisition"].update(id=manifest["id"], path=str(folder))
        copy["device"]["serial_sha256"] = manifest["device"]["serial_sha256"]
        store.record_scan(copy, apk_features=features)
        folders.append(folder)
    setup_s = time.perf_counter() - started

    new_pack = work / "pack-next"
    shutil.copytree(signatures_dir(), new_pack)
    (new_pack / "apk-rules" / "bench-new.yaml").write_text(
        "rules:\n  - id: bench.apk.passwordsafe\n    family: jingwang\n    name: bench\n    severity: high\n"
        "    confidence: high\n    source: bench/store.py\n    match: any\n    score: {strong: 10, review: 3}\n"
        "    conditions:\n      - package: org.demo.passwordsafe\n        weight: 10\n", "utf-8")
    meta = (new_pack / "pack.yaml").read_text("utf-8").splitlines()
    (new_pack / "pack.yaml").write_text("\n".join("version: 2099.1.0" if line.startswith("version:") else line
                                                  for line in meta) + "\n", "utf-8")
    next_pack = SignaturePack.load(new_pack)

    # Baseline: the analysis alone, cache warm, no store.
    started = time.perf_counter()
    for folder in folders:
        analyze(Acquisition.open(folder), next_pack)
    baseline_s = time.perf_counter() - started

    shutil.rmtree(work / "cache" / "apk-features", ignore_errors=True)
    # Meanwhile another process records a scan every 50 ms, as the end of an acquisition would: how
    # long does it wait for the store while the rescan writes 1,000 scans?
    ctx = multiprocessing.get_context("spawn")
    stop, latencies = ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=_writer, args=(url, templates[0][1], stop, latencies))
    writer.start()
    started = time.perf_counter()
    report = rescan(store, next_pack, jobs=args.jobs)
    rescan_s = time.perf_counter() - started
    stop.set()
    writes = latencies.get(timeout=120)
    writer.join(timeout=60)
    store.close()

    figures = {
        "acquisitions": args.n, "jobs": args.jobs, "store": url.split(":", 1)[0], "setup_s": round(setup_s, 2),
        "baseline_analysis_only_s": round(baseline_s, 2), "rescan_all_s": round(rescan_s, 2),
        "ratio": round(rescan_s / baseline_s, 2), "per_acquisition_ms": round(1000 * rescan_s / args.n, 2),
        "checked": report.checked, "changed": len(report.changes), "apks_from_store": report.apks_from_store,
        "apks_read_again": report.apks_read_again,
        "concurrent_record_scan_ms": _write_figures(writes) if writes else None,
        "median_added": statistics.median(
            [len(c.added) for c in report.changes]) if report.changes else 0,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    shutil.rmtree(work, ignore_errors=True)
    ok = report.checked == args.n and report.apks_read_again == 0 and rescan_s <= 30 * args.n / 1000
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
