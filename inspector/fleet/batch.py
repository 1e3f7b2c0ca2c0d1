"""``inspector batch``: audit a bag of phones. Phones are acquired as they appear (USB through
adb-shell's USB listing, TCP addresses given by the operator), each by its own worker thread, while
the others go on; an app seen on several phones is analysed once (its features are extracted once
per SHA-256 for the whole batch, under a per-SHA lock); a phone unplugged half-way is marked
incomplete and the batch carries on; at the end, a fleet summary (``fleet.csv``, ``fleet.html``).

Like :mod:`inspector.pipeline`, this module strings the rooms together; the CLI only draws
:attr:`Batch.rows` (device, stage, verdict) while :meth:`Batch.run` works.
"""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.acquire.android import errors
from inspector.acquisition import Acquisition
from inspector.analyze.apk import cache as apk_cache
from inspector.analyze.signatures import SignaturePack
from inspector.fleet.extraction import SharedExtraction
from inspector.pipeline import Target, acquire_android, analyse_and_report, connect

# How often the batch looks for new phones (USB listing, TCP probes).
POLL_S = 1.0
# A TCP address that answers is a phone waiting to be acquired; the probe itself must be quick.
TCP_PROBE_TIMEOUT_S = 0.5
# Once the batch is stopped (Ctrl-C), how long the phones still being read get, all together, to end.
STOP_GRACE_S = 1.0

STAGES_DONE = ("done", "incomplete", "failed")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class DeviceRow:
    """One phone of the batch, as the live table and the summary show it."""

    key: str  # "tcp:HOST:PORT" or "usb:SERIAL"
    label: str
    number: int
    stage: str = "waiting"
    detail: str = ""
    model: str | None = None
    serial_sha256: str | None = None
    verdict: str | None = None
    complete: bool | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.stage in STAGES_DONE


@dataclass
class BatchOptions:
    out: Path
    tcp: list[str] = field(default_factory=list)
    usb: bool = False
    count: int | None = None  # stop once this many phones are finished
    db: str | None = None
    store: bool = True
    case: str | None = None
    operator: str | None = None
    formats: tuple[str, ...] = ("html", "json")
    lang: str = "en"
    auth_timeout_s: float = 120.0
    poll_s: float = POLL_S
    # Queue the apps' analysis in the store's job table, for `inspector worker`s on any workstation
    # sharing the store (and do jobs here too while waiting); needs the store.
    distributed: bool = False


@dataclass
class BatchSummary:
    rows: list[DeviceRow]
    apk_extractions: int  # APKs whose features were extracted during the batch
    unique_apks: int  # distinct APK SHA-256s seen on the phones
    apk_copies: int  # APK artifacts in all acquisitions together
    notes: list[str]
    csv_path: Path | None = None
    html_path: Path | None = None


class _RowReporter:
    """The collector's progress, turned into the row's stage text."""

    def __init__(self, row: DeviceRow, changed: Callable[[], None]) -> None:
        self.row, self.changed = row, changed
        self._total: int | None = None
        self._done = 0

    def stage(self, label: str, total: int | None = None, unit: str = "items") -> None:
        self.row.stage, self._total, self._done = "collecting", total, 0
        self.row.detail = label
        self.changed()

    def advance(self, amount: int = 1) -> None:
        self._done += amount

    def warn(self, text: str) -> None:
        self.row.detail = text[:120]
        self.changed()


class Batch:
    """One batch audit. :meth:`run` blocks until the batch is over (see :meth:`_finished`) or
    :meth:`stop` is called; :attr:`rows` may be read at any time (under :attr:`lock`)."""

    def __init__(self, options: BatchOptions, pack: SignaturePack,
                 on_change: Callable[[], None] | None = None) -> None:
        self.options = options
        self.pack = pack
        self.rows: dict[str, DeviceRow] = {}
        self.lock = threading.Lock()
        self.notes: list[str] = []
        self._on_change = on_change or (lambda: None)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._extraction = SharedExtraction(self._yara, self._extracted)  # each different app once
        self._shas_seen: set[str] = set()
        self._apk_copies = 0
        self._store = None
        self.apk_extractions = 0

    # --- finding phones --------------------------------------------------------------------------

    def _discover(self) -> list[tuple[str, str, Target]]:
        found = []
        for address in self.options.tcp:
            key = f"tcp:{address}"
            if key in self.rows:
                continue
            host, _, port = address.rpartition(":")
            try:
                socket.create_connection((host.strip("[]"), int(port)), timeout=TCP_PROBE_TIMEOUT_S).close()
            except (OSError, ValueError):
                continue
            found.append((key, address, Target(tcp=address)))
        if self.options.usb:
            from inspector.acquire.android.usb import list_phones

            try:
                phones = list_phones()
            except errors.DeviceError as exc:
                self.notes.append(f"USB: {exc}")
                self.options.usb = False
                phones = []
            for phone in phones:
                key = f"usb:{phone.serial}"
                if key not in self.rows and phone.serial != "?":
                    found.append((key, phone.serial, Target(serial=phone.serial)))
        return found

    # --- one phone -------------------------------------------------------------------------------

    def _changed(self) -> None:
        self._on_change()

    def _work(self, row: DeviceRow, target: Target) -> None:
        try:
            self._acquire_and_analyse(row, target)
        except errors.DeviceError as exc:
            row.stage, row.error = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - one phone's failure never stops the batch
            row.stage, row.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            row.finished = time.monotonic()
            self._changed()

    def _acquire_and_analyse(self, row: DeviceRow, target: Target) -> None:
        row.stage = "connecting"
        self._changed()

        def prompt() -> None:
            row.stage, row.detail = "connecting", "tap Allow on the phone"
            self._changed()

        folder = self.options.out / f"{row.number:02d}-{_SAFE.sub('_', row.label)[:60]}"
        with connect(target, on_auth_prompt=prompt, auth_timeout_s=self.options.auth_timeout_s) as conn:
            acq, _stats, lost = acquire_android(conn, folder, resume=False, operator=self.options.operator,
                                                pack=self.pack, reporter=_RowReporter(row, self._changed))
        row.path = str(acq.path)
        device = acq.manifest.get("device") or {}
        row.model, row.serial_sha256 = device.get("model"), device.get("serial_sha256")
        row.complete = acq.complete and lost is None
        if lost is not None:
            row.error = f"unplugged during collection: {lost}"
        row.stage, row.detail = "analysing", "apps"
        self._changed()
        self._features_once(acq)
        row.detail = "checks"
        self._changed()
        outcome = analyse_and_report(acq, self.pack, formats=self.options.formats, lang=self.options.lang,
                                     db=self.options.db, store=self.options.store, case=self.options.case,
                                     opened_store=self._opened_store())
        if outcome.store_error:
            self.notes.append(f"{row.label}: not recorded in the store: {outcome.store_error}")
        row.verdict = outcome.result["verdict"]
        row.findings = [f for f in outcome.result.get("findings") or [] if isinstance(f, dict)]
        row.stage = "done" if row.complete else "incomplete"
        row.detail = ""

    def _yara(self):
        """The pack's YARA rules and their folders, run while each APK's DEX is read once (without them,
        the phone's APK check would read every DEX a second time for YARA); (None, ()) when they cannot
        be loaded (the APK check reports that)."""
        from inspector.analyze.apk.yara_rules import YaraRulesError, pack_yara

        try:
            return pack_yara(self.pack)
        except YaraRulesError:
            return None, ()

    def _opened_store(self):
        """The batch's one store for recording its phones' scans (opened and migrated once, not once
        per phone); None when the store is off or cannot be opened (each scan then says why)."""
        if not self.options.store:
            return None
        try:
            return self._shared_store()
        except Exception:  # noqa: BLE001 - analyse_and_report opens it again and records the error
            return None

    def _shared_store(self):
        from inspector.store import Store

        with self.lock:
            if self._store is None:
                self._store = Store.open(self.options.db)
            return self._store

    def _features_once(self, acq: Acquisition) -> None:
        """Extract the features of every app of ``acq`` that no earlier phone had: one extraction per
        SHA-256 for the whole batch, even when two phones reach the same app at the same moment
        (distributed: one job per SHA-256 in the store's job table, done by any worker)."""
        apks = {}
        for name, record in sorted(acq.manifest.get("artifacts", {}).items()):
            sha = record.get("sha256")
            if name.startswith("apks/") and record.get("status") == "complete" and isinstance(sha, str):
                apks[sha] = acq.artifact_path(name)
        with self.lock:
            self._apk_copies += len(apks)
            self._shas_seen.update(apks)
        if self.options.distributed:
            from inspector.fleet.worker import features_through_jobs

            wanted = {sha: path for sha, path in apks.items() if apk_cache.load(sha) is None}
            if wanted:
                for record in features_through_jobs(self._shared_store(), wanted).values():
                    apk_cache.save(record)
            return
        # Each different app is extracted once, in the batch's one extraction line (the bounded process
        # pool: time limit, memory guard; a hostile APK becomes an error entry, never a stuck batch),
        # together with whatever other phones handed in meanwhile; each phone waits for its own apps.
        for done in self._extraction.submit(apks):
            done.wait()

    def _extracted(self, _path: Path, record: dict[str, Any], cached: bool) -> None:
        if not cached and not record.get("incomplete"):
            with self.lock:
                self.apk_extractions += 1

    # --- the batch -------------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    def _finished(self) -> bool:
        with self.lock:
            rows = list(self.rows.values())
        done = [r for r in rows if r.done]
        if self.options.count is not None:
            return len(done) >= self.options.count
        if self.options.usb:
            return False  # waits for more phones until stopped (Ctrl-C) or --count
        return len(done) == len(self.options.tcp)

    def run(self) -> BatchSummary:
        from inspector.acquire.android.keys import ensure_key

        self.options.out.mkdir(parents=True, exist_ok=True)
        # This computer's ADB key is made on first use, and not atomically: make it before several
        # workers connect at once, or one of them may read a half-written key file.
        ensure_key()
        while not self._stop.is_set() and not self._finished():
            for key, label, target in self._discover():
                with self.lock:
                    if self.options.count is not None and len(self.rows) >= self.options.count:
                        break
                    row = DeviceRow(key=key, label=label, number=len(self.rows) + 1)
                    self.rows[key] = row
                thread = threading.Thread(target=self._work, args=(row, target), name=f"batch-{label}", daemon=True)
                self._threads.append(thread)
                thread.start()
                self._changed()
            self._stop.wait(self.options.poll_s)
        grace_until = time.monotonic() + STOP_GRACE_S  # one grace period for all, not one per phone
        for thread in self._threads:
            thread.join(timeout=None if not self._stop.is_set() else max(0.0, grace_until - time.monotonic()))
        if all(not thread.is_alive() for thread in self._threads):
            self._extraction.close()
        with self.lock:
            rows = sorted(self.rows.values(), key=lambda r: r.number)
            for row in rows:
                if not row.done:
                    row.stage, row.error = "incomplete", row.error or "the batch was stopped"
            summary = BatchSummary(rows=rows, apk_extractions=self.apk_extractions, unique_apks=len(self._shas_seen),
                                   apk_copies=self._apk_copies, notes=list(self.notes))
        if self._store is not None:
            if self.options.distributed:
                from inspector.store.jobs import JobQueue

                done = {j.key for j in JobQueue(self._store).jobs() if j.status == "done"}
                summary.apk_extractions = len(done & self._shas_seen)
            self._store.close()
            self._store = None
        write_summary(summary, self.options.out, self.options.lang)
        return summary


# --- the fleet summary ---------------------------------------------------------------------------

CSV_COLUMNS = ("phone", "model", "serial_sha256", "verdict", "complete", "rule_id", "family", "severity",
               "subject", "acquisition", "error")


def fleet_table(rows: list[DeviceRow]) -> list[dict[str, Any]]:
    """Which implant (rule) on how many phones: one entry per rule id, most phones first."""
    by_rule: dict[str, dict[str, Any]] = {}
    for row in rows:
        for finding in row.findings:
            entry = by_rule.setdefault(finding.get("rule_id", ""), {
                "rule_id": finding.get("rule_id", ""), "family": finding.get("family", ""),
                "severity": finding.get("severity", ""), "phones": []})
            if row.label not in entry["phones"]:
                entry["phones"].append(row.label)
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    return sorted(by_rule.values(), key=lambda e: (order.get(e["severity"], 5), -len(e["phones"]), e["rule_id"]))


def summary_csv(rows: list[DeviceRow]) -> str:
    """One line per (phone, finding); a phone without findings has one line with empty finding columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        base = [row.label, row.model or "", row.serial_sha256 or "", row.verdict or "", _yes_no(row.complete)]
        tail = [row.path or "", row.error or ""]
        if not row.findings:
            writer.writerow(_csv_safe([*base, "", "", "", "", *tail]))
        for finding in row.findings:
            writer.writerow(_csv_safe([*base, finding.get("rule_id", ""), finding.get("family", ""),
                                       finding.get("severity", ""), str(finding.get("subject", "")), *tail]))
    return out.getvalue()


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _csv_safe(cells: list[Any]) -> list[str]:
    # Device text opened in a spreadsheet: a leading =, +, - or @ would be read as a formula.
    return ["'" + str(c) if str(c)[:1] in ("=", "+", "-", "@") else str(c) for c in cells]


def write_summary(summary: BatchSummary, folder: Path, lang: str = "en") -> None:
    from inspector.report.fleet import render_fleet_html

    summary.csv_path = folder / "fleet.csv"
    summary.csv_path.write_text(summary_csv(summary.rows), "utf-8")
    summary.html_path = folder / "fleet.html"
    summary.html_path.write_text(render_fleet_html(_summary_document(summary), lang), "utf-8")


def _summary_document(summary: BatchSummary) -> dict[str, Any]:
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "phones": [{"label": r.label, "model": r.model, "serial_sha256": r.serial_sha256, "verdict": r.verdict,
                    "complete": r.complete, "stage": r.stage, "error": r.error, "path": r.path,
                    "findings": [{k: f.get(k) for k in ("rule_id", "family", "severity", "subject")}
                                 for f in r.findings]} for r in summary.rows],
        "rules": fleet_table(summary.rows),
        "apks": {"copies": summary.apk_copies, "unique": summary.unique_apks, "extracted": summary.apk_extractions},
        "notes": summary.notes,
    }
