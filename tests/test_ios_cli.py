"""`inspector check` on iPhone inputs, run as a user runs it (the installed console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ios_backup_builder import SMS_DB, BackupContent, build_backup, build_sysdiagnose, shutdown_log, sms_db

EXE = Path(sys.executable).parent / "inspector"


def run(*args: str, env_extra: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INSPECTOR_BACKUP_PASSWORD"}
    env.update(env_extra or {}, COLUMNS="120")
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=120, env=env, input=stdin)


def _backup(tmp: Path, password: str | None) -> Path:
    c = BackupContent()
    c.files[SMS_DB] = sms_db(tmp, [("+1555", "https://example.org/hello", datetime(2026, 11, 18, 9))])
    return build_backup(tmp / "backup", c, password=password)


def test_encrypted_backup_with_password_option_and_environment(tmp_path):
    root = _backup(tmp_path, "pa ss")
    done = run("check", str(root), "--password", "pa ss", "--out", str(tmp_path / "a"), "--no-store", "--json")
    assert done.returncode == 1, done.stderr  # backup encryption is on: "needs review" until the owner answers
    doc = json.loads(done.stdout)
    assert doc["verdict"] == "needs_review" and doc["device"]["platform"] == "ios"
    assert (tmp_path / "a" / "report.html").is_file()
    by_env = run("check", str(root), "--out", str(tmp_path / "b"), "--no-store", "--json",
                 "--owner-set-backup-password", "yes", env_extra={"INSPECTOR_BACKUP_PASSWORD": "pa ss"})
    assert by_env.returncode == 0, by_env.stderr
    assert json.loads(by_env.stdout)["verdict"] == "nothing_found"
    # checking the acquisition folder again needs the password again, and a wrong one is refused
    again = run("check", str(tmp_path / "b"), "--no-store", "--password", "nope")
    assert again.returncode == 2 and "backup password is wrong" in again.stdout


def test_wrong_or_missing_password(tmp_path):
    root = _backup(tmp_path, "right")
    wrong = run("check", str(root), "--password", "wrong", "--out", str(tmp_path / "w"), "--no-store")
    assert wrong.returncode == 2
    shown = " ".join(wrong.stdout.split())
    assert "backup password is wrong" in shown and "not the phone's passcode" in shown
    assert not (tmp_path / "w").exists()  # nothing written for a refused password
    missing = run("check", str(root), "--out", str(tmp_path / "m"), "--no-store", stdin="")
    assert missing.returncode == 2
    shown = " ".join(missing.stdout.split())
    assert "is encrypted" in shown and "--password" in shown and "INSPECTOR_BACKUP_PASSWORD" in shown


def test_plain_backup_and_sysdiagnose(tmp_path):
    plain = run("check", str(_backup(tmp_path, None)), "--out", str(tmp_path / "p"), "--no-store", "--json")
    assert plain.returncode == 0, plain.stderr
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2026.tar.gz", {
        "system_logs.logarchive/Extra/shutdown.log":
            shutdown_log(["/private/var/tmp/updaterd"], datetime(2026, 11, 18, 9)).encode()})
    diag = run("check", str(archive), "--out", str(tmp_path / "s"), "--no-store", "--json")
    assert diag.returncode == 1, diag.stderr
    findings = json.loads(diag.stdout)["findings"]
    assert [f["rule_id"] for f in findings] == ["ios.shutdown_log.suspicious_path"]


def test_help_names_the_iphone_inputs():
    shown = run("check", "--help")
    text = shown.stdout
    assert "--password" in text and "sysdiagnose" in text and "--owner-set-backup-password" in text


def test_password_and_owner_answer_asked_on_a_terminal(tmp_path):
    """Run with a pseudo-terminal as stdin, as a person at a terminal would: asked for the password,
    then whether the owner set it; "no" gives the strong finding."""
    import pty

    root = _backup(tmp_path, "typed pw")
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "INSPECTOR_BACKUP_PASSWORD"}
    proc = subprocess.Popen([str(EXE), "check", str(root), "--out", str(tmp_path / "t"), "--no-store", "--json"],
                            stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    os.close(follower)
    seen = b""
    # answer each question once it is asked: typing earlier is lost when the password prompt turns
    # echo off (the terminal's pending input is flushed then, as it is for a person)
    for prompt, answer in ((b"Backup password:", b"typed pw\n"), (b"themselves?", b"no\n")):
        while prompt not in seen:
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, seen.decode()
            seen += chunk
        os.write(leader, answer)
    out, err = proc.communicate(timeout=120)
    os.close(leader)
    err = seen + err
    assert proc.returncode == 1, err.decode()
    rules = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "ios.backup_encryption.not_by_owner" in rules


def test_nothing_is_written_outside_the_output_folder(tmp_path):
    """The backup is not changed, and no decrypted file lands in the temporary folder (TMPDIR) or
    anywhere but the output folder, which keeps no decrypted file either."""
    import hashlib

    root = _backup(tmp_path, "pw")

    def snapshot(folder: Path) -> dict[str, str]:
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file()}

    before = snapshot(root)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    out = tmp_path / "out"
    done = run("check", str(root), "--password", "pw", "--out", str(out), "--no-store", "--format", "json",
               env_extra={"TMPDIR": str(tmpdir)})
    assert done.returncode == 1, done.stderr
    assert snapshot(root) == before
    assert list(tmpdir.iterdir()) == []
    names = {p.name for p in out.rglob("*")}
    assert not any(n.startswith(".ios-work") or n == "Manifest.db" for n in names), names
