"""Paid absence minus recorded work (no hour paid twice) and the ABSENCE_OVERLAP warning."""

from __future__ import annotations

from datetime import date, datetime

from app.domain.absences import Absence, overlap_warnings, unworked
from app.domain.worktime import WorkShift


def _w(start: str, end: str) -> WorkShift:
    return WorkShift(datetime.fromisoformat(start), datetime.fromisoformat(end))


def test_unworked_keeps_planned_time_outside_entries() -> None:
    planned = [_w("2026-03-16T08:00", "2026-03-16T16:00"),
               _w("2026-03-17T08:00", "2026-03-17T16:00")]
    worked = [_w("2026-03-16T08:00", "2026-03-16T11:00"),
              _w("2026-03-16T12:00", "2026-03-16T13:00")]
    assert unworked(planned, worked) == [
        (0, _w("2026-03-16T11:00", "2026-03-16T12:00")),
        (0, _w("2026-03-16T13:00", "2026-03-16T16:00")),
        (1, _w("2026-03-17T08:00", "2026-03-17T16:00"))]


def test_unworked_drops_a_shift_worked_in_full() -> None:
    planned = [_w("2026-03-16T08:00", "2026-03-16T16:00")]
    assert unworked(planned, [_w("2026-03-16T07:30", "2026-03-16T16:30")]) == []


def test_overlap_warnings_one_per_day_with_work_inside_an_absence() -> None:
    absences = [Absence(date(2026, 3, 10), date(2026, 3, 12), "vacation")]
    worked = [_w("2026-03-11T09:00", "2026-03-11T10:00"),
              _w("2026-03-11T14:00", "2026-03-11T15:00"),
              _w("2026-03-13T09:00", "2026-03-13T10:00")]
    found = overlap_warnings(absences, worked)
    assert [(w.code, w.day) for w in found] == [("ABSENCE_OVERLAP", date(2026, 3, 11))]
    assert found[0].message_de.startswith("Urlaub eingetragen")
    assert found[0].message_en.startswith("Vacation recorded")
