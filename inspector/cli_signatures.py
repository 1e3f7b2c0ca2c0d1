"""``inspector signatures lint`` and ``inspector signatures import``: checking a pack and adding public
indicator bundles or rules to it, offline. The work is in inspector/analyze/pack_lint.py and
pack_import.py; this module only parses options and prints."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from inspector.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_NOTHING_FOUND, _console, _fail


@click.command("lint")
@click.argument("folder", metavar="[PACK_FOLDER]", required=False,
                type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (for a pack's own CI).")
def signatures_lint(folder: Path | None, strict: bool) -> None:
    """Check a signature pack the way a scan reads it: families, APK rules, target lists, indicator
    bundles (STIX2, Echap), YARA files, plus what the user imported. Every problem names its file.

    Without PACK_FOLDER: the pack in use (the shipped one, or $INSPECTOR_SIGNATURES_DIR), with your
    imports. Exit 0 if it is usable, 2 on errors, 1 on warnings with --strict."""
    from rich.markup import escape

    from inspector.analyze.pack_lint import lint

    console = _console()
    report = lint(folder)
    for line in report.facts:
        console.print(escape(line), highlight=False)
    for line in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(line)}", highlight=False)
    for line in report.errors:
        console.print(f"[bold red]error:[/bold red] {escape(line)}", highlight=False)
    if report.load_seconds is not None:
        console.print(f"Loaded in {report.load_seconds:.2f} s.", highlight=False)
    if report.errors:
        console.print("The pack cannot be used until these errors are fixed (see docs/signatures.md).")
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if strict and report.warnings else EXIT_NOTHING_FOUND)


@click.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path, exists=True))
@click.option("--name", metavar="NAME", help="File name to keep it under (default: the file's own name).")
@click.option("--remove", "remove_file", metavar="FILE",
              help="Take an imported file out again (as `inspector signatures list` names it).")
def signatures_import(path: Path | None, name: str | None, remove_file: str | None) -> None:
    """Add indicators or rules to the pack in use, offline: a STIX2 bundle (MVT's indicator files),
    Echap's ioc.yaml or samples.csv, YARA rules (.yar), or inspector APK rules (.yaml). PATH may be a
    folder (e.g. a checkout of mvt-indicators): every file of a known kind in it is imported.

    Each file is checked first, then copied into your data folder and listed with its SHA-256; the
    pack's identity (recorded in every report) then includes it. Re-importing a file of the same name
    replaces it. Run `inspector check` or `inspector rescan` afterwards to use it on stored phones."""
    from rich.markup import escape

    from inspector.analyze.pack_import import ImportRefused, import_path, remove
    from inspector.analyze.signatures import SignaturePack, SignaturePackError

    console = _console()
    if remove_file:
        try:
            entry = remove(remove_file)
        except ImportRefused as exc:
            _fail(console, exc)
            sys.exit(EXIT_ERROR)
        console.print(f"Removed {escape(entry['file'])} (imported from {escape(entry['source'])}).",
                      highlight=False)
        return
    if path is None:
        raise click.UsageError("give a PATH to import, or --remove FILE")
    try:
        pack = SignaturePack.load()
        outcome = import_path(path, pack, name)
    except (SignaturePackError, ImportRefused) as exc:
        _fail(console, exc)
        sys.exit(EXIT_ERROR)
    for entry in outcome.imported:
        counts = ", ".join(f"{k} {v:,}" for k, v in entry["counts"].items())
        console.print(f"Imported {escape(entry['file'])} ({entry['kind']}: {escape(counts)}), SHA-256 "
                      f"{entry['sha256']}", highlight=False)
    for skipped, why in outcome.skipped:
        console.print(f"[yellow]skipped[/yellow] {escape(skipped)}: {escape(why)}", highlight=False)
    if not outcome.imported:
        console.print("Nothing was imported.")
        sys.exit(EXIT_ERROR)
    console.print(f"Signature pack now {SignaturePack.load().sha256}.", highlight=False)


def print_apk_rules_and_imports(console, pack) -> None:
    """The end of `inspector signatures list`: APK rules, YARA files, and what the user imported."""
    from rich.markup import escape

    from inspector.analyze.apk.checker import ApkChecker
    from inspector.analyze.apk.rules import ApkRuleError
    from inspector.analyze.apk.yara_rules import YaraRulesError
    from inspector.analyze.signatures import imported_entries

    try:
        checker = ApkChecker.for_pack(pack)
    except (ApkRuleError, YaraRulesError) as exc:
        console.print(f"[bold red]APK rules cannot be loaded:[/bold red] {escape(str(exc))}", highlight=False)
        return
    for rule in checker.rules:
        console.print(f"APK rule {escape(rule.id)} ({rule.severity}, {rule.file}): {escape(rule.name)}",
                      highlight=False)
    if checker.yara:
        console.print(f"YARA files: {escape(', '.join(checker.yara.files))}", highlight=False)
    if pack.imported:
        for entry in imported_entries(pack.imported):
            console.print(f"Imported {escape(str(entry.get('file')))} ({entry.get('kind')}, "
                          f"{entry.get('imported_at')}, SHA-256 {entry.get('sha256')}) from "
                          f"{escape(str(entry.get('source')))}", highlight=False)
