"""The three calendar feeds: an assistant's own shifts, the whole team, and open shifts.

Who may have which feed follows the roles (DESIGN.md, "Who uses it"): an assistant gets
their own shifts and the open ones they may claim; the employer and a proxy get everything.
The window defaults to 30 days back and a year ahead; a cancelled shift stays in the feed
for 30 days after its start, so subscribed calendars see STATUS:CANCELLED and drop it,
instead of the event silently vanishing (which some clients keep showing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.calendar.render import render_feed
from app.calendar.service import MANAGERS, CalendarService
from app.domain import limits
from app.errors import InputError, PermissionDenied
from app.store.services import Services

PAST_DAYS = 30
FUTURE_DAYS = 365
CANCELLED_KEEP_DAYS = 30
KINDS = ("member", "team", "open")


@dataclass(frozen=True)
class Feed:
    kind: str  # member | team | open
    name: str  # a stable name for publishing: "member-<id>", "team", "open"
    calname: str
    body: bytes
    member_id: str | None = None  # whose shifts, for a member feed


def window(today: date, start: date | None = None, end: date | None = None
           ) -> tuple[str, str]:
    """[start, end) as wall-clock strings; ``end`` is inclusive as a date."""
    first = start or today - timedelta(days=PAST_DAYS)
    last = end or today + timedelta(days=FUTURE_DAYS)
    limits.check_window(first, last)
    return f"{first.isoformat()}T00:00", f"{(last + timedelta(days=1)).isoformat()}T00:00"


def parse_day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InputError("error.time.date", field, value=text) from err


def build_feed(services: Services, kind: str, member_id: str | None = None,
               today: date | None = None, start: date | None = None,
               end: date | None = None) -> Feed:
    """Render one feed for the acting member, checking that they may have it."""
    cal = CalendarService(services)
    today = today or datetime.fromisoformat(services.now()).date()
    lo, hi = window(today, start, end)
    role = cal.viewer_role()
    viewer = services.store.acting_member
    team = services.team()
    short = team.get("short_name") or team.get("name") or ""
    details = bool(team.get("calendar_details"))
    names: dict[str, str] = {}
    if kind == "member":
        if not member_id:
            raise InputError("error.calendar.whose", "member")
        member = services.member(member_id)
        if member_id != viewer and role not in MANAGERS:
            raise PermissionDenied("error.calendar.own_only")
        shifts = services.shifts_between(lo, hi, member_id, include_cancelled=True)
        name, calname = f"member-{member_id}", f"Dienste {member['display_name']} ({short})"
    elif kind == "team":
        cal.require_manager("error.action.calendar_team")
        shifts = services.shifts_between(lo, hi, include_cancelled=True)
        names = {m["id"]: m["display_name"] for m in services.members(include_inactive=True)}
        name, calname = "team", f"Team {team.get('name') or short}"
    elif kind == "open":
        if role not in (*MANAGERS, "assistant"):
            raise PermissionDenied("error.calendar.open_shifts")
        shifts = [s for s in services.shifts_between(lo, hi, include_cancelled=True)
                  if not s["assignee_id"]]
        name, calname = "open", f"Offene Dienste ({short})"
    else:
        raise InputError("error.calendar.kind", "kind", kind=kind)
    shifts = keep(shifts, today)
    body = render_feed(cal.with_revisions(shifts), tz=team["tz"], calname=calname,
                       short_name=short, details=details, open_marker=kind != "member",
                       names=names)
    return Feed(kind, name, calname, body, member_id if kind == "member" else None)


def keep(shifts: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Drop cancelled shifts that started more than 30 days ago."""
    cutoff = (today - timedelta(days=CANCELLED_KEEP_DAYS)).isoformat()
    return [s for s in shifts if s["status"] != "cancelled" or s["start"][:10] >= cutoff]
