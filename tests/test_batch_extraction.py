"""The batch's one extraction line (``SharedExtraction``): real APKs through the real process pool,
handed in by several phone threads at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from inspector.analyze.apk import cache as apk_cache
from inspector.analyze.apk.features import file_sha256
from inspector.fleet.extraction import SharedExtraction

APKS = Path(__file__).parent / "fixtures" / "apks"
NAMES = ("org.demo.notes.apk", "org.demo.passwordsafe.apk", "org.demo.screenreader.apk", "bxaq_lookalike.apk")


@pytest.fixture
def apps(isolated_user_dirs) -> dict[str, Path]:
    return {file_sha256(APKS / name): APKS / name for name in NAMES}


def test_every_app_is_extracted_once_whoever_hands_it_in(apps) -> None:
    done: list[tuple[Path, bool]] = []
    lock = threading.Lock()

    def on_done(path: Path, record: dict, cached: bool) -> None:
        with lock:
            done.append((Path(path), cached))

    line = SharedExtraction(lambda: (None, ()), on_done)
    items = list(apps.items())
    # Six phones at once, each with an overlapping half of the apps.
    phones = [dict(items[i % 4: i % 4 + 2] or items[:2]) for i in range(6)]
    waited: list[bool] = []

    def phone(claims: dict[str, Path]) -> None:
        events = line.submit(claims)
        waited.append(all(e.wait(120) for e in events))

    threads = [threading.Thread(target=phone, args=(claims,)) for claims in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    line.close()
    assert waited == [True] * 6
    handed_in = {p for claims in phones for p in claims.values()}
    assert sorted(p for p, _ in done) == sorted(handed_in)  # each one once, none twice
    for sha in {s for claims in phones for s in claims}:
        assert apk_cache.load(sha) is not None


def test_an_app_that_cannot_be_read_does_not_hold_its_phone(apps, tmp_path: Path) -> None:
    broken = tmp_path / "broken.apk"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    records: dict[Path, dict] = {}
    line = SharedExtraction(lambda: (None, ()), lambda p, r, c: records.__setitem__(Path(p), r))
    sha, good = next(iter(apps.items()))
    events = line.submit({"0" * 64: broken, sha: good})
    assert all(e.wait(120) for e in events)
    line.close()
    assert records[broken].get("incomplete") or records[broken].get("errors")
    assert not records[good].get("incomplete")


def test_a_closed_line_takes_nothing_more(apps) -> None:
    line = SharedExtraction(lambda: (None, ()), lambda *a: None)
    line.close()
    with pytest.raises(RuntimeError):
        line.submit(dict(list(apps.items())[:1]))


def test_an_apk_that_runs_to_its_time_limit_does_not_hold_the_other_phones(apps, tmp_path: Path) -> None:
    """Phone 1 hands in an APK that takes its whole time limit; phone 2's app, handed in after, is
    extracted on a second line meanwhile and is done before the slow one is stopped."""
    from apk_builders import apk_with_dex, dex_bytes

    from inspector.analyze.apk.pool import Limits

    slow = apk_with_dex(tmp_path / "slow.apk", dex_bytes(["x" * 8], repeat=3_000_000))
    order: list[str] = []
    line = SharedExtraction(lambda: (None, ()), lambda p, r, c: order.append(Path(p).name),
                            limits=Limits(time_s=6))
    [slow_done] = line.submit({"5" * 64: slow})
    time.sleep(0.3)  # phone 1's wave is under way
    sha, good = next(iter(apps.items()))
    [good_done] = line.submit({sha: good})
    assert good_done.wait(60)
    assert not slow_done.is_set()  # still running towards its limit
    assert slow_done.wait(60)
    line.close()
    assert order == [good.name, "slow.apk"]
