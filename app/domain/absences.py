"""Vacation entitlement and paid absence (BUrlG, EFZG, Lohnausfallprinzip).

Public API::

    vacation_days(*, days_per_week=None, workdays_per_year=None, months=12, base_days=24)
        -> Decimal
    split_absences(planned, absences, employed_since) -> AbsenceSplit
    unworked(paid, worked) -> list[(index, WorkShift)]   # paid absence minus worked time
    overlap_warnings(absences, worked) -> list[RuleWarning]   # ABSENCE_OVERLAP per day

Paid absence follows the Lohnausfallprinzip (§11 BUrlG, §4 (1) EFZG, §2 EFZG): the
assistant is paid what the planned shifts would have earned, surcharges included. So a planned
shift inside a vacation, sickness or public-holiday absence becomes *paid absence* of its
pay classes; ``pay.month_result(..., paid_absence=split.paid)`` pays it. Those surcharges
were not earned by actual night or Sunday work, so they are taxable and count toward the
Minijob limit (§3b EStG frees only work actually done).

Sick pay (§3 EFZG) starts after four weeks of employment (§3 (3)) and lasts at most six
weeks per sickness (§3 (1)); planned shifts outside that go to ``unpaid`` (the health
insurance pays Krankengeld instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.domain.worktime import RuleWarning, WorkShift
from app.errors import InputError

ABSENCE_KINDS = ("vacation", "sick", "holiday")
OVERLAP_CODE = "ABSENCE_OVERLAP"
_KIND_DE = {"vacation": "Urlaub", "sick": "Krankheit", "holiday": "Feiertag"}
_KIND_EN = {"vacation": "Vacation", "sick": "Sickness", "holiday": "Holiday"}
LEGAL_DAYS_SIX_DAY_WEEK = 24  # §3 (1) BUrlG: 24 Werktage, counted on a six-day week
EFZG_WAITING = timedelta(weeks=4)  # §3 (3) EFZG
EFZG_MAX = timedelta(weeks=6)  # §3 (1) EFZG


@dataclass(frozen=True)
class Absence:
    """A whole-day absence from ``start`` to ``end`` inclusive (local dates)."""

    start: date
    end: date
    kind: str


@dataclass(frozen=True)
class AbsenceSplit:
    """Planned shifts sorted by what happens to them."""

    worked: tuple[WorkShift, ...]  # no absence on their day: still to be worked
    paid: tuple[WorkShift, ...]  # paid absence by the Lohnausfallprinzip
    unpaid: tuple[WorkShift, ...]  # sick without EFZG pay (waiting period, over 6 weeks)


def vacation_days(*, days_per_week: Decimal | int | None = None,
                  workdays_per_year: int | None = None, months: int = 12,
                  base_days: int = LEGAL_DAYS_SIX_DAY_WEEK) -> Decimal:
    """Vacation days per year (§3 BUrlG), pro rata for part of a year (§5 BUrlG).

    Regular weeks: ``base_days × days_per_week ÷ 6``; irregular weeks:
    ``base_days × workdays_per_year ÷ 312``. For ``months`` < 12 the result is
    ``× months ÷ 12``, and a fraction of at least half a day is rounded up to a full day
    (§5 (2) BUrlG); smaller fractions stay (BAG), to two places.

    Examples: 5 days a week → 20; 3 → 12; 4 days a week for 7 months → 9.33;
    5 days for 5 months → 8.33; 156 workdays a year → 12.
    """
    if (days_per_week is None) == (workdays_per_year is None):
        raise InputError("error.case.days_either", "days_per_week")
    if not 0 <= months <= 12:
        raise InputError("error.case.between", "months", name="months", low=0, high=12)
    if days_per_week is not None:
        if not 0 <= Decimal(days_per_week) <= 7:
            raise InputError("error.case.between", "days_per_week", name="days_per_week", low=0,
                             high=7)
        days = Decimal(base_days) * Decimal(days_per_week) / 6
    else:
        assert workdays_per_year is not None
        if not 0 <= workdays_per_year <= 366:
            raise InputError("error.case.between", "workdays_per_year", name="workdays_per_year",
                             low=0, high=366)
        days = Decimal(base_days) * workdays_per_year / 312
    if months < 12:
        days = days * months / 12
        whole = int(days)
        if days - whole >= Decimal("0.5"):
            days = Decimal(whole + 1)
    return days.quantize(Decimal("0.01"), ROUND_HALF_UP)


def split_absences(planned: Sequence[WorkShift], absences: Sequence[Absence],
                   employed_since: date) -> AbsenceSplit:
    """Sort planned shifts into worked, paid absence and unpaid sickness.

    A shift belongs to the absence that covers the local day it starts on. Example: employed
    since 1 March 2026, sick 20–31 March: shifts on those days are unpaid (the four weeks of
    §3 (3) EFZG run to 28 March) up to 28 March and paid from 29 March.
    """
    for i, a in enumerate(absences):
        if a.kind not in ABSENCE_KINDS:
            raise InputError("error.case.one_of", f"absences[{i}].kind", name=f"absences[{i}].kind",
                             choices=", ".join(ABSENCE_KINDS))
        if a.end < a.start:
            raise InputError("error.case.end_before_start", f"absences[{i}].end",
                             name=f"absences[{i}]")
    sick_from = employed_since + EFZG_WAITING
    worked: list[WorkShift] = []
    paid: list[WorkShift] = []
    unpaid: list[WorkShift] = []
    for shift in planned:
        day = shift.start.date()
        absence = next((a for a in absences if a.start <= day <= a.end), None)
        if absence is None:
            worked.append(shift)
        elif absence.kind != "sick":
            paid.append(shift)
        else:
            # Six weeks counted from the first day with a claim (BAG: after the waiting time).
            first_paid = max(absence.start, sick_from)
            if first_paid <= day < first_paid + EFZG_MAX:
                paid.append(shift)
            else:
                unpaid.append(shift)
    return AbsenceSplit(tuple(worked), tuple(paid), tuple(unpaid))


def unworked(paid: Sequence[WorkShift], worked: Sequence[WorkShift],
             ) -> list[tuple[int, WorkShift]]:
    """The parts of paid-absence shifts in which no work was recorded, each with the index of
    the shift it came from (so its Teilbudget stays known).

    Rule (no pay twice for one hour): where work was recorded during a planned shift that
    became paid absence, the worked time is paid as work (with its own surcharges) and the
    absence only for the planned hours not worked. An entry counts from its start to its
    end, breaks included: during a break the assistant was at work, not absent.

    Example: sick on 10 March, planned 08:00–16:00, worked 08:00–11:00 before going home →
    08:00–11:00 (3 h) is paid as work, 11:00–16:00 (5 h) as paid absence.
    """
    spans = sorted((w.start, w.end) for w in worked)
    out: list[tuple[int, WorkShift]] = []
    for i, shift in enumerate(paid):
        pieces = [(shift.start, shift.end)]
        for a, b in spans:
            pieces = [part for s, e in pieces
                      for part in ((s, min(e, a)), (max(s, b), e)) if part[0] < part[1]]
        out += [(i, WorkShift(s, e, shift.kind)) for s, e in pieces]
    return out


def overlap_warnings(absences: Sequence[Absence], worked: Sequence[WorkShift],
                     ) -> list[RuleWarning]:
    """One ``ABSENCE_OVERLAP`` warning per local day on which work was recorded although an
    absence covers that day (the record is doubtful either way: see ``unworked`` for pay).

    Example: vacation 10–12 March and an entry on 11 March 09:00–13:00 → one warning for
    11 March.
    """
    out: list[RuleWarning] = []
    seen: set[date] = set()
    for shift in sorted(worked, key=lambda w: w.start):
        day = shift.start.date()
        absence = next((a for a in absences if a.start <= day <= a.end), None)
        if absence is None or day in seen:
            continue
        seen.add(day)
        kind = _KIND_DE.get(absence.kind, "Abwesenheit")
        out.append(RuleWarning(
            OVERLAP_CODE,
            f"{kind} eingetragen, aber an diesem Tag Arbeit erfasst: bezahlt wird die "
            "gearbeitete Zeit, die Abwesenheit nur für nicht gearbeitete geplante Stunden.",
            f"{_KIND_EN.get(absence.kind, 'Absence')} recorded, but work was recorded "
            "on this day: the worked time is paid, the absence only for planned hours not "
            "worked.", day))
    return out
