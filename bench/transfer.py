"""Benchmarks of getting data off the phone (issue: foundation).

1. Pull throughput: inspector's transport (adb-shell, AndroidConnection.pull) versus Debian's `adb pull`,
   same file, same simulated phone, in the same run, alternating, median of N.
2. Bytes transferred by a second scan of an unchanged phone versus the first (APK cache by SHA-256).
3. Peak memory (max RSS of the `inspector scan` process) as APK count and size grow.

The simulated phone runs in its own process (`inspector simulate`), so the client's numbers are the
client's. Run from the repository root with the project installed:

    python bench/transfer.py [--runs 5] [--size-mb 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from android_profiles import App, android_phone  # noqa: E402  (tests/ helpers build the profile)

from inspector.acquire.android.connection import AndroidConnection  # noqa: E402

EXE = Path(sys.executable).parent / "inspector"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(profile_dir: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([str(EXE), "simulate", "--profile", str(profile_dir), "--port", str(port), "--no-auth"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"127.0.0.1:{port}"
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("simulator did not start")


def make_profile(base: Path, sizes_mb: list[int], name: str) -> Path:
    apps = []
    for i, size in enumerate(sizes_mb):
        data = os.urandom(size << 20)
        pkg = f"org.bench.app{i:03d}".encode()
        apps.append(App(pkg, (b"/data/app/~~b==/" + pkg + b"-1==/base.apk",), (data,), uid=10100 + i))
    demo = ROOT / "inspector" / "simulator" / "profiles" / "demo" / "commands"
    extra = {}
    # Realistic text outputs (dumpsys, logcat…) from the demo phone, so the fixed cost of a scan is real.
    import yaml

    for entry in yaml.safe_load((demo.parent / "commands.yaml").read_text()):
        argv = tuple(entry["argv"])
        if argv[:2] in (("pm", "list"), ("pm", "path")) or "stdout" not in entry:
            continue
        extra[argv] = (demo / entry["stdout"]).read_bytes()
    folder = base / name
    folder.mkdir()
    android_phone(folder, apps, {"/sdcard/DCIM/a.jpg": b"x" * 1000}, extra_commands=extra)
    return folder / "profile"


def bench_pull(profile: Path, size_mb: int, runs: int, env: dict, work: Path) -> dict:
    proc, address = start_simulator(profile, env)
    host, port = address.rsplit(":", 1)
    path = "/data/app/~~b==/org.bench.app000-1==/base.apk"
    adb_env = {**env, "ANDROID_ADB_SERVER_PORT": str(free_port()), "HOME": str(work / "adbhome")}
    (work / "adbhome").mkdir(exist_ok=True)
    ours, theirs = [], []
    try:
        subprocess.run(["adb", "connect", address], env=adb_env, capture_output=True, timeout=30, check=True)
        conn = AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=10)
        for _ in range(runs):
            target = work / "ours.bin"
            t = time.perf_counter()
            with open(target, "wb") as out:
                n = conn.pull(path.encode(), out)
            ours.append(n / (time.perf_counter() - t) / 1e6)
            target.unlink()
            target = work / "adb.bin"
            t = time.perf_counter()
            subprocess.run(["adb", "-s", address, "pull", path, str(target)], env=adb_env, capture_output=True,
                           timeout=300, check=True)
            theirs.append(target.stat().st_size / (time.perf_counter() - t) / 1e6)
            target.unlink()
        conn.close()
    finally:
        subprocess.run(["adb", "kill-server"], env=adb_env, capture_output=True, timeout=30)
        proc.terminate()
        proc.wait(10)
    return {"file_mb": size_mb, "runs": runs, "inspector_mb_s": ours, "adb_mb_s": theirs,
            "inspector_median": statistics.median(ours), "adb_median": statistics.median(theirs),
            "ratio": statistics.median(ours) / statistics.median(theirs)}


def timed_scan(address: str, out: Path, env: dict) -> tuple[int, float, int]:
    """Runs `inspector scan`; returns (exit code, seconds, peak RSS in KiB) of that process alone.

    The peak is VmHWM polled from /proc: ru_maxrss from wait4 would include the memory the child
    inherited from this (big) benchmark process at fork time."""
    t = time.perf_counter()
    proc = subprocess.Popen([str(EXE), "scan", "--tcp", address, "--out", str(out), "--no-store"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            break
        time.sleep(0.01)
    return proc.wait(), time.perf_counter() - t, peak


def bench_second_scan(profile: Path, env: dict, work: Path) -> dict:
    """In process, so that the simulated phone's own count of bytes sent is exact (headers included)."""
    from inspector.analyze.signatures import SignaturePack
    from inspector.pipeline import acquire_android
    from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone

    os.environ.update({k: v for k, v in env.items() if k.startswith("INSPECTOR_")})
    pack = SignaturePack.load()
    result = {}
    with SimulatedPhone(DeviceProfile.load(profile), auth=AuthPolicy(required=False)) as phone:
        host, port = phone.address.rsplit(":", 1)
        for label in ("first", "second"):
            before = phone.bytes_sent
            t = time.perf_counter()
            with AndroidConnection.connect_tcp(host, int(port)) as conn:
                acq, stats, lost = acquire_android(conn, work / f"scan-{label}", resume=False, operator=None,
                                                   pack=pack)
            result[label] = {"bytes_sent_by_phone": phone.bytes_sent - before, "seconds": time.perf_counter() - t,
                             "apks_pulled": stats.apks_pulled, "apks_from_cache": stats.apks_from_cache,
                             "complete": acq.complete and lost is None}
    result["ratio"] = result["second"]["bytes_sent_by_phone"] / result["first"]["bytes_sent_by_phone"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not shutil.which("adb"):
        sys.exit("Debian's adb is needed as the baseline: apt-get install adb")
    results = {}
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "INSPECTOR_CONFIG_DIR": str(work / "cfg"), "INSPECTOR_DATA_DIR": str(work / "data"),
               "INSPECTOR_CACHE_DIR": str(work / "cache")}
        pull_profile = make_profile(work, [args.size_mb], "pull")
        results["pull"] = bench_pull(pull_profile, args.size_mb, args.runs, env, work)
        print(json.dumps(results["pull"], indent=1), flush=True)

        scan_profile = make_profile(work, [1, 2, 3, 5, 8, 13, 21, 34, 55], "scan")  # 142 MiB of apps
        results["second_scan"] = bench_second_scan(scan_profile, env, work)
        print(json.dumps(results["second_scan"], indent=1), flush=True)

        memory = []
        for label, sizes in (("10 x 5 MiB", [5] * 10), ("10 x 40 MiB", [40] * 10), ("40 x 10 MiB", [10] * 40)):
            profile = make_profile(work, sizes, f"mem-{label.replace(' ', '')}")
            proc, address = start_simulator(profile, {**env, "INSPECTOR_CACHE_DIR": str(work / f"c-{label}")})
            try:
                code, seconds, rss = timed_scan(address, work / f"m-{label.replace(' ', '')}",
                                                {**env, "INSPECTOR_CACHE_DIR": str(work / f"c-{label}")})
            finally:
                proc.terminate()
                proc.wait(10)
            memory.append({"apps": label, "total_mb": sum(sizes), "exit": code, "seconds": seconds,
                           "max_rss_mb": rss / 1024})
            shutil.rmtree(profile.parent)
        results["memory"] = memory
        print(json.dumps(memory, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
