"""Cases and history through the installed `inspector` command (a subprocess of the console script),
against a real SQLite store in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "inspector"


@pytest.fixture
def cli(tmp_path: Path, isolated_user_dirs: Path):
    env = {**os.environ, "COLUMNS": "200", "INSPECTOR_DB": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    for name in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{name}_DIR"] = str(isolated_user_dirs / name.lower())

    def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=tmp_path)

    return run


def test_help_of_every_new_command(cli) -> None:
    for args in (["db", "upgrade"], ["cases"], ["cases", "list"], ["cases", "new"], ["cases", "show"],
                 ["cases", "close"], ["history"]):
        out = cli(*args, "--help")
        assert out.returncode == 0, out.stderr
        assert "Usage:" in out.stdout and len(out.stdout.splitlines()) > 4
    assert "--case NAME" in cli("scan", "--help").stdout
    assert "--case NAME" in cli("check", "--help").stdout
    assert "hashed serial" in cli("history", "--help").stdout


def test_db_upgrade(cli, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    first = cli("db", "upgrade", "--db", f"sqlite:///{other}")
    assert first.returncode == 0 and "Created the store" in first.stdout and "0004" in first.stdout
    again = cli("db", "upgrade", "--db", f"sqlite:///{other}")
    assert again.returncode == 0 and "up to date" in again.stdout
    bad = cli("db", "upgrade", "--db", "nonsense://")
    assert bad.returncode == 2 and "Error" in bad.stdout


def test_case_lifecycle(cli) -> None:
    empty = cli("cases", "list")
    assert empty.returncode == 0 and "No cases yet" in empty.stdout
    created = cli("cases", "new", "delegation-11", "--note", "back from the trip [consent signed]")
    assert created.returncode == 0, created.stdout + created.stderr
    assert "inspector scan --case delegation-11" in created.stdout
    duplicate = cli("cases", "new", "delegation-11")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stdout

    listed = cli("cases", "list")
    assert listed.returncode == 0 and "delegation-11" in listed.stdout and "open" in listed.stdout
    shown = cli("cases", "show", "delegation-11")
    assert shown.returncode == 0 and "[consent signed]" in shown.stdout and "No acquisitions yet" in shown.stdout

    closed = cli("cases", "close", "delegation-11")
    assert closed.returncode == 0 and "Closed case" in closed.stdout
    assert "closed" in cli("cases", "show", "delegation-11").stdout
    twice = cli("cases", "close", "delegation-11")
    assert twice.returncode == 2 and "was closed" in twice.stdout

    missing = cli("cases", "show", "nope")
    assert missing.returncode == 2 and "inspector cases new nope" in missing.stdout


def test_scan_in_a_case_then_history(cli, tmp_path: Path) -> None:
    assert cli("cases", "new", "trip").returncode == 0
    unknown = cli("scan", "--demo", "--case", "no-such-case", "--out", str(tmp_path / "never"))
    assert unknown.returncode == 2 and "inspector cases new no-such-case" in unknown.stdout
    assert not (tmp_path / "never").exists()  # refused before connecting to anything
    assert cli("scan", "--demo", "--case", "x", "--no-store").returncode == 2

    folder = tmp_path / "scan1"
    scanned = cli("scan", "--demo", "--case", "trip", "--out", str(folder), "--json")
    assert scanned.returncode == 1, scanned.stderr[-2000:]
    result = json.loads(scanned.stdout)
    serial = result["device"]["serial_sha256"]
    findings = len(result["findings"])

    # The same acquisition checked again, outside any case (it stays in its case).
    assert cli("check", str(folder)).returncode == 1

    history = cli("history", serial[:8].upper())
    assert history.returncode == 0, history.stdout + history.stderr
    lines = history.stdout.splitlines()
    assert serial in lines[0] and "2 scan(s)" in lines[0]
    assert lines[1].split("\t") == ["date (UTC)", "verdict", "findings", "case", "acquisition"]
    rows = [line.split("\t") for line in lines[2:]]
    assert [row[1:] for row in rows] == [["implant_found", str(findings), "trip", str(folder)]] * 2
    assert rows[0][0] <= rows[1][0]  # oldest first

    shown = cli("cases", "show", "trip")
    assert "1 phone(s), 1 acquisition(s)" in shown.stdout and str(folder) in shown.stdout

    assert cli("cases", "close", "trip").returncode == 0
    refused = cli("check", str(folder), "--case", "trip")
    assert refused.returncode == 2 and "was closed" in refused.stdout


def test_history_bad_devices(cli) -> None:
    short = cli("history", "abc")
    assert short.returncode == 2 and "8 hex" in short.stdout
    unknown = cli("history", "0123456789abcdef")
    assert unknown.returncode == 2 and "no phone" in unknown.stdout
