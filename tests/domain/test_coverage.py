"""Coverage: need intervals minus the union of covering shifts, minute-exact."""

from __future__ import annotations

from datetime import date

from app.domain.coverage import merge, need_interval, subtract

D = "2026-03-02"


def t(hhmm: str, day: str = D) -> str:
    return f"{day}T{hhmm}"


def test_coverage_need_interval_same_day_and_past_midnight():
    assert need_interval(date(2026, 3, 2), "06:00", "07:00") == (t("06:00"), t("07:00"))
    assert need_interval(date(2026, 3, 2), "22:00", "06:00") == (
        t("22:00"), "2026-03-03T06:00")
    # end == start: a whole day, ending the next day at the same time
    assert need_interval(date(2026, 3, 2), "08:00", "08:00") == (
        t("08:00"), "2026-03-03T08:00")


def test_coverage_merge_joins_overlapping_and_touching():
    assert merge([(t("09:00"), t("10:00")), (t("06:00"), t("07:00")),
                  (t("07:00"), t("08:00")), (t("09:30"), t("11:00"))]) == [
        (t("06:00"), t("08:00")), (t("09:00"), t("11:00"))]
    assert merge([(t("07:00"), t("07:00"))]) == []


def test_coverage_uncovered_need_is_one_gap():
    assert subtract((t("06:00"), t("07:00")), []) == [(t("06:00"), t("07:00"))]


def test_coverage_fully_covered_need_has_no_gap():
    assert subtract((t("06:00"), t("07:00")), [(t("05:00"), t("07:00"))]) == []
    assert subtract((t("06:00"), t("07:00")), [(t("06:00"), t("06:30")),
                                               (t("06:30"), t("07:00"))]) == []


def test_coverage_partial_cover_leaves_minute_exact_gaps():
    gaps = subtract((t("06:00"), t("12:00")), [(t("06:59"), t("08:00")),
                                               (t("09:00"), t("11:01"))])
    assert gaps == [(t("06:00"), t("06:59")), (t("08:00"), t("09:00")),
                    (t("11:01"), t("12:00"))]


def test_coverage_shifts_outside_the_need_do_not_count():
    assert subtract((t("06:00"), t("07:00")), [(t("07:00"), t("08:00")),
                                               (t("04:00"), t("06:00"))]) == [
        (t("06:00"), t("07:00"))]


def test_coverage_across_midnight():
    need = need_interval(date(2026, 3, 2), "22:00", "06:00")
    # A night shift until 02:00 and a morning shift from 05:30 the next day.
    gaps = subtract(need, [(t("21:00"), "2026-03-03T02:00"),
                           ("2026-03-03T05:30", "2026-03-03T09:00")])
    assert gaps == [("2026-03-03T02:00", "2026-03-03T05:30")]
    assert subtract(need, [(t("22:00"), "2026-03-03T06:00")]) == []
