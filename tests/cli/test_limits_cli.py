"""Absurd numbers, dates and places through the CLI (issue 12): exit 2 with one line that
names the field and the limit, never a traceback and never minutes of work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_pay_cli import FIXTURES, run_subprocess
from tests.cli.test_store_cli import run

CASE = json.loads((FIXTURES / "E1-sunday-night.json").read_text(encoding="utf-8"))


def _one_line_exit_2(proc, *phrases: str) -> None:
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for phrase in phrases:
        assert phrase in lines[0]


@pytest.mark.parametrize(("change", "phrases"), [
    ({"contract": {"hourly_wage": "1e999999", "employment": "part_time"}},
     ("contract.hourly_wage", "1000.00")),
    ({"contract": {"hourly_wage": "16.00", "employment": "part_time",
                   "surcharges": {"night25": "1e999999"}}},
     ("contract.surcharges.night25", "von 0 bis 5")),
    ({"shifts": [{"start": "2026-03-08T22:00", "end": "9999-12-31T06:00"}]},
     ("shifts[0].end", "2000–2099")),
    ({"shifts": [{"start": "2026-03-08T22:00", "end": "2026-04-08T06:00"}]},
     ("shifts[0].end", "72 Stunden")),
    ({"shifts": [{"start": "2026-03-08T22:00", "end": "2026-03-09T06:00"}] * 1001},
     ("shifts", "1000")),
])
def test_limits_pay_absurd_case_exits_2(tmp_path: Path, change, phrases) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**CASE, **change}), encoding="utf-8")
    _one_line_exit_2(run_subprocess("pay", str(path)), *phrases)


def test_limits_pay_case_error_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTENZZEIT_LANGUAGE", "en")  # the CLI speaks the language setting
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**CASE, "shifts": [{"start": "2026-03-08T22:00",
                                                    "end": "2026-04-08T06:00"}]}),
                    encoding="utf-8")
    _one_line_exit_2(run_subprocess("pay", str(path)), "shifts[0].end: longer than 72 hours")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "store"
    run("demo", "--store", str(path))
    return path


def test_limits_ics_window_exits_2(demo: Path) -> None:
    proc = run("ics", "--store", str(demo), "--team", "--from", "0001-01-01", "--to",
               "9999-12-31", check=False)
    _one_line_exit_2(proc, "from", "2000–2099")
    proc = run("ics", "--store", str(demo), "--team", "--from", "2026-01-01", "--to",
               "2036-01-01", check=False)
    _one_line_exit_2(proc, "3 Jahre")


def test_limits_export_to_unwritable_place_exits_2(demo: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for out in (blocker / "exports", Path("/proc/assistenzzeit-export")):
        proc = run("export", "--store", str(demo), "--month", "2026-03", "--format", "csv,pdf",
                   "--out", str(out), check=False)
        _one_line_exit_2(proc, str(out), "(out)")
    assert blocker.read_text(encoding="utf-8") == "not a folder"
