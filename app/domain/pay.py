"""Pay classes of a shift and the pay of a month (§3b EStG, MiLoG, §8 SGB IV).

Public API::

    classify(shift, tz, state) -> ClassMinutes
    month_result(shifts, terms, tz, state, *, paid_absence=(), month=None) -> PayResult

Classes (``CLASSES``) overlap: ``base`` is every worked minute (breaks, standby and on-call
excluded); ``night25``/``night40`` and one of ``sunday50``/``holiday125``/``holiday150`` add
on top of it. A shift is split at the local hours 0, 4, 6, 14 and 20 (from the dated table
``rules.SECTION_3B``); each piece is measured in UTC, so DST nights have 7 or 9 hours.

The §3b rules applied (§3b (1) and (3) EStG):

* night 20–6 h: 25 %; 0–4 h: 40 % instead, if the shift has night work before 0 h;
* Sunday: 50 %; public holiday of the Land and 31.12 from 14 h: 125 %;
  24.12 from 14 h, 25.12, 26.12 and 1.5: 150 %. Sunday and holiday do not stack: the
  highest of 150 > 125 > 50 wins (by class, not by contract rate, so hours do not depend
  on the contract);
* a shift with night work before 0 h keeps the Sunday/holiday status of that evening for
  0–4 h of the next day.

Worked example (fixture E1): Sunday 8 March 2026 22:00 to Monday 06:00 at 16 €/h gives
base 8 h, night25 4 h (22–24 and 4–6), night40 4 h (0–4), sunday50 6 h (22–24 and the
carried 0–4); surcharges 16 × (4 × 0.25 + 4 × 0.40 + 6 × 0.50) = 89.60 €.

Choices: surcharges are paid on ``work`` only. ``standby`` (Bereitschaftsdienst) is paid
at ``standby_wage`` (default: the base wage) and counts as working time for the ArbZG.
``on_call`` (Rufbereitschaft) hours are counted but not paid (a call-out is entered as a
``work`` shift). Money is exact ``Decimal`` until each amount is rounded half-up to cents;
``gross`` is the sum of the rounded parts, so a pay slip adds up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from app.domain import checks, limits
from app.domain.rules import SECTION_3B, minijob_limit, rule_at
from app.domain.worktime import (
    EMPLOYMENTS,
    ContractTerms,
    RuleWarning,
    WorkShift,
    check_state,
    to_minute,
    validate_all,
    worked_intervals,
    zone,
)
from app.errors import InputError

SURCHARGE_CLASSES = ("night25", "night40", "sunday50", "holiday125", "holiday150")
CLASSES = ("base", *SURCHARGE_CLASSES, "standby", "on_call")
CENT = Decimal("0.01")
_DAY = timedelta(days=1)
# Day status ranks; the highest wins when Sunday and holiday meet.
_STATUS_CLASS = {1: "sunday50", 2: "holiday125", 3: "holiday150"}


@dataclass(frozen=True)
class ClassMinutes:
    """Minutes per pay class; add two with ``+``."""

    base: int = 0
    night25: int = 0
    night40: int = 0
    sunday50: int = 0
    holiday125: int = 0
    holiday150: int = 0
    standby: int = 0
    on_call: int = 0

    def __add__(self, other: ClassMinutes) -> ClassMinutes:
        return ClassMinutes(*(getattr(self, f.name) + getattr(other, f.name)
                              for f in fields(self)))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in CLASSES}

    def hours(self) -> dict[str, Decimal]:
        """Hours per class as ``Decimal`` with two places, e.g. 450 min → ``7.50``."""
        return {k: (Decimal(v) / 60).quantize(CENT, ROUND_HALF_UP)
                for k, v in self.as_dict().items()}


@dataclass(frozen=True)
class Money:
    """A month's pay in euros, each part rounded half-up to cents."""

    base: Decimal
    surcharges: Decimal
    standby: Decimal
    absence: Decimal
    gross: Decimal


@dataclass(frozen=True)
class MinijobFigures:
    """``counted``: pay that counts toward the limit (free §3b surcharges left out)."""

    counted: Decimal
    limit: Decimal


@dataclass(frozen=True)
class PayResult:
    """Everything the month of one assistant comes to."""

    minutes: ClassMinutes
    absence_minutes: ClassMinutes
    pay: Money
    minijob: MinijobFigures | None
    warnings: list[RuleWarning]

    @property
    def hours(self) -> dict[str, Decimal]:
        return self.minutes.hours()

    @property
    def absence_hours(self) -> dict[str, Decimal]:
        return self.absence_minutes.hours()


# --- calendars ------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _holidays(state: str, year: int) -> frozenset[date]:
    """Public holidays of a Land in a year, computed once (the package is slow per lookup)."""
    return frozenset(holidays.country_holidays("DE", subdiv=state, years=year))


@lru_cache(maxsize=16384)
def _day_status(state: str, day: date) -> tuple[int, int]:
    """Status rank of ``day`` before and from the eve hour: 0 none, 1 Sunday, 2 125 %, 3 150 %.

    Example: 24.12.2026 (a Thursday) → (0, 3); 31.12 → (0, 2); 25.12 → (3, 3).
    """
    rule = rule_at(SECTION_3B, day)
    md = (day.month, day.day)
    if md in rule.days_150:
        return 3, 3
    status = 2 if day in _holidays(state, day.year) else 1 if day.weekday() == 6 else 0
    eve = status
    if md == rule.eve_150:
        eve = 3
    elif md == rule.eve_125:
        eve = max(status, 2)
    return status, eve


@lru_cache(maxsize=16384)
def _windows(tz: ZoneInfo, day: date) -> tuple[tuple[int, int, bool, bool, bool], ...]:
    """The local ``day`` cut at the §3b hours: (utc_from, utc_to, night, deep, eve) each.

    For 2026-03-29 in Berlin the 0–4 h window lasts 180 minutes (clocks skip 2→3 h).
    """
    rule = rule_at(SECTION_3B, day)
    hours = sorted({0, rule.deep_end, rule.night_end, rule.eve_hour, rule.night_start})
    base = date(day.year, day.month, day.day)
    stamps = [to_minute(_at(base, h), tz) for h in hours]
    stamps.append(to_minute(_at(base + _DAY, 0), tz))
    out = []
    for i, h in enumerate(hours):
        night = h >= rule.night_start or h < rule.night_end
        out.append((stamps[i], stamps[i + 1], night, h < rule.deep_end, h >= rule.eve_hour))
    return tuple(out)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def _overlap(intervals: Sequence[tuple[int, int]], a: int, b: int) -> int:
    return sum(max(0, min(b, y) - max(a, x)) for x, y in intervals)


# --- classification -------------------------------------------------------------------------


def classify(shift: WorkShift, tz: str, state: str) -> ClassMinutes:
    """Minutes per pay class of one shift (§3b EStG), see the module docstring.

    Example: Thursday 4 June 2026 (Fronleichnam) 08:00–16:00 with a 30-minute break in
    ``NW`` → base 450, holiday125 450; in ``BE`` (no holiday there) → base 450 only.
    """
    return _classify(shift, zone(tz), check_state(state))


def _classify(shift: WorkShift, tz: ZoneInfo, state: str) -> ClassMinutes:
    intervals = worked_intervals(shift, tz)
    total = sum(b - a for a, b in intervals)
    if shift.kind == "standby":
        return ClassMinutes(standby=total)
    if shift.kind == "on_call":
        return ClassMinutes(on_call=total)
    counts = dict.fromkeys(SURCHARGE_CLASSES, 0)
    day, last = shift.start.date(), shift.end.date()
    # Night work of this shift in the 20–24 h window of the previous day, and that
    # evening's status: together they decide 40 % and the carry-over (§3b (3) EStG).
    late_before, status_before = 0, 0
    while day <= last:
        status_day, status_eve = _day_status(state, day)
        late = 0
        for a, b, night, deep, eve in _windows(tz, day):
            m = _overlap(intervals, a, b)
            if not m:
                continue
            status = status_eve if eve else status_day
            carried = deep and late_before > 0
            if carried:
                status = max(status, status_before)
            if night:
                counts["night40" if carried else "night25"] += m
            if status:
                counts[_STATUS_CLASS[status]] += m
            if night and eve:
                late = m
        late_before, status_before = late, status_eve
        day += _DAY
    return ClassMinutes(base=total, **counts)


# --- the month ------------------------------------------------------------------------------


def surcharge_rates(terms: ContractTerms, day: date) -> dict[str, Decimal]:
    """Contract rates per surcharge class, the §3b defaults filling any gap."""
    rates = dict(rule_at(SECTION_3B, day).rates)
    for name, rate in (terms.surcharges or {}).items():
        if name not in rates:
            raise InputError("error.case.surcharge_class", f"contract.surcharges.{name}",
                             name=f"contract.surcharges.{name}",
                             choices=", ".join(SURCHARGE_CLASSES))
        rates[name] = Decimal(rate)
    return rates


def _check_terms(terms: ContractTerms) -> None:
    if terms.employment not in EMPLOYMENTS:
        raise InputError("error.case.one_of", "contract.employment", name="contract.employment",
                         choices=", ".join(EMPLOYMENTS))
    for name in ("hourly_wage", "standby_wage"):
        value = getattr(terms, name)
        if value is not None and not isinstance(value, Decimal):
            raise InputError("error.case.amount_min", f"contract.{name}", name=f"contract.{name}")
        if value is not None:
            limits.check_amount(value, f"contract.{name}", limits.MAX_WAGE)
    for name, rate in (terms.surcharges or {}).items():
        limits.parse_amount(rate, f"contract.surcharges.{name}", limits.MAX_RATE)


def _money(minutes: ClassMinutes, terms: ContractTerms, rates: Mapping[str, Decimal],
           ) -> tuple[Decimal, Decimal, Decimal]:
    """Exact (base, surcharges, standby) pay; rounding is the caller's last step."""
    wage = terms.hourly_wage
    standby_wage = terms.standby_wage if terms.standby_wage is not None else wage
    base = wage * minutes.base / 60
    surcharges = sum((wage * rates[c] * getattr(minutes, c) / 60 for c in SURCHARGE_CLASSES),
                     Decimal(0))
    return base, surcharges, standby_wage * minutes.standby / 60


def _free_surcharges(minutes: ClassMinutes, terms: ContractTerms, rates: Mapping[str, Decimal],
                     day: date) -> Decimal:
    """The part of worked surcharges free of tax and contributions (§3b EStG, §1 SvEV).

    Free is at most the §3b rate on a base of at most 25 €/h. Example: 2 Sunday hours at
    30 €/h with a 60 % contract rate → 36.00 € paid, 0.50 × 25 × 2 = 25.00 € free, 11.00 €
    counted.
    """
    rule = rule_at(SECTION_3B, day)
    capped = min(terms.hourly_wage, rule.contribution_free_base_cap)
    return sum((capped * min(rates[c], rule.rates[c]) * getattr(minutes, c) / 60
                for c in SURCHARGE_CLASSES), Decimal(0))


def _cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def month_result(shifts: Sequence[WorkShift], terms: ContractTerms, tz: str, state: str, *,
                 paid_absence: Sequence[WorkShift] = (), month: date | None = None,
                 ) -> PayResult:
    """Hours, pay, Minijob figures and warnings of one assistant's month.

    ``shifts`` are worked shifts; ``paid_absence`` are planned shifts that became paid
    absence (see ``absences.split_absences``, Lohnausfallprinzip): they are paid with their
    surcharges, which are then taxable and count toward the Minijob limit, and they are left
    out of the ArbZG and Mindestlohn checks. ``month`` (any day in it) defaults to the day
    of the first shift.

    Example (fixture minijob-april-ok): 43 h at 14 €/h in April 2026, 8 of them on Sundays →
    base 602.00, surcharges 56.00 (tax-free), counted 602.00 ≤ limit 603.00: no warning.
    """
    z, state = zone(tz), check_state(state)
    _check_terms(terms)
    validate_all(shifts, z)
    validate_all(paid_absence, z, name="paid_absence")
    if month is None:
        firsts = [s.start.date() for s in (*shifts, *paid_absence)]
        if not firsts:
            raise InputError("error.case.no_shifts", "shifts")
        month = firsts[0]
    rates = surcharge_rates(terms, month)

    worked = sum((_classify(s, z, state) for s in shifts), ClassMinutes())
    absent = sum((_classify(s, z, state) for s in paid_absence), ClassMinutes())
    base, surcharges, standby = _money(worked, terms, rates)
    absence = sum(_money(absent, terms, rates), Decimal(0))
    pay = Money(_cents(base), _cents(surcharges), _cents(standby), _cents(absence),
                gross=_cents(base) + _cents(surcharges) + _cents(standby) + _cents(absence))

    warnings: list[RuleWarning] = []
    if not terms.live_in:
        warnings += checks.arbzg_warnings(shifts, z)
    minijob = None
    if terms.employment == "minijob":
        free = _free_surcharges(worked, terms, rates, month)
        counted = _cents(base + standby + absence + surcharges - free)
        minijob = MinijobFigures(counted, minijob_limit(month))
        warnings += checks.minijob_limit_warnings(counted, minijob.limit, month)
    warnings += checks.mindestlohn_warnings(base + standby, worked.base + worked.standby, month)
    return PayResult(worked, absent, pay, minijob, warnings)
