"""Bounds on what a person or a file may enter, so absurd input is refused with a message
instead of running for minutes or overflowing (issue 12).

| what | bound | why |
|---|---|---|
| a day or time | 2000-01-01 … 2099-12-31 | a pay month also needs the legal figures of its date (`rules.py`); nobody plans a shift in year 9999 |
| a shift, a time entry, a break | at most 72 h on the clock | a live-in assistant's weekend duty (Friday evening to Monday morning) is the longest there is; more is a forgotten clock-out or a typo |
| an hourly wage (also standby) | 0 … 1,000.00 € | the Mindestlohn is about 14 €; a hundredfold is already absurd |
| a surcharge rate | 0 … 5 (500 %) | §3b EStG rates are 0.25 … 1.50 |
| a budget or other sum | 0 … 10,000,000.00 € | a Persönliches Budget is a few thousand € a month |
| a calendar window (feed, import) | at most 3 years | a feed covers about a year; recurring rules are expanded only inside it |

Every check raises ``InputError`` naming the field and the limit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from app.errors import InputError

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
MAX_SPAN = timedelta(hours=72)
MAX_WAGE = Decimal("1000.00")
MAX_RATE = Decimal("5")
MAX_AMOUNT = Decimal("10000000.00")
MAX_WINDOW_DAYS = 3 * 366
_MAX_DIGITS = 24  # characters of an amount as typed: more is no amount anybody means


def check_day(value: date | datetime, field: str) -> None:
    """A day or time inside the years the app handles."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError("error.limits.day", field, where=field, day=day.isoformat(),
                         first=FIRST_DAY.year, last=LAST_DAY.year)


def check_span(start: datetime, end: datetime, field: str) -> None:
    """A shift, entry or break lasts at most ``MAX_SPAN`` on the clock (wall times)."""
    if end - start > MAX_SPAN:
        hours = int(MAX_SPAN.total_seconds() // 3600)
        raise InputError("error.limits.span", field, where=field, hours=hours)


def check_amount(value: Decimal, field: str, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """A finite amount from 0 to ``maximum``."""
    if not value.is_finite() or value < 0 or value > maximum:
        raise InputError("error.limits.amount", field, where=field, maximum=maximum)
    return value


def parse_amount(raw: object, field: str, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """An amount as typed ("16.00", "16,00" is not one) within ``check_amount``'s bounds."""
    text = str(raw).strip()
    try:
        value = Decimal(text) if len(text) <= _MAX_DIGITS else None
    except InvalidOperation:
        value = None
    if value is None:
        raise InputError("error.limits.not_amount", field, where=field,
                         text=text[:_MAX_DIGITS])
    return check_amount(value, field, maximum)


def check_window(first: date, last: date, field: str = "to") -> None:
    """A calendar window: in order, inside the years, at most ``MAX_WINDOW_DAYS`` long."""
    check_day(first, "from")
    check_day(last, field)
    if last < first:
        raise InputError("error.limits.end_before_start", field)
    if (last - first).days > MAX_WINDOW_DAYS:
        raise InputError("error.limits.window", field, days=MAX_WINDOW_DAYS)
