"""Benchmark of the APK engine (issue 3): the tiered engine against androguard's full ``AnalyzeAPK``,
same APKs, same run.

Inputs (fetched once into ~/.cache/inspector-bench; the benchmark may use the network, a scan never
does): Appium's UiAutomator2 server (18 MB) and Settings (3 MB) APKs from the npm registry, Debian's
androguard examples (332 APKs, among them the 11 MB tvleanback app), and the shared corpus
(../shared/corpus/apks, 324 APKs).

Measured:
1. per large app (≥ 1 MB): tiered feature extraction (median of --runs, cold: no cache) vs ``AnalyzeAPK``
   (median of --baseline-runs, each in a fresh process), the ratio, peak RSS of each; the whole
   ``inspector check APP --deep none`` process, cold (new process, empty cache), vs ``AnalyzeAPK`` on
   the same app; the verdicts of the tiered engine and of ``--deep`` (every rule/severity equal);
2. the corpus (shared + Debian examples, 650+ APKs): ``inspector check`` on all of them, cold and warm
   (features cached), APKs/s and peak RSS of the process tree; then ``--deep all`` (AnalyzeAPK on every
   APK) with the same verdict comparison;
3. loading the whole pack (rules, every STIX2 bundle, Echap, YARA) in a fresh process.

    python bench/apk.py [--runs 5] [--baseline-runs 3] [--json docs/bench-apk.json] [--skip-deep-corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from as_installed import compile_bytecode

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "apks"
CACHE = Path(os.environ.get("INSPECTOR_BENCH_CACHE", Path.home() / ".cache" / "inspector-bench"))
EXE = Path(sys.executable).parent / "inspector"
NPM = ("appium-uiautomator2-server@10.6.6", "io.appium.settings@8.0.10")


def fetch() -> tuple[list[Path], list[Path]]:
    """(large apps, corpus APKs)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    npm_dir, deb_dir = CACHE / "npm", CACHE / "androguard-deb"
    if not npm_dir.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=CACHE))
        subprocess.run(["npm", "pack", *NPM], cwd=tmp, check=True, capture_output=True)
        for tgz in tmp.glob("*.tgz"):
            with tarfile.open(tgz) as tar:
                tar.extractall(tmp / tgz.stem, filter="data")
        tmp.rename(npm_dir)
    if not deb_dir.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=CACHE))
        subprocess.run(["apt-get", "download", "androguard"], cwd=tmp, check=True, capture_output=True)
        deb = next(tmp.glob("androguard_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp / "x")], check=True)
        tmp.rename(deb_dir)
    examples = deb_dir / "x" / "usr" / "share" / "doc" / "androguard" / "examples"
    tv = examples / "tests" / "com.example.android.tvleanback.apk"
    large = sorted(p for p in [*npm_dir.rglob("*.apk"), tv] if p.stat().st_size >= 1 << 20)
    shared = sorted(SHARED_CORPUS.rglob("*.apk")) if SHARED_CORPUS.is_dir() else []
    corpus = sorted(examples.rglob("*.apk")) + shared
    return large, corpus


def _tree(root: int) -> list[int]:
    """The pids of ``root`` and all its descendants (from /proc/<pid>/task/<tid>/children)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def _sample(pid: int) -> tuple[int, int, float]:
    """(RSS, PSS in bytes, user + system CPU seconds) of one process, zeros if it is gone. PSS shares the
    pages that forked workers have in common among them, so the tree's sum is not counted twice."""
    try:
        rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        pss = next((int(line.split()[1]) * 1024 for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                    if line.startswith("Pss:")), rss)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return rss, pss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0, 0, 0.0


def timed_child(args: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess, dict]:
    """Wall time, CPU time, result and memory of a fresh process and all the processes it starts (the
    pool's fork server and workers included): the tree is sampled every 20 ms from /proc, so the CPU
    of every process is counted even when nobody waits for it. CPU time is what the ratios use: on these
    shared, noisy 2-core machines wall time also measures the neighbours."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    cpu: dict[int, float] = {}
    peak_one = peak_tree = 0
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),
               threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)]
    for reader in readers:
        reader.start()
    own_cpu = None
    while own_cpu is None:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # the child's own rusage, exactly
        if pid:
            own_cpu = usage.ru_utime + usage.ru_stime
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        tree = 0
        for pid in _tree(proc.pid):
            rss, pss, seconds = _sample(pid)
            tree += pss
            peak_one = max(peak_one, rss)
            if seconds:
                cpu[pid] = max(cpu.get(pid, 0.0), seconds)
        peak_tree = max(peak_tree, tree)
        time.sleep(0.02)
    for reader in readers:
        reader.join()
    wall = time.perf_counter() - started
    # The direct child's own CPU is exact (wait4); its descendants' is what sampling saw.
    total_cpu = own_cpu + sum(v for pid, v in cpu.items() if pid != proc.pid)
    result = subprocess.CompletedProcess(args, proc.returncode, "".join(out_chunks), "".join(err_chunks)[-2000:])
    return wall, total_cpu, result, {"peak_process_rss_mb": round(peak_one / 2**20),
                                     "peak_tree_pss_mb": round(peak_tree / 2**20)}


# AnalyzeAPK alone (its call, after imports) and the tiered extraction alone, CPU time, in fresh processes.
ANALYZE = ("import sys,time,resource\nfrom inspector.analyze.apk.androguard_setup import prepare_androguard\n"
           "prepare_androguard()\nfrom androguard.misc import AnalyzeAPK\nt=time.process_time()\n"
           "AnalyzeAPK(sys.argv[1])\n"
           "print(time.process_time()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)")
ANALYZE_PROCESS = ("import sys\nfrom inspector.analyze.apk.androguard_setup import prepare_androguard\n"
                   "prepare_androguard()\n"
                   "from androguard.misc import AnalyzeAPK\nAnalyzeAPK(sys.argv[1])")
TIERED = ("import sys,time,resource,statistics\nfrom inspector.analyze.apk.features import extract\n"
          "from inspector.analyze.apk.yara_rules import load_yara\nfrom inspector.resources import signatures_dir\n"
          "y=load_yara(signatures_dir()/'iocs')\nts=[]\n"
          "for _ in range(int(sys.argv[2])):\n"
          "    t=time.process_time();extract(sys.argv[1],yara=y);ts.append(time.process_time()-t)\n"
          "print(statistics.median(ts), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)")


def verdicts(entries: list[dict]) -> dict[str, list[tuple[str, str]]]:
    return {Path(e["path"]).name + ":" + (e["sha256"] or ""):
            sorted((m["rule_id"], m["severity"]) for m in e["matches"]) for e in entries}


def check_json(folder_or_apk: Path, cache_dir: Path, *extra: str) -> tuple[float, float, dict, dict]:
    wall, cpu, out, peak = timed_child([str(EXE), "check", str(folder_or_apk), "--json", *extra],
                                       env={"INSPECTOR_CACHE_DIR": str(cache_dir)})
    if out.returncode not in (0, 1, 2) or not out.stdout.strip():
        raise SystemExit(f"inspector check failed: {out.stderr}")
    return wall, cpu, json.loads(out.stdout), peak


def _run(code: str, *args: str) -> list[float]:
    return list(map(float, subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                          check=True).stdout.split()))


def bench_large(large: list[Path], runs: int, baseline_runs: int) -> list[dict]:
    rows = []
    for apk in large:
        tiered, tiered_peak = _run(TIERED, str(apk), str(runs))
        base = [_run(ANALYZE, str(apk)) for _ in range(baseline_runs)]
        analyze_s = statistics.median(b[0] for b in base)
        base_process = [timed_child([sys.executable, "-c", ANALYZE_PROCESS, str(apk)])[1]
                        for _ in range(baseline_runs)]
        colds = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as cache:
                colds.append(check_json(apk, Path(cache), "--deep", "none")[:2])
        with tempfile.TemporaryDirectory() as cache:
            fast = check_json(apk, Path(cache), "--deep", "none")[2]
            deep = check_json(apk, Path(cache), "--deep", "all")[2]
        cold_cpu = statistics.median(c[1] for c in colds)
        rows.append({"apk": apk.name, "mb": round(apk.stat().st_size / 2**20, 1),
                     "tiered_cpu_s": round(tiered, 4), "tiered_peak_mb": round(tiered_peak),
                     "analyzeapk_cpu_s": round(analyze_s, 2), "analyzeapk_peak_mb": round(max(b[1] for b in base)),
                     "ratio_per_apk": round(analyze_s / tiered, 1),
                     "inspector_check_cold_cpu_s": round(cold_cpu, 3),
                     "inspector_check_cold_wall_s": round(statistics.median(c[0] for c in colds), 3),
                     "ratio_whole_process_vs_analyzeapk_call": round(analyze_s / cold_cpu, 1),
                     "analyzeapk_process_cpu_s": round(statistics.median(base_process), 2),
                     "ratio_whole_process_vs_analyzeapk_process": round(statistics.median(base_process) / cold_cpu, 1),
                     "same_verdicts_as_deep": verdicts(fast["apks"]) == verdicts(deep["apks"]),
                     "verdict": [m["rule_id"] for e in fast["apks"] for m in e["matches"]] or "no match"})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def bench_corpus(corpus: list[Path], deep: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        flat = Path(tmp) / "apks"
        flat.mkdir()
        for i, apk in enumerate(corpus):  # one folder (inspector check DIR is not recursive); names can repeat
            os.symlink(apk, flat / f"{i:04d}-{apk.name}")
        cache = Path(tmp) / "cache"
        cold_s, cold_cpu, cold, cold_peak = check_json(flat, cache, "--deep", "none")
        warm_s, warm_cpu, warm, warm_peak = check_json(flat, cache, "--deep", "none")
        out = {"apks": len(corpus), "cold_wall_s": round(cold_s, 2), "cold_cpu_s": round(cold_cpu, 2),
               "cold_apks_per_s": round(len(corpus) / cold_s, 1), "cold_memory": cold_peak,
               "warm_wall_s": round(warm_s, 2), "warm_cpu_s": round(warm_cpu, 2), "warm_memory": warm_peak,
               "high_or_critical": sum(1 for e in cold["apks"] for m in e["matches"]
                                       if m["severity"] in ("critical", "high")),
               "needs_review": sum(1 for e in cold["apks"] for m in e["matches"]
                                   if m["severity"] not in ("critical", "high")),
               "unreadable": sum(1 for e in cold["apks"] if e["unreadable"]),
               "warm_same_as_cold": verdicts(cold["apks"]) == verdicts(warm["apks"])}
        if deep:
            deep_s, deep_cpu, deep_doc, deep_peak = check_json(flat, Path(tmp) / "cache-deep", "--deep", "all",
                                                                "--time-limit", "600")
            analyzed = [e for e in deep_doc["apks"] if (e.get("deep") or {}).get("engine")]
            deep_verdicts = verdicts(deep_doc["apks"])
            out.update({"deep_all_wall_s": round(deep_s, 1), "deep_all_cpu_s": round(deep_cpu, 1),
                        "deep_all_memory": deep_peak, "deep_analyzed": len(analyzed),
                        "analyzeapk_sum_s": round(sum(e["deep"]["seconds"] for e in analyzed), 1),
                        "deep_failed": [Path(e["path"]).name for e in deep_doc["apks"]
                                        if (e.get("deep") or {}).get("error")],
                        "ratio_corpus_deep_vs_tiered_cpu": round(deep_cpu / cold_cpu, 1),
                        "same_verdicts_as_deep": sum(1 for k, v in verdicts(cold["apks"]).items()
                                                     if deep_verdicts.get(k) == v)})
    print(json.dumps(out), flush=True)
    return out


def bench_pack_load(runs: int) -> dict:
    code = ("import time;t=time.perf_counter();from inspector.analyze.signatures import SignaturePack;"
            "from inspector.analyze.apk.checker import ApkChecker;p=SignaturePack.load();c=ApkChecker.for_pack(p);"
            "print(time.perf_counter()-t, sum(p.indicators.counts().values()), len(c.rules))")
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                   .stdout.split()[0]) for _ in range(runs)]
    out = {"pack_load_s_median": round(statistics.median(times), 3), "runs": runs}
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--skip-deep-corpus", action="store_true", help="skip --deep all over the corpus (minutes)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", choices=("pack", "large", "corpus"), help="run one part")
    args = parser.parse_args()
    if not shutil.which("inspector", path=str(EXE.parent)):
        raise SystemExit(f"{EXE} not found: install inspector in this Python first")
    large, corpus = fetch()
    compile_bytecode()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if args.only in (None, "pack"):
        results["pack"] = bench_pack_load(args.runs)
    if args.only in (None, "large"):
        results["large"] = bench_large(large, args.runs, args.baseline_runs)
    if args.only in (None, "corpus"):
        results["corpus"] = bench_corpus(corpus, deep=not args.skip_deep_corpus)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
