"""Three independent parsers read the feeds the same way: icalendar, vobject and Mozilla's
ical.js (Thunderbird). Every shift's start and end in UTC must agree with each other and with
the wall times converted by zoneinfo, across both DST changes of 2026 in Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from app.calendar.feeds import build_feed
from app.calendar.render import shift_uid

from .conftest import SHIFTS

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 3, 1)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def by_icalendar(body: bytes) -> dict[str, dict[str, str]]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(ev["UID"]): {"start": _iso(ev.start), "end": _iso(ev.end)}
            for ev in cal.walk("VEVENT")}


def by_vobject(body: bytes) -> dict[str, dict[str, str]]:
    cal = vobject.readOne(body.decode("utf-8"))
    return {ev.uid.value: {"start": _iso(ev.dtstart.value), "end": _iso(ev.dtend.value)}
            for ev in cal.vevent_list}


def expected(shifts: list[tuple[Any, ...]]) -> dict[str, dict[str, str]]:
    return {shift_uid(sid): {"start": _iso(datetime.fromisoformat(s).replace(tzinfo=BERLIN)),
                             "end": _iso(datetime.fromisoformat(e).replace(tzinfo=BERLIN))}
            for sid, s, e, *_ in shifts}


@pytest.mark.parametrize("kind", ["team", "member", "open"])
def test_feeds_three_parsers_agree_on_utc_times(team, icaljs, kind):
    member = team.ids["ben"] if kind == "member" else None
    body = build_feed(team.services, kind, member, today=TODAY).body
    chosen = [s for s in SHIFTS if kind == "team"
              or (kind == "member" and s[3] == "ben") or (kind == "open" and s[3] is None)]
    want = expected(chosen)
    assert want, "the fixture must give every feed some shifts"

    ical_js = {uid: {"start": v["start"], "end": v["end"]} for uid, v in icaljs(body).items()}
    assert by_icalendar(body) == want
    assert by_vobject(body) == want
    assert ical_js == want


def test_feeds_dst_nights_have_real_length(team, icaljs):
    body = build_feed(team.services, "team", today=TODAY).body
    parsed = icaljs(body)

    def hours(sid: str) -> float:
        v = parsed[shift_uid(sid)]
        start = datetime.fromisoformat(v["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(v["end"].replace("Z", "+00:00"))
        return (end - start) / timedelta(hours=1)

    assert hours(SHIFTS[1][0]) == 7  # 22:00-06:00 the night clocks go forward
    assert hours(SHIFTS[4][0]) == 9  # 22:00-06:00 the night clocks go back
    assert hours(SHIFTS[5][0]) == 3  # 01:30 CEST - 03:30 CET
    assert hours(SHIFTS[0][0]) == 8


def test_feeds_three_parsers_agree_on_sequence_and_status(team, icaljs):
    moved, cancelled = SHIFTS[0][0], SHIFTS[4][0]
    team.services.update_shift(moved, start="2026-03-27T06:00", end="2026-03-27T14:00")
    team.services.cancel_shift(cancelled)
    body = build_feed(team.services, "team", today=TODAY).body

    cal = icalendar.Calendar.from_ical(body)
    ical = {str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"])) for e in cal.walk("VEVENT")}
    vobj = {e.uid.value: (int(e.sequence.value), e.status.value)
            for e in vobject.readOne(body.decode()).vevent_list}
    js = {uid: (v["sequence"], v["status"]) for uid, v in icaljs(body).items()}
    assert ical == vobj == js
    assert js[shift_uid(moved)] == (1, "CONFIRMED")
    assert js[shift_uid(cancelled)] == (1, "CANCELLED")
    assert js[shift_uid(SHIFTS[1][0])] == (0, "CONFIRMED")
    assert icaljs(body)[shift_uid(moved)]["start"] == "2026-03-27T05:00:00.000Z"
