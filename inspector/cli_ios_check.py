"""The iPhone part of ``inspector check``: the backup password (--password, $INSPECTOR_BACKUP_PASSWORD,
or a prompt on a terminal), the owner's answer about it, and a progress bar while a backup is read in.
Thin like cli.py: the work is in inspector.sources.ios and inspector.analyze.ios."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

PASSWORD_ENV = "INSPECTOR_BACKUP_PASSWORD"


def _encrypted_backup_root(path: Path) -> Path | None:
    """The backup folder at PATH (a backup, or an iOS acquisition holding one) if it is encrypted."""
    from inspector.sources.ios.backup import BackupError, looks_like_backup, read_plist

    candidates = [path, path / "backup"]
    manifest_path = path / "acquisition.json"
    if manifest_path.is_file():
        import json

        try:
            source = (json.loads(manifest_path.read_text("utf-8")).get("source") or {})
            if isinstance(source, dict) and source.get("kind") == "ios-backup" and source.get("path"):
                candidates.append(Path(source["path"]))
        except (ValueError, OSError, AttributeError):
            pass
    for root in candidates:
        if looks_like_backup(root):
            try:
                return root if read_plist(root / "Manifest.plist").get("IsEncrypted") is True else None
            except BackupError:
                return None
    return None


def backup_password(path: Path, given: str | None, console: Console) -> str | None:
    """The password to use for PATH, or None when PATH holds no encrypted backup (or none is known:
    then the conversion says what to do, or the coverage says what was not checked)."""
    if given:
        return given
    if _encrypted_backup_root(path) is None:
        return None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        console.print("This iPhone backup is encrypted. Type its password (the one set in iTunes/Finder or by "
                      "the tool that made it; not the phone's passcode).", highlight=False)
        return click.prompt("Backup password", hide_input=True, err=True)
    return None


def verify_password(acq, password: str | None) -> None:
    """For an acquisition that holds an encrypted backup: WrongPassword now, before any analysis."""
    from inspector.analyze.ios.evidence import IOSEvidence, IOSOptions

    if password is None or acq.manifest.get("platform") != "ios":
        return
    evidence = IOSEvidence(acq, IOSOptions(backup_password=password))
    try:
        evidence.backup  # noqa: B018 - opening it is the check
        if evidence.backup_problem_kind == "wrong_password":
            from inspector.sources.ios.keybag import WrongPassword

            raise WrongPassword("the backup password is wrong")
    finally:
        evidence.close()


def _will_encrypt(path: Path) -> bool:
    """A live scan's backup_settings.json says backups are encrypted."""
    import json

    try:
        return json.loads((path / "backup_settings.json").read_text("utf-8")).get("WillEncrypt") is True
    except (OSError, ValueError, AttributeError):
        return False


def owner_answer(value: str | None, path: Path, console: Console) -> bool | None:
    """--owner-set-backup-password, else asked on a terminal when PATH holds an encrypted backup;
    None (not asked: the finding is then "needs review") in batch."""
    if value:
        return value == "yes"
    if not sys.stdin.isatty() or (_encrypted_backup_root(path) is None and not _will_encrypt(path)):
        return None
    console.print("Backups of this iPhone are encrypted with a password. Border and police tools switch this "
                  "on with their own password.", highlight=False)
    answer = click.prompt("Did the phone's owner set this backup password themselves?",
                          type=click.Choice(["yes", "no", "unsure"]), default="unsure", err=True)
    return {"yes": True, "no": False}.get(answer)


def backup_progress(console: Console, path: Path):
    """A progress bar in bytes while a backup folder is read in (hashing every file takes minutes
    for a large backup), or None for other inputs."""
    from inspector.sources.ios.backup import looks_like_backup

    if not looks_like_backup(path):
        return None
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("Reading the backup"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                        console=console, transient=True)
    total = sum(p.stat().st_size for p in path.glob("??/*") if p.is_file())
    task = progress.add_task("backup", total=total or None)
    return progress, lambda n: progress.advance(task, n)
