"""Entries of an approved month are locked: refused before anything is written."""

from __future__ import annotations

import pytest

from app.errors import PermissionDenied
from app.store import timesheets
from tests.store.conftest import Team

MONTH = "2026-03"


def test_timesheets_approved_month_refuses_entry_changes_before_writing(team: Team) -> None:
    s, ben = team.services, team.assistant
    entry = s.add_entry(ben, "2026-03-02T08:00", "2026-03-02T14:00", "Papier")
    timesheets.submit(s, ben, MONTH)
    # Submitted, not yet approved: the assistant may still correct (and must sign again).
    timesheets.approve(s, ben, MONTH)
    before = team.store.envelope_count()
    snapshot = dict(team.store.projection.rows["entry"][entry])
    attempts = [
        lambda: s.add_entry(ben, "2026-03-03T08:00", "2026-03-03T12:00", "vergessen"),
        lambda: s.correct_entry(entry, "falsch", end="2026-03-02T15:00"),
        lambda: s.delete_entry(entry, "doppelt"),
    ]
    for attempt in attempts:
        with team.store.acting_as(ben), pytest.raises(PermissionDenied) as err:
            attempt()
        assert "approved" in err.value.text("en") and "reopened" in err.value.text("en")
    # The employer cannot change it either without reopening.
    with pytest.raises(PermissionDenied):
        s.correct_entry(entry, "falsch", end="2026-03-02T15:00")
    assert team.store.envelope_count() == before
    assert team.store.projection.rows["entry"][entry] == snapshot
    # Other months stay open.
    s.add_entry(ben, "2026-04-01T08:00", "2026-04-01T12:00", "April")
    assert team.store.envelope_count() == before + 1


def test_timesheets_exported_month_stays_locked_until_reopened(team: Team) -> None:
    s, ben = team.services, team.assistant
    entry = s.add_entry(ben, "2026-03-02T08:00", "2026-03-02T14:00", "Papier")
    timesheets.submit(s, ben, MONTH)
    timesheets.approve(s, ben, MONTH)
    timesheets.mark_exported(s, ben, MONTH)
    with pytest.raises(PermissionDenied):
        s.correct_entry(entry, "falsch", end="2026-03-02T15:00")
    timesheets.reopen(s, ben, MONTH, "Nachtrag")
    s.correct_entry(entry, "richtig", end="2026-03-02T15:00")
    assert s.month_entries(ben, MONTH)[0]["end"] == "2026-03-02T15:00"


def test_timesheets_lock_survives_unlock_from_disk(team: Team) -> None:
    from app.store.services import Services
    from app.store.store import Store
    from tests.store.conftest import PASSPHRASE

    s, ben = team.services, team.assistant
    entry = s.add_entry(ben, "2026-03-02T08:00", "2026-03-02T14:00", "Papier")
    timesheets.submit(s, ben, MONTH)
    timesheets.approve(s, ben, MONTH)
    team.store.close()
    store = Store.open(team.path)
    store.unlock(PASSPHRASE)
    try:
        again = Services(store)
        assert timesheets.status(again, ben, MONTH) == "approved"
        with pytest.raises(PermissionDenied):
            again.correct_entry(entry, "falsch", end="2026-03-02T15:00")
    finally:
        store.close()


def test_timesheets_approved_month_locks_absences_too(team: Team) -> None:
    s, ben = team.services, team.assistant
    s.add_entry(ben, "2026-03-02T08:00", "2026-03-02T14:00", "Papier")
    timesheets.submit(s, ben, MONTH)
    timesheets.approve(s, ben, MONTH)
    before = team.store.envelope_count()
    with pytest.raises(PermissionDenied, match="freigegeben"):
        s.record_absence(ben, "sick", "2026-02-27", "2026-03-03")  # reaches into March
    assert team.store.envelope_count() == before
    s.record_absence(ben, "vacation", "2026-04-06", "2026-04-10")
    # After reopening, the newest version is a draft again and the month is open.
    timesheets.reopen(s, ben, MONTH)
    s.record_absence(ben, "sick", "2026-03-09", "2026-03-10")
