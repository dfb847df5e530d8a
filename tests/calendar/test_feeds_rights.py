"""Who may have which feed: assistants their own and the open shifts; employer and proxy
everything; payroll no roster at all."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest

from app.calendar.feeds import build_feed
from app.calendar.service import CalendarService
from app.errors import InputError, PermissionDenied

TODAY = date(2026, 3, 1)


def count(body: bytes) -> int:
    return len(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_feeds_assistant_gets_own_and_open_only(team):
    with team.store.acting_as(team.ids["ben"]):
        assert count(build_feed(team.services, "member", team.ids["ben"], today=TODAY).body) == 4
        assert count(build_feed(team.services, "open", today=TODAY).body) == 1
        with pytest.raises(PermissionDenied):
            build_feed(team.services, "team", today=TODAY)
        with pytest.raises(PermissionDenied):
            build_feed(team.services, "member", team.ids["clara"], today=TODAY)
        with pytest.raises(PermissionDenied):
            CalendarService(team.services).set_details(True)


def test_feeds_proxy_gets_team_payroll_gets_nothing(team):
    with team.store.acting_as(team.ids["paul"]):
        assert count(build_feed(team.services, "team", today=TODAY).body) == 7
    with team.store.acting_as(team.ids["lohn"]):
        for kind in ("team", "open"):
            with pytest.raises(PermissionDenied):
                build_feed(team.services, kind, today=TODAY)


def test_feeds_window_is_checked(team):
    with pytest.raises(InputError) as err:
        build_feed(team.services, "team", start=date(2026, 5, 1), end=date(2026, 4, 1))
    assert err.value.field == "to"
    assert count(build_feed(team.services, "team", today=TODAY, start=date(2026, 10, 1),
                            end=date(2026, 10, 31)).body) == 3
