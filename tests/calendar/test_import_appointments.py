"""Importing the employer's .ics: recurring events expanded, times in the team's zone,
re-import updates instead of duplicating, and only the employer or proxy may import."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.calendar.ics_import import import_ics
from app.calendar.service import CalendarService
from app.errors import PermissionDenied

DATA = Path(__file__).parent / "data" / "appointments.ics"


def table(team) -> list[tuple[str, str, str, str]]:
    return [(a["start"], a["end"], a["summary"], a["location"])
            for a in CalendarService(team.services).appointments()]


def test_import_expands_recurring_events_in_team_time(team):
    result = import_ics(team.services, DATA.read_bytes())
    assert (result.added, result.updated, result.removed) == (8, 0, 0)
    assert table(team) == [
        ("2026-03-02T10:00", "2026-03-02T11:00", "Physiotherapie", "Praxis am Ring"),
        ("2026-03-05T09:00", "2026-03-05T13:00", "Arbeit (Teilzeit)", ""),
        ("2026-03-09T10:00", "2026-03-09T11:00", "Physiotherapie", "Praxis am Ring"),
        ("2026-03-24T15:00", "2026-03-24T16:00", "Physiotherapie (verlegt)", ""),
        ("2026-03-28T19:00", "2026-03-28T22:00", "Konzert", "Philharmonie, Köln"),
        ("2026-03-30T10:00", "2026-03-30T11:00", "Physiotherapie", "Praxis am Ring"),
        ("2026-04-06T10:00", "2026-04-06T11:00", "Physiotherapie", "Praxis am Ring"),
        ("2026-04-10T00:00", "2026-04-13T00:00", "Urlaub an der See", ""),
    ]
    rows = team.store.projection.rows["appointment"].values()
    assert {r["uid"] for r in rows} == {"physio-weekly@example.org", "konzert@example.org",
                                         "urlaub@example.org", "arbeit@example.org"}
    between = CalendarService(team.services).appointments_between("2026-03-28T00:00",
                                                                  "2026-03-29T00:00")
    assert [a["summary"] for a in between] == ["Konzert"]


def test_import_same_uid_again_updates_instead_of_duplicating(team):
    import_ics(team.services, DATA.read_bytes())
    again = import_ics(team.services, DATA.read_bytes())
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 8, 0)

    changed = (DATA.read_bytes()
               .replace(b"RRULE:FREQ=WEEKLY;COUNT=6", b"RRULE:FREQ=WEEKLY;COUNT=5")
               .replace(b"SUMMARY:Konzert", b"SUMMARY:Konzert (Einlass 18 Uhr)")
               .replace(b"DTSTART:20260328T180000Z", b"DTSTART:20260328T170000Z"))
    result = import_ics(team.services, changed)
    assert (result.added, result.updated, result.removed) == (0, 1, 1)
    rows = table(team)
    assert len(rows) == 7
    assert ("2026-03-28T18:00", "2026-03-28T22:00", "Konzert (Einlass 18 Uhr)",
            "Philharmonie, Köln") in rows
    assert not any(r[0] == "2026-04-06T10:00" for r in rows)
    # Still one row per occurrence id: eight rows, one of them a tombstone.
    assert len(team.store.projection.rows["appointment"]) == 8


def test_import_survives_lock_and_unlock(team, tmp_path):
    import_ics(team.services, DATA.read_bytes())
    before = table(team)
    team.store.lock()
    team.store.unlock("pw")
    assert table(team) == before


def test_import_only_for_employer_or_proxy(team):
    count = team.store.envelope_count()
    with team.store.acting_as(team.ids["ben"]), pytest.raises(PermissionDenied):
        import_ics(team.services, DATA.read_bytes())
    assert team.store.envelope_count() == count
    assert table(team) == []
    with team.store.acting_as(team.ids["paul"]):
        assert import_ics(team.services, DATA.read_bytes()).added == 8
