"""The scripting CLI, run as a user would: real processes on a real store folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, passphrase: str = "demo-pass", check: bool = True, lang: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTENZZEIT_PASSPHRASE": passphrase, "ASSISTENZZEIT_KDF_N": "4096",
           **({"ASSISTENZZEIT_LANGUAGE": lang} if lang else {})}  # None: German, the default
    proc = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "store"
    out = run("demo", "--store", str(path)).stdout
    assert "4 assistants" in out
    return path


def test_members_json_lists_demo_team(demo_store: Path) -> None:
    members = json.loads(run("members", "--store", str(demo_store), "--json").stdout)
    roles = [m["role"] for m in members]
    assert roles.count("assistant") == 4 and roles.count("employer") == 1
    assert {"id", "name", "role"} == set(members[0])
    assert "Ben Meyer" in [m["name"] for m in members]


def test_clock_in_and_out_then_month_shows_entry(demo_store: Path) -> None:
    run("clock", "in", "--store", str(demo_store), "--member", "Clara Schmidt", "--note", "Hallo")
    again = run("clock", "in", "--store", str(demo_store), "--member", "Clara Schmidt",
                check=False)
    assert again.returncode == 2 and "läuft schon" in again.stderr
    assert "Traceback" not in again.stderr
    run("clock", "out", "--store", str(demo_store), "--member", "Clara Schmidt")
    import datetime as dt

    month = dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m")
    summary = json.loads(run("month", "--store", str(demo_store), "--member", "Clara Schmidt",
                             "--month", month, "--json").stdout)
    notes = [e["note"] for e in summary["entries"]]
    assert "Hallo" in notes
    clocked = next(e for e in summary["entries"] if e["note"] == "Hallo")
    assert clocked["end"] is not None and clocked["source"] == "clock"


def test_wrong_passphrase_is_one_clear_line(demo_store: Path) -> None:
    proc = run("members", "--store", str(demo_store), passphrase="falsch", check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "assistenzzeit: Die Passphrase ist falsch."]


def test_wrong_passphrase_in_the_language_setting(demo_store: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTENZZEIT_LANGUAGE", "en")
    proc = run("members", "--store", str(demo_store), passphrase="falsch", check=False)
    assert proc.stderr.strip() == "assistenzzeit: The passphrase is wrong."


def test_month_of_demo_history_has_hours(demo_store: Path) -> None:
    import datetime as dt

    today = dt.date.today()
    prev = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    summary = json.loads(run("month", "--store", str(demo_store), "--member", "Ben Meyer",
                             "--month", prev, "--json").stdout)
    assert float(summary["hours"]) > 100
    assert all(e["end"] for e in summary["entries"])


def test_check_verifies_every_envelope(demo_store: Path) -> None:
    out = run("check", "--store", str(demo_store)).stdout
    assert "0 damaged" in out


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    proc = run("members", "--store", str(tmp_path / "none"), check=False, lang="en")
    assert proc.returncode == 2 and "no store" in proc.stderr


def test_settings_are_all_documented() -> None:
    from app import settings

    doc = (ROOT / "docs" / "settings.md").read_text()
    for s in settings.SETTINGS:
        assert s.env in doc, f"{s.env} missing from docs/settings.md (run make docs)"
