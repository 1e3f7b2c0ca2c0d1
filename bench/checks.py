"""Benchmark of the analysis of one acquisition (issue: Android checks).

A 300-package phone with a 50 MB dumpsys.txt and a 100 MB logcat.txt (the demo phone's outputs
repeated, plus random package names), analysed by every check. Baseline, in the same run: reading the
same text files line by line in Python and doing nothing else (the floor for any streaming check).
Peak traced memory shows that the text is streamed, not loaded.

    python bench/checks.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from inspector.acquisition import Acquisition
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack

DEMO = Path(__file__).resolve().parent.parent / "inspector" / "simulator" / "profiles" / "demo" / "commands"


def build(folder: Path) -> Acquisition:
    rng = random.Random(5)
    acq = Acquisition.create(folder, platform="android", tool_version="bench", signature_pack_version="bench")
    packages = [{"name": f"com.vendor{i:03d}.app{rng.randint(0, 9999)}", "files": [
        {"path": f"/data/app/x{i}/base.apk", "sha256": f"{rng.getrandbits(256):064x}"}], "installer": "null",
        "uid": 10000 + i, "system": i < 200, "third_party": i >= 200, "disabled": False, "uninstalled": False}
        for i in range(300)]
    acq.write_json("packages.json", packages)
    acq.write_json("files.json", [{"path": f"/sdcard/DCIM/IMG_{i:05d}.jpg", "size": 1000 + i, "type": "file",
                                   "modified_time": 1763400000 + i} for i in range(20_000)])
    dumpsys = "".join((DEMO / f"dumpsys_{s}.txt").read_text() for s in
                      ("package", "usagestats", "appops", "batterystats", "wifi", "adb"))
    logcat = (DEMO / "logcat_all.txt").read_text()
    for name, text, size in (("dumpsys.txt", dumpsys, 50 << 20), ("logcat.txt", logcat, 100 << 20)):
        block = text.encode()
        with acq.writer(name) as out:
            written = 0
            while written < size:
                out.write(block)
                written += len(block)
    for name in ("getprop.txt", "ps_A.txt"):
        acq.write_bytes("processes.txt" if name == "ps_A.txt" else name, (DEMO / name).read_bytes())
    acq.finish()
    return acq


def read_lines(acq: Acquisition) -> int:
    count = 0
    for name in ("dumpsys.txt", "logcat.txt"):
        with open(acq.artifact_path(name), "rb") as f:
            for _ in f:
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pack = SignaturePack.load()
    pack.indicators  # noqa: B018 - loaded once, as in a real run before the checks
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        acq = build(Path(tmp) / "acq")
        ours, floor = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            read_lines(acq)
            floor.append(time.perf_counter() - t)
            t = time.perf_counter()
            result = analyze(acq, pack)
            ours.append(time.perf_counter() - t)
        # memory in a run of its own: tracemalloc slows Python down several times
        tracemalloc.start()
        analyze(acq, pack)
        peaks = [tracemalloc.get_traced_memory()[1]]
        tracemalloc.stop()
        sizes = {n: acq.artifact_path(n).stat().st_size for n in ("dumpsys.txt", "logcat.txt")}
    print(json.dumps({"dumpsys_mb": sizes["dumpsys.txt"] / 1e6, "logcat_mb": sizes["logcat.txt"] / 1e6,
                      "packages": 300, "analyze_s": ours, "analyze_median_s": statistics.median(ours),
                      "baseline": "read both files line by line, nothing else",
                      "baseline_median_s": statistics.median(floor),
                      "ratio": statistics.median(ours) / statistics.median(floor),
                      "peak_traced_mb": max(peaks) / 1e6, "findings": len(result["findings"])}, indent=1))


if __name__ == "__main__":
    main()
