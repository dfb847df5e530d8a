"""Dates, times, numbers and money as people read them, per language — the one place for it.

German (and Leichte Sprache): ``Mo, 01.12.2026``, ``08:00``, ``1.234,50``, ``4.317,00 €``.
English: ``Mon, 1 Dec 2026``, ``08:00``, ``1,234.50``, ``€4,317.00``.
Input is read leniently and the same in every language: ``01.12.2026``, ``1.12.26``,
``2026-12-01`` and the shown forms with a weekday; times as ``8:00``, ``08.00``, ``0800``, ``8``.
Stored values stay ISO (``2026-12-01``, ``08:00``); only what is shown and typed changes.
Instants stored in UTC are shown in the team's zone (``local_clock``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

WEEKDAYS = {"de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec")
MONTH_NAMES_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                  "September", "Oktober", "November", "Dezember")
MONTH_NAMES_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
MAX_INPUT = 40  # a date or time typed by a person; anything longer is not one
_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EN_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?(?: ?uhr)?$")


def _english(lang: str) -> bool:
    return lang == "en"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def day(lang: str, value: date | str) -> str:
    """``Mo, 01.12.2026`` / ``Mon, 1 Dec 2026`` (value: a date or an ISO string)."""
    d = _as_date(value)
    if _english(lang):
        return f"{WEEKDAYS['en'][d.weekday()]}, {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{WEEKDAYS['de'][d.weekday()]}, {d:%d.%m.%Y}"


def short_day(lang: str, value: date | str) -> str:
    """``01.12.2026`` / ``1 Dec 2026``: a date in a sentence or a list."""
    d = _as_date(value)
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}" if _english(lang) else f"{d:%d.%m.%Y}"


def month(lang: str, value: str) -> str:
    """``2026-12`` as ``Dezember 2026`` / ``December 2026``."""
    y, m = int(value[:4]), int(value[5:7])
    return f"{(MONTH_NAMES_EN if _english(lang) else MONTH_NAMES_DE)[m - 1]} {y}"


def clock(value: str) -> str:
    """``08:00`` of an ISO time or date-time (wall clock, as stored)."""
    return value[11:16] if "T" in value else value[:5]


def local_clock(lang: str, instant: str, tz: str) -> str:
    """An instant stored in UTC (``2026-11-23T21:28:00+00:00`` or without offset) as the
    team's wall clock: ``Mo, 23.11.2026, 22:28``."""
    at = datetime.fromisoformat(instant)
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    at = at.astimezone(ZoneInfo(tz))
    return f"{day(lang, at.date())}, {at:%H:%M}"


def number(lang: str, value: object, places: int = 2) -> str:
    """``1.234,50`` / ``1,234.50``; ``value`` is a Decimal, int or decimal string."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.{places}f}"
    return text if _english(lang) else text.replace(",", "_").replace(".", ",").replace("_", ".")


def money(lang: str, value: object) -> str:
    """``4.317,00 €`` / ``€4,317.00``."""
    amount = number(lang, value)
    if _english(lang):
        return f"-€{amount[1:]}" if amount.startswith("-") else f"€{amount}"
    return f"{amount} €"


def parse_date(text: str) -> date:
    """A typed date in any of the accepted forms; ValueError when it is none of them."""
    raw = (text or "").strip()[:MAX_INPUT + 1]
    if len(raw) > MAX_INPUT:
        raise ValueError(text)
    raw = re.sub(r"^[A-Za-zäöüÄÖÜ]{2,3},?\s*", "", raw)  # a leading weekday, as shown
    if m := _ISO_DATE.match(raw):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DE_DATE.match(raw):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return date(year, int(m[2]), int(m[1]))
    if (m := _EN_DATE.match(raw)) and m[2].title() in MONTHS_EN:
        return date(int(m[3]), MONTHS_EN.index(m[2].title()) + 1, int(m[1]))
    raise ValueError(text)


def parse_time(text: str) -> str:
    """A typed time as ``HH:MM``; ValueError when it is not a time of day."""
    raw = (text or "").strip().lower()
    m = _TIME.match(raw) if len(raw) <= MAX_INPUT else None
    if m is None and raw.isdigit() and len(raw) in (3, 4):  # "800", "0800"
        m = _TIME.match(f"{raw[:-2]}:{raw[-2:]}")
    if m is None:
        raise ValueError(text)
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return f"{hour:02d}:{minute:02d}"
