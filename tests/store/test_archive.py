"""Signed months leave memory and come back exactly (``app/store/archive.py``, issue 16)."""

from __future__ import annotations

from typing import Any

from app.store import timesheets
from app.store.disk import store_file
from app.store.services import Services
from app.store.store import Store
from tests.store.conftest import PASSPHRASE, Team

JANUARY, FEBRUARY = "2026-01", "2026-02"


def _month_of_work(team: Team, month: str) -> dict[str, str]:
    """Two shifts of Ben's with clocked entries and a handover note; their ids."""
    s, ben = team.services, team.assistant
    ids: dict[str, str] = {}
    for day in ("05", "06"):
        sid = s.plan_shift(f"{month}-{day}T08:00", f"{month}-{day}T14:00", assignee_id=ben,
                           location="Zuhause")
        with team.store.acting_as(ben):
            eid = s.add_entry(ben, f"{month}-{day}T08:00", f"{month}-{day}T14:00", "Papier")
        ids[f"shift {day}"], ids[f"entry {day}"] = sid, eid
    s.update_shift(ids["shift 05"], location="Praxis")  # a field with two versions
    return ids


def _signed_january(team: Team) -> dict[str, str]:
    ids = _month_of_work(team, JANUARY)
    _month_of_work(team, FEBRUARY)  # stays open
    timesheets.submit(team.services, team.assistant, JANUARY)
    timesheets.approve(team.services, team.assistant, JANUARY)
    return ids


def _what_january_shows(s: Services, ben: str) -> dict[str, Any]:
    return {"entries": s.month_entries(ben, JANUARY),
            "shifts": s.shifts_between(f"{JANUARY}-01T00:00", f"{FEBRUARY}-01T00:00", ben),
            "document": timesheets.document_for(s, ben, JANUARY)}


def _reopened(team: Team) -> Store:
    team.store.close()
    store = Store.open(team.path)
    assert store.unlock(PASSPHRASE) == []
    return store


def test_archive_signed_month_leaves_memory_and_loads_with_exactly_its_rows(team: Team) -> None:
    ids = _signed_january(team)
    before = _what_january_shows(team.services, team.assistant)
    signed = timesheets.latest(team.services, team.assistant, JANUARY)
    assert signed is not None and signed["document"]
    rows_before = {k: dict(team.store.projection.get(k.split()[0], v) or {})
                   for k, v in ids.items()}
    store = _reopened(team)
    proj = store.projection
    assert proj.archived_months == {JANUARY}
    assert not set(ids.values()) & (set(proj.rows["entry"]) | set(proj.rows["shift"]))
    assert proj.rows["entry"] and proj.rows["shift"]  # February is still in memory
    assert proj.rows["timesheet"][signed["id"]]["document"] == ""  # the row says: locked
    s = Services(store)
    assert timesheets.latest(s, team.assistant, JANUARY) == signed
    assert _what_january_shows(s, team.assistant) == before
    assert {k: proj.get(k.split()[0], v) for k, v in ids.items()} == rows_before
    assert proj.archived_months == set()
    # Nothing of the month is readable in the file.
    raw = store_file(team.path).read_bytes()
    assert b"Praxis" not in raw and JANUARY.encode() not in raw
    store.close()


def test_archive_unlocked_store_converges_with_a_full_replay(team: Team) -> None:
    _signed_january(team)
    store = _reopened(team)
    store.projection.need(FEBRUARY, FEBRUARY)  # reads of other months leave it archived
    assert store.projection.archived_months == {JANUARY}
    archived = store.projection.fingerprint()
    store.crash()
    replay = Store.open(team.path)
    assert replay.verify_all(PASSPHRASE) == []
    assert replay.projection.fingerprint() == archived
    replay.crash()


def test_archive_reopening_a_month_brings_it_back_and_it_can_change(team: Team) -> None:
    ids = _signed_january(team)
    store = _reopened(team)
    s, ben = Services(store), team.assistant
    assert store.projection.archived_months == {JANUARY}
    timesheets.reopen(s, ben, JANUARY, "Nachtrag")
    assert store.projection.archived_months == set()
    assert ids["entry 05"] in store.projection.rows["entry"]
    s.correct_entry(ids["entry 05"], "länger", end=f"{JANUARY}-05T15:00")
    store.write_snapshot()  # a reopened month stays in memory
    assert store.projection.archived_months == set()
    timesheets.submit(s, ben, JANUARY)
    timesheets.approve(s, ben, JANUARY)
    store.close()
    again = Store.open(team.path)
    again.unlock(PASSPHRASE)
    assert again.projection.archived_months == {JANUARY}
    entries = Services(again).month_entries(ben, JANUARY)
    assert [e["end"] for e in entries] == [f"{JANUARY}-05T15:00", f"{JANUARY}-06T14:00"]
    again.close()


def test_archive_an_op_on_an_archived_shift_brings_its_month_back(team: Team) -> None:
    ids = _signed_january(team)
    store = _reopened(team)
    s = Services(store)
    s.update_shift(ids["shift 06"], location="Park")
    assert store.projection.archived_months == set()
    assert s.shift(ids["shift 06"])["location"] == "Park"
    assert s.shift(ids["shift 05"])["location"] == "Praxis"
    store.close()


def test_archive_keeps_a_month_that_one_assistant_has_not_signed(team: Team) -> None:
    _signed_january(team)
    cleo = team.services.add_member("Cleo Park", "assistant")
    team.services.set_contract(cleo, "2026-01-01", "16.00", "minijob", "5")
    with team.store.acting_as(cleo):
        team.services.add_entry(cleo, f"{JANUARY}-20T08:00", f"{JANUARY}-20T10:00", "Papier")
    team.store.write_snapshot()
    assert team.store.projection.archived_months == set()
    timesheets.submit(team.services, cleo, JANUARY)
    timesheets.approve(team.services, cleo, JANUARY)
    team.store.write_snapshot()
    assert team.store.projection.archived_months == {JANUARY}


def test_archive_damaged_month_is_named_and_check_rebuilds_it(team: Team) -> None:
    import sqlite3

    import pytest

    from app.errors import IntegrityError

    _signed_january(team)
    before = team.services.month_entries(team.assistant, JANUARY)
    team.store.close()
    conn = sqlite3.connect(store_file(team.path))
    blob = conn.execute("SELECT blob FROM archive").fetchone()[0]
    conn.execute("UPDATE archive SET blob = ?", (blob[:40] + bytes([blob[40] ^ 1]) + blob[41:],))
    conn.commit()
    conn.close()
    store = Store.open(team.path)
    assert store.unlock(PASSPHRASE) == []
    with pytest.raises(IntegrityError, match=JANUARY):
        Services(store).month_entries(team.assistant, JANUARY)
    store.crash()
    checked = Store.open(team.path)
    assert checked.verify_all(PASSPHRASE) == []  # ``assistenzzeit check``: the whole log
    assert Services(checked).month_entries(team.assistant, JANUARY) == before
    checked.close()
