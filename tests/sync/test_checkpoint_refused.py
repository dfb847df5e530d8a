"""A checkpoint from a tampered employer device, or tampered on the relay, is refused with a
clear reason, and the device still joins — by replaying the whole log — and ends up where a
device that never saw a checkpoint ends up. Real relay process; the relay's own checks are
bypassed by writing its database directly, as a hostile relay or an old one could."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from app.errors import IntegrityError, RelayRefused
from app.store import archive, archive_sections, disk
from app.store import checkpoint as parts
from app.store.crypto import SigningKey, seal
from app.store.services import Services
from app.sync import checkpoint, checkpoint_audit
from app.sync.client import RelayHttp
from app.sync.relay_schema import checkpoint_pieces, checkpoints
from app.sync.relay_store import open_relay_store
from tests.sync.conftest import Team, join
from tests.sync.test_checkpoint_join import checkpointed_team, fingerprint


@contextmanager
def relay_db_engine(db: str) -> Iterator[Engine]:
    """The relay's database, written behind the relay process's back."""
    engine = open_relay_store(db).engine
    try:
        yield engine
    finally:
        engine.dispose()


def _stored(db: str) -> tuple[str, str]:
    with relay_db_engine(db) as engine, engine.connect() as conn:
        row = conn.execute(select(checkpoints.c.manifest, checkpoints.c.sig)).one()
    return str(row.manifest), str(row.sig)


def _put_manifest(db: str, raw: dict[str, Any], signer: SigningKey) -> None:
    """Store a manifest as if the relay had taken it."""
    text = checkpoint.canonical(raw)
    with relay_db_engine(db) as engine, engine.begin() as conn:
        conn.execute(update(checkpoints).values(
            manifest=text, sig=signer.sign(checkpoint.signing_bytes(text)).hex()))


def flip_piece(db: str, team: Team) -> None:
    text, _ = _stored(db)
    n = next(p["n"] for p in json.loads(text)["pieces"] if p["scope"] == "team")
    with relay_db_engine(db) as engine, engine.begin() as conn:
        where = checkpoint_pieces.c.n == n
        blob = bytearray(conn.execute(select(checkpoint_pieces.c.blob).where(where))
                         .scalar_one())
        blob[len(blob) // 2] ^= 0x40
        conn.execute(update(checkpoint_pieces).where(where).values(blob=bytes(blob)))


def signed_by_assistant(db: str, team: Team) -> None:
    """A manifest made and signed by an assistant's device (the relay refuses its POST)."""
    text, _ = _stored(db)
    assistant = team.assistants[0].store
    _put_manifest(db, {**json.loads(text), "signer": assistant.device_id},
                  assistant.ring.signing)


def heads_off_the_log(db: str, team: Team) -> None:
    """Signed by the employer's own key, but with a head the log does not have."""
    text, _ = _stored(db)
    raw = json.loads(text)
    raw["heads"][0][2] = "ab" * 32
    _put_manifest(db, raw, team.employer.store.ring.signing)


def older_format(db: str, team: Team) -> None:
    """Made by the employer's device before an update changed the parts' format."""
    text, _ = _stored(db)
    _put_manifest(db, {**json.loads(text), "v": checkpoint.FORMAT - 1},
                  team.employer.store.ring.signing)


@pytest.mark.parametrize(("tamper", "reason"), [
    (flip_piece, "is not the signed one"),
    (older_format, "made by another app version"),
    (signed_by_assistant, "signature is not the inviting device's"),
    (heads_off_the_log, "chain heads are not the log's"),
])
def test_checkpoint_tampered_is_refused_and_device_replays(
        tamper: Callable[[str, Team], None], reason: str, relay_factory: Any,
        tmp_path: Path) -> None:
    db = str(tmp_path / "relay.db")
    relay = relay_factory(db)
    team, replayed = checkpointed_team(tmp_path, relay.url)
    try:
        tamper(db, team)
        joined = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(joined)
        rec = parts.record(joined.store)
        assert rec is not None and rec["state"] == "refused" and reason in rec["reason"]
        # Joined anyway, by a full replay: the whole log is here.
        team.sync_all(rounds=2)
        assert joined.store.envelope_count() == replayed.store.envelope_count()
        assert fingerprint(joined) == fingerprint(replayed)
    finally:
        team.close()


@pytest.mark.parametrize("signed", [False, True])
def test_checkpoint_whose_state_is_not_the_logs_is_refused_by_the_replay(
        signed: bool, relay_factory: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A tampered employer device signs a state its log does not hold (a shift moved). The
    relay cannot see it and the signature is right, so the device starts from it; the next
    round fetches the history, replays it, finds the difference, refuses the checkpoint and
    keeps the replayed state. ``signed``: the replay took the signed months out on the way;
    they end up in the device's archive with exactly the rows a replay gives."""
    monkeypatch.setattr(checkpoint_audit, "CHUNK", 1)  # months leave the replay on the way
    relay = relay_factory(str(tmp_path / "relay.db"))
    real_cut = parts.cut

    def forged_cut(proj: Any) -> Any:
        cut, ids = real_cut(proj)
        shift = next(iter(cut["team"]["rows"]["shift"].values()))
        shift["location"] = "Nicht im Log"
        return cut, ids

    monkeypatch.setattr(parts, "cut", forged_cut)
    team, replayed = checkpointed_team(tmp_path, relay.url, signed=signed)
    monkeypatch.setattr(parts, "cut", real_cut)
    try:
        joined = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(joined)
        assert parts.record(joined.store)["state"] == "started"
        team.client(replayed).sync()
        assert fingerprint(joined) != fingerprint(replayed)  # the forged state, for now

        report = team.client(joined).sync()
        rec = parts.record(joined.store)
        assert rec["state"] == "refused", report.checkpoint
        assert "not what replaying the log gives" in rec["reason"]
        if signed:
            assert_archived_as_replayed(joined, replayed)
        assert fingerprint(joined) == fingerprint(replayed)
        assert not any(s["location"] == "Nicht im Log"
                       for s in joined.store.projection.rows["shift"].values())
        team.sync_all(rounds=1)
        assert fingerprint(joined) == fingerprint(replayed)
    finally:
        team.close()


def test_checkpoint_whose_archived_month_does_not_decode_is_refused_by_the_replay(
        relay_factory: Any, tmp_path: Path) -> None:
    """A joining device stores a checkpoint's archived months as they came and decodes them
    only when read: a month that does not decode (a broken employer device signed it) is
    found by the check, which refuses the checkpoint and keeps the replayed state, instead
    of failing every round."""
    relay = relay_factory(str(tmp_path / "relay.db"))
    team, replayed = checkpointed_team(tmp_path, relay.url, signed=True)
    try:
        joined = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(joined)
        store = joined.store
        month = sorted(store.projection.archived_months)[0]
        name = archive._name(store, month)
        broken = archive_sections.encode(month, [], [zlib.compress(b"[not a section]")])
        with store.exclusive() as conn:
            disk.put_archive(conn, name, seal(store.ring.master, broken,
                                              f"archive/{name}".encode()))
        with pytest.raises(IntegrityError):
            archive.load(store, month)

        report = team.client(joined).sync()
        rec = parts.record(store)
        assert rec["state"] == "refused", report.checkpoint
        assert "not what replaying the log gives" in rec["reason"]
        team.client(replayed).sync()
        assert_archived_as_replayed(joined, replayed)
        assert fingerprint(joined) == fingerprint(replayed)
    finally:
        team.close()


def assert_archived_as_replayed(joined: Services, replayed: Services) -> None:
    """The adopted replay's months are in the store's archive, each with exactly the rows
    (and signed documents) the device that replayed everything holds for it."""
    proj = joined.store.projection
    assert proj.archived_months and proj.scratch is None  # written by the snapshot
    rows = replayed.store.projection.fingerprint()["rows"]
    for month in sorted(proj.archived_months):
        payload = archive.load(joined.store, month)  # from the file, sealed
        assert payload["rows"]["entry"]
        for entity, archived in payload["rows"].items():
            assert archived == {eid: rows[entity][eid] for eid in archived}
        for sid, document in payload["documents"].items():
            assert document and document == rows["timesheet"][sid]["document"]


def test_checkpoint_refused_by_relay_when_signed_heads_are_not_its_log(
        relay_factory: Any, tmp_path: Path) -> None:
    """The relay itself refuses a manifest whose heads are not its log's (409), and one that
    an assistant's device posts (403): neither replaces the team's checkpoint."""
    db = str(tmp_path / "relay.db")
    relay = relay_factory(db)
    team, _ = checkpointed_team(tmp_path, relay.url)
    try:
        text, sig = _stored(db)
        raw = json.loads(text)
        raw["heads"][0][1] += 1
        employer = team.employer.store
        forged = checkpoint.canonical(raw)
        http = RelayHttp(relay.url, employer.device_id, employer.ring.signing, retries=0)
        with pytest.raises(RelayRefused) as err:
            http.call("POST", f"/v1/teams/{employer.team_id}/checkpoints", {
                "manifest": forged,
                "sig": employer.ring.signing.sign(checkpoint.signing_bytes(forged)).hex()})
        assert err.value.status == 409 and "heads" in err.value.reason
        ben: Services = team.assistants[0]
        as_ben = RelayHttp(relay.url, ben.store.device_id, ben.store.ring.signing, retries=0)
        with pytest.raises(RelayRefused) as err:
            as_ben.call("POST", f"/v1/teams/{employer.team_id}/checkpoints",
                        {"manifest": text, "sig": sig})
        assert err.value.status == 403
        assert _stored(db) == (text, sig)
        http.close()
        as_ben.close()
    finally:
        team.close()
