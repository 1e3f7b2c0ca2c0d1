"""The ``inspector`` command. Thin: it parses options, draws progress, and calls the library."""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

import inspector
from inspector.acquire.android import errors

if TYPE_CHECKING:  # rich is imported where something is shown: `check --json` on APKs needs none of it
    from collections.abc import Iterator

    from rich.console import Console

EXIT_NOTHING_FOUND = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

# One colour per verdict; the words come from the report's message catalog (reports/messages).
_VERDICT_STYLE = {
    "implant_found": "bold white on red",
    "needs_review": "bold black on yellow",
    "nothing_found": "bold white on green",
    "incomplete": "bold white on blue",
}


def _window_option(func):
    return click.option(
        "--window", metavar="WHEN",
        help="When the phone was out of your hands, in local time: a date (2026-11-18: that day in the "
             "phone's timezone) or START/END with offsets (2026-11-18T08:00+08:00/2026-11-18T14:30+08:00). "
             "What happened then is marked in the timeline and counts more.")(func)


def _report_options(func):
    """--format and --lang, shared by the commands that write reports."""
    func = click.option("--lang", "lang", metavar="LANG",
                        help="Language of the report: en, zh_CN, ru, ug… (default: this computer's language, "
                             "from LANGUAGE/LC_ALL/LC_MESSAGES/LANG; English when there is no translation).")(func)
    return click.option("--format", "formats", default="html,json", show_default=True, metavar="FORMATS",
                        help="Reports to write, comma-separated: html, pdf, json.")(func)


def _parse_report_options(formats: str, lang: str | None) -> tuple[tuple[str, ...], str]:
    from inspector.report import parse_formats
    from inspector.report.messages import available_languages, fallback_chain, normalize_lang, system_lang

    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    if lang is not None and not re.match(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$", lang):
        raise click.BadParameter(f"{lang!r} is not a language tag (like en, zh_CN, ru, ug)", param_hint="--lang")
    resolved = normalize_lang(lang) if lang is not None else system_lang()
    known = available_languages()
    if not any(name in known for name in fallback_chain(resolved)[:-1]) and resolved.split("_")[0] != "en":
        click.echo(f"No translation for {resolved!r} yet: the report is in English "
                   f"(available: {', '.join(known)}).", err=True)
    return chosen, resolved


def _console(json_mode: bool = False) -> Console:
    # With --json the document owns stdout; everything for people goes to stderr.
    from rich.console import Console

    return Console(stderr=True) if json_mode else Console()


def _fail(console: Console, exc: Exception) -> None:
    console.print(f"[bold red]Error:[/bold red] {exc}", highlight=False)
    hint = getattr(exc, "hint", "")
    if hint:
        console.print(f"[bold]What to do:[/bold] {hint}", highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(inspector.__version__, prog_name="inspector")
def main() -> None:
    """Check a phone that was taken from you (at a border, by police): was something put on it,
    and what could it have taken?

    \b
    Start here:
      inspector scan --demo        try everything on a built-in simulated phone
      inspector devices            is my phone visible?
      inspector scan               scan the phone plugged in by USB
      inspector check FOLDER       look at an earlier scan again (e.g. with newer signatures)
      inspector report FOLDER      its report again: another language (--lang), PDF, redacted to share
      inspector check-files DIR    are files in DIR on the lists border apps search for?
      inspector doctor             find out why a phone is not seen
      inspector cases new NAME     a helpdesk case; then scan --case NAME, history DEVICE

    \b
    Exit codes: 0 nothing known was found; 1 something was found (see the report);
    2 the scan could not finish or an error occurred.
    """


@main.command()
@click.option("--demo", is_flag=True, help="Scan the built-in simulated phone (no phone needed).")
@click.option("--tcp", metavar="HOST:PORT", help="Reach the phone over the network (adb tcpip) instead of USB.")
@click.option("--serial", metavar="SERIAL", help="Which USB phone to scan when several are plugged in.")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="FOLDER",
              help="Folder for the acquisition and reports (default: ./inspector-scan-<time>).")
@click.option("--resume", "resume", type=click.Path(path_type=Path, exists=True, file_okay=False), metavar="FOLDER",
              help="Finish an interrupted scan in FOLDER without collecting again what is done.")
@click.option("--operator", metavar="NAME", help="Who runs the scan (kept in acquisition.json).")
@click.option("--no-apks", is_flag=True, help="Hash apps on the phone but do not copy them.")
@click.option("--json", "json_out", is_flag=True, help="Print the result document (JSON) on stdout.")
@click.option("--db", metavar="URL", help="Store URL (default: SQLite in your data folder, or $INSPECTOR_DB).")
@click.option("--no-store", is_flag=True, help="Do not record this scan in the store.")
@click.option("--case", "case", metavar="NAME",
              help="Record this scan in the open case NAME (create it first with `inspector cases new NAME`).")
@click.option("--auth-timeout", type=float, default=120.0, show_default=True, metavar="SECONDS",
              help="How long to wait for 'Allow USB debugging' (Android) or 'Trust' (iPhone) to be tapped.")
@click.option("--ios", is_flag=True, help="Scan an iPhone plugged in by USB (through usbmuxd) instead of Android.")
@click.option("--udid", metavar="UDID", help="With --ios: which iPhone, when several are plugged in.")
@click.option("--backup", is_flag=True,
              help="With --ios: also make a full backup (asks before setting a temporary backup password).")
@click.option("--sysdiagnose", is_flag=True,
              help="With --ios: also collect a sysdiagnose, which you start on the phone (it takes minutes).")
@_window_option
@_report_options
def scan(demo: bool, tcp: str | None, serial: str | None, out: Path | None, resume: Path | None,
         operator: str | None, no_apks: bool, json_out: bool, db: str | None, no_store: bool, case: str | None,
         auth_timeout: float, ios: bool, udid: str | None, backup: bool, sysdiagnose: bool, window: str | None,
         formats: str, lang: str | None) -> None:
    """Collect what matters from a phone and check it for known implants and their traces.

    Android: the phone must be unlocked with USB debugging on. iPhone (--ios): unlock it and tap
    *Trust* when it asks. Nothing is installed on the phone and no setting is changed (--backup asks
    before it touches backup encryption). The result is a folder with the raw evidence
    (acquisition.json, hashes.csv, the phone's outputs and apps), report.html to read, and report.json.
    """
    if ios or udid or backup or sysdiagnose:
        if demo or tcp or serial or no_apks:
            raise click.UsageError("--demo, --tcp, --serial and --no-apks are for Android phones, not with --ios")
        from inspector.cli_ios import scan_ios

        return scan_ios(udid=udid, backup=backup, sysdiagnose=sysdiagnose, out=out, resume=resume,
                        operator=operator, json_out=json_out, db=db, no_store=no_store, case=case,
                        trust_timeout=auth_timeout, window=window, formats=formats, lang=lang)
    from inspector.pipeline import (
        Target,
        acquire_android,
        connect,
        demo_phone,
        is_demo_acquisition,
    )

    if sum(bool(x) for x in (demo, tcp, serial)) > 1:
        raise click.UsageError("choose one of --demo, --tcp and --serial")
    console, report_formats, report_lang, folder, pack = _start_scan(
        json_out=json_out, window=window, formats=formats, lang=lang, resume=resume, out=out, case=case, db=db,
        no_store=no_store, include_demo=demo or bool(resume and is_demo_acquisition(resume)))

    def on_auth_prompt() -> None:
        console.print("[bold yellow]The phone asks: “Allow USB debugging?”[/bold yellow] Unlock it and tap "
                      "*Allow* (tick *Always allow from this computer* to skip this next time). Waiting…")

    with _collecting(console, folder, "inspector scan"), demo_phone() if demo else nullcontext() as demo_address:
        target = Target(tcp=demo_address or tcp, serial=serial, demo=demo)
        if demo:
            console.print("Scanning the [bold]built-in demo phone[/bold] (a simulated Android phone "
                          "just back from a border crossing).")
        conn = connect(target, on_auth_prompt, auth_timeout)
        with conn:
            where = "the demo phone" if demo else f"{conn.transport.upper()} device {conn.serial}"
            console.print(f"Connected to {where}.", highlight=False)
            from inspector.acquire.android.collector import CollectOptions

            from inspector.cli_progress import RichReporter

            with RichReporter(console) as reporter:
                acq, stats, lost = acquire_android(
                    conn, folder, resume=bool(resume), operator=operator, pack=pack, reporter=reporter,
                    options=CollectOptions(pull_apks=not no_apks), demo=demo)
    _say_lost(console, acq, lost)
    outcome = _analyse(console, acq, pack, window, db=db, store=not no_store, formats=report_formats,
                       lang=report_lang, case=case)
    _finish(console, outcome, json_out, stats=stats, lang=report_lang)


@main.command()
@click.argument("folder", metavar="PATH", type=click.Path(path_type=Path, exists=True))
@click.option("--json", "json_out", is_flag=True, help="Print the result document (JSON) on stdout.")
@click.option("--db", metavar="URL", help="Store URL (default: SQLite in your data folder, or $INSPECTOR_DB).")
@click.option("--no-store", is_flag=True, help="Do not record this check in the store.")
@click.option("--case", "case", metavar="NAME",
              help="Record this scan in the open case NAME (create it first with `inspector cases new NAME`).")
@click.option("--out", type=click.Path(path_type=Path), metavar="FOLDER",
              help="For another tool's input: where to write the acquisition made from it.")
@click.option("--jobs", type=click.IntRange(1, 64), metavar="N",
              help="APKs: how many to read at once (default: one per CPU core).")
@click.option("--time-limit", type=click.FloatRange(1, 3600), default=60, show_default=True, metavar="S",
              help="APKs: stop reading one APK after S seconds (it is reported as not fully checked).")
@click.option("--deep", type=click.Choice(["flagged", "all", "none"]), default="flagged", show_default=True,
              help="APKs: androguard's full bytecode analysis (slow) for the APKs a rule matched, for all, "
                   "or for none; it adds which code uses each matched string.")
@click.option("--password", metavar="PASSWORD",
              help="The password of an encrypted iPhone backup (else $INSPECTOR_BACKUP_PASSWORD, else asked "
                   "when run in a terminal). Not the phone's passcode.")
@click.option("--owner-set-backup-password", "owner_set_password", type=click.Choice(["yes", "no"]),
              help="Did the phone's owner set the iPhone backup password themselves? 'no' makes encryption "
                   "switched on a strong sign of a forensic extraction; without it, it is 'needs review'.")
@_window_option
@_report_options
def check(folder: Path, json_out: bool, db: str | None, no_store: bool, case: str | None, out: Path | None,
          jobs: int | None, time_limit: float, deep: str, password: str | None, owner_set_password: str | None,
          window: str | None, formats: str, lang: str | None) -> None:
    """Check PATH again, without the phone: an acquisition folder of inspector, an androidqf folder or
    zip, or an Android bugreport zip (`adb bugreport bugreport.zip`); for an iPhone, an iTunes/Finder
    backup folder (plain, or encrypted: --password), a sysdiagnose .tar.gz, or a folder of crash logs.

    PATH may also be an APK file or a folder of APK files: each is matched against the whole signature
    pack (APK rules on its code, strings, assets and certificates; the families' app names; MVT and
    Echap indicators; YARA rules) with the evidence of every match (a table, or --json); exit 1 if any
    matches at high/critical, 0 if not, 2 on error. `inspector signatures import` adds indicators.

    Useful when the signature pack was updated. The raw evidence is not changed; the reports in the
    acquisition folder (report.html, report.json, report.pdf with --format pdf) are rewritten. Another
    tool's input is first copied into a new acquisition folder (--out), never changed in place. To only
    write the reports again (another language, PDF, a redacted copy), use `inspector report FOLDER`.
    """
    from inspector.acquisition import AcquisitionError
    from inspector.analyze.signatures import SignaturePack, SignaturePackError
    from inspector.sources.detect import UnknownInput, open_for_check

    from inspector.sources.detect import apk_files

    if apks := apk_files(folder):
        from inspector.cli_apk import check_apks

        sys.exit(check_apks(apks, json_out, jobs=jobs, time_limit=time_limit, deep=deep))
    console = _console(json_out)
    _check_window(console, window)
    report_formats, report_lang = _parse_report_options(formats, lang)
    _check_case(console, case, db, no_store)
    from inspector import cli_ios_check

    password = cli_ios_check.backup_password(folder, password, console)
    reading = cli_ios_check.backup_progress(console, folder)
    try:
        if reading:
            with reading[0]:
                acq, kind = open_for_check(folder, out, password=password, progress=reading[1])
        else:
            acq, kind = open_for_check(folder, out, password=password)
        if kind == "inspector":
            cli_ios_check.verify_password(acq, password)
        pack = SignaturePack.load(include_demo=bool(acq.manifest.get("demo")))
    except (AcquisitionError, SignaturePackError, UnknownInput) as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    if kind != "inspector":
        console.print(f"Read the {kind} input into a new acquisition: {acq.path}", highlight=False)
    changed = acq.verify_hashes()
    if changed:
        console.print(f"[bold red]Warning:[/bold red] {len(changed)} file(s) changed since collection "
                      f"(hashes.csv no longer matches): {', '.join(changed[:5])}", highlight=False)
    from inspector.lab.result import is_trace

    if is_trace(acq):  # a lab-mode trace (inspector trace): its events, not a phone's artifacts
        from inspector.pipeline_lab import report_trace

        _finish(console, report_trace(acq, formats=report_formats, lang=report_lang, db=db, store=not no_store,
                                      case=case), json_out, lang=report_lang)
    from inspector.analyze.ios.evidence import IOSOptions

    ios_options = IOSOptions(backup_password=password,
                             owner_set_backup_password=cli_ios_check.owner_answer(owner_set_password, folder, console))
    outcome = _analyse(console, acq, pack, window, db=db, store=not no_store, formats=report_formats,
                       lang=report_lang, case=case, ios_options=ios_options)
    _finish(console, outcome, json_out, lang=report_lang)


def _start_scan(*, json_out: bool, window: str | None, formats: str, lang: str | None, resume: Path | None,
                out: Path | None, case: str | None, db: str | None, no_store: bool, include_demo: bool = False):
    """What every scan (Android, iPhone) checks and sets up before it talks to a phone: the console,
    --window, the report options, --resume with --out, --case, the acquisition folder and the pack.
    Exits with a message on a bad option or an unreadable pack."""
    from inspector.analyze.signatures import SignaturePack, SignaturePackError

    console = _console(json_out)
    _check_window(console, window)
    report_formats, report_lang = _parse_report_options(formats, lang)
    if resume and out:
        raise click.UsageError("--resume FOLDER already names the folder; leave out --out")
    _check_case(console, case, db, no_store)
    folder = resume or out or Path.cwd() / f"inspector-scan-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    try:
        pack = SignaturePack.load(include_demo=include_demo)
    except SignaturePackError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    return console, report_formats, report_lang, folder, pack


def _open_store(console: Console, db: str | None):
    """The store at ``db`` (default: $INSPECTOR_DB, then SQLite in the data folder), upgraded to the
    newest schema; an error message and exit code 2 when it cannot be opened."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from inspector.store import Store, StoreSchemaError

    try:
        return Store.open(db)
    except StoreSchemaError as exc:
        _fail(console, exc)
    except ArgumentError as exc:
        _fail(console, _ReportInputError(f"{db!r} is not a database URL ({exc})",
                                         hint="Write it like sqlite:////path/to/store.sqlite3."))
    except (SQLAlchemyError, OSError) as exc:
        _fail(console, _ReportInputError(f"could not open the store: {exc}",
                                         hint="Check --db / $INSPECTOR_DB and that the folder is writable."))
    sys.exit(EXIT_ERROR)


def _check_case(console: Console, case: str | None, db: str | None, no_store: bool) -> None:
    """--case is checked before any work: the case must exist and be open."""
    if case is None:
        return
    if no_store:
        raise click.UsageError("--case records the scan in the store; it cannot go with --no-store")
    from inspector.store import StoreError

    store = _open_store(console, db)
    try:
        store.ensure_open_case(case)
    except StoreError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    finally:
        store.close()


def _check_window(console: Console, window: str | None) -> None:
    """A malformed --window is refused before any work (dates are read in the phone's zone later)."""
    from inspector.analyze.timeline import Window, WindowError

    if window:
        try:
            Window.parse(window, "UTC")
        except WindowError as exc:
            _fail(console, exc)
            sys.exit(EXIT_ERROR)


def _analyse(console: Console, acq, pack, window: str | None, **kwargs):
    from inspector.analyze.timeline import WindowError
    from inspector.pipeline import analyse_and_report

    try:
        return analyse_and_report(acq, pack, window=window, **kwargs)
    except WindowError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)


@contextmanager
def _collecting(console: Console, folder: Path, command: str) -> Iterator[None]:
    """Around a scan's collection: a device or folder error is shown with what to do next and ends the
    command; Ctrl-C says where the part collected is kept and how to finish it (``command --resume``)."""
    from inspector.acquisition import AcquisitionError

    try:
        yield
    except (errors.DeviceError, AcquisitionError) as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        console.print(f"\n[bold]Stopped.[/bold] What was collected is kept in {folder}. To finish later: "
                      f"{command} --resume {folder}", highlight=False)
        sys.exit(EXIT_ERROR)


def _say_lost(console: Console, acq, lost) -> None:
    """The phone went away mid-way (``lost``): say so, and that the report covers what was collected."""
    if lost:
        _fail(console, lost)
        console.print(f"What was collected is in {acq.path}; the report below covers only that part.")


def _exit_code(verdict: str) -> int:
    return (EXIT_FINDINGS if verdict in ("implant_found", "needs_review")
            else EXIT_NOTHING_FOUND if verdict == "nothing_found" else EXIT_ERROR)


def _print_verdict(console: Console, result: dict, lang: str) -> None:
    from rich.markup import escape

    from inspector.report.messages import load_messages

    messages = load_messages(lang)
    verdict = result.get("verdict")
    style = _VERDICT_STYLE.get(verdict, _VERDICT_STYLE["incomplete"])
    console.print()
    headline = messages.text(f"verdict.{verdict if verdict in _VERDICT_STYLE else 'incomplete'}.headline")
    console.print(f"[{style}] {escape(headline)} [/{style}]", highlight=False)
    findings = [f for f in result.get("findings") or [] if isinstance(f, dict)]
    for finding in findings[:10]:
        title = messages.text(str(finding.get("title") or ""), {**(finding.get("params") or {}),
                                                               "subject": finding.get("subject")})
        console.print(f"  • {escape(title)}: [bold]{escape(str(finding.get('subject') or ''))}[/bold]",
                      highlight=False)
    if len(findings) > 10:
        console.print(f"  … and {len(findings) - 10} more in the report")


def _print_reports(console: Console, paths: dict, problems: dict) -> None:
    for fmt, problem in problems.items():
        console.print(f"[yellow]! No {fmt.upper()} report: {problem}[/yellow]", highlight=False)
    labels = {"html": "Report", "pdf": "PDF", "json": "JSON"}
    for fmt in ("html", "pdf", "json"):
        if fmt in paths and (fmt != "json" or "html" not in paths):
            hint = "  (open it in a browser)" if fmt == "html" else ""
            console.print(f"{labels[fmt]}: [bold]{paths[fmt]}[/bold]{hint}", highlight=False)


def _finish(console: Console, outcome, json_out: bool, stats=None, lang: str = "en") -> None:
    result = outcome.result
    _print_verdict(console, result, lang)
    if stats is not None:
        apps = [f"{stats.apks_pulled} copied from the phone"]
        if stats.apks_from_cache:
            apps.append(f"{stats.apks_from_cache} not copied again (this computer already had the same file)")
        if stats.apks_skipped_done:
            apps.append(f"{stats.apks_skipped_done} copied before the scan was interrupted")
        console.print(f"Apps: {', '.join(apps)}; {stats.bytes_received / 1e6:.1f} MB received from the phone.")
    if outcome.store_error:
        console.print(f"[yellow]! The scan was not recorded in the store: {outcome.store_error}[/yellow]")
    _print_reports(console, outcome.report_paths, getattr(outcome.report_paths, "problems", {}))
    if json_out:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    sys.exit(_exit_code(result["verdict"]))


@main.command("report")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@_report_options
@click.option("--redact", is_flag=True,
              help="A copy for sharing: phone numbers, IMEI/serial numbers, account names and the names of "
                   "personal files are masked (hashes kept). Written as report-redacted.*.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), metavar="FOLDER",
              help="Where to write the reports (default: FOLDER itself).")
def report(folder: Path, formats: str, lang: str | None, redact: bool, out: Path | None) -> None:
    """Write the reports of an earlier scan again, without the phone: in another language, as a
    PDF, or redacted for sharing.

    FOLDER is an acquisition folder (or any folder holding a report.json). Its report.json is the
    result that is shown; without one, the acquisition is analysed again (read only: nothing in it
    is changed, and nothing is recorded in the store). Exit codes are those of `inspector check`.

    \b
    Examples:
      inspector report FOLDER --format pdf --lang zh_CN
      inspector report FOLDER --redact --format html,pdf,json --out shared/
    """
    console = _console()
    report_formats, report_lang = _parse_report_options(formats, lang)
    try:
        result = _load_result(folder, console)
    except _ReportInputError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    from inspector.report import write_reports

    destination = out or folder
    try:
        paths = write_reports(result, destination, formats=report_formats, lang=report_lang, redact=redact)
    except OSError as exc:
        _fail(console, _ReportInputError(f"could not write the reports into {destination}: {exc}",
                                         hint="Choose a folder you can write to with --out."))
        sys.exit(EXIT_ERROR)
    if redact:
        from inspector.report import redact_result

        result = redact_result(result)  # what the terminal shows is redacted too
    _print_verdict(console, result, report_lang)
    if redact:
        console.print("Redacted copy: check it before you share it (masking is automatic, not perfect).")
    _print_reports(console, paths, paths.problems)
    sys.exit(_exit_code(str(result.get("verdict"))))


class _ReportInputError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _load_result(folder: Path, console: Console) -> dict:
    """The result document of FOLDER: its report.json, else a fresh analysis of the acquisition."""
    saved = folder / "report.json"
    if saved.is_file():
        try:
            result = json.loads(saved.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _ReportInputError(f"{saved} is not a readable result document ({exc})",
                                    hint=f"Run `inspector check {folder}` to analyse the acquisition again.") from None
        version = str(result.get("schema_version") or "") if isinstance(result, dict) else ""
        if not isinstance(result, dict) or not version.startswith("1."):
            raise _ReportInputError(f"{saved} is not a result document this inspector can read "
                                    f"(schema {version or 'unknown'})",
                                    hint="Use the inspector version that wrote it, or a newer one.")
        return result
    from inspector.acquisition import Acquisition, AcquisitionError
    from inspector.analyze.result import analyze
    from inspector.analyze.signatures import SignaturePack, SignaturePackError

    try:
        acq = Acquisition.open(folder)
        pack = SignaturePack.load(include_demo=bool(acq.manifest.get("demo")))
    except (AcquisitionError, SignaturePackError) as exc:
        raise _ReportInputError(str(exc), hint=getattr(exc, "hint", "")) from None
    console.print(f"No report.json in {folder}: analysing the acquisition again (read only).", highlight=False)
    from inspector.lab.result import is_trace, trace_result

    if is_trace(acq):  # a lab-mode trace (inspector trace): its events, not a phone's artifacts
        return trace_result(acq)
    return analyze(acq, pack)


@main.command("check-files")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--json", "json_out", is_flag=True, help="Print the result (JSON) on stdout.")
def check_files(folder: Path, json_out: bool) -> None:
    """Are any files in FOLDER on the lists of files border apps search phones for?

    Uses the same rule as the border app BXAQ (exact size, then the MD5 fingerprint of the whole
    file), on this computer: nothing is copied or changed, and no file name leaves the machine.
    Point it at a copy of your phone's storage, a memory card, or a folder you travel with.
    """
    from rich.markup import escape

    from inspector.analyze.signatures import SignaturePack, SignaturePackError
    from inspector.report.messages import load_messages
    from inspector.sources.local_files import check_folder

    console = _console(json_out)
    try:
        pack = SignaturePack.load()
    except SignaturePackError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    with console.status(f"Checking the files in {folder}…"):
        result = check_folder(folder, pack)
    messages = load_messages("en")
    for outcome in result.outcomes:
        console.print(messages.text("check.target_files_folder", outcome.counts), highlight=False)
    for finding in result.findings:
        console.print(f"  • [bold]{escape(finding.subject)}[/bold] ({finding.params['size']} bytes, "
                      f"MD5 {finding.params['md5']}) is on {escape(finding.params['list_name'])}", highlight=False)
    for error in result.errors[:10]:
        console.print(f"[yellow]! could not read {escape(error)}[/yellow]", highlight=False)
    if json_out:
        doc = {"schema_version": "1.0", "tool": {"name": "inspector", "version": inspector.__version__,
                                                   "signature_pack": pack.identity()},
               "folder": str(folder.resolve()), "coverage": [o.coverage() for o in result.outcomes],
               "findings": [f.to_dict() for f in result.findings], "errors": result.errors}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    sys.exit(EXIT_FINDINGS if result.findings else EXIT_NOTHING_FOUND)


@main.group()
def signatures() -> None:
    """The signature pack: what inspector knows about implants."""


@signatures.command("list")
def signatures_list() -> None:
    """List the implant families, their indicators and the target lists, with counts and versions."""
    from rich.table import Table

    from inspector.analyze.signatures import SignaturePack, SignaturePackError

    console = _console()
    try:
        pack = SignaturePack.load()
    except SignaturePackError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    console.print(f"Signature pack [bold]{pack.name}[/bold] {pack.version} (SHA-256 {pack.sha256})", highlight=False)
    table = Table("family", "name", "app names", "leftover files", "ports", "target list entries")
    for family in pack.families.values():
        lists = [t for t in pack.target_lists if t.family == family.id]
        table.add_row(family.id, family.name,
                      str(sum(1 for p in pack.packages if p.family == family.id)),
                      str(sum(1 for f in pack.leftover_files if f.family == family.id)),
                      str(sum(1 for p in pack.listening_ports if p.family == family.id)),
                      ", ".join(f"{t.count:,} ({t.id})" for t in lists) or "—")
    console.print(table)
    for target in pack.target_lists:
        console.print(f"{target.id}: {target.count:,} files (size + {target.algorithm.upper()}), data SHA-256 "
                      f"{target.data_sha256}", highlight=False)
    for port in pack.listening_ports:
        console.print(f"{port.id}: TCP port {port.port} ({pack.family(port.family).name})", highlight=False)
    counts = pack.indicators.counts()
    console.print(f"Imported indicators ({len(pack.indicators.sources)} bundles in iocs/: MVT STIX2, Echap): "
                  + ", ".join(f"{kind} {n:,}" for kind, n in counts.items())
                  + (f"; {pack.indicators.unsupported} patterns not understood" if pack.indicators.unsupported else ""),
                  highlight=False)
    from inspector.cli_signatures import print_apk_rules_and_imports

    print_apk_rules_and_imports(console, pack)


@main.command()
@click.option("--tcp", metavar="HOST:PORT", multiple=True, help="Also try a phone at HOST:PORT (repeatable).")
def devices(tcp: tuple[str, ...]) -> None:
    """List the phones this computer can see (Android over USB or TCP, iPhones through usbmuxd)."""
    from inspector.acquire.android import usb
    from inspector.cli_ios import print_iphones
    from inspector.pipeline import connect, parse_hostport, Target

    console = _console()
    found = print_iphones(console)
    try:
        phones = usb.list_phones()
    except errors.DeviceError as exc:
        _fail(console, exc)
        phones = []
    for phone in phones:
        found += 1
        console.print(f"{phone.serial}\tUSB {phone.port_path}\t{phone.description}", highlight=False)
    for address in tcp:
        try:
            parse_hostport(address)
            conn = connect(Target(tcp=address), None, auth_timeout_s=5)
            conn.close()
            console.print(f"{address}\tTCP\tdevice", highlight=False)
            found += 1
        except errors.DeviceUnauthorized:
            console.print(f"{address}\tTCP\tunauthorized (tap Allow USB debugging on the phone)", highlight=False)
            found += 1
        except errors.DeviceError as exc:
            console.print(f"{address}\tTCP\tnot reachable: {exc}", highlight=False)
    if not found:
        console.print("No phone found. " + errors.NoDeviceFound.hint, highlight=False)
        sys.exit(EXIT_ERROR)


@main.command()
@click.option("--frida", is_flag=True, help="Also check lab mode: the frida module, frida-server, their versions.")
@click.option("--frida-host", metavar="HOST:PORT", help="With --frida: frida-server over TCP (after adb forward).")
def doctor(frida: bool, frida_host: str | None) -> None:
    """Check this computer: USB access, a competing adb server, the ADB key. Says what to fix."""
    from inspector.doctor import frida_checks, run_checks

    console = _console()
    problems = 0
    for check in run_checks() + (frida_checks(host=frida_host) if frida or frida_host else []):
        mark = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]"}[check.status]
        console.print(f"{mark} {check.title}: {check.detail}", highlight=False)
        if check.fix and check.status != "ok":
            console.print(f"    → {check.fix}", highlight=False)
        problems += check.status == "fail"
    sys.exit(EXIT_ERROR if problems else EXIT_NOTHING_FOUND)


@main.command()
@click.option("--profile", default="demo", show_default=True, metavar="NAME|FOLDER",
              help="A device profile folder, or 'demo' for the built-in one.")
@click.option("--port", type=int, default=6101, show_default=True, help="TCP port on 127.0.0.1 (avoid 5555-5585).")
@click.option("--no-auth", is_flag=True, help="Do not ask for key authorisation (like an insecure adbd).")
@click.option("--deny", is_flag=True, help="Never allow a new key (to see how inspector handles refusal).")
@click.option("--real-speed", is_flag=True,
              help="Answer as slowly as a real phone on USB 2.0 (80 ms per command, 400 ms per pm, 36 MB/s; "
                   "see docs/simulator.md) instead of at once.")
def simulate(profile: str, port: int, no_auth: bool, deny: bool, real_speed: bool) -> None:
    """Run the simulated phone on 127.0.0.1 until Ctrl-C.

    It speaks the real ADB protocol: `inspector scan --tcp 127.0.0.1:PORT`, or Debian's
    `adb connect 127.0.0.1:PORT` then `adb shell` / `adb pull`, work against it.
    """
    from inspector.simulator import USB2_PHONE, AuthPolicy, DeviceProfile, SimulatedPhone

    console = _console()
    prof = DeviceProfile.demo() if profile == "demo" else DeviceProfile.load(Path(profile))
    auth = AuthPolicy(required=not no_auth, on_new_key="deny" if deny else "allow")
    phone = SimulatedPhone(prof, port=port, auth=auth, timing=USB2_PHONE if real_speed else None)
    phone.start()
    console.print(f"Simulated phone listening on {phone.address} (Ctrl-C to stop).")
    try:
        phone.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        phone.stop()


_DB_OPTION = click.option("--db", metavar="URL",
                          help="Store URL (default: SQLite in your data folder, or $INSPECTOR_DB).")


def _when(moment) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


@main.group()
def db() -> None:
    """The store of scans: the database that indexes phones, cases, acquisitions and findings."""


@db.command("upgrade")
@_DB_OPTION
def db_upgrade(db: str | None) -> None:
    """Create the store, or bring it to this inspector's schema (run its migrations).

    Any command that uses the store does this by itself; run it explicitly to upgrade a shared
    store at a chosen moment. A store made by a newer inspector is left alone (exit code 2).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from inspector.store import StoreSchemaError, migrate
    from inspector.store.database import create_store_engine, default_url

    console = _console()
    url = db or default_url()
    try:
        engine = create_store_engine(url)
    except Exception as exc:
        _fail(console, _ReportInputError(f"{url!r} is not a usable database URL ({exc})"))
        sys.exit(EXIT_ERROR)
    try:
        before, after = migrate.upgrade(engine)
    except StoreSchemaError as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    except (SQLAlchemyError, OSError) as exc:
        _fail(console, _ReportInputError(f"could not upgrade the store: {exc}"))
        sys.exit(EXIT_ERROR)
    finally:
        shown = engine.url.render_as_string(hide_password=True)
        engine.dispose()
    if before == after:
        console.print(f"The store {shown} is up to date (schema {after}).", highlight=False)
    elif before is None:
        console.print(f"Created the store {shown} (schema {after}).", highlight=False)
    else:
        label = "made before migrations (0.1.0)" if before == "legacy" else f"schema {before}"
        console.print(f"Upgraded the store {shown}: {label} → schema {after}.", highlight=False)


@main.group()
def cases() -> None:
    """Cases: group the phones a helpdesk checks for one person or one delegation.

    \b
      inspector cases new trip-2026-11 --note "delegation back from Urumqi"
      inspector scan --case trip-2026-11
      inspector cases show trip-2026-11
      inspector cases close trip-2026-11
    """


@cases.command("list")
@_DB_OPTION
def cases_list(db: str | None) -> None:
    """List the cases, oldest first: open or closed, how many phones and acquisitions."""
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    with _open_store(console, db) as store:
        found = store.list_cases()
    if not found:
        console.print("No cases yet. Create one: inspector cases new NAME")
        return
    table = Table("case", "created", "closed", "phones", "acquisitions", "note")
    for info in found:
        table.add_row(escape(info.name), _when(info.created_at), _when(info.closed_at) if info.closed_at else "open",
                      str(info.device_count), str(info.acquisition_count), escape(info.note or ""))
    console.print(table)


@cases.command("new")
@click.argument("name")
@click.option("--note", metavar="TEXT", help="A note kept with the case (who, which trip, consent…).")
@_DB_OPTION
def cases_new(name: str, note: str | None, db: str | None) -> None:
    """Create the case NAME; then record scans in it with `inspector scan --case NAME`."""
    from inspector.store import StoreError

    console = _console()
    with _open_store(console, db) as store:
        try:
            info = store.create_case(name, note)
        except StoreError as exc:
            _fail(console, exc)
            sys.exit(EXIT_ERROR)
    console.print(f"Created case [bold]{_escape(info.name)}[/bold]. Record scans in it with "
                  f"inspector scan --case {_escape(_shell_quote(info.name))}", highlight=False)


@cases.command("show")
@click.argument("name")
@_DB_OPTION
def cases_show(name: str, db: str | None) -> None:
    """Show the case NAME: its note, and each acquisition in it with its latest verdict."""
    from rich.markup import escape

    from inspector.store import StoreError

    console = _console()
    with _open_store(console, db) as store:
        try:
            info = store.get_case(name)
            acquisitions = store.case_acquisitions(name)
        except StoreError as exc:
            _fail(console, exc)
            sys.exit(EXIT_ERROR)
    state = f"closed {_when(info.closed_at)}" if info.closed_at else "open"
    console.print(f"Case [bold]{escape(info.name)}[/bold] — created {_when(info.created_at)} UTC, {state}; "
                  f"{info.device_count} phone(s), {info.acquisition_count} acquisition(s)", highlight=False)
    if info.note:
        console.print(f"Note: {escape(info.note)}", highlight=False)
    if not acquisitions:
        console.print("No acquisitions yet.")
        return
    _print_rows(console, ("started (UTC)", "phone", "model", "verdict", "findings", "acquisition"),
                [(_when(acq.started_at), acq.device_fingerprint[:12], acq.model or "", acq.verdict or "not analysed",
                  str(acq.finding_count), acq.path) for acq in acquisitions])


@cases.command("close")
@click.argument("name")
@_DB_OPTION
def cases_close(name: str, db: str | None) -> None:
    """Close the case NAME: it stays readable, but no more scans can be recorded in it."""
    from inspector.store import StoreError

    console = _console()
    with _open_store(console, db) as store:
        try:
            info = store.close_case(name)
        except StoreError as exc:
            _fail(console, exc)
            sys.exit(EXIT_ERROR)
    console.print(f"Closed case [bold]{_escape(info.name)}[/bold] ({info.acquisition_count} acquisition(s)).",
                  highlight=False)


_DEVICE_RE = re.compile(r"^[0-9a-fA-F]{8,64}$")


@main.command()
@click.argument("device", metavar="DEVICE")
@_DB_OPTION
def history(device: str, db: str | None) -> None:
    """All scans of one phone, oldest first: date, verdict, findings, case, acquisition folder.

    DEVICE is the phone's hashed serial number as shown in its report (device › serial SHA-256),
    or its first 8 or more hex characters. The serial number itself is never stored.
    """

    console = _console()
    if not _DEVICE_RE.match(device):
        _fail(console, _ReportInputError(
            f"{device!r} is not a hashed serial number",
            hint="Give the phone's serial SHA-256 from its report, or at least its first 8 hex characters."))
        sys.exit(EXIT_ERROR)
    with _open_store(console, db) as store:
        matches = store.find_devices(device)
        if len(matches) > 1:
            _fail(console, _ReportInputError(
                f"{device!r} matches {len(matches)} phones: {', '.join(m[:16] for m in matches[:5])}",
                hint="Give more characters of the hashed serial."))
            sys.exit(EXIT_ERROR)
        if not matches:
            _fail(console, _ReportInputError(
                f"no phone with a hashed serial starting with {device.lower()!r} in the store {store.url}",
                hint="Check the value in the report (device › serial SHA-256), and --db / $INSPECTOR_DB."))
            sys.exit(EXIT_ERROR)
        scans = store.scans_for_device(matches[0])
    console.print(f"Phone {matches[0]}: {len(scans)} scan(s)", highlight=False)
    _print_rows(console, ("date (UTC)", "verdict", "findings", "case", "acquisition"),
                [(_when(record.created_at), record.verdict, str(record.finding_count), record.case or "—",
                  record.acquisition_path) for record in scans])


def _print_rows(console: Console, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; tab-separated lines (header first) when the output goes to a file or
    another program, so that long paths are never cut or wrapped."""
    from rich.markup import escape
    from rich.table import Column, Table

    if console.is_terminal:
        table = Table(*header[:-1], Column(header[-1], overflow="fold"))
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))
        console.print(table)
        return
    for row in (header, *rows):
        sys.stdout.write("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) + "\n")
    sys.stdout.flush()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def run() -> None:  # pragma: no cover - console entry for `python -m inspector`
    main(prog_name=os.path.basename(sys.argv[0]) or "inspector")


from inspector import cli_store  # noqa: E402 - registered last (it imports helpers from this module)

main.add_command(cli_store.diff)
main.add_command(cli_store.rescan)
main.add_command(cli_store.batch)
main.add_command(cli_store.worker)
main.add_command(cli_store.export)
main.add_command(cli_store.import_)
main.add_command(cli_store.keys)

from inspector.cli_lab import trace as _trace_command  # noqa: E402 - registered last

main.add_command(_trace_command)

from inspector.cli_signatures import signatures_import, signatures_lint  # noqa: E402 - registered last

signatures.add_command(signatures_lint)
signatures.add_command(signatures_import)
