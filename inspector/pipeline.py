"""The scan from end to end: acquire → analyse → store → report. The CLI calls these; so can Python.

Each room stays in its own package; this module is the only place that strings them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import inspector
from inspector.acquire.android import errors
from inspector.acquire.android.collector import AndroidCollector, CollectOptions, CollectStats, Reporter
from inspector.acquire.android.connection import DEFAULT_AUTH_TIMEOUT_S, AndroidConnection
from inspector.acquisition import Acquisition, AcquisitionError
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack


@dataclass
class Target:
    """Where the phone is: USB (optionally a serial), TCP host:port, or the built-in demo phone."""

    tcp: str | None = None
    serial: str | None = None
    demo: bool = False


@dataclass
class ScanOutcome:
    result: dict[str, Any]
    acquisition: Acquisition
    stats: CollectStats | None = None
    disconnected: errors.DeviceError | None = None
    report_paths: dict[str, Path] = field(default_factory=dict)
    scan_id: int | None = None
    store_error: str | None = None


def parse_hostport(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise errors.DeviceError(f"{text!r} is not HOST:PORT", hint="Write it like 192.168.1.20:5555.")
    return host.strip("[]"), int(port)


def _scanner_public_key() -> str | None:
    from inspector.acquire.android.keys import key_path

    try:
        return key_path().with_suffix(".pub").read_text("utf-8").strip()
    except OSError:
        return None


def is_demo_acquisition(folder: Path) -> bool:
    try:
        return bool(Acquisition.open(folder).manifest.get("demo"))
    except AcquisitionError:  # an unreadable folder is reported by whoever opens it for real
        return False


@contextmanager
def demo_phone() -> Iterator[str]:
    """The simulated phone of the demo, on loopback, for the length of one scan."""
    from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone

    # A new key is "allowed" after a short pause, as a person would tap Allow on a real phone. Scans of
    # it load the signature pack with the demo entries (SignaturePack.load(include_demo=True)).
    with SimulatedPhone(DeviceProfile.demo(), auth=AuthPolicy(on_new_key="allow", allow_delay_s=1.0)) as phone:
        yield phone.address


def connect(target: Target, on_auth_prompt: Callable[[], None] | None,
            auth_timeout_s: float = DEFAULT_AUTH_TIMEOUT_S) -> AndroidConnection:
    if target.tcp:
        host, port = parse_hostport(target.tcp)
        return AndroidConnection.connect_tcp(host, port, on_auth_prompt=on_auth_prompt, auth_timeout_s=auth_timeout_s)
    return AndroidConnection.connect_usb(target.serial, on_auth_prompt=on_auth_prompt, auth_timeout_s=auth_timeout_s)


def acquire_android(
    conn: AndroidConnection,
    out: Path,
    *,
    resume: bool,
    operator: str | None,
    pack: SignaturePack,
    reporter: Reporter | None = None,
    options: CollectOptions | None = None,
    demo: bool = False,
) -> tuple[Acquisition, CollectStats | None, errors.DeviceError | None]:
    if resume:
        acq = Acquisition.open(out)
    else:
        acq = Acquisition.create(out, platform="android", tool_version=inspector.__version__,
                                 signature_pack_version=pack.version, operator=operator)
        if demo:
            acq.manifest["demo"] = True  # the simulated phone: its target-list demo entries apply
        # This computer's public ADB key, so that analysis can tell it from other trusted computers.
        acq.manifest["scanner"] = {"adb_public_key": _scanner_public_key()}
        acq.save()
    options = options or CollectOptions()
    if pack.target_lists and options.md5_size_filter is None:
        options.md5_roots, options.md5_size_filter = pack.md5_size_filter()
    if pack.leftover_files and options.evidence_file_filter is None:
        options.evidence_file_filter = pack.leftover_path_filter()
    collector = AndroidCollector(conn, acq, reporter, options)
    try:
        stats = collector.run()
    except errors.DeviceDisconnected as exc:
        acq.finish(interrupted=str(exc))
        return acq, collector.stats, exc
    except KeyboardInterrupt:
        acq.finish(interrupted="stopped by the user (Ctrl-C)")
        raise
    return acq, stats, None


def acquire_ios(
    udid: str | None,
    out: Path,
    *,
    resume: bool,
    operator: str | None,
    pack: SignaturePack,
    reporter: Reporter | None = None,
    on_prompt: Callable[[str], None] | None = None,
    on_connected: Callable[[str], None] | None = None,
    trust_timeout_s: float = 120.0,
    options: Any = None,
    confirm: Callable[[str], bool] | None = None,
) -> tuple[Acquisition, Any, errors.DeviceError | None]:
    """Live iPhone acquisition (docs/ios-live.md): find it through usbmuxd, pair (the *Trust* dialog,
    ``on_prompt("trust" | "unlock")``), collect into ``out`` (``on_prompt("sysdiagnose")`` when the
    person must start one, with ``options.sysdiagnose``; ``confirm("backup_encryption")`` before a
    temporary backup password is set, with ``options.backup``). Problems before anything is collected
    raise ``DeviceError``; a phone lost mid-way returns the partial acquisition and the error."""
    import asyncio

    from inspector.acquire.ios import errors as ios_errors
    from inspector.acquire.ios.collector import IosCollector
    from inspector.acquire.ios.connection import choose, connection_errors, list_iphones, open_lockdown

    opened: list[Acquisition] = []

    async def run() -> tuple[Acquisition, Any, errors.DeviceError | None]:
        loop = asyncio.get_running_loop()

        def quiet_lost_link(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            # pymobiledevice3's AFC reader leaves "exception never retrieved" futures behind when the
            # cable is pulled; the collector has already reported that in words, so no traceback.
            if not isinstance(context.get("exception"), connection_errors()):
                loop.default_exception_handler(context)

        loop.set_exception_handler(quiet_lost_link)
        phone = choose(await list_iphones(), udid)
        lockdown = await open_lockdown(phone, on_prompt, trust_timeout_s)
        try:
            if on_connected:
                on_connected(phone.udid)
            if resume:
                acq = Acquisition.open(out)
            else:
                acq = Acquisition.create(out, platform="ios", tool_version=inspector.__version__,
                                         signature_pack_version=pack.version, operator=operator)
            opened.append(acq)
            collector = IosCollector(lockdown, phone, acq, reporter, options, on_prompt=on_prompt, confirm=confirm)
            try:
                stats = await collector.run()
            except errors.DeviceDisconnected as exc:
                acq.finish(interrupted=str(exc))
                return acq, collector.stats, exc
            if collector.locked:
                return acq, stats, ios_errors.DeviceLocked("Some parts could not be read because the iPhone "
                                                           "was locked.")
            return acq, stats, None
        finally:
            try:
                await lockdown.close()
            except Exception:  # noqa: S110 - the connection may already be gone
                pass

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        if opened:
            opened[0].finish(interrupted="stopped by the user (Ctrl-C)")
        raise


def apk_features_of(acq: Acquisition) -> dict[str, dict[str, Any]]:
    """The APK engine's cached feature records of the acquisition's copied apps, by SHA-256, for the
    store (``inspector rescan`` reads them instead of the APKs)."""
    from inspector.analyze.apk import cache

    found: dict[str, dict[str, Any]] = {}
    for name, record in acq.manifest.get("artifacts", {}).items():
        sha = record.get("sha256") if name.startswith("apks/") and record.get("status") == "complete" else None
        if isinstance(sha, str) and (features := cache.load(sha)) is not None:
            found[sha] = features
    return found


def analyse_and_report(
    acq: Acquisition,
    pack: SignaturePack,
    *,
    formats: tuple[str, ...] = ("html", "json"),
    lang: str = "en",
    db: str | None = None,
    store: bool = True,
    window: str | None = None,
    case: str | None = None,
    ios_options: Any = None,
    opened_store: Any = None,
) -> ScanOutcome:
    """``ios_options``: an ``inspector.analyze.ios.evidence.IOSOptions`` (backup password, the owner's
    answer about the backup password) for iOS acquisitions. ``opened_store``: a ``Store`` already open
    (a batch records all its phones through one), instead of opening ``db`` for this scan."""
    result = analyze(acq, pack, window=window, ios_options=ios_options)
    return store_and_report(acq, result, formats=formats, lang=lang, db=db, store=store, case=case,
                            apk_features=apk_features_of, opened_store=opened_store)


def store_and_report(acq: Acquisition, result: dict[str, Any], *, formats: tuple[str, ...], lang: str,
                     db: str | None, store: bool, case: str | None,
                     apk_features: Callable[[Acquisition], dict[str, dict[str, Any]]] | None = None,
                     opened_store: Any = None) -> ScanOutcome:
    """Record a result in the store (when asked) and write its reports. ``apk_features``: what gives
    the APK feature records to store with it (read only when the store is written)."""
    outcome = ScanOutcome(result=result, acquisition=acq)
    if store:
        try:
            from inspector.store import Store

            database = opened_store if opened_store is not None else Store.open(db)
            try:
                outcome.scan_id = database.record_scan(result, case=case,
                                                       apk_features=apk_features(acq) if apk_features else None)
            finally:
                if opened_store is None:
                    database.close()
        except Exception as exc:  # the store is an index; failing to write it must not lose the report
            outcome.store_error = f"{type(exc).__name__}: {exc}"
    from inspector.report import write_reports

    outcome.report_paths = write_reports(result, acq.path, formats=formats, lang=lang)
    return outcome
