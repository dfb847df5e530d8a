"""Minijob limit, overrun rule and Mindestlohn checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.checks import (
    mindestlohn_warnings,
    minijob_limit_warnings,
    minijob_overrun_warnings,
)

D = Decimal


def test_checks_minijob_limit_only_above_limit() -> None:
    assert minijob_limit_warnings(D("603.00"), D("603"), date(2026, 4, 1)) == []
    got = minijob_limit_warnings(D("603.01"), D("603"), date(2026, 4, 1))
    assert [w.code for w in got] == ["MINIJOB_LIMIT"]
    assert "603,00 €" in got[0].message_de and "€603.00" in got[0].message_en


def test_checks_mindestlohn_boundary() -> None:
    # 10 h at exactly 13.90 is fine; one cent less per hour is not
    assert mindestlohn_warnings(D("139.00"), 600, date(2026, 1, 15)) == []
    got = mindestlohn_warnings(D("138.90"), 600, date(2026, 1, 15))
    assert [w.code for w in got] == ["MINDESTLOHN"]
    assert mindestlohn_warnings(D("0"), 0, date(2026, 1, 15)) == []


def test_checks_minijob_overrun_two_allowed_third_lost() -> None:
    months = [(date(2026, 3, 1), D("700")), (date(2026, 5, 1), D("700")),
              (date(2026, 8, 1), D("650")), (date(2026, 4, 1), D("500"))]
    got = minijob_overrun_warnings(months)
    assert [(w.code, w.day) for w in got] == [
        ("MINIJOB_OVERRUN_ALLOWED", date(2026, 3, 1)),
        ("MINIJOB_OVERRUN_ALLOWED", date(2026, 5, 1)),
        ("MINIJOB_STATUS_LOST", date(2026, 8, 1)),
    ]


def test_checks_minijob_overrun_window_is_twelve_months() -> None:
    months = [(date(2026, 1, 1), D("700")), (date(2026, 2, 1), D("700")),
              (date(2027, 1, 1), D("700"))]  # January 2026 is 12 months back: out
    assert [w.code for w in minijob_overrun_warnings(months)] == [
        "MINIJOB_OVERRUN_ALLOWED", "MINIJOB_OVERRUN_ALLOWED", "MINIJOB_OVERRUN_ALLOWED"]


def test_checks_minijob_overrun_more_than_twice_limit_lost() -> None:
    got = minijob_overrun_warnings([(date(2026, 6, 1), D("1206.01"))])
    assert [w.code for w in got] == ["MINIJOB_STATUS_LOST"]
    got = minijob_overrun_warnings([(date(2026, 6, 1), D("1206.00"))])
    assert [w.code for w in got] == ["MINIJOB_OVERRUN_ALLOWED"]
