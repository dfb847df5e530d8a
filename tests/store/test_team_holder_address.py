"""The budget holder's address: kept on the team, sent in the employer scope, bounded."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import InputError
from app.store import disk
from app.store.store import Store
from tests.store.conftest import PASSPHRASE, Team


def _scopes(team: Team) -> list[str]:
    conn = sqlite3.connect(f"file:{team.path / disk.FILE_NAME}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT scope FROM envelopes ORDER BY id")]
    finally:
        conn.close()


def test_holder_address_travels_in_the_employer_scope_and_survives_reopening(
        team: Team) -> None:
    before = _scopes(team)
    team.services.update_team(holder_address="  Severinstraße 12 \n 50678 Köln ")
    assert team.services.team()["holder_address"] == "Severinstraße 12\n50678 Köln"
    # Assistants read the team scope only: the address is not sent there.
    assert _scopes(team)[len(before):] == ["employer"]
    team.store.close()
    store = Store.open(team.path)
    store.unlock(PASSPHRASE)
    try:
        rows = list(store.projection.rows["team"].values())
        assert rows[0]["holder_address"] == "Severinstraße 12\n50678 Köln"
    finally:
        store.close()
    team.store = Store.open(team.path)  # the fixture closes what it holds
    team.store.unlock(PASSPHRASE)


@pytest.mark.parametrize("address", ["a\nb\nc\nd\ne", "x" * 301])
def test_holder_address_too_long_is_refused_and_nothing_written(team: Team,
                                                                address: str) -> None:
    before = _scopes(team)
    with pytest.raises(InputError) as err:
        team.services.update_team(holder_address=address)
    assert err.value.field == "holder_address"
    assert _scopes(team) == before
    assert team.services.team()["holder_address"] == ""
