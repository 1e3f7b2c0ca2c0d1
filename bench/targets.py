"""Benchmarks of the target-list check (issue: BXAQ target list).

1. Loading BXAQ's list (73,315 entries): inspector's compact binary versus a named baseline, parsing
   the published TSV into a dict of size -> set of MD5s, in the same run (median of N, and peak
   traced memory of each).
2. Size filtering of 100,000 file records on the host.
3. A simulated phone with 100,000 files on shared storage: the whole collection with fingerprints
   (no APKs), and how much of it is the on-device hashing of the candidates.

    python bench/targets.py [--files 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from android_profiles import android_phone  # noqa: E402

from inspector.acquire.android.connection import AndroidConnection  # noqa: E402
from inspector.analyze.signatures import SignaturePack  # noqa: E402
from inspector.analyze.targets import TargetList  # noqa: E402
from inspector.resources import signatures_dir  # noqa: E402

TSV = ROOT.parent / "shared" / "intel" / "bxaq-targets" / "targets.tsv"


def measure(fn, runs: int) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        gc.collect()
        tracemalloc.start()
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        del value
    return statistics.median(times), statistics.median(peaks)


def load_binary():
    folder = signatures_dir() / "target-lists"
    import yaml

    meta = yaml.safe_load((folder / "bxaq.yaml").read_text())
    return TargetList.load(folder / "bxaq.yaml", meta)


def load_tsv_baseline():
    index: dict[int, set[str]] = {}
    for line in TSV.read_text().splitlines():
        md5, size = line.split("\t")
        index.setdefault(int(size), set()).add(md5.lower())
    return index


def bench_load(runs: int) -> dict:
    ours_t, ours_m = measure(load_binary, runs)
    result = {"inspector_ms": ours_t * 1e3, "inspector_peak_mb": ours_m / 1e6}
    if TSV.exists():
        base_t, base_m = measure(load_tsv_baseline, runs)
        result.update(baseline="parse targets.tsv into dict[size, set[md5]]", baseline_ms=base_t * 1e3,
                      baseline_peak_mb=base_m / 1e6, time_ratio=ours_t / base_t, memory_ratio=ours_m / base_m)
    return result


def make_records(n: int, target: TargetList, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    listed = list(target.sizes)
    records = []
    for i in range(n):
        # ~1 % of files have a size that is on the list (photos and audio do collide by size)
        size = rng.choice(listed) if rng.random() < 0.01 else rng.randint(1, 8_000_000)
        records.append({"path": f"/sdcard/DCIM/{i // 1000:03d}/IMG_{i:06d}.jpg", "size": size, "type": "file"})
    return records


def bench_filter(n: int, runs: int) -> dict:
    pack = SignaturePack.load()
    records = make_records(n, pack.target_lists[0])
    roots, wanted = pack.md5_size_filter()

    def run():
        return [r for r in records if r["path"].startswith(roots) and wanted(r["size"])]

    seconds, _ = measure(run, runs)
    return {"records": n, "median_s": seconds, "candidates": len(run())}


def bench_phone(n: int, work: Path) -> dict:
    from inspector.acquire.android.collector import CollectOptions
    from inspector.pipeline import acquire_android
    from inspector.simulator import AuthPolicy, SimulatedPhone

    pack = SignaturePack.load()
    rng = random.Random(11)
    listed = [s for s in pack.target_lists[0].sizes if s < 64_000]  # small listed sizes keep the profile small
    sizes = [rng.choice(listed) if rng.random() < 0.01 else rng.randint(1, 4000) for _ in range(n)]
    t = time.perf_counter()
    profile, _ = android_phone(work, [], dirs=["/sdcard", "/data/local/tmp"])
    fs = profile.root / "fs" / "sdcard" / "DCIM"
    for i, size in enumerate(sizes):
        folder = fs / f"{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        with open(folder / f"IMG_{i:06d}.jpg", "wb") as f:
            f.truncate(size)
    build_s = time.perf_counter() - t
    stages: dict[str, float] = {}

    class Timer:
        current = None
        started = 0.0

        def stage(self, label, total=None, unit="items"):
            now = time.perf_counter()
            if self.current:
                stages[self.current] = now - self.started
            self.current, self.started = label, now

        def advance(self, amount=1):
            pass

        def warn(self, text):
            pass

    timer = Timer()
    with SimulatedPhone(profile, auth=AuthPolicy(required=False)) as phone:
        host, port = phone.address.rsplit(":", 1)
        t = time.perf_counter()
        with AndroidConnection.connect_tcp(host, int(port)) as conn:
            acq, _stats, _lost = acquire_android(conn, work / "acq", resume=False, operator=None, pack=pack,
                                                 reporter=timer, options=CollectOptions(pull_apks=False))
        timer.stage("end")
        total = time.perf_counter() - t
    doc = json.loads((work / "acq" / "file_hashes.json").read_text())
    return {"files": n, "profile_build_s": build_s, "total_s": total, "stages_s": stages,
            "candidates_hashed": doc["candidates"], "complete": acq.complete}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = {"load": bench_load(args.runs)}
    print(json.dumps(results["load"], indent=1), flush=True)
    results["filter"] = bench_filter(args.files, args.runs)
    print(json.dumps(results["filter"], indent=1), flush=True)
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        os.environ.update({"INSPECTOR_CONFIG_DIR": f"{tmp}/cfg", "INSPECTOR_CACHE_DIR": f"{tmp}/cache",
                           "INSPECTOR_DATA_DIR": f"{tmp}/data"})
        results["phone"] = bench_phone(args.files, Path(tmp))
    print(json.dumps(results["phone"], indent=1), flush=True)


if __name__ == "__main__":
    main()
