"""A full replay takes closed months out of memory on the way (``replay_archive``, issue 16):
the projection never holds every month of the history at once, the next snapshot writes the
months into the store's archive, and the state is what a replay that kept everything gives.
``state_compare`` finds two states equal however their months are archived, and finds a
changed archived row or signed document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.store import replay_archive, timesheets
from app.store.projection import Projection
from app.store.replay_archive import ReplayArchive
from app.store.state_compare import same_state
from app.store.store import BEFORE_ALL, Store
from tests.store.conftest import PASSPHRASE, Team
from tests.store.test_archive import _month_of_work

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


def _months_signed_one_by_one(team: Team) -> None:
    """Work in each month, each signed before the next begins; the last stays open."""
    for month in MONTHS:
        _month_of_work(team, month)
        if month != MONTHS[-1]:
            timesheets.submit(team.services, team.assistant, month)
            timesheets.approve(team.services, team.assistant, month)


def _months_in_memory(proj: Projection) -> set[str]:
    return ({str(e["start"])[:7] for e in proj.rows["entry"].values()}
            | {str(s["start"])[:7] for s in proj.rows["shift"].values()})


def _watch_rounds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[str], set[str]]]:
    """(months in memory, months archived) after each look for closed months."""
    rounds: list[tuple[set[str], set[str]]] = []
    real = ReplayArchive.archive_closed

    def watched(self: ReplayArchive, proj: Projection) -> list[str]:
        taken = real(self, proj)
        rounds.append((_months_in_memory(proj), set(proj.archived_months)))
        return taken

    monkeypatch.setattr(ReplayArchive, "archive_closed", watched)
    return rounds


def _fingerprint(store: Store) -> str:
    return json.dumps(store.projection.fingerprint(), sort_keys=True, default=str)


def _closed_history(team: Team, monkeypatch: pytest.MonkeyPatch) -> str:
    """Months signed one by one, the store closed, replays looking every 4 envelopes; the
    state's fingerprint."""
    _months_signed_one_by_one(team)
    expected = _fingerprint(team.store)
    team.store.close()
    monkeypatch.setattr(replay_archive, "CHUNK", 4)
    return expected


def test_replay_holds_only_open_months_and_the_snapshot_archives_them(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _closed_history(team, monkeypatch)
    rounds = _watch_rounds(monkeypatch)

    store = Store.open(team.path)
    assert store.verify_all(PASSPHRASE) == []  # ``assistenzzeit check``: the whole log
    assert len(rounds) > len(MONTHS)
    # Never the whole history at once: closed months left before later ones came.
    assert max(len(in_memory) for in_memory, _ in rounds) < len(MONTHS)
    assert store.projection.archived_months == set(MONTHS[:-1])
    assert store.projection.scratch is not None
    store.write_snapshot()  # the months go into the store's archive, sealed
    assert store.projection.scratch is None
    assert store.projection.archived_months == set(MONTHS[:-1])
    assert _fingerprint(store) == expected  # brings every month back, from the file
    store.close()

    again = Store.open(team.path)
    again.unlock(PASSPHRASE)
    assert again.projection.archived_months == set(MONTHS[:-1])
    assert _fingerprint(again) == expected
    again.close()


def test_replayed_months_stay_readable_when_the_snapshot_fails(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _closed_history(team, monkeypatch)
    store = Store.open(team.path)
    store.verify_all(PASSPHRASE)
    scratch = store.projection.scratch
    assert scratch is not None and store.projection.archived_months

    def refuse(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("app.store.archive.disk.put_archive", refuse)
    with pytest.raises(OSError):
        store.write_snapshot()
    assert store.projection.scratch is scratch  # still where the months are
    monkeypatch.undo()
    assert _fingerprint(store) == expected
    store.close()


def test_same_state_however_the_months_are_archived(team: Team) -> None:
    _months_signed_one_by_one(team)
    store = team.store
    apart = Projection()
    scratch = ReplayArchive()
    scratch.attach(apart)
    assert store.fold_apart(apart, BEFORE_ALL, 100_000)[1] == []
    scratch.archive_closed(apart)
    assert apart.archived_months == set(MONTHS[:-1]) and not store.projection.archived_months
    assert same_state(store.projection, apart) and same_state(apart, store.projection)

    store.write_snapshot()  # the store archives too, at its own time
    store.projection.need(MONTHS[1], MONTHS[1])  # a month read since: in memory again
    assert store.projection.archived_months == set(MONTHS[:-1]) - {MONTHS[1]}
    assert same_state(store.projection, apart)

    # A changed row in an archived month, and a changed signed document, are found,
    # in memory and archived again.
    shift = next(iter(scratch.load(MONTHS[0])["rows"]["shift"].values()))
    apart.bring_back(MONTHS[0])
    apart.rows["shift"][shift["id"]]["location"] = "Nicht im Log"
    assert not same_state(store.projection, apart)
    assert scratch.archive_closed(apart) == [MONTHS[0]]
    assert not same_state(store.projection, apart) and not same_state(apart, store.projection)
    apart.bring_back(MONTHS[0])
    apart.rows["shift"][shift["id"]]["location"] = shift["location"]
    assert same_state(store.projection, apart)
    sid = next(iter(scratch.load(MONTHS[2])["documents"]))
    apart.bring_back(MONTHS[2])
    apart.rows["timesheet"][sid]["document"] += " "
    assert not same_state(store.projection, apart)
    scratch.archive_closed(apart)
    assert {MONTHS[0], MONTHS[2]} <= apart.archived_months
    assert not same_state(store.projection, apart)
