"""``inspector scan --ios`` and the iPhone lines of ``inspector devices``. Thin, like cli.py: options
are parsed there, the work is in inspector.pipeline and inspector.acquire.ios."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console


_PROMPTS = {
    "trust": "[bold yellow]The iPhone asks: “Trust This Computer?”[/bold yellow] Unlock it, tap *Trust* and "
             "enter your passcode. Waiting…",
    "unlock": "[bold yellow]The iPhone is locked.[/bold yellow] Unlock it with its passcode; it will then ask "
              "whether to trust this computer. Waiting…",
    "backup_password_left": "[bold red]The temporary backup password could not be removed[/bold red] (the "
                            "iPhone went away). It is shown below: remove it with a backup tool and that password, "
                            "or on the phone with Settings › General › Transfer or Reset iPhone › Reset › Reset "
                            "All Settings.",
    "sysdiagnose": "[bold yellow]Now start a sysdiagnose on the iPhone:[/bold yellow] press both volume buttons "
                   "and the side button together for about one second, then let go (the phone vibrates briefly; "
                   "do not hold longer, that starts Emergency SOS). The phone needs 5–10 minutes to write it; keep "
                   "it plugged in. Waiting…",
}


def scan_ios(*, udid: str | None, backup: bool, sysdiagnose: bool, out: Path | None, resume: Path | None,
             operator: str | None, json_out: bool, db: str | None, no_store: bool, case: str | None,
             trust_timeout: float, window: str | None, formats: str, lang: str | None) -> None:
    from inspector.acquire.ios.collector import IosCollectOptions
    from inspector.cli import _analyse, _collecting, _finish, _say_lost, _start_scan
    from inspector.cli_progress import RichReporter
    from inspector.pipeline import acquire_ios

    console, report_formats, report_lang, folder, pack = _start_scan(
        json_out=json_out, window=window, formats=formats, lang=lang, resume=resume, out=out, case=case, db=db,
        no_store=no_store)

    def on_prompt(kind: str) -> None:
        console.print(_PROMPTS.get(kind, _PROMPTS["trust"]))

    def confirm(question: str) -> bool:
        if question != "backup_encryption":
            return False
        console.print("Backup encryption is off on this iPhone. An encrypted backup also holds the keychain, "
                      "Wi-Fi and health data. inspector can switch encryption on with a temporary password for "
                      "this backup and switch it off again right after; nothing else changes.")
        if not sys.stdin.isatty():
            console.print("No one to ask (not a terminal): the backup is made without encryption.")
            return False
        return click.confirm("Use a temporary backup password?", default=False, err=json_out)

    def on_connected(found: str) -> None:
        console.print(f"Connected to the iPhone {found}.", highlight=False)

    with _collecting(console, folder, "inspector scan --ios"), RichReporter(console) as reporter:
        acq, stats, lost = acquire_ios(udid, folder, resume=bool(resume), operator=operator, pack=pack,
                                       reporter=reporter, on_prompt=on_prompt, on_connected=on_connected,
                                       trust_timeout_s=trust_timeout,
                                       options=IosCollectOptions(sysdiagnose=sysdiagnose, backup=backup),
                                       confirm=confirm)
    _say_lost(console, acq, lost)
    if stats is not None:
        console.print(f"iPhone: {stats.apps} apps listed, {stats.crash_files} crash/analytics logs copied"
                      + (f" ({stats.crash_files_skipped_done} done before)" if stats.crash_files_skipped_done else "")
                      + f"; {stats.bytes_received / 1e6:.1f} MB of logs received.", highlight=False)
    ios_options = None
    if stats is not None and stats.backup_password:
        from inspector.analyze.ios.evidence import IOSOptions

        console.print(f"The backup is encrypted with the temporary password [bold]{stats.backup_password}[/bold]. "
                      "inspector does not store it: note it to check this backup again (inspector check "
                      f"{acq.path} --password …).", highlight=False)
        ios_options = IOSOptions(backup_password=stats.backup_password)
    outcome = _analyse(console, acq, pack, window, db=db, store=not no_store, formats=report_formats,
                       lang=report_lang, case=case, ios_options=ios_options)
    _finish(console, outcome, json_out, lang=report_lang)


def print_iphones(console: Console) -> int:
    """One line per iPhone usbmuxd lists; the number found. No usbmuxd is not an error here: the
    person may only have Android phones."""
    import asyncio

    from inspector.acquire.ios import errors as ios_errors
    from inspector.acquire.ios.connection import list_iphones

    try:
        phones = asyncio.run(list_iphones())
    except ios_errors.UsbmuxdUnavailable as exc:
        console.print(f"iPhones: not looked for ({exc})", highlight=False)
        return 0
    for phone in phones:
        console.print(f"{phone.udid}\tiPhone ({phone.connection_type})\t(scan it with: inspector scan --ios"
                      f"{' --udid ' + phone.udid if len(phones) > 1 else ''})", highlight=False)
    return len(phones)
