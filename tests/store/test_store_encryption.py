"""Nothing on disk is readable without the passphrase (DESIGN.md, "Data")."""

from __future__ import annotations

from pathlib import Path

from app.store.disk import store_file
from tests.store.conftest import Team

MARKERS = [b"Zebrafink-7731", "Zebrafink-7731".encode("utf-16-le"), b"Quokka Lindqvist",
           b"Severinstra"]


def _all_bytes(path: Path) -> bytes:
    base = store_file(path)
    data = b""
    for suffix in ("", "-wal", "-shm"):
        f = Path(str(base) + suffix)
        if f.exists():
            data += f.read_bytes()
    return data


def test_store_file_holds_no_plaintext_marker(team: Team) -> None:
    sv = team.services
    quokka = sv.add_member("Quokka Lindqvist", "assistant")
    sv.plan_shift("2026-03-09T08:00", "2026-03-09T16:00", assignee_id=quokka,
                  location="Severinstraße 12", instructions="Zebrafink-7731 füttern")
    with team.store.acting_as(quokka):
        sv.clock_in(quokka, note="Zebrafink-7731")
        team.clock.now = team.clock.now.replace(hour=15)
        sv.clock_out(quokka)
    # Before closing: the WAL holds the newest pages.
    raw_open = _all_bytes(team.path)
    team.store.close()
    raw_closed = _all_bytes(team.path)
    for marker in MARKERS:
        assert marker not in raw_open, marker
        assert marker not in raw_closed, marker
    # The markers are really stored: unlocking shows them again.
    from app.store.store import Store
    from tests.store.conftest import PASSPHRASE

    again = Store.open(team.path)
    again.unlock(PASSPHRASE)
    notes = [e["note"] for e in again.projection.rows["entry"].values()]
    assert "Zebrafink-7731" in notes
    again.close()
