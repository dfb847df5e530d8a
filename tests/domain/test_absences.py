"""Vacation entitlement (BUrlG) and paid absence (Lohnausfallprinzip, EFZG)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.absences import Absence, split_absences, vacation_days
from app.domain.pay import month_result
from app.domain.worktime import ContractTerms, WorkShift
from app.errors import InputError

D = Decimal


@pytest.mark.parametrize(
    ("kwargs", "days"),
    [
        ({"days_per_week": 6}, "24.00"),
        ({"days_per_week": 5}, "20.00"),
        ({"days_per_week": 3}, "12.00"),
        ({"days_per_week": D("2.5")}, "10.00"),
        ({"days_per_week": 4, "months": 7}, "9.33"),
        ({"days_per_week": 3, "months": 7}, "7.00"),  # 7.0 exactly
        ({"days_per_week": 5, "months": 9}, "15.00"),
        ({"days_per_week": 2, "months": 5}, "3.33"),
        ({"days_per_week": 3, "months": 5}, "5.00"),  # 5.0
        ({"days_per_week": 4, "months": 5}, "7.00"),  # 6.67 → 7 (§5 (2) BUrlG)
        ({"workdays_per_year": 156}, "12.00"),
        ({"workdays_per_year": 100}, "7.69"),
    ],
)
def test_vacation_days_pro_rata(kwargs: dict[str, object], days: str) -> None:
    assert vacation_days(**kwargs) == D(days)  # type: ignore[arg-type]


def test_vacation_days_needs_exactly_one_basis() -> None:
    with pytest.raises(InputError):
        vacation_days()
    with pytest.raises(InputError):
        vacation_days(days_per_week=5, workdays_per_year=200)
    with pytest.raises(InputError):
        vacation_days(days_per_week=8)


def _daily(start: date, days: int, hour: int = 8) -> list[WorkShift]:
    out = []
    for k in range(days):
        d = start + timedelta(days=k)
        out.append(WorkShift(datetime(d.year, d.month, d.day, hour),
                             datetime(d.year, d.month, d.day, hour + 4)))
    return out


def test_split_absences_vacation_is_paid() -> None:
    plan = _daily(date(2026, 4, 6), 7)
    split = split_absences(plan, [Absence(date(2026, 4, 8), date(2026, 4, 9), "vacation")],
                           employed_since=date(2025, 1, 1))
    assert [s.start.day for s in split.paid] == [8, 9]
    assert len(split.worked) == 5 and split.unpaid == ()


def test_split_absences_sick_in_first_four_weeks_unpaid() -> None:
    plan = _daily(date(2026, 3, 20), 12)  # 20–31 March
    split = split_absences(plan, [Absence(date(2026, 3, 20), date(2026, 3, 31), "sick")],
                           employed_since=date(2026, 3, 1))
    assert [s.start.day for s in split.unpaid] == list(range(20, 29))
    assert [s.start.day for s in split.paid] == [29, 30, 31]


def test_split_absences_sick_pay_ends_after_six_weeks() -> None:
    plan = _daily(date(2026, 5, 1), 50)
    split = split_absences(plan, [Absence(date(2026, 5, 1), date(2026, 6, 30), "sick")],
                           employed_since=date(2025, 1, 1))
    assert len(split.paid) == 42 and len(split.unpaid) == 8


def test_split_absences_rejects_bad_absence() -> None:
    with pytest.raises(InputError) as err:
        split_absences([], [Absence(date(2026, 5, 2), date(2026, 5, 1), "vacation")], date(2026, 1, 1))
    assert err.value.field == "absences[0].end"
    with pytest.raises(InputError):
        split_absences([], [Absence(date(2026, 5, 1), date(2026, 5, 1), "strike")], date(2026, 1, 1))


def test_split_absences_surcharges_of_paid_absence_count_for_minijob() -> None:
    # A planned Sunday night on vacation: paid with its surcharges, all of it counted
    plan = [WorkShift(datetime(2026, 4, 12, 20), datetime(2026, 4, 12, 23))]
    split = split_absences(plan, [Absence(date(2026, 4, 10), date(2026, 4, 20), "vacation")],
                           employed_since=date(2025, 1, 1))
    r = month_result(split.worked, ContractTerms(D("14.00"), employment="minijob"),
                     "Europe/Berlin", "NW", paid_absence=split.paid)
    # 3 h × 14 = 42 + Sunday 21 + night 3 × 3.50 = 10.50 → 73.50
    assert r.pay.absence == D("73.50") and r.pay.gross == D("73.50")
    assert r.minijob is not None and r.minijob.counted == D("73.50")
    assert r.warnings == []
