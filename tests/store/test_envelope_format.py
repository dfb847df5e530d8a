"""The envelope body format: op batches with derived op ids, deflate with a dictionary."""

from __future__ import annotations

import json
import os
import uuid
import zlib

import pytest

from app.domain.ops import Op, op_id_for
from app.errors import IntegrityError
from app.store import disk
from app.store.crypto import SigningKey, encrypt_with_nonce, random_key, sha256
from app.store.envelope import (
    GENESIS_HASH,
    Envelope,
    header_bytes,
    open_envelope,
    seal_envelope,
    verify_envelope,
)
from tests.store.conftest import Team

DEVICE = "0193a3b4-1111-7222-8333-444455556667"


def _canonical(team: str, scope: str, epoch: int, device: str, seq: int, prev: bytes,
               nonce: bytes) -> bytes:
    return json.dumps({"device": device, "epoch": epoch, "nonce": nonce.hex(),
                       "prev_hash": prev.hex(), "scope": scope, "seq": seq, "team": team},
                      separators=(",", ":"), sort_keys=True).encode()


@pytest.mark.parametrize("team,scope,device", [
    ("0193a3b4-1111-7222-8333-444455556666", "member:0193a3b4-1111-7222-8333-444455556666",
     DEVICE),
    ('team"with quote', "team", DEVICE),
    ("team-ä", "membership", "device\\x"),
])
def test_header_bytes_are_sorted_compact_json(team: str, scope: str, device: str) -> None:
    args = (team, scope, 3, device, 12345, os.urandom(32), os.urandom(12))
    assert header_bytes(*args) == _canonical(*args)


def test_op_ids_are_uuid7_from_hlc_and_device() -> None:
    hlc = (1_773_000_000_000 << 16) + 0x1234
    ids = {op_id_for(DEVICE, hlc + i) for i in range(5000)}
    assert len(ids) == 5000
    parsed = uuid.UUID(op_id_for(DEVICE, hlc))
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == 1_773_000_000_000  # the HLC's wall time in ms
    assert op_id_for(DEVICE, hlc) == op_id_for(DEVICE, hlc)
    assert op_id_for(DEVICE, hlc) != op_id_for(DEVICE[:-1] + "8", hlc)


def test_committed_ops_come_back_identical_from_their_envelopes(team: Team) -> None:
    ops = team.services.store.commit([])  # nothing: no envelope
    assert ops == []
    store = team.store
    before = store.envelope_count()
    team.services.clock_in(team.assistant)
    committed = [op for _, env in disk.iter_envelopes(store._conn, 0)
                 for op in open_envelope(env, None if env.scope == "membership"
                                         else store.ring.scopes[(env.scope, env.epoch)])]
    assert store.envelope_count() > before
    for op in committed:
        assert op.op_id == op_id_for(op.device, op.hlc)
        assert op.device == store.device_id
    # The assistant's entry was written by the employer's device for the assistant.
    assert any(op.entity == "entry" for op in committed)


def _envelope_with_plain(plain: bytes, key: bytes) -> Envelope:
    nonce = os.urandom(12)
    hdr = header_bytes("t", "team", 1, DEVICE, 1, GENESIS_HASH, nonce)
    body = encrypt_with_nonce(key, nonce, plain, hdr)
    signer = SigningKey()
    return Envelope("t", "team", 1, DEVICE, 1, GENESIS_HASH, nonce, body,
                    signer.sign(hdr + sha256(body)))


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def test_a_batch_with_two_authors_round_trips() -> None:
    key, signer = random_key(), SigningKey()
    ops = [Op(op_id_for(DEVICE, 100 + i), "shift.updated", "shift", "s1", {"note": f"n{i}"},
              0, 100 + i, "employer" if i % 2 else "proxy", DEVICE) for i in range(4)]
    env = seal_envelope(ops, team="t", scope="team", epoch=1, device=DEVICE, seq=1,
                        prev_hash=GENESIS_HASH, scope_key=key, signer=signer)
    verify_envelope(env, signer.public)
    assert open_envelope(env, key) == ops
    assert b"shift.updated" not in env.body


@pytest.mark.parametrize("plain", [
    b"",  # no format byte
    b"\x09" + _deflate(b"[1,\"a\",[]]"),  # a format this app does not know
    b"\x01" + _deflate(b"[1,\"a\",[]]")[:-3],  # truncated (and without the dictionary)
    b"\x01not deflate at all",
])
def test_undecodable_bodies_are_refused_by_name(plain: bytes) -> None:
    key = random_key()
    with pytest.raises(IntegrityError) as err:
        open_envelope(_envelope_with_plain(plain, key), key)
    assert "cannot be decrypted or decoded" in err.value.text("en")


@pytest.mark.parametrize("batch", [
    [1, "a", [["shift.updated", "shift", "s1", ["not", "a", "dict"], 0, 5]]],
    [1, "a", [["shift.updated", "shift", "s1", {}, 0, "5"]]],
    [1, "a", [["shift.updated", "shift"]]],
    [2, "a", []],
    {"v": 1},
])
def test_batches_of_the_wrong_shape_are_refused(batch: object) -> None:
    from app.store import envelope

    key = random_key()
    plain = envelope._compress(json.dumps(batch).encode())
    with pytest.raises(IntegrityError) as err:
        open_envelope(_envelope_with_plain(plain, key), key)
    assert "cannot be decrypted or decoded" in err.value.text("en")


def test_an_envelope_holds_only_its_own_devices_ops() -> None:
    op = Op("x", "shift.updated", "shift", "s1", {}, 0, 1, "m", "another-device")
    with pytest.raises(IntegrityError) as err:
        seal_envelope([op], team="t", scope="team", epoch=1, device=DEVICE, seq=1,
                      prev_hash=GENESIS_HASH, scope_key=random_key(), signer=SigningKey())
    assert "own device" in err.value.text("en")
