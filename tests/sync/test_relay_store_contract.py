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
