"""Distributed work through the store's job table: three real `inspector worker` processes at once on
the real APK fixtures, against SQLite and a real PostgreSQL server (SELECT … FOR UPDATE SKIP LOCKED);
a worker killed with SIGKILL in the middle of a job (its job is taken again after the lease); a job
finished too late writes nothing; a batch of four simulated phones whose apps go through the jobs."""

# ruff: noqa: F811 - pytest fixtures imported from tests/postgres.py are used as parameter names

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from inspector.analyze.apk.features import file_sha256
from inspector.analyze.signatures import SignaturePack
from inspector.fleet.batch import Batch, BatchOptions
from inspector.fleet.worker import Worker
from inspector.store import Store
from inspector.store.jobs import APK_FEATURES, JobQueue
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 - fixtures
from test_batch import _phones

REPO = Path(__file__).resolve().parent.parent
FIXTURE_APKS = sorted((REPO / "tests" / "fixtures" / "apks").glob("*.apk"))
EXE = Path(sys.executable).parent / "inspector"


def _env(isolated_user_dirs: Path, url: str) -> dict[str, str]:
    env = {**os.environ, "INSPECTOR_DB": url}
    for var in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{var}_DIR"] = str(isolated_user_dirs / var.lower())
    return env


def _enqueue_fixtures(store: Store) -> dict[str, Path]:
    apks = {file_sha256(path): path for path in FIXTURE_APKS}
    queue = JobQueue(store)
    for sha, path in apks.items():
        assert queue.enqueue(APK_FEATURES, sha, {"path": str(path)})
        assert not queue.enqueue(APK_FEATURES, sha, {"path": str(path)})  # once per SHA-256
    return apks


def test_three_workers_do_every_job_once(store_url: str, isolated_user_dirs: Path) -> None:
    with Store.open(store_url) as store:
        apks = _enqueue_fixtures(store)
    assert len(apks) >= 20
    env = _env(isolated_user_dirs, store_url)
    workers = [subprocess.Popen([str(EXE), "worker", "--exit-when-idle"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(3)]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    done_lines = [line for out in outputs for line in out.splitlines() if line.startswith("done job")]
    assert len(done_lines) == len(apks)  # nothing lost, nothing done twice
    assert sum(1 for out in outputs if "done job" in out) >= 2  # the work was shared
    with Store.open(store_url) as store:
        jobs = JobQueue(store).jobs()
        assert len(jobs) == len(apks)
        assert {(j.status, j.attempts) for j in jobs} == {("done", 1)}
        features = store.apk_features(list(apks))
        assert set(features) == set(apks)
        assert features[file_sha256(REPO / "tests/fixtures/apks/org.demo.notes.apk")]["package"] == "org.demo.notes"


def test_a_killed_worker_s_job_is_done_again(store_url: str, isolated_user_dirs: Path) -> None:
    with Store.open(store_url) as store:
        queue = JobQueue(store)
        sha = file_sha256(FIXTURE_APKS[0])
        queue.enqueue(APK_FEATURES, sha, {"path": str(FIXTURE_APKS[0])})
    # A worker process that claims the job with a 1 s lease and is killed (SIGKILL) while it works.
    claimer = (
        "import sys, time\n"
        "from inspector.store import Store\n"
        "from inspector.store.jobs import JobQueue\n"
        "store = Store.open(sys.argv[1])\n"
        "job = JobQueue(store, name='doomed', lease_s=1).claim()\n"
        "print(job.id, flush=True)\n"
        "time.sleep(600)\n")
    doomed = subprocess.Popen([sys.executable, "-c", claimer, store_url], env=_env(isolated_user_dirs, store_url),
                              stdout=subprocess.PIPE, text=True)
    assert doomed.stdout.readline().strip().isdigit()
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    with Store.open(store_url) as store:
        (job,) = JobQueue(store).jobs()
        assert (job.status, job.worker, job.attempts) == ("running", "doomed", 1)
        assert Worker(store).run_one() is False  # its lease has not run out yet
        time.sleep(1.2)
        stats = Worker(store, name="rescuer").run(exit_when_idle=True, poll_s=0.1)
        assert (stats.done, stats.failed) == (1, 0)
        (job,) = JobQueue(store).jobs()
        assert (job.status, job.worker, job.attempts) == ("done", "rescuer", 2)
        assert list(store.apk_features([sha])) == [sha]


def test_a_job_finished_too_late_writes_nothing(store_url: str) -> None:
    with Store.open(store_url) as store:
        sha = file_sha256(FIXTURE_APKS[1])
        JobQueue(store).enqueue(APK_FEATURES, sha, {"path": str(FIXTURE_APKS[1])})
        slow = JobQueue(store, name="slow", lease_s=0.2)
        first = slow.claim()
        time.sleep(0.4)
        fast = JobQueue(store, name="fast")
        second = fast.claim()
        assert second is not None and second.id == first.id and second.attempt == 2
        assert slow.complete(first, {"sha256": sha, "features_version": 1, "package": "late"}) is False
        assert store.apk_features([sha]) == {}
        assert fast.complete(second, {"sha256": sha, "features_version": 1, "package": "on time"}) is True
        assert store.apk_features([sha])[sha]["package"] == "on time"


def test_bad_jobs_fail_with_a_reason(store_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.apk"
    other.write_bytes(b"not the APK the job names")
    with Store.open(store_url) as store:
        queue = JobQueue(store)
        queue.enqueue(APK_FEATURES, "e" * 64, {"path": str(tmp_path / "missing.apk")})
        queue.enqueue(APK_FEATURES, "f" * 64, {"path": str(other)})
        stats = Worker(store).run(exit_when_idle=True, poll_s=0.1)
        assert (stats.done, stats.failed) == (0, 2)
        errors = {j.key[:1]: (j.status, j.error) for j in queue.jobs()}
        assert errors["e"][0] == "failed" and "cannot be read" in errors["e"][1]
        assert errors["f"][0] == "failed" and "SHA-256 differs" in errors["f"][1]


def test_distributed_batch_with_three_outside_workers(store_url: str, tmp_path: Path,
                                                      isolated_user_dirs: Path) -> None:
    """Four phones acquired at once, their apps analysed by three `inspector worker` processes (and
    the batch itself): every app once, nothing lost, nothing done twice."""
    env = _env(isolated_user_dirs, store_url)
    Store.open(store_url).close()
    helpers = [subprocess.Popen([str(EXE), "worker", "--lease", "30"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(3)]
    phones = _phones(tmp_path, unplugged=False)
    try:
        options = BatchOptions(out=tmp_path / "batch", tcp=[p.address for p in phones], db=store_url,
                               formats=("json",), poll_s=0.1, distributed=True)
        summary = Batch(options, SignaturePack.load()).run()
    finally:
        for phone in phones:
            phone.stop()
        for helper in helpers:
            helper.send_signal(signal.SIGINT)
        outputs = [helper.communicate(timeout=60)[0] for helper in helpers]
    assert [r.stage for r in summary.rows] == ["done"] * 4
    assert sorted(r.verdict for r in summary.rows) == ["implant_found", "implant_found", "nothing_found",
                                                       "nothing_found"]
    with Store.open(store_url) as store:
        jobs = JobQueue(store).jobs()
        assert len(jobs) == summary.unique_apks < summary.apk_copies  # one job per different app
        assert {(j.status, j.attempts) for j in jobs} == {("done", 1)}  # each claimed once, none lost
        assert set(store.apk_features([j.key for j in jobs])) == {j.key for j in jobs}
    assert all("Worker " in out for out in outputs)
    done_by_workers = sum(out.count("done job") for out in outputs)
    assert done_by_workers <= len(jobs)


def test_a_worker_loads_the_pack_again_only_when_a_file_of_it_changed(tmp_path: Path, isolated_user_dirs: Path,
                                                                      monkeypatch) -> None:
    import shutil

    from inspector.fleet import worker
    from inspector.resources import signatures_dir

    pack = tmp_path / "pack"
    shutil.copytree(signatures_dir(), pack)
    monkeypatch.setenv("INSPECTOR_SIGNATURES_DIR", str(pack))
    first = worker._local_yara()
    assert worker._local_yara() is first  # nothing changed: the same rules, not loaded again
    rules_file = pack / "iocs" / "echap" / "rules.yar"
    rules_file.write_text(rules_file.read_text() + '\nrule added_later { strings: $a = "added-later" condition: $a }\n')
    second = worker._local_yara()
    assert second is not first and "added_later" in {r.identifier for r in second[0].compiled}
    assert "added_later" not in {r.identifier for r in first[0].compiled}
