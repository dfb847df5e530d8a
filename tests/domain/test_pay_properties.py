"""Property tests of classify() over random shifts, many across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain.pay import SURCHARGE_CLASSES, classify
from app.domain.worktime import LAENDER, Break, WorkShift, to_minute

TZ = "Europe/Berlin"
ZONE = ZoneInfo(TZ)
# DST changes in Berlin, 2024–2027 (01:00 UTC on the last Sunday of March / October)
DST = [datetime(y, m, d, 1, tzinfo=UTC) for y, m, d in [
    (2024, 3, 31), (2024, 10, 27), (2025, 3, 30), (2025, 10, 26),
    (2026, 3, 29), (2026, 10, 25), (2027, 3, 28), (2027, 10, 31)]]


def _local(instant: datetime) -> datetime:
    return instant.astimezone(ZONE).replace(tzinfo=None)


@st.composite
def shifts(draw: st.DrawFn) -> tuple[WorkShift, int, int]:
    """A shift built in UTC, as (shift, UTC minutes, break minutes)."""
    near_dst = st.builds(lambda base, off: base + timedelta(minutes=off),
                         st.sampled_from(DST), st.integers(-36 * 60, 12 * 60))
    anywhere = st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 1)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC))
    start = draw(st.one_of(near_dst, anywhere))
    length = draw(st.integers(1, 26 * 60))
    cuts = sorted(draw(st.lists(st.integers(0, length), max_size=4, unique=True)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    end = start + timedelta(minutes=length)
    brks = tuple(Break(_local(start + timedelta(minutes=a)), _local(start + timedelta(minutes=b)))
                 for a, b in spans)
    shift = WorkShift(_local(start), _local(end), "work", brks)
    # naive wall times lose the fold of the repeated October hour: keep only round trips
    for instant, local in [(start, shift.start), (end, shift.end),
                           *[(start + timedelta(minutes=a), b.start) for (a, _), b in zip(spans, brks, strict=True)],
                           *[(start + timedelta(minutes=e), b.end) for (_, e), b in zip(spans, brks, strict=True)]]:
        assume(to_minute(local, ZONE) == int(instant.timestamp()) // 60)
    return shift, length, sum(b - a for a, b in spans)


@settings(max_examples=300, deadline=None)
@given(shifts(), st.sampled_from(LAENDER))
def test_classify_base_is_utc_duration_minus_breaks(case: tuple[WorkShift, int, int],
                                                    state: str) -> None:
    shift, length, breaks = case
    got = classify(shift, TZ, state)
    assert got.base == length - breaks


@settings(max_examples=300, deadline=None)
@given(shifts(), st.sampled_from(LAENDER))
def test_classify_no_class_exceeds_base(case: tuple[WorkShift, int, int], state: str) -> None:
    got = classify(case[0], TZ, state)
    for name in SURCHARGE_CLASSES:
        assert 0 <= getattr(got, name) <= got.base
    assert got.night25 + got.night40 <= got.base
    assert got.sunday50 + got.holiday125 + got.holiday150 <= got.base
    assert got.standby == got.on_call == 0


def _plain_days(shift: WorkShift, state: str) -> bool:
    """No holiday, 24.12 or 31.12 on any day the shift touches (or the day before)."""
    day, last = shift.start.date() - timedelta(days=1), shift.end.date()
    while day <= last:
        if day in holidays.country_holidays("DE", subdiv=state, years=day.year) \
                or (day.month, day.day) in ((12, 24), (12, 31)):
            return False
        day += timedelta(days=1)
    return True


def _same_offsets(shift: WorkShift) -> bool:
    a = shift.start.replace(tzinfo=ZONE).utcoffset()
    return all(d.replace(tzinfo=ZONE).utcoffset() == a
               for d in (shift.end, shift.start + timedelta(days=7), shift.end + timedelta(days=7)))


@settings(max_examples=300, deadline=None)
@given(shifts(), st.sampled_from(LAENDER))
def test_classify_same_result_one_week_later(case: tuple[WorkShift, int, int],
                                             state: str) -> None:
    shift = case[0]
    week = timedelta(days=7)
    moved = WorkShift(shift.start + week, shift.end + week, shift.kind,
                      tuple(Break(b.start + week, b.end + week) for b in shift.breaks))
    assume(_same_offsets(shift))
    assume(_plain_days(shift, state) and _plain_days(moved, state))
    assert classify(moved, TZ, state) == classify(shift, TZ, state)


def test_classify_properties_cover_dst_nights() -> None:
    # the generator's DST anchors are real Berlin changes: offsets differ across each
    for instant in DST:
        before = (instant - timedelta(hours=1)).astimezone(ZONE).utcoffset()
        after = (instant + timedelta(hours=1)).astimezone(ZONE).utcoffset()
        assert before != after
    assert date(2026, 3, 29).weekday() == 6
