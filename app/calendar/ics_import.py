"""Importing the employer's own appointments from an ``.ics`` file as *Termine*.

    result = import_ics(services, data)          # one commit, or InputError and nothing

The file is checked completely before anything is written: line syntax and BEGIN/END
nesting (to name the line), then ``icalendar``'s parse, then every VEVENT (UID, DTSTART,
DTEND not before DTSTART, readable values). Only then are recurring events expanded over a
window (default: 30 days back, a year ahead) with ``recurring-ical-events`` and written as
``appointment`` rows in one ``store.commit``.

Row ids are derived from the UID (and, for recurring events, the occurrence's
RECURRENCE-ID), so importing the same file again updates rows instead of duplicating them;
occurrences of a re-imported UID that are no longer in the file are deleted.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar, Component

from app.calendar import recurrence_bounds
from app.calendar.service import CalendarService
from app.domain import limits
from app.errors import InputError
from app.store.services import Services
from app.store.store import Change

APPOINTMENT_NS = uuid.UUID("2b4f0a63-7f3e-4c52-9a0e-5d1c7e8b9f21")
MAX_BYTES = 5 * 1024 * 1024
MAX_OCCURRENCES = 5000
PAST_DAYS, FUTURE_DAYS = 30, 365
FIELD = "ics"
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9_-]+[;:]")  # name, then parameters or value


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    removed: int


# ---------------------------------------------------------------------- checking
def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise InputError("error.ics.too_large", FIELD)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError("error.ics.not_utf8", FIELD, byte=err.start) from err


def _scan(text: str) -> list[int]:
    """Check content lines and nesting; return the line number of each top-level VEVENT."""
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if line[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + line[1:])
        elif line.strip():
            logical.append((number, line))
    if not logical or logical[0][1].strip().upper() != "BEGIN:VCALENDAR":
        raise InputError("error.ics.no_begin", FIELD)
    stack: list[tuple[str, int]] = []
    events: list[int] = []
    for number, line in logical:
        if not _CONTENT_LINE.match(line):
            raise InputError("error.ics.bad_line", FIELD, line=number, text=line[:40])
        name, _, value = line.partition(":")
        name, value = name.upper(), value.strip().upper()
        if name == "BEGIN":
            if value == "VEVENT" and len(stack) == 1:
                events.append(number)
            stack.append((value, number))
        elif name == "END":
            if not stack or stack[-1][0] != value:
                raise InputError("error.ics.unmatched_end", FIELD, line=number, what=value)
            stack.pop()
            if not stack and number != logical[-1][0]:
                raise InputError("error.ics.text_after_end", FIELD, line=number)
    if stack:
        what, number = stack[-1]
        raise InputError("error.ics.unclosed", FIELD, line=number, what=what)
    return events


def _where(event: Component, line: int) -> dict[str, object]:
    """The parameters of "Termin in Zeile {line} (UID …)" that starts an event's error."""
    uid = str(event.get("UID") or "").strip()
    return {"line": line, "uid": f" (UID {uid})" if uid else ""}


def _check_event(event: Component, line: int) -> None:
    where = _where(event, line)
    errors = getattr(event, "errors", None) or []
    if errors:
        prop, reason = errors[0]
        raise InputError("error.ics.event_unreadable", FIELD, prop=prop, reason=reason, **where)
    if not str(event.get("UID") or "").strip():
        raise InputError("error.ics.no_uid", FIELD, **where)
    if event.get("DTSTART") is None:
        raise InputError("error.ics.no_start", FIELD, **where)
    start = event.decoded("DTSTART")
    end: Any = None
    if event.get("DTEND") is not None:
        end = event.decoded("DTEND")
    elif event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    if end is None:
        return
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise InputError("error.ics.mixed_types", FIELD, **where)
    if isinstance(start, datetime) and (start.tzinfo is None) != (end.tzinfo is None):
        raise InputError("error.ics.mixed_zones", FIELD, **where)
    if end < start:
        raise InputError("error.ics.end_before_start", FIELD, **where)


def parse_calendar(data: bytes | str) -> Calendar:
    """The checked calendar, or InputError naming what is wrong and where."""
    text = _decode(data)
    lines = _scan(text)
    try:
        cal = Calendar.from_ical(text.encode("utf-8"))  # a str may be taken as a path
    except ValueError as err:
        raise InputError("error.ics.unparsable", FIELD, reason=err) from err
    if cal.name != "VCALENDAR":
        raise InputError("error.ics.no_calendar", FIELD)
    if getattr(cal, "errors", None):
        prop, reason = cal.errors[0]
        raise InputError("error.ics.calendar_unreadable", FIELD, prop=prop, reason=reason)
    events = [c for c in cal.subcomponents if c.name == "VEVENT"]
    if not events:
        raise InputError("error.ics.no_events", FIELD)
    for event, line in zip(events, lines, strict=False):
        _check_event(event, line)
    return cal


# ---------------------------------------------------------------------- expanding
def _wall(value: date | datetime, tz: ZoneInfo) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # floating times are taken as the team's wall time
            value = value.astimezone(tz).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M")
    return f"{value.isoformat()}T00:00"


def _key(value: date | datetime) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.isoformat()


def appointments_from(cal: Calendar, tz: ZoneInfo, first: date, last: date
                      ) -> list[dict[str, Any]]:
    """Occurrences in [first, last] as appointment field dicts with their row id."""
    recurring = {str(e.get("UID")) for e in cal.subcomponents if e.name == "VEVENT"
                 and (e.get("RRULE") or e.get("RDATE") or e.get("RECURRENCE-ID"))}
    # Measure the rules first: the library below builds every occurrence at once.
    recurrence_bounds.check(((e, str(e.get("UID"))) for e in cal.subcomponents
                             if e.name == "VEVENT"), tz, first, last, MAX_OCCURRENCES, FIELD)
    try:
        occurrences = recurring_ical_events.of(cal).between(first, last + timedelta(days=1))
    except Exception as err:  # the library raises many kinds for bad rules
        raise InputError("error.ics.recurrence", FIELD, reason=err) from err
    out: dict[str, dict[str, Any]] = {}
    for occ in occurrences:
        if str(occ.get("STATUS") or "").upper() == "CANCELLED":
            continue
        uid = str(occ.get("UID"))
        key = uid
        if uid in recurring:
            rid = occ.get("RECURRENCE-ID")
            key = f"{uid}|{_key(rid.dt if rid is not None else occ.start)}"
        row_id = str(uuid.uuid5(APPOINTMENT_NS, key))
        out[row_id] = {"id": row_id, "uid": uid, "start": _wall(occ.start, tz),
                       "end": _wall(occ.end, tz), "summary": str(occ.get("SUMMARY") or ""),
                       "location": str(occ.get("LOCATION") or "")}
        if len(out) > MAX_OCCURRENCES:
            raise InputError("error.ics.too_many", FIELD, n=MAX_OCCURRENCES)
    return sorted(out.values(), key=lambda a: (a["start"], a["id"]))


# ---------------------------------------------------------------------- writing
def import_ics(services: Services, data: bytes | str, today: date | None = None,
               first: date | None = None, last: date | None = None) -> ImportResult:
    """Check, expand and write the file's appointments in one commit (or nothing)."""
    cal_service = CalendarService(services)
    cal_service.require_manager("error.action.calendar_import")
    today = today or datetime.fromisoformat(services.now()).date()
    first = first or today - timedelta(days=PAST_DAYS)
    last = last or today + timedelta(days=FUTURE_DAYS)
    limits.check_window(first, last)
    cal = parse_calendar(data)
    found = appointments_from(cal, services.tz(), first, last)
    uids = {str(e.get("UID")) for e in cal.subcomponents if e.name == "VEVENT"}
    existing = services.store.projection.rows["appointment"]
    changes: list[Change] = []
    added = updated = unchanged = 0
    for appt in found:
        fields = {k: v for k, v in appt.items() if k != "id"} | {"deleted": False}
        row = existing.get(appt["id"])
        if row is not None and all(row.get(k) == v for k, v in fields.items()):
            unchanged += 1
            continue
        if row is None:
            added += 1
        else:
            updated += 1
        changes.append(Change("appointment.imported", "appointment", appt["id"], fields))
    lo, hi = f"{first.isoformat()}T00:00", f"{(last + timedelta(days=1)).isoformat()}T00:00"
    ids = {a["id"] for a in found}
    stale = [r["id"] for r in existing.values()
             if r["uid"] in uids and r["id"] not in ids and not r["deleted"]
             and r["start"] < hi and r["end"] >= lo]
    changes += [Change("appointment.deleted", "appointment", rid, {"deleted": True})
                for rid in sorted(stale)]
    if changes:
        services.store.commit(changes)
    return ImportResult(added, updated, unchanged, len(stale))
