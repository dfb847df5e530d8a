"""Rendering shifts as an iCalendar feed (RFC 5545) with ``icalendar``.

Pure apart from the library: the input is a list of shift dicts (projection rows plus
``sequence`` and ``modified_ms``, which ``app/calendar/service.py`` derives from the op
history), the output is the feed's bytes. Nothing here reads a clock, so the same shifts
always give the same bytes (the golden test relies on that).

Choices, and why:

* Times are written as local times with ``TZID`` of the team's zone plus a VTIMEZONE that
  covers the feed's years: a calendar then shows 07:00 as 07:00 across a DST change, and a
  night shift over the change keeps its real length (7 or 9 hours).
* ``UID`` is ``<shift id>@assistenzzeit`` so a moved shift stays the same event;
  ``SEQUENCE`` counts the changes after planning, so clients accept the new version.
* A published feed has no METHOD, so ``DTSTAMP`` is the time the event last changed
  (RFC 5545 §3.8.7.2), equal to ``LAST-MODIFIED``: taken from the HLC of the latest op.
* Minimal by default (the calendar provider reads the feed): SUMMARY "Dienst bei <short
  name>" only. Location and instructions only with the employer's opt-in (``details``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//Assistenzzeit//Assistenzzeit Kalender 1.0//DE"
UID_DOMAIN = "assistenzzeit"
REFRESH = timedelta(hours=1)

# Feed text in the team's language. Kept here (not in app/i18n) because it is data written
# into a file the calendar app shows, not a control of this app's UI.
SUMMARIES = {
    "work": "Dienst bei {who}",
    "standby": "Bereitschaft bei {who}",
    "on_call": "Rufbereitschaft bei {who}",
}
OPEN_PREFIX = "Offen: "


def shift_uid(shift_id: str) -> str:
    return f"{shift_id}@{UID_DOMAIN}"


def summary_of(shift: Mapping[str, Any], short_name: str, *, open_marker: bool = False,
               assignee_name: str = "") -> str:
    """'Dienst bei Anna'; open shifts and (with details) the assignee are marked."""
    text = SUMMARIES.get(str(shift.get("kind") or "work"), SUMMARIES["work"]).format(
        who=short_name or "?")
    if open_marker and not shift.get("assignee_id"):
        text = OPEN_PREFIX + text
    if assignee_name:
        text = f"{text} – {assignee_name}"
    return text


def render_feed(shifts: Sequence[Mapping[str, Any]], *, tz: str, calname: str,
                short_name: str, details: bool = False, open_marker: bool = False,
                names: Mapping[str, str] | None = None) -> bytes:
    """The feed for ``shifts`` (each with ``sequence`` and ``modified_ms``).

    ``names`` maps assignee ids to display names; given (team feed, with details), the name
    is part of the summary. ``open_marker`` prefixes shifts without assignee with "Offen".
    """
    zone = ZoneInfo(tz)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calname)
    cal.add("x-wr-timezone", tz)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    years: list[int] = []
    for shift in sorted(shifts, key=lambda s: (s["start"], s["id"])):
        cal.add_component(_event(shift, zone, short_name, details, open_marker, names or {}))
        years += [int(shift["start"][:4]), int(shift["end"][:4])]
    if years:
        # Cover the feed's years only: a VTIMEZONE from 1970 to 2038 would triple the size.
        cal.add_missing_timezones(date(min(years) - 1, 12, 1), date(max(years) + 1, 1, 31))
    data: bytes = cal.to_ical()
    return data


def _event(shift: Mapping[str, Any], zone: ZoneInfo, short_name: str, details: bool,
           open_marker: bool, names: Mapping[str, str]) -> Event:
    ev = Event()
    ev.add("uid", shift_uid(str(shift["id"])))
    stamp = modified_at(int(shift.get("modified_ms") or 0))
    ev.add("dtstamp", stamp)
    ev.add("last-modified", stamp)
    ev.add("sequence", int(shift.get("sequence") or 0))
    ev.add("dtstart", _local(str(shift["start"]), zone))
    ev.add("dtend", _local(str(shift["end"]), zone))
    assignee = names.get(str(shift.get("assignee_id") or ""), "") if details else ""
    ev.add("summary", summary_of(shift, short_name, open_marker=open_marker,
                                 assignee_name=assignee))
    cancelled = shift.get("status") == "cancelled"
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A cancelled shift no longer blocks time in free/busy lookups.
    ev.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if details:
        if shift.get("location"):
            ev.add("location", str(shift["location"]))
        text = _description(shift)
        if text:
            ev.add("description", text)
    return ev


def _description(shift: Mapping[str, Any]) -> str:
    parts = [str(shift.get("instructions") or "").strip()]
    checklist = [str(item) for item in shift.get("checklist") or [] if str(item).strip()]
    if checklist:
        parts.append("\n".join(f"- {item}" for item in checklist))
    return "\n\n".join(p for p in parts if p)


def _local(text: str, zone: ZoneInfo) -> datetime:
    """A wall-clock string of the model as an aware datetime in the team's zone."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def modified_at(ms: int) -> datetime:
    """UTC time of an HLC's physical part, to the second (iCalendar has no milliseconds)."""
    return datetime.fromtimestamp(ms // 1000, UTC)
