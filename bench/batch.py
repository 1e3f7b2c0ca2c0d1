"""Benchmark of ``inspector batch`` (issue 7): a batch of 50 simulated phones against a batch of 10
(the baseline, measured in the same run), phones whose apps overlap 80%.

Each phone is the shipped ``clean`` phone under its own serial number: its 8 apps are the 80% every
phone shares, and it gets 2 apps of its own (the Notes fixture APK with a per-phone asset added, so
a different SHA-256), on loopback in this process. The batch acquires every phone, extracts each
different APK's features once, checks every phone and writes the fleet summary; the APK engine's
cache starts empty for each batch.

The phones are simulated twice (``--speed``):

* ``usb2``: phones that take the time real phones take (``inspector.simulator.USB2_PHONE``: 80 ms per
  command, 400 ms per ``pm``, 36 MB/s, each figure measured on real phones; sources in
  inspector/simulator/timing.py). This is the batch as a helpdesk sees it: the phones set the pace,
  and the batch must work on all of them at once for 50 phones to cost little more than 10.
* ``instant``: phones that answer at once, so that only the computer's own work is timed: what each
  phone costs the computer, whatever the phones' speed.

The figures: wall time of each batch (median of --runs), the batch process's CPU time, APK copies vs.
different APKs vs. APK feature extractions (must be equal to the different APKs), and the 50/10 time
ratio, for each speed.

    python bench/batch.py [--runs 3] [--small 10] [--large 50] [--speed usb2,instant,usb2x0.5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from as_installed import compile_bytecode

REPO = Path(__file__).resolve().parent.parent
NOTES_APK = REPO / "tests" / "fixtures" / "apks" / "org.demo.notes.apk"


def make_profile(root: Path, number: int) -> Path:
    from inspector.resources import simulator_profiles_dir

    folder = root / f"phone-{number:03d}"
    shutil.copytree(simulator_profiles_dir() / "clean", folder, symlinks=True)
    serial = f"BENCH{number:05d}"
    for name in ("profile.yaml", "commands/getprop.txt"):
        path = folder / name
        path.write_text(path.read_text().replace("33081JEHN09437", serial))
    commands = folder / "commands"
    listing, names, yaml_text = [], [], (folder / "commands.yaml").read_text()
    for letter in "ab":
        package = f"org.bench.p{number:03d}{letter}"
        apk_dir = f"/data/app/~~bench{number:03d}{letter}==/{package}-1"
        target = folder / "fs" / apk_dir.lstrip("/") / "base.apk"
        target.parent.mkdir(parents=True)
        shutil.copy(NOTES_APK, target)
        with zipfile.ZipFile(target, "a") as apk:  # its own app: another SHA-256, other features
            apk.writestr(f"assets/bench-{number}-{letter}.txt", f"phone {number} app {letter}\n" * 64)
        listing.append(f"package:{apk_dir}/base.apk={package} versionCode:1  installer=org.fdroid.fdroid "
                       f"uid:{11000 + 2 * number + (letter == 'b')}\n")
        names.append(f"package:{package}\n")
        yaml_text += f"- argv: [pm, path, {package}, --user, '0']\n  text: \"package:{apk_dir}/base.apk\\n\"\n"
    with open(commands / "pm_list_packages_all.txt", "a") as f:
        f.writelines(listing)
    for name in ("pm_list_packages.txt", "pm_list_packages_3.txt"):
        with open(commands / name, "a") as f:
            f.writelines(names)
    (folder / "commands.yaml").write_text(yaml_text)
    return folder


SPEEDS = ("usb2", "instant")


def phone_timing(speed: str):
    """``instant`` → None; ``usb2`` → USB2_PHONE; ``usb2xF`` → USB2_PHONE with every time multiplied by F
    (``usb2x0.5``: phones twice as fast, to see how the ratio depends on the phones' speed)."""
    from inspector.simulator import USB2_PHONE, DeviceTiming

    if speed == "instant":
        return None
    if speed == "usb2":
        return USB2_PHONE
    if not speed.startswith("usb2x"):
        raise ValueError(speed)
    factor = float(speed.removeprefix("usb2x"))
    if not factor > 0:
        raise ValueError(speed)
    return DeviceTiming(command_s=USB2_PHONE.command_s * factor,
                        program_s={k: v * factor for k, v in USB2_PHONE.program_s.items()},
                        link_bytes_per_s=USB2_PHONE.link_bytes_per_s / factor)


def _phone_farm(profiles: list[str], speed: str, addresses, stop) -> None:
    """The simulated phones, in their own process (as real phones are other devices): they do not
    compete with the batch for its interpreter lock."""
    from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone

    timing = phone_timing(speed)
    phones = [SimulatedPhone(DeviceProfile.load(Path(p)), auth=AuthPolicy(required=False), timing=timing).start()
              for p in profiles]
    addresses.put([phone.address for phone in phones])
    stop.wait()
    for phone in phones:
        phone.stop()


def run_batch(profiles: list[Path], work: Path, label: str, speed: str = "instant") -> dict:
    import multiprocessing

    from inspector.analyze.signatures import SignaturePack
    from inspector.fleet.batch import Batch, BatchOptions

    shutil.rmtree(work / "cache", ignore_errors=True)
    ctx = multiprocessing.get_context("spawn")
    addresses, stop = ctx.Queue(), ctx.Event()
    farm = ctx.Process(target=_phone_farm, args=([str(p) for p in profiles], speed, addresses, stop), daemon=True)
    farm.start()
    try:
        tcp = addresses.get(timeout=300)
        options = BatchOptions(out=work / label, tcp=tcp, db=f"sqlite:///{work / label}.db", formats=("json",),
                               poll_s=0.05)
        started, cpu = time.perf_counter(), time.process_time()
        summary = Batch(options, SignaturePack.load()).run()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        stop.set()
        farm.join(timeout=60)
    shutil.rmtree(work / label, ignore_errors=True)
    stages = sorted({r.stage for r in summary.rows})
    return {"phones": len(profiles), "seconds": elapsed, "cpu_seconds": cpu, "apk_copies": summary.apk_copies,
            "different_apks": summary.unique_apks, "apk_extractions": summary.apk_extractions, "stages": stages}


def _figures(runs: list[dict]) -> dict:
    return {**runs[-1], "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
            "seconds_all": [round(r["seconds"], 2) for r in runs],
            "cpu_seconds_median": round(statistics.median(r["cpu_seconds"] for r in runs), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=50)
    parser.add_argument("--speed", default=",".join(SPEEDS),
                        help="comma-separated, from: " + ", ".join(SPEEDS) + ", usb2xF (usb2 times F)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    speeds = [s.strip() for s in args.speed.split(",") if s.strip()]
    try:
        if not speeds:
            raise ValueError("")
        for speed in speeds:
            phone_timing(speed)
    except ValueError:
        parser.error(f"--speed takes {', '.join(SPEEDS)} or usb2xF with F > 0")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    for var in ("CONFIG", "DATA", "CACHE"):
        os.environ[f"INSPECTOR_{var}_DIR"] = str(work / var.lower())
    compile_bytecode()
    profiles = [make_profile(work / "profiles", n) for n in range(args.large)]
    figures, every_run = {}, []
    for speed in speeds:
        small, large = [], []
        for run in range(args.runs):  # alternating, so that machine noise hits both alike
            small.append(run_batch(profiles[: args.small], work, f"{speed}-small-{run}", speed))
            large.append(run_batch(profiles, work, f"{speed}-large-{run}", speed))
        every_run += small + large
        result = {"small": _figures(small), "large": _figures(large)}
        result["ratio"] = round(result["large"]["seconds_median"] / result["small"]["seconds_median"], 2)
        # What one more phone costs: the difference between the batches, per phone of difference.
        extra = args.large - args.small
        result["marginal_per_phone_ms"] = {
            kind: round(1000 * (result["large"][key] - result["small"][key]) / extra)
            for kind, key in (("wall", "seconds_median"), ("cpu", "cpu_seconds_median"))}
        figures[speed] = result
        print(json.dumps({speed: result}, indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    ok = all(r["apk_extractions"] == r["different_apks"] and r["stages"] == ["done"] for r in every_run)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
