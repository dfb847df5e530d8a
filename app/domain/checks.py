"""Checks that warn about working-time law, the Minijob limit and the Mindestlohn.

Public API (every function returns ``RuleWarning`` objects; they warn, they never block)::

    arbzg_warnings(shifts, tz) -> list[RuleWarning]
    minijob_limit_warnings(counted, limit, month) -> list[RuleWarning]
    mindestlohn_warnings(paid, paid_minutes, month) -> list[RuleWarning]
    minijob_overrun_warnings(months) -> list[RuleWarning]
    check_planned(shifts, terms, tz) -> list[list[RuleWarning]]

Codes and rules:

* ``ARBZG_DAILY_MAX`` — over 10 h of working time in one local day or in one continuous
  duty (§3 ArbZG). Standby on site counts as working time (§7 ArbZG, EuGH Jaeger);
  on-call (Rufbereitschaft) does not. Shifts that touch or overlap form one duty.
* ``ARBZG_BREAK`` — a duty of more than 6 h with under 30 min of breaks, more than 9 h with
  under 45 min, or more than 6 h in a row without a break (§4 ArbZG). Only breaks of at
  least 15 minutes count. Exactly 6 h needs none.
* ``ARBZG_REST`` — under 11 h between the end of one duty and the start of the next duty
  on a later day (§5 ArbZG). Two duties that start on the same day (a split shift,
  07–09 and 18–20) are one working day, so the gap between them is no Ruhezeit to check.
* ``ARBZG_SUNDAYS`` — fewer than 15 work-free Sundays in a calendar year (§11 (1) ArbZG);
  fires as soon as the worked Sundays of the given shifts make 15 impossible.
* ``ARBZG_SUBSTITUTE_REST`` — a worked Sunday without a free weekday (Mon–Sat) within the
  two weeks after it (§11 (3) ArbZG); each free day replaces one Sunday.
* ``MINIJOB_LIMIT`` — a Minijob's counted pay over the month's limit (§8 (1a) SGB IV).
* ``MINDESTLOHN`` — (base + standby pay) ÷ (worked + standby hours) below the Mindestlohn
  of the month (§1 MiLoG).
* ``MINIJOB_OVERRUN_ALLOWED`` / ``MINIJOB_STATUS_LOST`` — an unforeseeable overrun is
  allowed in at most 2 months within 12, each at most twice the limit (§8 (1b) SGB IV).

A live-in contract (household community, §18 (1) Nr. 3 ArbZG) skips every ArbZG check; the
caller (``pay.month_result``, ``check_planned``) decides that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.domain.rules import MINDESTLOHN, minijob_limit, rule_at
from app.domain.worktime import (
    ContractTerms,
    RuleWarning,
    WorkShift,
    local_date,
    local_midnight,
    validate_all,
    worked_intervals,
    zone,
)

MAX_DAILY = 10 * 60
MIN_REST = 11 * 60
MIN_BREAK_PIECE = 15
FREE_SUNDAYS = 15
_DAY = timedelta(days=1)


def _euro(x: Decimal) -> tuple[str, str]:
    """An amount as German and English text: ``603,00 €`` / ``€603.00``."""
    s = f"{x:.2f}"
    return s.replace(".", ",") + " €", "€" + s


def _w(code: str, de: str, en: str, day: date | None, shift: int | None = None) -> RuleWarning:
    return RuleWarning(code, de, en, day, shift)


class _Duty:
    """Shifts that touch or overlap, merged: one continuous duty under the ArbZG."""

    __slots__ = ("end", "indexes", "pieces", "start")

    def __init__(self, start: int, end: int, pieces: list[tuple[int, int]], index: int) -> None:
        self.start, self.end, self.pieces, self.indexes = start, end, pieces, [index]


def _duties(shifts: Sequence[WorkShift], tz: ZoneInfo) -> list[_Duty]:
    """Working-time duties (work and standby; on-call is rest time), in time order."""
    items = []
    for i, shift in enumerate(shifts):
        if shift.kind == "on_call":
            continue
        pieces = worked_intervals(shift, tz)
        start = pieces[0][0] if pieces else 0
        items.append((start, i, pieces, shift))
    items.sort(key=lambda t: t[0])
    duties: list[_Duty] = []
    for _, i, pieces, _shift in items:
        if not pieces:
            continue
        start, end = pieces[0][0], pieces[-1][1]
        if duties and start <= duties[-1].end:
            d = duties[-1]
            d.pieces = sorted(d.pieces + pieces)
            d.end = max(d.end, end)
            d.indexes.append(i)
        else:
            duties.append(_Duty(start, end, list(pieces), i))
    return duties


def _minutes_by_day(pieces: Sequence[tuple[int, int]], tz: ZoneInfo) -> dict[date, int]:
    """Worked minutes per local calendar day, split at local midnights."""
    out: dict[date, int] = defaultdict(int)
    for a, b in pieces:
        day = local_date(a, tz)
        while a < b:
            cut = min(b, local_midnight(tz, day + _DAY))
            out[day] += cut - a
            a, day = cut, day + _DAY
    return out


def _break_check(duty: _Duty) -> tuple[str, str] | None:
    """§4 ArbZG on one duty; the German and English message, or None."""
    worked = sum(b - a for a, b in duty.pieces)
    breaks, run, longest = 0, 0, 0
    prev_end: int | None = None
    for a, b in duty.pieces:
        gap = 0 if prev_end is None else max(0, a - prev_end)
        if gap >= MIN_BREAK_PIECE:  # shorter interruptions are no Ruhepause
            breaks += gap
            run = 0
        run += b - a
        longest = max(longest, run)
        prev_end = b if prev_end is None else max(prev_end, b)
    if worked > 9 * 60 and breaks < 45:
        return ("Mehr als 9 Stunden ohne 45 Minuten Pause.",
                "More than 9 hours without 45 minutes of breaks.")
    if worked > 6 * 60 and breaks < 30:
        return "Mehr als 6 Stunden ohne 30 Minuten Pause.", "More than 6 hours without a 30-minute break."
    if longest > 6 * 60:
        return ("Mehr als 6 Stunden am Stück ohne Pause.",
                "More than 6 hours in a row without a break.")
    return None


def arbzg_warnings(shifts: Sequence[WorkShift], tz: ZoneInfo | str) -> list[RuleWarning]:
    """ArbZG warnings for one assistant's shifts (§§3, 4, 5, 11 ArbZG), in time order.

    Example: 2026-03-08 22:00 to 2026-03-09 06:00 without a break → one ``ARBZG_BREAK``
    (8 h, under 30 min of breaks) on 8 March; 14–22 h followed by 06–14 h the next day →
    ``ARBZG_REST`` (8 h of rest) on the second day.
    """
    z = zone(tz) if isinstance(tz, str) else tz
    duties = _duties(shifts, z)
    out: list[RuleWarning] = []
    day_minutes: dict[date, int] = defaultdict(int)
    first_shift_of_day: dict[date, int] = {}
    prev: _Duty | None = None
    for duty in duties:
        first = duty.indexes[0]
        day = local_date(duty.start, z)
        per_day = _minutes_by_day(duty.pieces, z)
        for d, m in per_day.items():
            day_minutes[d] += m
            first_shift_of_day.setdefault(d, first)
        if sum(per_day.values()) > MAX_DAILY and max(per_day.values()) <= MAX_DAILY:
            out.append(_w("ARBZG_DAILY_MAX", "Mehr als 10 Stunden Arbeit am Stück.",
                          "More than 10 hours of work in one go.", day, first))
        found = _break_check(duty)
        if found:
            out.append(_w("ARBZG_BREAK", *found, day, first))
        if prev is not None and 0 < duty.start - prev.end < MIN_REST \
                and day > local_date(prev.start, z):
            out.append(_w("ARBZG_REST", "Weniger als 11 Stunden Ruhe zwischen zwei Diensten.",
                          "Less than 11 hours of rest between two duties.", day, first))
        prev = duty
    for d in sorted(day_minutes):
        if day_minutes[d] > MAX_DAILY:
            out.append(_w("ARBZG_DAILY_MAX", "Mehr als 10 Stunden Arbeit an einem Tag.",
                          "More than 10 hours of work in one day.", d, first_shift_of_day[d]))
    out += _sunday_warnings(day_minutes, first_shift_of_day)
    out.sort(key=lambda w: (w.day or date.min))
    return out


def _sunday_warnings(day_minutes: dict[date, int], shift_of: dict[date, int],
                     ) -> list[RuleWarning]:
    """§11 ArbZG: 15 free Sundays a year, and a substitute rest day for each worked Sunday.

    Example: work on every Sunday of 2026 except 14 → ``ARBZG_SUNDAYS`` on the Sunday that
    left only 14 free. Work Sun 5 Apr and Mon–Sun 6–19 Apr every day → the first Sunday has
    no free weekday within two weeks: ``ARBZG_SUBSTITUTE_REST`` on 5 April.
    """
    out: list[RuleWarning] = []
    sundays = sorted(d for d, m in day_minutes.items() if m > 0 and d.weekday() == 6)
    by_year: dict[int, list[date]] = defaultdict(list)
    for d in sundays:
        by_year[d.year].append(d)
    for year, worked in by_year.items():
        allowed = _sundays_in(year) - FREE_SUNDAYS
        if len(worked) > allowed:
            d = worked[max(allowed, 0)]
            out.append(_w("ARBZG_SUNDAYS", "Weniger als 15 freie Sonntage im Jahr.",
                          "Fewer than 15 free Sundays in the year.", d, shift_of[d]))
    used: set[date] = set()
    for sunday in sundays:
        for k in range(1, 15):
            d = sunday + k * _DAY
            if d.weekday() != 6 and day_minutes.get(d, 0) == 0 and d not in used:
                used.add(d)
                break
        else:
            out.append(_w("ARBZG_SUBSTITUTE_REST",
                          "Sonntagsarbeit ohne freien Ersatztag in den zwei Wochen danach.",
                          "Sunday work without a day off in return within two weeks.",
                          sunday, shift_of[sunday]))
    return out


def _sundays_in(year: int) -> int:
    first = date(year, 1, 1)
    first_sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return (date(year, 12, 31) - first_sunday).days // 7 + 1


def minijob_limit_warnings(counted: Decimal, limit: Decimal, month: date) -> list[RuleWarning]:
    """``MINIJOB_LIMIT`` if a Minijob's counted pay exceeds the month's limit (§8 SGB IV).

    Example: 604.00 € counted in April 2026 (limit 603 €) → one warning; 603.00 € → none.
    """
    if counted <= limit:
        return []
    de, en = _euro(limit)
    return [_w("MINIJOB_LIMIT", f"Der Lohn liegt über der Minijob-Grenze von {de} im Monat.",
               f"The pay is above the minijob limit of {en} a month.", month)]


def mindestlohn_warnings(paid: Decimal, paid_minutes: int, month: date) -> list[RuleWarning]:
    """``MINDESTLOHN`` if ``paid`` ÷ hours is below the month's Mindestlohn (§1 MiLoG).

    ``paid`` is base + standby pay, ``paid_minutes`` worked + standby minutes. Example:
    10 h work at 14 € + 10 h standby at 12 € = 260 € ÷ 20 h = 13.00 €/h < 13.90 € (2026).
    """
    if paid_minutes <= 0:
        return []
    wage = rule_at(MINDESTLOHN, month).hourly
    if paid * 60 / paid_minutes >= wage:
        return []
    de, en = _euro(wage)
    return [_w("MINDESTLOHN", f"Der Lohn pro Stunde liegt unter dem Mindestlohn von {de}.",
               f"The pay per hour is below the minimum wage of {en}.", month)]


def minijob_overrun_warnings(months: Sequence[tuple[date, Decimal]]) -> list[RuleWarning]:
    """Judge the months over the limit by the overrun rule (§8 (1b) SGB IV).

    ``months`` holds (any day of the month, counted pay). A month over its limit is
    ``MINIJOB_OVERRUN_ALLOWED`` if it is at most twice the limit and at most the second such
    month within the 12 months ending with it; otherwise ``MINIJOB_STATUS_LOST``. Whether an
    overrun was unforeseeable is for the employer to judge; the message says so.
    Example: 700 € in March and May 2026, 650 € in August → allowed, allowed, lost.
    """
    out: list[RuleWarning] = []
    overruns: list[int] = []  # month numbers (year × 12 + month) of allowed overruns
    for day, counted in sorted(months, key=lambda t: t[0]):
        limit = minijob_limit(day)
        if counted <= limit:
            continue
        n = day.year * 12 + day.month
        recent = [m for m in overruns if n - m < 12]
        if counted <= 2 * limit and len(recent) < 2:
            overruns.append(n)
            out.append(_w("MINIJOB_OVERRUN_ALLOWED",
                          "Grenze überschritten. Erlaubt nur, wenn es nicht vorhersehbar war.",
                          "Limit exceeded. Allowed only if it could not be foreseen.", day))
        else:
            out.append(_w("MINIJOB_STATUS_LOST",
                          "Grenze zu oft oder zu weit überschritten. Das ist kein Minijob mehr.",
                          "Limit exceeded too often or by too much. This is no longer a minijob.",
                          day))
    return out


def check_planned(shifts: Sequence[WorkShift], terms: ContractTerms, tz: str,
                  ) -> list[list[RuleWarning]]:
    """ArbZG warnings for one assistant's PLANNED shifts, one list per shift (same order).

    For the roster: each warning is attached to the shift it starts with, e.g. the second
    of two shifts with too little rest between them. A live-in contract gets no warnings.
    """
    z = zone(tz)
    validate_all(shifts, z)
    per_shift: list[list[RuleWarning]] = [[] for _ in shifts]
    if terms.live_in:
        return per_shift
    for w in arbzg_warnings(shifts, z):
        if w.shift is not None:
            per_shift[w.shift].append(w)
    return per_shift
