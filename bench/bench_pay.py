"""Classify a year of a 10-assistant team (~7,000 shifts) with all checks; print the time.

Target: at most 0.5 s on a laptop. Run with ``make bench`` or ``python bench/bench_pay.py``.
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.checks import arbzg_warnings, minijob_overrun_warnings
from app.domain.pay import month_result
from app.domain.worktime import Break, ContractTerms, WorkShift

YEAR = 2026
ASSISTANTS = 10
TZ, STATE = "Europe/Berlin", "NW"
# (start hour, hours, kind, break after hours): day, late, night and standby duties
PATTERNS = [(8, 8, "work", 4), (14, 8, "work", 4), (22, 8, "work", None), (6, 4, "work", None),
            (20, 10, "standby", None), (12, 6, "work", None)]


def team_year() -> dict[int, list[WorkShift]]:
    """About two shifts a day per assistant, in a fixed pattern (no randomness)."""
    out: dict[int, list[WorkShift]] = {}
    for a in range(ASSISTANTS):
        shifts = []
        day = date(YEAR, 1, 1)
        k = a
        while day.year == YEAR:
            for slot in range(2):
                if (day.toordinal() + a + slot) % 23 == 0:
                    continue  # days off now and then
                h, length, kind, brk = PATTERNS[(k + slot * 3) % len(PATTERNS)]
                start = datetime(day.year, day.month, day.day) + timedelta(hours=h)
                end = start + timedelta(hours=length)
                breaks = () if brk is None else (
                    Break(start + timedelta(hours=brk), start + timedelta(hours=brk, minutes=30)),)
                shifts.append(WorkShift(start, end, kind, breaks))
            k += 1
            day += timedelta(days=1)
        out[a] = shifts
    return out


def main() -> None:
    team = team_year()
    n = sum(len(s) for s in team.values())
    t0 = time.perf_counter()
    warnings = 0
    for a, shifts in team.items():
        terms = ContractTerms(Decimal("16.50"), employment="minijob" if a < 3 else "part_time")
        by_month: dict[int, list[WorkShift]] = {}
        for s in shifts:
            by_month.setdefault(s.start.month, []).append(s)
        counted = []
        for month, month_shifts in sorted(by_month.items()):
            r = month_result(month_shifts, terms, TZ, STATE)
            warnings += len(r.warnings)
            if r.minijob is not None:
                counted.append((date(YEAR, month, 1), r.minijob.counted))
        warnings += len(minijob_overrun_warnings(counted))
        # the year's Sundays (ARBZG_SUNDAYS) need the whole year at once
        warnings += len(arbzg_warnings(shifts, TZ))
    elapsed = time.perf_counter() - t0
    print(f"shifts: {n}  assistants: {ASSISTANTS}  warnings: {warnings}")
    print(f"classify + pay + checks for {YEAR}: {elapsed:.3f} s (target <= 0.5 s)")


if __name__ == "__main__":
    main()
