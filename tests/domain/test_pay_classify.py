"""classify(): minute-exact §3b EStG pay classes of single shifts."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.pay import ClassMinutes, classify
from app.domain.worktime import Break, WorkShift
from app.errors import InputError

TZ = "Europe/Berlin"


def shift(start: str, end: str, *breaks: tuple[str, str], kind: str = "work") -> WorkShift:
    t = datetime.fromisoformat
    return WorkShift(t(start), t(end), kind, tuple(Break(t(a), t(b)) for a, b in breaks))


def test_classify_sunday_night_carries_over_to_monday_0_to_4() -> None:
    got = classify(shift("2026-03-08T22:00", "2026-03-09T06:00"), TZ, "NW")
    assert got == ClassMinutes(base=480, night25=240, night40=240, sunday50=360)


def test_classify_midnight_start_gets_25_percent_and_no_carry() -> None:
    got = classify(shift("2026-03-09T00:00", "2026-03-09T06:00"), TZ, "NW")
    assert got == ClassMinutes(base=360, night25=360)


def test_classify_start_one_minute_before_midnight_gets_40_percent() -> None:
    got = classify(shift("2026-03-08T23:59", "2026-03-09T04:00"), TZ, "NW")
    assert got == ClassMinutes(base=241, night25=1, night40=240, sunday50=241)


def test_classify_saturday_night_into_sunday_is_sunday_from_midnight() -> None:
    got = classify(shift("2026-03-07T22:00", "2026-03-08T02:00"), TZ, "NW")
    assert got == ClassMinutes(base=240, night25=120, night40=120, sunday50=120)


def test_classify_christmas_eve_from_14_is_150() -> None:
    got = classify(shift("2026-12-24T10:00", "2026-12-24T18:00"), TZ, "NW")
    assert got == ClassMinutes(base=480, holiday150=240)


def test_classify_new_years_eve_from_14_is_125_and_carries() -> None:
    got = classify(shift("2026-12-31T12:00", "2027-01-01T02:00"), TZ, "NW")
    # 14–24 h on 31.12 (600) and 1.1 0–2 h, a holiday anyway (120)
    assert got == ClassMinutes(base=840, night25=240, night40=120, holiday125=720)


def test_classify_may_day_and_boxing_day_are_150() -> None:
    assert classify(shift("2026-05-01T08:00", "2026-05-01T12:00"), TZ, "BE").holiday150 == 240
    assert classify(shift("2026-12-26T08:00", "2026-12-26T12:00"), TZ, "BE").holiday150 == 240


def test_classify_holiday_on_sunday_counts_once_as_holiday() -> None:
    # Pfingstsonntag is a public holiday in Brandenburg only
    bb = classify(shift("2026-05-24T08:00", "2026-05-24T12:00"), TZ, "BB")
    nw = classify(shift("2026-05-24T08:00", "2026-05-24T12:00"), TZ, "NW")
    assert bb == ClassMinutes(base=240, holiday125=240)
    assert nw == ClassMinutes(base=240, sunday50=240)


def test_classify_holiday_carry_over_into_next_day() -> None:
    # Fronleichnam 2026-06-04 in NW, evening shift into Friday
    got = classify(shift("2026-06-04T21:00", "2026-06-05T05:00"), TZ, "NW")
    assert got == ClassMinutes(base=480, night25=240, night40=240, holiday125=420)


def test_classify_corpus_christi_depends_on_land() -> None:
    s = shift("2026-06-04T08:00", "2026-06-04T16:00", ("2026-06-04T12:00", "2026-06-04T12:30"))
    assert classify(s, TZ, "NW") == ClassMinutes(base=450, holiday125=450)
    assert classify(s, TZ, "BE") == ClassMinutes(base=450)


def test_classify_spring_forward_night_has_7_hours() -> None:
    got = classify(shift("2026-03-28T22:00", "2026-03-29T06:00"), TZ, "NW")
    assert got == ClassMinutes(base=420, night25=240, night40=180, sunday50=300)


def test_classify_fall_back_night_has_9_hours() -> None:
    got = classify(shift("2026-10-24T22:00", "2026-10-25T06:00"), TZ, "NW")
    assert got == ClassMinutes(base=540, night25=240, night40=300, sunday50=420)


def test_classify_breaks_are_not_paid_in_any_class() -> None:
    got = classify(shift("2026-03-08T22:00", "2026-03-09T06:00",
                         ("2026-03-09T01:00", "2026-03-09T01:30")), TZ, "NW")
    assert got == ClassMinutes(base=450, night25=240, night40=210, sunday50=330)


def test_classify_night_40_needs_night_work_before_midnight() -> None:
    # A break covering 20–24 h: no night work began before 0 h, so 0–4 h is 25 %.
    got = classify(shift("2026-03-10T18:00", "2026-03-11T02:00",
                         ("2026-03-10T20:00", "2026-03-11T00:00")), TZ, "NW")
    assert got == ClassMinutes(base=240, night25=120)


def test_classify_standby_and_on_call_get_no_surcharges() -> None:
    sb = classify(shift("2026-03-08T22:00", "2026-03-09T06:00", kind="standby"), TZ, "NW")
    oc = classify(shift("2026-03-08T22:00", "2026-03-09T06:00", kind="on_call"), TZ, "NW")
    assert sb == ClassMinutes(standby=480)
    assert oc == ClassMinutes(on_call=480)


def test_classify_long_shift_over_two_midnights() -> None:
    got = classify(shift("2026-03-10T08:00", "2026-03-12T08:00"), TZ, "NW")
    assert got.base == 48 * 60
    assert got.night40 == 2 * 240
    assert got.night25 == 2 * 6 * 60


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (shift("2026-03-10T08:00", "2026-03-10T07:00"), "end"),
        (shift("2026-03-10T08:00", "2026-03-10T12:00", ("2026-03-10T07:00", "2026-03-10T09:00")),
         "breaks[0]"),
        (shift("2026-03-10T08:00", "2026-03-10T12:00", ("2026-03-10T10:00", "2026-03-10T09:00")),
         "breaks[0].end"),
        (shift("2026-03-10T08:00", "2026-03-10T12:00", ("2026-03-10T09:00", "2026-03-10T10:00"),
               ("2026-03-10T09:30", "2026-03-10T10:30")), "breaks[1]"),
        (shift("2026-03-10T08:00", "2026-03-10T12:00", kind="nap"), "kind"),
    ],
)
def test_classify_rejects_bad_shift(bad: WorkShift, field: str) -> None:
    with pytest.raises(InputError) as err:
        classify(bad, TZ, "NW")
    assert err.value.field == field


def test_classify_rejects_unknown_land_and_zone() -> None:
    s = shift("2026-03-10T08:00", "2026-03-10T12:00")
    with pytest.raises(InputError) as err:
        classify(s, TZ, "Augsburg")
    assert err.value.field == "state"
    with pytest.raises(InputError) as err:
        classify(s, "Europe/Nowhere", "NW")
    assert err.value.field == "tz"


def test_classify_rejects_time_in_skipped_spring_hour() -> None:
    with pytest.raises(InputError) as err:
        classify(shift("2026-03-29T02:30", "2026-03-29T06:00"), TZ, "NW")
    assert err.value.field == "start"
    assert "does not exist" in err.value.text("en")


def test_classify_repeated_autumn_hour_reads_first_occurrence() -> None:
    # 02:00–03:00 happens twice; a naive 02:30 is the first one, so 02:30–03:30 lasts 2 h
    got = classify(shift("2026-10-25T02:30", "2026-10-25T03:30"), TZ, "NW")
    assert got.base == 120


def test_classify_names_break_by_its_position_in_the_input() -> None:
    bad = shift("2026-03-10T08:00", "2026-03-10T12:00", ("2026-03-10T11:00", "2026-03-10T11:30"),
                ("2026-03-10T07:00", "2026-03-10T07:30"))
    with pytest.raises(InputError) as err:
        classify(bad, TZ, "NW")
    assert err.value.field == "breaks[1]"
