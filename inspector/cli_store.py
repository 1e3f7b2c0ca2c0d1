"""The helpdesk commands over the store: ``inspector diff`` and ``inspector rescan``. Registered in
cli.py; like cli.py they only parse options, draw progress and print: the work is in
inspector.analyze.diff and inspector.fleet.rescan."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from inspector.cli import (
    _DB_OPTION,
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_NOTHING_FOUND,
    _console,
    _fail,
    _open_store,
    _ReportInputError,
)

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _acquisition_for(console, ref: str, db: str | None):
    """An acquisition folder, or the folder of a stored scan given by its number."""
    from inspector.acquisition import Acquisition, AcquisitionError
    from inspector.store import StoreError

    path = Path(ref)
    if not path.exists() and ref.isdigit():
        with _open_store(console, db) as store:
            try:
                path = Path(store.scan_acquisition_path(int(ref)))
            except StoreError as exc:
                _fail(console, exc)
                sys.exit(EXIT_ERROR)
    try:
        return Acquisition.open(path)
    except (AcquisitionError, OSError) as exc:
        _fail(console, _ReportInputError(f"{ref}: not an acquisition folder ({exc})",
                                         hint="Give an acquisition folder of inspector scan, or a scan number "
                                              "from inspector history DEVICE."))
        sys.exit(EXIT_ERROR)


@click.command("diff")
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@click.option("--json", "json_out", is_flag=True, help="Print the diff document (JSON) on stdout.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Also write the diff document (JSON) to FILE.")
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Also write the changes as a page to read (HTML, in --lang).")
@click.option("--any-phones", is_flag=True, help="Compare even if A and B are not the same phone.")
@click.option("--password-a", "password_a", metavar="P",
              help="Password of A's encrypted iPhone backup (else $INSPECTOR_BACKUP_PASSWORD, or asked).")
@click.option("--password-b", "password_b", metavar="P",
              help="Password of B's encrypted iPhone backup (else $INSPECTOR_BACKUP_PASSWORD, or asked).")
@click.option("--lang", "lang", metavar="LANG", help="Language of the descriptions (default: this computer's).")
@_DB_OPTION
def diff(before: str, after: str, json_out: bool, out: Path | None, html_out: Path | None, any_phones: bool,
         password_a: str | None, password_b: str | None, lang: str | None, db: str | None) -> None:
    """What changed on one phone between acquisition A and acquisition B, e.g. before and after a
    border crossing: apps added, removed, updated or re-signed with another certificate, computers
    newly trusted for USB debugging, new accessibility services, device admins and notification
    listeners, changed security settings; on iPhones (live scans and iTunes/Finder backups checked
    with `inspector check BACKUP`) apps, configuration profiles, MDM enrolment, backup encryption.

    A and B are acquisition folders, or scan numbers from `inspector history DEVICE`. Exit codes:
    0 nothing changed that matters (at most "info"), 1 changes worth a look, 2 error.
    """
    from rich.markup import escape
    from rich.table import Column, Table

    from inspector.analyze.diff import DiffError, compare
    from inspector.report.messages import load_messages, normalize_lang, system_lang

    console = _console(json_out)
    first, second = _acquisition_for(console, before, db), _acquisition_for(console, after, db)
    from inspector.cli_ios_check import PASSWORD_ENV, _encrypted_backup_root, backup_password

    def password_of(label: str, path: Path, given: str | None) -> str | None:
        if not given and not os.environ.get(PASSWORD_ENV) and sys.stdin.isatty() and _encrypted_backup_root(path):
            console.print(f"{label}: {escape(str(path))}", highlight=False)  # two prompts: say which backup
        return backup_password(path, given, console)

    passwords = (password_of("A", first.path, password_a), password_of("B", second.path, password_b))
    try:
        document = compare(first, second, same_phone=not any_phones, backup_passwords=passwords)
    except DiffError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    if out is not None:
        try:
            out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        except OSError as exc:
            _fail(console, _ReportInputError(f"could not write {out}: {exc}"))
            sys.exit(EXIT_ERROR)
    findings = document["findings"]
    chosen_lang = normalize_lang(lang) if lang else system_lang()
    messages = load_messages(chosen_lang)
    if html_out is not None:
        from inspector.report.diff_html import render_diff_html

        try:
            html_out.write_text(render_diff_html(document, chosen_lang), "utf-8")
        except OSError as exc:
            _fail(console, _ReportInputError(f"could not write {html_out}: {exc}"))
            sys.exit(EXIT_ERROR)
    console.print(f"Phone {escape(str(document['device'].get('model') or '?'))}: "
                  f"{escape(str(document['before']['started_at']))} → {escape(str(document['after']['started_at']))}: "
                  f"{len(findings)} change(s)", highlight=False)
    if findings:
        table = Table("how serious", "change", Column("what", overflow="fold"))
        for finding in findings:
            style = _SEVERITY_STYLE.get(finding["severity"], "")
            title = messages.text(finding["title"], {**finding["params"], "subject": finding["subject"]})
            table.add_row(f"[{style}]{finding['severity']}[/{style}]", escape(title), escape(finding["subject"]))
        console.print(table)
    for what, reason in document["not_compared"].items():
        console.print(f"[yellow]! Not compared: {escape(what)} ({escape(reason)})[/yellow]", highlight=False)
    for written in (out, html_out):
        if written is not None:
            console.print(f"Diff: [bold]{escape(str(written))}[/bold]", highlight=False)
    if json_out:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    worth = any(f["severity"] != "info" for f in findings)
    sys.exit(EXIT_FINDINGS if worth else EXIT_NOTHING_FOUND)


@click.command("rescan")
@click.option("--case", "case", metavar="NAME", help="Only the acquisitions of the case NAME.")
@click.option("--all", "everything", is_flag=True, help="Every acquisition in the store.")
@click.option("--signatures", type=click.Path(path_type=Path, file_okay=False, exists=True), metavar="FOLDER",
              help="The signature pack to match against (default: $INSPECTOR_SIGNATURES_DIR or the shipped one).")
@click.option("--json", "json_out", is_flag=True, help="Print what changed as JSON on stdout.")
@click.option("--jobs", type=click.IntRange(1, 64), metavar="N",
              help="Acquisitions analysed at once, each in its own process (default: one per CPU core).")
@_DB_OPTION
def rescan(case: str | None, everything: bool, signatures: Path | None, json_out: bool, jobs: int | None,
           db: str | None) -> None:
    """Check every stored acquisition again against the current signature pack, e.g. after a new
    implant was published, and show what changed: new findings, findings that disappeared, verdicts.

    The phones are not needed: each acquisition folder is analysed again, with the app features
    recorded at the first scan (no app is read again). Each re-check is recorded as a new scan
    (see `inspector history DEVICE`); the reports in the folders are left as they were
    (`inspector check FOLDER` writes them again). Exit codes: 0 nothing new was found, 1 new
    findings appeared on at least one phone, 2 error.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Column, Table

    from inspector.analyze.signatures import SignaturePack, SignaturePackError
    from inspector.fleet.rescan import rescan as run_rescan
    from inspector.store import StoreError

    if bool(case) == everything:
        raise click.UsageError("say which acquisitions: --case NAME or --all")
    console = _console(json_out)
    try:
        pack = SignaturePack.load(signatures)
    except SignaturePackError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    with _open_store(console, db) as store:
        progress = Progress(TextColumn("Re-checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=console, transient=True)
        task = progress.add_task("rescan", total=None)
        try:
            with progress:
                report = run_rescan(store, pack, case=case, jobs=jobs or os.cpu_count() or 1,
                                    on_start=lambda n: progress.update(task, total=n),
                                    on_done=lambda _t: progress.advance(task))
        except StoreError as exc:
            _fail(console, exc)
            sys.exit(EXIT_ERROR)
    console.print(f"Re-checked {report.checked} acquisition(s) against signature pack {escape(pack.version)}: "
                  f"{len(report.changes)} changed, {report.unchanged} unchanged, {len(report.skipped)} skipped.",
                  highlight=False)
    if report.changes:
        table = Table("phone", "verdict", "new findings", "gone", Column("acquisition", overflow="fold"))
        for change in report.changes:
            verdict = (change.verdict_after if change.verdict_before == change.verdict_after
                       else f"{change.verdict_before} → {change.verdict_after}")
            table.add_row(change.device[:12], verdict,
                          escape("\n".join(f"+ {rule} {subject}" for rule, subject in change.added)),
                          escape("\n".join(f"- {rule} {subject}" for rule, subject in change.removed)),
                          escape(change.path))
        console.print(table)
    for acq_id, path, reason in report.skipped:
        console.print(f"[yellow]! Skipped {escape(acq_id)} ({escape(path)}): {escape(reason)}[/yellow]",
                      highlight=False)
    if report.apks_read_again:
        console.print(f"[yellow]! {report.apks_read_again} app(s) had no recorded features and were read again "
                      "from the acquisition folders.[/yellow]", highlight=False)
    if json_out:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    sys.exit(EXIT_FINDINGS if any(change.added for change in report.changes) else EXIT_NOTHING_FOUND)


@click.command("batch")
@click.option("--tcp", "tcp", multiple=True, metavar="HOST:PORT",
              help="A phone on the network (adb over Wi-Fi); repeat for several.")
@click.option("--usb/--no-usb", "usb", default=None,
              help="Watch USB for phones being plugged in (default: on, unless --tcp is given).")
@click.option("--count", type=click.IntRange(1, 10_000), metavar="N",
              help="Stop after N phones (default: when every --tcp phone is done; with USB, at Ctrl-C).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), metavar="FOLDER",
              help="Where the acquisitions and the summary go (default: batch-<date> in this folder).")
@click.option("--case", "case", metavar="NAME", help="Record every phone in the open case NAME.")
@click.option("--operator", metavar="NAME", help="Who runs the audit (kept in each acquisition).")
@click.option("--no-store", is_flag=True, help="Do not record the scans in the store.")
@click.option("--lang", "lang", metavar="LANG", help="Language of the reports (default: this computer's).")
@click.option("--distributed", is_flag=True,
              help="Queue the apps' analysis in the store for `inspector worker` on other workstations sharing "
                   "it (PostgreSQL --db; the batch folder must be on a share they can read).")
@_DB_OPTION
def batch(tcp: tuple[str, ...], usb: bool | None, count: int | None, out: Path | None, case: str | None,
          operator: str | None, no_store: bool, lang: str | None, distributed: bool, db: str | None) -> None:
    """Audit several phones: each is collected and checked as soon as it is plugged in (or, with
    --tcp, as soon as it answers), several at once, while a table shows every phone's stage and
    verdict. An app found on several phones is analysed once. A phone unplugged half-way is marked
    incomplete; the others go on. At the end: fleet.html and fleet.csv in the batch folder (which
    phone has which finding, which implant on how many phones), and one report per phone.

    \b
      inspector batch --case delegation-11            plug the phones in one after another; Ctrl-C ends
      inspector batch --tcp 10.0.0.5:5555 --tcp 10.0.0.6:5555

    Exit codes: 0 nothing found on any phone; 1 something found on at least one phone; 2 a phone
    could not be checked completely (and nothing was found on the others), or an error.
    """
    from datetime import UTC, datetime

    from rich.live import Live
    from rich.markup import escape
    from rich.table import Table

    from inspector.analyze.signatures import SignaturePack, SignaturePackError
    from inspector.cli import _check_case, _parse_report_options
    from inspector.fleet.batch import Batch, BatchOptions
    from inspector.pipeline import parse_hostport

    console = _console()
    for address in tcp:
        try:
            parse_hostport(address)
        except Exception as exc:  # noqa: BLE001 - DeviceError with a hint
            _fail(console, exc)
            sys.exit(EXIT_ERROR)
    _formats, report_lang = _parse_report_options("html,json", lang)
    _check_case(console, case, db, no_store)
    if distributed and no_store:
        raise click.UsageError("--distributed shares the work through the store; it cannot go with --no-store")
    try:
        pack = SignaturePack.load()
    except SignaturePackError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    folder = out or Path(f"batch-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    options = BatchOptions(out=folder, tcp=list(tcp), usb=not tcp if usb is None else usb, count=count, db=db,
                           store=not no_store, case=case, operator=operator, lang=report_lang,
                           distributed=distributed)
    job = Batch(options, pack)

    def table() -> Table:
        view = Table("#", "phone", "model", "stage", "verdict", "findings", title=f"Batch → {escape(str(folder))}")
        with job.lock:
            rows = sorted(job.rows.values(), key=lambda r: r.number)
        for row in rows:
            stage = row.stage + (f": {row.detail}" if row.detail else "")
            if row.error:
                stage += f" — {row.error}"
            view.add_row(str(row.number), escape(row.label), escape(row.model or ""), escape(stage[:100]),
                         _batch_verdict(row.verdict), _batch_findings(row.findings) if row.verdict else "")
        if not rows:
            view.add_row("", "waiting for phones…", "", "", "", "")
        return view

    # transient: the last view is printed once below, not left on the screen by Live as well
    with Live(table(), console=console, refresh_per_second=4, get_renderable=table, transient=True):
        try:
            summary = job.run()
        except KeyboardInterrupt:
            job.stop()
            summary = job.run()
    console.print(table())
    console.print(f"{len(summary.rows)} phone(s); apps: {summary.apk_copies} copies, {summary.unique_apks} "
                  f"different, {summary.apk_extractions} analysed in this batch.", highlight=False)
    for note in summary.notes:
        console.print(f"[yellow]! {escape(note)}[/yellow]", highlight=False)
    console.print(f"Summary: [bold]{escape(str(summary.html_path))}[/bold] and {escape(str(summary.csv_path))}",
                  highlight=False)
    if any(r.verdict in ("implant_found", "needs_review") for r in summary.rows):
        sys.exit(EXIT_FINDINGS)
    if not summary.rows or any(r.stage != "done" or r.verdict != "nothing_found" for r in summary.rows):
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_NOTHING_FOUND)


def _batch_verdict(verdict: str | None) -> str:
    """A phone's verdict in the batch table: the verdict's code (as in fleet.csv and the JSON report),
    in the verdict's colours."""
    from inspector.cli import _VERDICT_STYLE

    if not verdict:
        return ""
    style = _VERDICT_STYLE.get(verdict, _VERDICT_STYLE["incomplete"])
    return f"[{style}] {verdict} [/{style}]"


def _batch_findings(findings: list[dict]) -> str:
    """How many findings matter (medium and above), then how many are low or informational: a phone
    with nothing found usually has a few of those (USB debugging on, a computer allowed)."""
    minor = sum(1 for f in findings if f.get("severity") in ("low", "info"))
    serious = len(findings) - minor
    return f"{serious}" + (f" (+{minor} low/info)" if minor else "")


@click.command("worker")
@click.option("--exit-when-idle", is_flag=True, help="Stop when no job is queued or running (default: wait for more).")
@click.option("--lease", type=click.FloatRange(5, 3600), default=60.0, show_default=True, metavar="SECONDS",
              help="How long a claimed job stays this worker's without news; a worker that dies loses its job "
                   "after this long and another worker does it.")
@_DB_OPTION
def worker(exit_when_idle: bool, lease: float, db: str | None) -> None:
    """Do the work other workstations queued in a shared store (`inspector batch --distributed`):
    today, analysing the apps copied from the phones. Run one per CPU core, on any machine that
    reaches the store (--db postgresql+psycopg://…) and can read the acquisition folders.
    Ctrl-C stops it; a job it was doing is taken over by another worker when its lease runs out.
    Exit codes: 0 stopped with every job it took done, 2 some job failed (the reason is printed and
    kept in the job table) or the store could not be opened.
    """
    import threading

    from rich.markup import escape

    from inspector.fleet.worker import Worker

    console = _console()
    with _open_store(console, db) as store:
        def event(what: str, job, detail: str) -> None:
            label = {"start": "…", "done": "[green]done[/green]", "failed": "[red]failed[/red]",
                     "lost": "[yellow]lost[/yellow]"}[what]
            console.print(f"{label} job {job.id} (APK {job.key[:12]}…, attempt {job.attempt}) {escape(detail)}",
                          highlight=False)

        runner = Worker(store, lease_s=lease, on_event=event)
        console.print(f"Worker {escape(runner.queue.name)} on {escape(store.url)}", highlight=False)
        stop = threading.Event()
        try:
            stats = runner.run(stop, exit_when_idle=exit_when_idle)
        except KeyboardInterrupt:
            stop.set()
            stats = runner.stats
    console.print(f"Jobs: {stats.done} done, {stats.failed} failed, {stats.lost} lost to another worker.",
                  highlight=False)
    sys.exit(EXIT_ERROR if stats.failed else EXIT_NOTHING_FOUND)


def _exchange_fail(console, exc: Exception) -> None:
    _fail(console, exc)
    sys.exit(EXIT_ERROR)


@click.command("export")
@click.argument("case", metavar="CASE", required=False)
@click.option("--folder", type=click.Path(path_type=Path, file_okay=False, exists=True), metavar="FOLDER",
              help="Export one acquisition folder instead of a case (no store needed).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, metavar="FILE",
              help="The bundle to write (a zip; sealed when --recipient is given).")
@click.option("--redact", is_flag=True,
              help="Leave out the raw evidence and the case note; scans are redacted as `report --redact` does.")
@click.option("--recipient", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="PUBKEY",
              help="Seal the bundle to this public key (`inspector keys new`): only its private key opens it.")
@_DB_OPTION
def export(case: str | None, folder: Path | None, out: Path, redact: bool, recipient: Path | None,
           db: str | None) -> None:
    """Write the case CASE (its acquisition folders, every scan of them, a manifest of SHA-256
    hashes) as one zip that another inspector installation can `inspector import`.

    \b
      inspector export delegation-11 --out delegation-11.zip
      inspector export --folder scan-2026-11-22 --recipient helpdesk.pub --out scan.sealed

    With --recipient the bundle is encrypted to that public key: a traveller can carry an
    acquisition that they cannot open themselves, nor be made to open. Exit codes: 0 written, 2 error.
    """
    from rich.markup import escape

    from inspector.exchange.bundle import BundleError, export_case, export_folder
    from inspector.exchange.sealed import SealedError
    from inspector.store import StoreError

    console = _console()
    if bool(case) == bool(folder):
        raise click.UsageError("give a CASE, or --folder FOLDER")
    try:
        if folder is not None:
            done = export_folder(folder, out, redact=redact, recipient=recipient)
        else:
            with _open_store(console, db) as store:
                done = export_case(store, case, out, redact=redact, recipient=recipient)
    except (BundleError, SealedError, StoreError, OSError) as exc:
        _exchange_fail(console, exc)
    console.print(f"Wrote {escape(str(done.path))}: {done.acquisitions} acquisition(s), {done.scans} scan(s), "
                  f"{done.files} file(s){', redacted' if done.redacted else ''}"
                  f"{', sealed to ' + escape(str(recipient)) if done.sealed else ''}.", highlight=False)


@click.command("import")
@click.argument("bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="BUNDLE")
@click.option("--into", type=click.Path(path_type=Path, file_okay=False), metavar="FOLDER",
              help="Where the acquisition folders go (default: imported/ in your data folder).")
@click.option("--identity", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="KEYFILE",
              help="The private key that opens a sealed bundle.")
@click.option("--case", "case", metavar="NAME", help="Record the scans in case NAME (default: the bundle's case).")
@_DB_OPTION
def import_(bundle: Path, into: Path | None, identity: Path | None, case: str | None, db: str | None) -> None:
    """Import a bundle made by `inspector export`: its acquisition folders and scans, checked against
    its manifest first. All or nothing: a damaged or tampered bundle, a name that would write outside
    the destination or a wrong key stops the import before anything is kept. Exit codes: 0 imported,
    2 error (nothing was imported)."""
    from rich.markup import escape

    from inspector import paths
    from inspector.exchange.bundle import BundleError, import_bundle
    from inspector.exchange.sealed import SealedError
    from inspector.store import StoreError

    console = _console()
    with _open_store(console, db) as store:
        try:
            done = import_bundle(store, bundle, into or paths.data_dir() / "imported", identity=identity, case=case)
        except (BundleError, SealedError, StoreError, OSError, ValueError) as exc:
            _exchange_fail(console, exc)
    console.print(f"Imported {len(done.folders)} acquisition(s) and {len(done.scan_ids)} scan(s)"
                  f"{' into case ' + escape(done.case) if done.case else ''}"
                  f"{' (redacted bundle: no raw evidence)' if done.redacted else ''}.", highlight=False)
    for folder in done.folders:
        console.print(f"  {escape(str(folder))}", highlight=False)


@click.group("keys")
def keys() -> None:
    """Key pairs for sealed bundles (`inspector export --recipient`, `inspector import --identity`)."""


@keys.command("new")
@click.argument("name", type=click.Path(path_type=Path, dir_okay=False), metavar="NAME")
def keys_new(name: Path) -> None:
    """Make a key pair: NAME.key (private: keep it at the helpdesk, never give it to a traveller) and
    NAME.pub (public: give it to whoever should seal bundles for you)."""
    from rich.markup import escape

    from inspector.exchange.sealed import new_keypair

    console = _console()
    private, public = name.with_name(name.name + ".key"), name.with_name(name.name + ".pub")
    try:
        new_keypair(private, public)
    except FileExistsError:
        _exchange_fail(console, _ReportInputError(f"{private} already exists", hint="Choose another NAME."))
    except OSError as exc:
        _exchange_fail(console, exc)
    console.print(f"Private key: {escape(str(private))} (keep it safe)\nPublic key: {escape(str(public))}",
                  highlight=False)
