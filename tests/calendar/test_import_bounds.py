"""Recurring rules that would cost minutes and gigabytes are refused before anything is
expanded, naming the cap; harmless rules still import (issue 12). The clock of the ``team``
fixture is 2026-03-01, so the window is 2026-01-30 … 2027-03-01."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from app.calendar import recurrence_bounds
from app.calendar.ics_import import MAX_OCCURRENCES, import_ics
from app.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def rule_file(rule: str, start: str = "20260301T080000Z") -> bytes:
    """A 200-odd byte calendar: one event with one rule, as the attacker sent it."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//x//EN", "BEGIN:VEVENT",
             "UID:bomb@example.org", "DTSTAMP:20260101T000000Z", f"DTSTART:{start}",
             "DURATION:PT1S", f"RRULE:{rule}", "SUMMARY:x", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(("rule", "cap"), [
    ("FREQ=SECONDLY", f"{recurrence_bounds.MAX_STEPS:,}"),
    ("FREQ=MINUTELY", f"{recurrence_bounds.MAX_STEPS:,}"),
    ("FREQ=HOURLY", f"at most {MAX_OCCURRENCES} in the period"),
    ("FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55",
     f"more than {recurrence_bounds.MAX_TIMES} times of day"),
    ("FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0", f"{recurrence_bounds.MAX_STEPS:,}"),
])
def test_import_bounds_refuse_rule_naming_the_cap(team, rule, cap):
    before = team.store.envelope_count()
    with pytest.raises(InputError) as err:
        import_ics(team.services, rule_file(rule))
    assert cap in err.value.text("en") and "UID bomb@example.org" in err.value.text("en")
    assert err.value.field == "ics"
    assert team.store.envelope_count() == before


@pytest.mark.parametrize(("rule", "count"), [
    ("FREQ=SECONDLY;COUNT=10", 10),  # short: allowed however fine-grained
    ("FREQ=WEEKLY;BYDAY=MO,WE", 106),  # 105 Mondays and Wednesdays, and DTSTART itself
    ("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", 1),  # never matches: DTSTART only, no walk to 9999
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", 1),  # no leap day in the window: DTSTART only
])
def test_import_bounds_accept_harmless_rules(team, rule, count):
    result = import_ics(team.services, rule_file(rule))
    assert result.added == count


def test_import_bounds_cli_secondly_exits_2_in_bounded_memory(tmp_path):
    """The reported file through the CLI: exit 2, a message naming the cap, and the process
    stays small (it grew to gigabytes before)."""
    env = {**os.environ, "ASSISTENZZEIT_PASSPHRASE": "pw-bounds", "ASSISTENZZEIT_KDF_N": "4096",
           "ASSISTENZZEIT_LANGUAGE": "en"}  # the test reads the English message
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "app.cli", "demo", "--store", str(store)], cwd=ROOT,
                   env=env, check=True, capture_output=True, timeout=300)
    bomb = tmp_path / "bomb.ics"
    bomb.write_bytes(rule_file("FREQ=SECONDLY", start="20260101T000000Z"))
    proc = subprocess.run([sys.executable, "-m", "app.cli", "ics-import", str(bomb), "--store",
                           str(store)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "200,000 steps" in proc.stderr
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # largest child so far
    assert peak_kib < 400 * 1024
