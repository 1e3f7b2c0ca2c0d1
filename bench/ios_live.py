"""Benchmark of the live iPhone quick scan (issue 5) against the fake iPhone (tests/fake_ios).

The fake usbmuxd + lockdownd run in their own process. Measured in the same run, alternating, median
of N:

1. inspector's quick scan (pipeline.acquire_ios: TLS session, device values, backup domain, apps,
   profiles, crash logs; every artifact written atomically and hashed).
2. Baseline: pymobiledevice3 alone reading the same things with its own high-level calls (get_value,
   installation_proxy browse, MCInstall profile list + cloud configuration, CrashReportsManager.pull
   into a folder) and writing nothing else.
3. The whole `inspector scan --ios` command (acquisition, analysis, HTML + JSON report), wall time.

Run from the repository root with the project installed:

    python bench/ios_live.py [--runs 5] [--apps 300] [--crash-logs 200] [--crash-kb 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "inspector"


def start_fake(socket_path: Path, args: argparse.Namespace) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "fake_ios", str(socket_path), "--apps", str(args.apps),
                             "--crash-logs", str(args.crash_logs), "--crash-kb", str(args.crash_kb)],
                            cwd=ROOT / "tests", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def inspector_quick_scan(out: Path) -> float:
    from inspector.analyze.signatures import SignaturePack
    from inspector.pipeline import acquire_ios

    pack = SignaturePack.load()  # loaded by the CLI before it connects; not part of the acquisition
    start = time.perf_counter()
    acq, _, lost = acquire_ios(None, out, resume=False, operator=None, pack=pack)
    elapsed = time.perf_counter() - start
    assert lost is None and acq.complete, acq.manifest
    return elapsed


def pymobiledevice3_baseline(out: Path) -> float:
    from pymobiledevice3.lockdown import create_using_usbmux
    from pymobiledevice3.services.crash_reports import CrashReportsManager
    from pymobiledevice3.services.installation_proxy import InstallationProxyService
    from pymobiledevice3.services.mobile_config import MobileConfigService

    async def run() -> None:
        lockdown = await create_using_usbmux(autopair=False, pairing_records_cache_folder=out / "pair")
        await lockdown.get_value()
        await lockdown.get_value(domain="com.apple.mobile.backup")
        async with InstallationProxyService(lockdown) as proxy:
            await proxy.browse({"ApplicationType": "Any"})
        async with MobileConfigService(lockdown) as config:
            await config.get_profile_list()
            await config.get_cloud_configuration()
        async with CrashReportsManager(lockdown) as crash:
            await crash.pull(str(out / "crash"), progress_bar=False)
        await lockdown.close()

    (out / "crash").mkdir(parents=True)
    start = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - start


def cli_scan(out: Path, env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(EXE), "scan", "--ios", "--out", str(out), "--no-store"], env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--apps", type=int, default=300)
    parser.add_argument("--crash-logs", type=int, default=200)
    parser.add_argument("--crash-kb", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ios-") as tmp:
        base = Path(tmp)
        for name in ("CONFIG", "DATA", "CACHE"):
            os.environ[f"INSPECTOR_{name}_DIR"] = str(base / name.lower())
        os.environ["USBMUXD_SOCKET_ADDRESS"] = str(base / "mux.sock")
        fake = start_fake(base / "mux.sock", args)
        try:
            ours, theirs, whole = [], [], []
            inspector_quick_scan(base / "warm-up")  # imports and the first pairing lookup, for both
            for run in range(args.runs):
                ours.append(inspector_quick_scan(base / f"ours{run}"))
                theirs.append(pymobiledevice3_baseline(base / f"theirs{run}"))
            for run in range(min(args.runs, 3)):
                whole.append(cli_scan(base / f"cli{run}", dict(os.environ)))
        finally:
            fake.terminate()
            fake.wait()
    size_mb = args.crash_logs * args.crash_kb / 1024
    print(f"fake iPhone: {args.apps + 4} apps, {args.crash_logs + 4} crash logs ({size_mb:.1f} MiB); "
          f"median of {args.runs}")
    print(f"inspector quick scan (acquisition only): {statistics.median(ours):.2f} s")
    print(f"pymobiledevice3 alone, same reads:       {statistics.median(theirs):.2f} s "
          f"(ratio {statistics.median(ours) / statistics.median(theirs):.2f}x)")
    print(f"inspector scan --ios (with analysis and report), median of {len(whole)}: {statistics.median(whole):.2f} s")


if __name__ == "__main__":
    main()
