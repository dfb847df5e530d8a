"""The relay killed (SIGKILL) in the middle of a push — before and after its commit — and
restarted: clients converge and the relay holds every envelope exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from app.errors import SyncError
from app.store import ingest
from app.sync.client import SyncClient
from tests.sync.conftest import RelayProcess, make_team


def relay_rows(db: str, device: str) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT count(*), count(DISTINCT seq) FROM az_envelopes"
                           " WHERE device = ?", (device,)).fetchone()
        return int(row[0]), int(row[1])
    finally:
        conn.close()


def push_while_killed(relay: RelayProcess, client: SyncClient, fault: str) -> None:
    relay.restart({"ASSISTENZZEIT_RELAY_FAULT": f"{fault}:20"})
    client.relay.retries = 0
    errors: list[Exception] = []

    def push() -> None:
        try:
            client.push()
        except SyncError as err:
            errors.append(err)

    worker = threading.Thread(target=push)
    worker.start()
    time.sleep(1.5)  # the push is now inside the relay, sleeping at the fault point
    relay.kill()
    worker.join(30)
    assert errors, "the push should have failed with the relay killed"


def test_relay_killed_mid_push_converges(relay_factory: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "relay.db")
    relay = relay_factory(db)
    team = make_team(tmp_path, relay.url)
    try:
        ben = team.assistants[0]
        mid = ben.store.member_id
        for day in range(1, 29):
            ben.add_entry(mid, f"2026-02-{day:02d}T07:00", f"2026-02-{day:02d}T15:00",
                          "nachgetragen")
        client = team.client(ben)
        assert ingest.get_cursor(ben.store, "push_seq") == 0

        push_while_killed(relay, client, "before_commit")
        assert relay_rows(db, ben.store.device_id)[0] == 0  # nothing committed
        # The backlog went out as push-batch envelopes; from now on they are never rewritten.
        own = ingest.unpushed(ben.store, 0, 10_000)
        assert 1 < len(own) < 28 * 4

        push_while_killed(relay, client, "after_commit")
        assert relay_rows(db, ben.store.device_id) == (len(own), len(own))  # committed …
        assert ingest.get_cursor(ben.store, "push_seq") < own[-1].seq  # … unacknowledged

        relay.restart()
        client.relay.retries = 3
        team.sync_all()
        assert relay_rows(db, ben.store.device_id) == (len(own), len(own))
        employer_view = team.employer.month_entries(mid, "2026-02")
        assert {e["start"] for e in employer_view} >= {
            f"2026-02-{day:02d}T07:00" for day in range(1, 29)}
        assert employer_view == ben.month_entries(mid, "2026-02")
    finally:
        team.close()
