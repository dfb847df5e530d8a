"""The RelayStore port, one contract for both implementations (SQLite, PostgreSQL): cursors
under concurrent pushes are gapless and a reader following them never skips a row."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.store.crypto import SigningKey, random_key
from app.store.envelope import Envelope
from app.sync.relay_store import MembershipChange, Refused, RelayStore, open_relay_store
from tests.sync.conftest import sealed_chain

TEAM = "0190aaaa-0000-7000-8000-000000000001"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def relay_store(request: pytest.FixtureRequest, tmp_path: Path) -> RelayStore:
    url = (str(request.getfixturevalue("pg_url")) if request.param == "postgres"
           else str(tmp_path / "relay.db"))
    store = open_relay_store(url)
    yield store
    store.engine.dispose()


def chain(device: str, n: int, key: bytes) -> list[Envelope]:
    return sealed_chain(TEAM, device, n, key, SigningKey())


def test_relay_store_cursor_never_skips(relay_store: RelayStore) -> None:
    key = random_key()
    genesis = chain("dev-0", 1, key)[0]
    relay_store.create_team(TEAM, genesis, [MembershipChange("member", "m", {"role": "employer"})])
    chains = {f"dev-{i}": chain(f"dev-{i}", 30, key) for i in range(1, 9)}
    seen: list[int] = []
    done = threading.Event()

    def writer(device: str) -> None:
        envs = chains[device]
        for i in range(0, len(envs), 3):
            relay_store.push(TEAM, device, envs[i:i + 3], [])

    def reader() -> None:
        after = 0
        while True:
            finished = done.is_set()
            rows = relay_store.pull(TEAM, after, 50)
            for r in rows:
                assert r.cursor == after + 1, f"skipped from {after} to {r.cursor}"
                after = r.cursor
                seen.append(r.cursor)
            if finished and not rows:
                return

    threads = [threading.Thread(target=writer, args=(d,)) for d in chains]
    read = threading.Thread(target=reader)
    read.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    read.join(60)
    assert seen == list(range(1, 1 + 1 + 8 * 30))
    # Idempotent: the same batch again stores nothing; a fork is refused.
    assert relay_store.push(TEAM, "dev-1", chains["dev-1"][:5], [])[:2] == (0, 5)
    other = chain("dev-1", 2, key)
    with pytest.raises(Refused) as err:
        relay_store.push(TEAM, "dev-1", [other[1]], [])
    assert err.value.status == 409
    assert relay_store.counts()["envelopes"] == 1 + 8 * 30


def test_relay_store_envelope_by_device_and_seq(relay_store: RelayStore) -> None:
    """A device heals a damaged row with the stored copy of (device, seq)."""
    key = random_key()
    genesis = chain("dev-0", 1, key)[0]
    relay_store.create_team(TEAM, genesis, [MembershipChange("member", "m", {"role": "employer"})])
    envs = chain("dev-1", 3, key)
    relay_store.push(TEAM, "dev-1", envs, [])
    assert relay_store.envelope(TEAM, "dev-1", 2) == envs[1]
    assert relay_store.envelope(TEAM, "dev-1", 4) is None
    assert relay_store.envelope("another-team", "dev-1", 2) is None


def test_relay_store_calendar_owner_added_to_an_old_database(relay_store: RelayStore) -> None:
    """A relay database from before calendars had owners gets the column on open; such a
    calendar goes to the first device that changes it, and is then refused to others."""
    from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, String, Table, insert

    old = Table("az_calendars", MetaData(), Column("team", String(64), primary_key=True),
                Column("name", String(64), primary_key=True),
                Column("token_hash", String(64), nullable=False, unique=True),
                Column("ics", LargeBinary, nullable=False), Column("etag", String(64)),
                Column("updated_ms", BigInteger))
    with relay_store.engine.begin() as conn:
        old.drop(conn)
        old.create(conn)
        conn.execute(insert(old).values(team=TEAM, name="old", token_hash="h1", ics=b"X"))
    reopened = open_relay_store(relay_store.engine.url.render_as_string(hide_password=False))
    try:
        assert reopened.put_calendar(TEAM, "old", None, b"Y", "e2", ("dev-1", False))
        with pytest.raises(Refused) as err:
            reopened.put_calendar(TEAM, "old", None, b"Z", "e3", ("dev-2", False))
        assert err.value.status == 403
        with pytest.raises(Refused):
            reopened.delete_calendar(TEAM, "old", ("dev-2", False))
        assert reopened.delete_calendar(TEAM, "old", ("dev-9", True))  # the employer's
        assert reopened.calendar_by_token("h1") is None
    finally:
        reopened.engine.dispose()
