"""``assistenzzeit pay CASE.json`` against every worked case in shared/fixtures/pay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import app.cli
from app.domain.pay import CLASSES

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "pay"
CASES = sorted(FIXTURES.glob("*.json"))


def run_subprocess(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, in the language ``lang`` (None: the CLI's default, German)."""
    env = {**os.environ, **({"ASSISTENZZEIT_LANGUAGE": lang} if lang else {})}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def pay_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real ``app.cli.main`` with only the pay command registered, speaking English."""
    monkeypatch.setattr(app.cli, "COMMAND_MODULES", ["pay_cmd"])
    monkeypatch.setenv("ASSISTENZZEIT_LANGUAGE", "en")  # the tests read English messages
    yield


def check_case(case: dict[str, Any], out: dict[str, Any]) -> None:
    expect = case["expect"]
    assert set(out["hours"]) == set(CLASSES)
    for name in CLASSES:
        assert out["hours"][name] == expect["hours"].get(name, "0.00"), name
    for name in ("base", "surcharges", "standby", "gross"):
        assert out["pay"][name] == expect["pay"].get(name, "0.00"), name
    if "minijob" in expect:
        assert out["minijob"] == expect["minijob"]
    if case["contract"]["employment"] != "minijob":
        assert "minijob" not in out
    got = {w["code"] for w in out["warnings"]}
    assert set(expect.get("warnings", [])) <= got
    assert not set(expect.get("no_warnings", [])) & got
    assert all(w["message"] for w in out["warnings"])


def test_pay_cli_fixtures_exist(shared_dir: Path) -> None:
    assert FIXTURES.resolve() == (shared_dir / "fixtures" / "pay").resolve()
    assert len(CASES) >= 6


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_pay_cli_case_subprocess(path: Path) -> None:
    proc = run_subprocess("pay", str(path))
    assert proc.returncode == 0, proc.stderr
    check_case(json.loads(path.read_text(encoding="utf-8")), json.loads(proc.stdout))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_pay_cli_case_in_process(path: Path, pay_only: None,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert app.cli.main(["pay", str(path)]) == 0
    check_case(json.loads(path.read_text(encoding="utf-8")), json.loads(capsys.readouterr().out))


def _case() -> dict[str, Any]:
    return {
        "id": "bad", "tz": "Europe/Berlin", "state": "NW",
        "contract": {"hourly_wage": "16.00", "employment": "part_time"},
        "shifts": [{"start": "2026-06-04T08:00", "end": "2026-06-04T16:00", "kind": "work",
                    "breaks": [{"start": "2026-06-04T12:00", "end": "2026-06-04T12:30"}]}],
    }


def _end_before_start(c: dict[str, Any]) -> None:
    c["shifts"][0]["end"] = "2026-06-04T07:00"


def _break_outside(c: dict[str, Any]) -> None:
    c["shifts"][0]["breaks"][0]["end"] = "2026-06-04T17:00"


def _bad_time(c: dict[str, Any]) -> None:
    c["shifts"][0]["start"] = "4 June, 8 am"


def _unknown_land(c: dict[str, Any]) -> None:
    c["state"] = "XY"


def _missing_wage(c: dict[str, Any]) -> None:
    del c["contract"]["hourly_wage"]


def _missing_start(c: dict[str, Any]) -> None:
    del c["shifts"][0]["start"]


def _bad_wage(c: dict[str, Any]) -> None:
    c["contract"]["hourly_wage"] = "sixteen"


def _bad_tz(c: dict[str, Any]) -> None:
    c["tz"] = "Europe/Atlantis"


BAD = [
    (_end_before_start, "shifts[0].end is before shifts[0].start"),
    (_break_outside, "shifts[0].breaks[0]"),
    (_bad_time, "shifts[0].start"),
    (_unknown_land, "state"),
    (_missing_wage, "contract.hourly_wage"),
    (_missing_start, "shifts[0].start"),
    (_bad_wage, "contract.hourly_wage"),
    (_bad_tz, "tz"),
]


@pytest.mark.parametrize(("spoil", "names"), BAD, ids=[f.__name__.strip("_") for f, _ in BAD])
def test_pay_cli_bad_input_exits_2_with_one_line(
        spoil: Any, names: str, tmp_path: Path, pay_only: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    case = _case()
    spoil(case)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert app.cli.main(["pay", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("assistenzzeit: ") and err.count("\n") == 1
    assert names in err


def test_pay_cli_missing_file_and_not_json(tmp_path: Path, pay_only: None,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert app.cli.main(["pay", str(tmp_path / "nope.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "nope.json" in err and err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert app.cli.main(["pay", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "not JSON" in err and err.count("\n") == 1


def test_pay_cli_bad_input_subprocess_one_line(tmp_path: Path) -> None:
    case = _case()
    _end_before_start(case)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    proc = run_subprocess("pay", str(path), lang="en")  # the English message, word for word
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "assistenzzeit: shifts[0].end is before shifts[0].start\n"
