"""How much work a file's recurring events would be, found out before expanding them.

``recurring-ical-events`` (and ``dateutil`` beneath it) build every occurrence of a window as
an object, and step from a rule's DTSTART one period at a time: a 218-byte file with
``RRULE:FREQ=SECONDLY`` is 34 million occurrences a year, minutes of CPU and gigabytes. So
each rule is first measured and then expanded lazily, stopping at the caps:

* steps: periods from DTSTART to the end of the window (``FREQ=SECONDLY`` over a year is
  31 million) — at most ``MAX_STEPS``;
* times per period: BYHOUR × BYMINUTE × BYSECOND — at most ``MAX_TIMES``;
* occurrences: counted one by one from DTSTART (dateutil's lazy iterator, stopped at the
  window's end) — at most ``MAX_GENERATED`` in all, and ``MAX_OCCURRENCES`` in the window.

Each refusal is an ``InputError`` naming the event and the cap. One more trap: dateutil
steps over days its BY-filters exclude without looking at UNTIL, so a rule that never
matches (``BYMONTH=2;BYMONTHDAY=30``) walks on to the year 9999 — 20 s per walk. A rule
none of whose days can match in the window is therefore dropped before anything expands it
(it has no occurrence there anyway); one that can match stops at its next matching day
after the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from math import prod
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Component

from app.errors import InputError

MAX_STEPS = 200_000
MAX_TIMES = 96  # every quarter of an hour
MAX_GENERATED = 50_000
_PERIOD = {"SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1),
           "HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1),
           "WEEKLY": timedelta(days=7), "MONTHLY": timedelta(days=28),
           "YEARLY": timedelta(days=365)}
_FILTERS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO",
            "BYMONTH", "BYSETPOS")


def check(events: Iterable[tuple[Component, str]], tz: ZoneInfo, first: date, last: date,
          max_occurrences: int, field: str) -> None:
    """Raise InputError if the events' rules (``uid`` names each event) would exceed a
    cap within [first, last]; drops (in place) rules that cannot match in it."""
    lo = datetime.combine(first, time())
    hi = datetime.combine(last + timedelta(days=1), time())
    budget = _Budget(max_occurrences, field)
    for event, uid in events:
        rules = event.get("RRULE")
        if rules is None:
            continue
        start = _naive(event.decoded("DTSTART"), tz)
        rules = rules if isinstance(rules, list) else [rules]
        kept = [r for r in rules if _can_match(r, max(start.date(), first), last)]
        for rule in kept:
            _measure(rule, start, lo, hi, uid, budget)
        if len(kept) < len(rules):
            event.pop("RRULE")
            for rule in kept:
                event.add("RRULE", rule)


class _Budget:
    def __init__(self, max_occurrences: int, field: str) -> None:
        self.generated = 0
        self.in_window = 0
        self.max_occurrences = max_occurrences
        self.field = field


def _can_match(rule: Any, first: date, last: date) -> bool:
    """Whether some day in [first, last] passes the rule's day filters (a necessary
    condition: BYDAY ordinals and BYSETPOS are not looked at)."""
    months = set(rule.get("BYMONTH") or ())
    monthdays = set(rule.get("BYMONTHDAY") or ())
    yeardays = set(rule.get("BYYEARDAY") or ())
    weeks = set(rule.get("BYWEEKNO") or ())
    weekdays = {str(d).lstrip("+-0123456789").upper() for d in rule.get("BYDAY") or ()}
    day = first
    while day <= last:
        length = (date(day.year, 12, 31) - date(day.year, 1, 1)).days + 1
        month_len = ((day.replace(day=28) + timedelta(days=4)).replace(day=1)
                     - timedelta(days=1)).day
        yday, week = day.timetuple().tm_yday, day.isocalendar().week
        if ((not months or day.month in months)
                and (not monthdays or {day.day, day.day - month_len - 1} & monthdays)
                and (not yeardays or {yday, yday - length - 1} & yeardays)
                and (not weeks or {week, week - 53} & weeks)
                and (not weekdays or _WEEKDAYS[day.weekday()] in weekdays)):
            return True
        day += timedelta(days=1)
    return False


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _measure(rule: Any, start: datetime, lo: datetime, hi: datetime, uid: str,
             budget: _Budget) -> None:
    """Check one rule against the caps."""
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    period = _PERIOD.get(freq)
    try:
        interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    except (TypeError, ValueError):
        interval = 1
    if period is None:
        raise InputError("error.ics.rrule_unknown", budget.field, uid=uid, freq=freq)
    count = rule.get("COUNT")
    filtered = any(rule.get(name) for name in _FILTERS)
    steps = (hi - start) / (period * interval)
    if count and not filtered:
        steps = min(steps, int(count[0]))
    if steps > MAX_STEPS:
        raise InputError("error.ics.rrule_steps", budget.field, uid=uid, freq=freq,
                         steps=MAX_STEPS)
    times = prod(len(rule.get(name) or [0]) for name in ("BYHOUR", "BYMINUTE", "BYSECOND"))
    if times > MAX_TIMES:
        raise InputError("error.ics.rrule_times", budget.field, uid=uid, times=MAX_TIMES)
    if steps > 0:  # else it starts after the window
        _count(rule, start, lo, hi, uid, budget)


def _count(rule: Any, start: datetime, lo: datetime, hi: datetime, uid: str,
           budget: _Budget) -> None:
    """Walk the rule's occurrences lazily up to the window's end, counting."""
    try:
        parsed = rrulestr(rule.to_ical().decode(), dtstart=start, ignoretz=True)
        count = parsed._count  # dateutil keeps no public getter for COUNT and UNTIL
        # UNTIL = the window's end makes dateutil stop there even when nothing matches.
        until = min(hi, parsed._until) if parsed._until else hi
        occurrences = iter(parsed.replace(until=until, count=None))
    except (ValueError, TypeError, OverflowError) as err:
        raise InputError("error.ics.rrule_unreadable", budget.field, uid=uid,
                         reason=str(err)) from err
    for seen, occurrence in enumerate(occurrences, start=1):
        if count is not None and seen > count:
            return
        budget.generated += 1
        if occurrence >= lo:
            budget.in_window += 1
        if budget.generated > MAX_GENERATED or budget.in_window > budget.max_occurrences:
            raise InputError("error.ics.rrule_many", budget.field, uid=uid,
                             period=budget.max_occurrences, total=MAX_GENERATED)


def _naive(value: date | datetime, tz: ZoneInfo) -> datetime:
    """DTSTART as a naive wall time of the team's zone (precise enough to count)."""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
    return datetime.combine(value, time())
