"""ArbZG checks: daily maximum, breaks, rest, Sundays, and the roster check."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.checks import arbzg_warnings, check_planned
from app.domain.worktime import Break, ContractTerms, WorkShift

TZ = "Europe/Berlin"


def shift(start: str, end: str, *breaks: tuple[str, str], kind: str = "work") -> WorkShift:
    t = datetime.fromisoformat
    return WorkShift(t(start), t(end), kind, tuple(Break(t(a), t(b)) for a, b in breaks))


def codes(shifts: list[WorkShift]) -> list[str]:
    return [w.code for w in arbzg_warnings(shifts, TZ)]


def test_checks_break_exactly_six_hours_needs_none() -> None:
    assert codes([shift("2026-03-10T08:00", "2026-03-10T14:00")]) == []


def test_checks_break_six_hours_one_minute_needs_thirty() -> None:
    assert codes([shift("2026-03-10T08:00", "2026-03-10T14:01")]) == ["ARBZG_BREAK"]


def test_checks_break_thirty_minutes_enough_up_to_nine_hours() -> None:
    ok = shift("2026-03-10T08:00", "2026-03-10T17:30", ("2026-03-10T12:00", "2026-03-10T12:30"))
    assert codes([ok]) == []
    long = shift("2026-03-10T08:00", "2026-03-10T17:31", ("2026-03-10T12:00", "2026-03-10T12:30"))
    assert codes([long]) == ["ARBZG_BREAK"]
    w = arbzg_warnings([long], TZ)[0]
    assert "45" in w.message_de and "45" in w.message_en


def test_checks_break_pieces_under_15_minutes_do_not_count() -> None:
    s = shift("2026-03-10T08:00", "2026-03-10T15:00", ("2026-03-10T10:00", "2026-03-10T10:10"),
              ("2026-03-10T12:00", "2026-03-10T12:20"))
    assert codes([s]) == ["ARBZG_BREAK"]  # only 20 of 30 minutes count


def test_checks_break_more_than_six_hours_in_a_row() -> None:
    s = shift("2026-03-10T07:00", "2026-03-10T14:00", ("2026-03-10T12:30", "2026-03-10T13:00"))
    assert codes([s]) == []  # 5.5 h, break, 1 h
    s = shift("2026-03-10T07:00", "2026-03-10T14:00", ("2026-03-10T13:15", "2026-03-10T13:45"))
    got = arbzg_warnings([s], TZ)
    assert [w.code for w in got] == ["ARBZG_BREAK"]  # 6.25 h in a row before the break
    assert "am Stück" in got[0].message_de


def test_checks_break_at_the_end_of_a_shift_is_no_break() -> None:
    s = shift("2026-03-10T07:00", "2026-03-10T14:00", ("2026-03-10T13:30", "2026-03-10T14:00"))
    assert codes([s]) == ["ARBZG_BREAK"]


def test_checks_daily_max_over_ten_hours_in_one_day() -> None:
    s = [shift("2026-03-10T06:00", "2026-03-10T12:00"),
         shift("2026-03-10T13:00", "2026-03-10T18:00")]
    assert codes(s) == ["ARBZG_DAILY_MAX"]


def test_checks_daily_max_counts_standby_not_on_call() -> None:
    base = shift("2026-03-10T06:00", "2026-03-10T11:00")
    later = ("2026-03-10T12:00", "2026-03-10T18:00")
    assert "ARBZG_DAILY_MAX" in codes([base, shift(*later, kind="standby")])
    assert "ARBZG_DAILY_MAX" not in codes([base, shift(*later, kind="on_call")])


def test_checks_daily_max_continuous_duty_across_midnight() -> None:
    s = shift("2026-03-10T21:00", "2026-03-11T08:00", ("2026-03-11T02:00", "2026-03-11T02:45"))
    got = arbzg_warnings([s], TZ)
    assert [w.code for w in got] == ["ARBZG_DAILY_MAX"]
    assert got[0].day == date(2026, 3, 10)


def test_checks_rest_under_eleven_hours() -> None:
    s = [shift("2026-03-10T14:00", "2026-03-10T22:00", ("2026-03-10T18:00", "2026-03-10T18:30")),
         shift("2026-03-11T06:00", "2026-03-11T12:00")]
    got = arbzg_warnings(s, TZ)
    assert [w.code for w in got] == ["ARBZG_REST"]
    assert got[0].day == date(2026, 3, 11) and got[0].shift == 1


def test_checks_rest_exactly_eleven_hours_is_fine() -> None:
    s = [shift("2026-03-10T13:00", "2026-03-10T19:00"),
         shift("2026-03-11T06:00", "2026-03-11T12:00")]
    assert codes(s) == []


def test_checks_rest_split_shift_on_one_day_is_fine() -> None:
    s = [shift("2026-03-10T07:00", "2026-03-10T09:00"),
         shift("2026-03-10T18:00", "2026-03-10T20:00")]
    assert codes(s) == []


def test_checks_rest_counts_in_utc_across_dst() -> None:
    # 22:00 Sat to 09:00 Sun wall time is only 10 h when clocks go forward
    s = [shift("2026-03-28T16:00", "2026-03-28T22:00"),
         shift("2026-03-29T09:00", "2026-03-29T12:00")]
    assert "ARBZG_REST" in codes(s)
    s = [shift("2026-10-24T16:00", "2026-10-24T22:00"),
         shift("2026-10-25T08:00", "2026-10-25T12:00")]  # 11 h in autumn
    assert "ARBZG_REST" not in codes(s)


def _every(start: date, days: int, step: int = 1) -> list[WorkShift]:
    out = []
    for k in range(0, days, step):
        d = start + timedelta(days=k)
        out.append(WorkShift(datetime(d.year, d.month, d.day, 8),
                             datetime(d.year, d.month, d.day, 12)))
    return out


def test_checks_sundays_fewer_than_15_free_in_a_year() -> None:
    sundays = _every(date(2026, 1, 4), 365, step=7)  # all 52 Sundays of 2026
    got = [w for w in arbzg_warnings(sundays[:37], TZ) if w.code == "ARBZG_SUNDAYS"]
    assert got == []  # 52 − 37 = 15 free
    got = [w for w in arbzg_warnings(sundays[:38], TZ) if w.code == "ARBZG_SUNDAYS"]
    assert len(got) == 1 and got[0].day == sundays[37].start.date()


def test_checks_substitute_rest_missing_when_working_every_day() -> None:
    got = arbzg_warnings(_every(date(2026, 4, 5), 15), TZ)  # Sun 5 Apr to Sun 19 Apr
    # 19 April is not judged: the days after it hold no shifts, so they count as free
    assert [(w.code, w.day) for w in got if w.code == "ARBZG_SUBSTITUTE_REST"] == [
        ("ARBZG_SUBSTITUTE_REST", date(2026, 4, 5))]


def test_checks_substitute_rest_found_in_two_weeks() -> None:
    shifts = [s for s in _every(date(2026, 4, 5), 15) if s.start.date() != date(2026, 4, 15)]
    got = [w for w in arbzg_warnings(shifts, TZ) if w.code == "ARBZG_SUBSTITUTE_REST"]
    assert got == []  # the free 15th serves the 5th


def test_checks_messages_are_bilingual_and_short() -> None:
    for w in arbzg_warnings([shift("2026-03-10T06:00", "2026-03-10T18:00")], TZ):
        assert w.message_de and w.message_en and w.message_de != w.message_en
        assert len(w.message_de) < 80 and w.message_de.endswith(".")


def test_check_planned_returns_warnings_per_shift() -> None:
    plan = [shift("2026-03-10T14:00", "2026-03-10T22:00", ("2026-03-10T18:00", "2026-03-10T18:30")),
            shift("2026-03-11T06:00", "2026-03-11T14:00"),
            shift("2026-03-13T08:00", "2026-03-13T12:00")]
    got = check_planned(plan, ContractTerms(Decimal("16.00")), TZ)
    assert [[w.code for w in ws] for ws in got] == [[], ["ARBZG_BREAK", "ARBZG_REST"], []]


def test_check_planned_live_in_has_no_warnings() -> None:
    plan = [shift("2026-03-10T06:00", "2026-03-10T22:00")]
    assert check_planned(plan, ContractTerms(Decimal("16.00"), live_in=True), TZ) == [[]]
