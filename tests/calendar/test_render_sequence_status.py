"""SEQUENCE, STATUS, DTSTAMP and the feed's headers, read back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from app.calendar.feeds import build_feed
from app.calendar.render import shift_uid
from app.calendar.service import CalendarService

from .conftest import NOW, SHIFTS

TODAY = date(2026, 3, 1)


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(ev["UID"]): ev for ev in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_render_moved_shift_keeps_uid_and_raises_sequence(team):
    sid = SHIFTS[0][0]
    before = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]
    team.services.update_shift(sid, start="2026-03-27T08:00", end="2026-03-27T16:00")
    after = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]
    team.services.update_shift(sid, location="Praxis")
    again = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]

    assert int(before["SEQUENCE"]) == 0
    assert int(after["SEQUENCE"]) == 1
    assert int(again["SEQUENCE"]) == 2
    assert after.start.astimezone(UTC) == datetime(2026, 3, 27, 7, 0, tzinfo=UTC)


def test_render_cancelled_shift_is_status_cancelled(team):
    sid = SHIFTS[2][0]
    team.services.cancel_shift(sid)
    ev = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert int(ev["SEQUENCE"]) == 1
    assert str(ev["TRANSP"]) == "TRANSPARENT"
    others = events(build_feed(team.services, "team", today=TODAY).body)
    assert str(others[shift_uid(SHIFTS[0][0])]["STATUS"]) == "CONFIRMED"


def test_feeds_cancelled_shift_dropped_30_days_after_start(team):
    sid = SHIFTS[2][0]  # starts 2026-03-29
    team.services.cancel_shift(sid)
    uid = shift_uid(sid)
    start, end = date(2026, 3, 1), date(2026, 12, 31)
    kept = build_feed(team.services, "team", today=date(2026, 4, 28), start=start, end=end)
    gone = build_feed(team.services, "team", today=date(2026, 4, 29), start=start, end=end)
    assert uid in events(kept.body)
    assert uid not in events(gone.body)
    assert shift_uid(SHIFTS[0][0]) in events(gone.body)  # planned ones stay in the window


def test_render_sequence_is_deterministic_from_history(team):
    cal = CalendarService(team.services)
    sid = SHIFTS[3][0]
    assert cal.revision(sid)[0] == 0
    team.services.update_shift(sid, assignee_id=team.ids["ben"])
    team.services.update_shift(sid, instructions="Bitte klingeln.")
    seq, ms = cal.revision(sid)
    assert seq == 2
    assert ms == int(NOW.timestamp() * 1000)


def test_render_feed_headers_and_stamps_from_data(team):
    body = build_feed(team.services, "member", team.ids["ben"], today=TODAY).body
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "Dienste Ben Meyer (Anna)"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body.decode()
    assert "X-PUBLISHED-TTL:PT1H" in body.decode()
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/Berlin"]
    for ev in cal.walk("VEVENT"):
        assert ev["DTSTAMP"].dt == NOW
        assert ev["LAST-MODIFIED"].dt == NOW


def test_render_minimal_unless_employer_opts_in(team):
    sid = SHIFTS[4][0]
    plain = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]
    assert str(plain["SUMMARY"]) == "Dienst bei Anna"
    assert "LOCATION" not in plain and "DESCRIPTION" not in plain

    CalendarService(team.services).set_details(True)
    full = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]
    assert str(full["LOCATION"]) == "Wohnung Becker"
    assert str(full["DESCRIPTION"]) == "Lagerung um 2 Uhr."
    assert str(full["SUMMARY"]) == "Dienst bei Anna – Clara Schmidt"
    open_ev = events(build_feed(team.services, "open", today=TODAY).body)
    assert str(open_ev[shift_uid(SHIFTS[3][0])]["SUMMARY"]) == "Offen: Dienst bei Anna"


def test_render_sequence_survives_lock_and_unlock(team):
    sid = SHIFTS[0][0]
    team.services.update_shift(sid, start="2026-03-27T08:00")
    team.services.cancel_shift(sid)
    team.store.lock()
    team.store.unlock("pw")
    ev = events(build_feed(team.services, "team", today=TODAY).body)[shift_uid(sid)]
    assert int(ev["SEQUENCE"]) == 2
    assert str(ev["STATUS"]) == "CANCELLED"
