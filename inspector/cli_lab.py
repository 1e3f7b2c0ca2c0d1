"""``inspector trace``: lab mode with Frida (docs/lab-mode.md). Parses options and prints; the work
is in :mod:`inspector.pipeline_lab` and :mod:`inspector.lab`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from inspector.cli import (
    EXIT_ERROR,
    _check_case,
    _console,
    _fail,
    _finish,
    _parse_report_options,
    _report_options,
)


@click.command("trace", context_settings={"ignore_unknown_options": True})
@click.argument("target", nargs=-1, required=True, type=click.UNPROCESSED, metavar="PACKAGE|PROGRAM [ARGS]...")
@click.option("--device", "device_id", metavar="ID",
              help="The Frida device id (the USB serial) when several are plugged in.")
@click.option("--frida-host", metavar="HOST:PORT",
              help="frida-server over TCP, e.g. 127.0.0.1:27042 after `adb forward tcp:27042 tcp:27042`.")
@click.option("--local", is_flag=True, help="Trace a program on this computer (to try the agent; the tests use it).")
@click.option("--spawn/--attach", "spawn", default=True, show_default=True,
              help="Start the app under the agent (sees everything from its first instruction) or attach to it "
                   "running (PACKAGE may then be a process name or a PID).")
@click.option("--duration", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Stop after this many seconds (default: when the app ends or on Ctrl-C).")
@click.option("--out", type=click.Path(path_type=Path), metavar="FOLDER",
              help="Folder for the trace and its report (default: ./inspector-trace-<time>).")
@click.option("--path", "paths", multiple=True, metavar="PREFIX",
              help="Record files opened, listed or deleted under PREFIX (repeatable). Default: shared storage "
                   "and app data (/sdcard, /storage/, /data/data/, /data/user/ …).")
@click.option("--all-paths", is_flag=True, help="Record every file the app touches (much more data).")
@click.option("--backtrace", is_flag=True, help="A short Java/native backtrace with each event (slower).")
@click.option("--capture-content", is_flag=True,
              help="Also record the values the app read (message texts, contacts, identity numbers). Off by "
                   "default: the trace then holds what was read and how much, not what it said.")
@click.option("--no-java", is_flag=True, help="Native hooks only, even in an Android app.")
@click.option("--operator", metavar="NAME", help="Who runs the trace (kept in acquisition.json).")
@click.option("--json", "json_out", is_flag=True, help="Print the result document (JSON) on stdout.")
@click.option("--db", metavar="URL", help="Store URL (default: SQLite in your data folder, or $INSPECTOR_DB).")
@click.option("--no-store", is_flag=True, help="Do not record this trace in the store.")
@click.option("--case", "case", metavar="NAME", help="Record this trace in the open case NAME.")
@_report_options
def trace(target: tuple[str, ...], device_id: str | None, frida_host: str | None, local: bool, spawn: bool,
          duration: float | None, out: Path | None, paths: tuple[str, ...], all_paths: bool, backtrace: bool,
          capture_content: bool, no_java: bool, operator: str | None, json_out: bool, db: str | None,
          no_store: bool, case: str | None, formats: str, lang: str | None) -> None:
    """Watch what an app does on a test phone running frida-server, and report it under "What this
    app did": content providers read (messages, contacts, call history, calendar, SIM), the app list,
    identity numbers, location, camera and microphone, Wi-Fi networks removed, programs run, files
    opened on shared storage, network connections and web requests.

    This runs the app with an agent inside it: use a test phone (rooted, or an emulator), never the
    traveller's own phone. Events go to events.jsonl in an acquisition folder (hashed in hashes.csv),
    kept whatever ends the trace: Ctrl-C, the app exiting or crashing, --duration, a lost device.

    \b
    Examples:
      inspector trace com.example.suspicious --duration 120
      adb forward tcp:27042 tcp:27042 && inspector trace --frida-host 127.0.0.1:27042 --attach com.example.app
      inspector trace --local --path /tmp -- ./program arg1 arg2

    Exit codes: 0 nothing on the list was seen; 1 the app did something on the list (read the report);
    2 the trace could not start or was cut short with nothing seen.
    """
    from inspector.lab.errors import LabError
    from inspector.lab.trace import ANDROID_PATHS, TraceOptions
    from inspector.pipeline_lab import report_trace, trace_app
    from inspector.lab.device import FridaTarget

    console = _console(json_out)
    if sum(bool(x) for x in (device_id, frida_host, local)) > 1:
        raise click.UsageError("choose one of --device, --frida-host and --local")
    if all_paths and paths:
        raise click.UsageError("--all-paths records every path; leave out --path")
    report_formats, report_lang = _parse_report_options(formats, lang)
    _check_case(console, case, db, no_store)
    folder = out or Path.cwd() / f"inspector-trace-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    where = FridaTarget(local=local, host=frida_host, device_id=device_id)
    options = TraceOptions(target=list(target), spawn=spawn, duration_s=duration,
                           paths=None if all_paths else (tuple(paths) or ANDROID_PATHS), backtrace=backtrace,
                           capture_content=capture_content, java=not no_java)
    console.print(f"Tracing [bold]{_plain(' '.join(target))}[/bold] on {where.describe()} "
                  f"({'spawn' if spawn else 'attach'}). Ctrl-C stops and keeps what was recorded.", highlight=False)
    try:
        with console.status("Starting…") as status:
            def progress(events: int) -> None:
                status.update(f"Recording: {events:,} events")

            acq, outcome = trace_app(where, options, folder, operator=operator, on_progress=progress)
    except LabError as exc:
        _fail(console, exc)
        if (folder / "acquisition.json").is_file():
            console.print(f"What was recorded is kept in {folder}.", highlight=False)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:  # before the trace started (once it runs, Ctrl-C ends it cleanly)
        console.print("\n[bold]Stopped[/bold] before the trace started: nothing was recorded.")
        sys.exit(EXIT_ERROR)
    if outcome.version_note:
        console.print(f"[yellow]! {outcome.version_note}[/yellow]", highlight=False)
    console.print(f"Stopped: {_plain(outcome.detail or outcome.stop_reason)}. {outcome.events:,} events in "
                  f"{acq.artifact_path('events.jsonl')}"
                  + (f" ({outcome.lost_events:,} lost)" if outcome.lost_events else ""), highlight=False)
    if not outcome.agent.get("java") and not local:
        console.print("[yellow]! No Java VM in this process: only native hooks ran.[/yellow]")
    result = report_trace(acq, formats=report_formats, lang=report_lang, db=db, store=not no_store, case=case)
    _finish(console, result, json_out, lang=report_lang)


def _plain(text: str) -> str:
    from rich.markup import escape

    return escape(text)
