"""Re-sealing a backlog into push batches (``ingest.batch_unpushed``) never gives a later
envelope a row at or below the snapshot's cursor: such an envelope would not be folded
on unlock, and its change would be gone after a crash (found while checking
checkpoints against a full replay, issue 16)."""

from __future__ import annotations

from pathlib import Path

from app.store import ingest
from app.store.services import Services
from app.store.store import Store

PW = "correct horse battery staple"


def test_batch_unpushed_then_commit_survives_unlock(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "s", PW, kdf_n=2**10)
    services = Services(store)
    services.create_team("Team Test", "Erika Muster")
    for i in range(6):
        services.add_member(f"Assistenz {i}", "assistant")
    store.write_snapshot()  # its cursor: the newest row now
    assert ingest.batch_unpushed(store, 1) > 0  # fewer, larger envelopes replace the backlog
    late = services.add_member("Nach dem Bündeln", "assistant")
    store.crash()  # no snapshot on the way out: unlock folds the rows after the last one
    again = Store.open(tmp_path / "s")
    again.unlock(PW)
    assert again.projection.get("member", late) is not None
    again.close()
