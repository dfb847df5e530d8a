"""Month arithmetic, once (``app.domain.timeutil``): bounds of a month, the month before."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.timeutil import month_before, month_bounds


@pytest.mark.parametrize(("month", "first", "after"), [
    ("2026-03", date(2026, 3, 1), date(2026, 4, 1)),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ("2028-02", date(2028, 2, 1), date(2028, 3, 1)),  # a leap year
    ("2026-01", date(2026, 1, 1), date(2026, 2, 1)),
])
def test_timeutil_month_bounds_first_day_and_first_of_next(month, first, after):
    assert month_bounds(month) == (first, after)


def test_timeutil_month_bounds_refuses_junk():
    with pytest.raises(ValueError):
        month_bounds("2026-13")


@pytest.mark.parametrize(("text", "before"), [
    ("2026-03", "2026-02"),
    ("2026-01-15", "2025-12"),
    ("2026-01-01T06:00", "2025-12"),
    ("0001-01", "0000-12"),
    ("2026-12-31T23:59", "2026-11"),
    ("", ""),
    ("morgen", ""),
])
def test_timeutil_month_before_any_iso_date_or_time(text, before):
    assert month_before(text) == before
