"""Lab-mode agent overhead: a local process doing 100k open()+close() calls, unhooked vs under the
agent of `inspector trace` (every call recorded; and with a path filter that matches none of them).
Target (issue 8): hooked ≤ 3× unhooked. The time is measured inside the program around its loop
(tests/lab_target.c `loop`), so starting the process and loading the agent are not counted.

    python bench/lab.py [--calls 100000] [--runs 5]

Prints the medians and the ratios; docs/performance.md has the results.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from lab_tools import build_target  # noqa: E402

from inspector.acquisition import Acquisition  # noqa: E402
from inspector.lab.device import FridaTarget, open_device  # noqa: E402
from inspector.lab.trace import TraceOptions, run_trace  # noqa: E402


def loop_seconds(output: str) -> float:
    for line in output.splitlines():
        if line.startswith("loop "):
            return float(line.split()[1])
    raise RuntimeError(f"no loop time in the program's output: {output!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        program = build_target(work)
        target_file = work / "file.txt"
        target_file.write_text("x")
        argv = [str(program), "loop", str(args.calls), str(target_file)]
        device = open_device(FridaTarget(local=True))
        results: dict[str, list[float]] = {"unhooked": [], "hooked, every call recorded": [],
                                           "hooked, path filter matching none": []}
        events = 0
        for run in range(args.runs):
            results["unhooked"].append(loop_seconds(subprocess.run(argv, capture_output=True, text=True,
                                                                   check=True).stdout))
            for label, paths in (("hooked, every call recorded", (str(target_file),)),
                                 ("hooked, path filter matching none", ("/nowhere/",))):
                acq = Acquisition.create(work / f"trace-{run}-{len(paths[0])}", platform="local",
                                         tool_version="bench", signature_pack_version="-")
                outcome = run_trace(device, FridaTarget(local=True), TraceOptions(target=argv, paths=paths), acq)
                if paths[0] == str(target_file):
                    events = outcome.events
                results[label].append(loop_seconds(acq.artifact_path("target-output.txt").read_text()))
    base = statistics.median(results["unhooked"])
    print(f"{args.calls:,} open()+close() calls, median of {args.runs} runs (events recorded per hooked run: "
          f"{events:,})")
    for label, values in results.items():
        median = statistics.median(values)
        print(f"  {label:36s} {median * 1000:8.1f} ms  {median / base:5.2f}× unhooked  "
              f"({', '.join(f'{v * 1000:.0f}' for v in values)} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
