"""The ``ics`` and ``ics-import`` commands, run as real subprocesses against a real store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import icalendar

from .conftest import SHIFTS

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "appointments.ics"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTENZZEIT_PASSPHRASE": "pw", "ASSISTENZZEIT_KDF_N": "4096"}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def uids(text: str) -> set[str]:
    return {str(e["UID"]).split("@")[0]
            for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}


def test_cli_ics_prints_member_team_and_open_feeds(team):
    store = str(team.store.directory)
    team.store.close()
    window = ["--from", "2026-03-01", "--to", "2026-12-31"]

    member = run("ics", "--store", store, "--member", "Ben Meyer", *window)
    assert member.returncode == 0, member.stderr
    assert uids(member.stdout) == {s[0] for s in SHIFTS if s[3] == "ben"}

    whole = run("ics", "--store", store, "--team", *window)
    assert uids(whole.stdout) == {s[0] for s in SHIFTS}
    open_ = run("ics", "--store", store, "--open", *window)
    assert uids(open_.stdout) == {s[0] for s in SHIFTS if s[3] is None}

    autumn = run("ics", "--store", store, "--team", "--from", "2026-10-01", "--to",
                 "2026-10-31")
    assert len(uids(autumn.stdout)) == 3

    bad = run("ics", "--store", store, "--team", "--from", "März")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "(from)" in bad.stderr


def test_cli_ics_import_reports_counts_and_refuses_bad_files(team, tmp_path):
    store = str(team.store.directory)
    team.store.close()
    ok = run("ics-import", str(DATA), "--store", store, "--from", "2026-03-01",
             "--to", "2026-12-31")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("8 Termine neu")

    bad_file = tmp_path / "kaputt.ics"
    bad_file.write_bytes(DATA.read_bytes().replace(b"DTEND:20260328T210000Z",
                                                   b"DTEND:20260328T170000Z"))
    bad = run("ics-import", str(bad_file), "--store", store)
    assert bad.returncode == 2
    assert "DTEND liegt vor DTSTART" in bad.stderr and "konzert@example.org" in bad.stderr
    assert "Traceback" not in bad.stderr

    missing = run("ics-import", str(tmp_path / "gibtsnicht.ics"), "--store", store)
    assert missing.returncode == 2 and "lässt sich nicht lesen" in missing.stderr

    again = run("ics-import", str(DATA), "--store", store, "--from", "2026-03-01",
                "--to", "2026-12-31")
    assert again.stdout.startswith("0 Termine neu, 0 geändert, 8 unverändert")
