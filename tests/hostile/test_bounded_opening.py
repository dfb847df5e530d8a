"""Opening what a hostile member sent stays bounded: a deflate bomb is refused as damaged
in constant memory, here and in the helper process; a stored envelope whose header is out of
the pull page's range is delivered as a damaged skip, never a relay error."""

from __future__ import annotations

import tracemalloc
import zlib

import pytest

from app.errors import DamagedEnvelope
from app.store.crypto import SigningKey, encrypt_with_nonce, random_key
from app.store.envelope import MAX_BATCH_BYTES, Envelope, decrypt_batch
from app.sync.page_opener import PageOpener, open_page
from app.sync.pull_page import UNDELIVERABLE, PageRow, decode_page, encode_page
from tests.hostile.test_hostile_member import _bomb
from tests.sync.conftest import sealed_chain

TEAM = "team-1"


def _bomb_envelope(key: bytes) -> Envelope:
    env = sealed_chain(TEAM, "dev-a", 1, key, SigningKey())[0]
    body = encrypt_with_nonce(key, env.nonce, _bomb(), env.header_bytes())
    return Envelope(env.team, env.scope, env.epoch, env.device, env.seq, env.prev_hash,
                    env.nonce, body, env.sig)


def test_a_deflate_bomb_is_refused_in_constant_memory() -> None:
    key = random_key()
    env = _bomb_envelope(key)
    tracemalloc.start()
    try:
        with pytest.raises(DamagedEnvelope) as err:
            decrypt_batch(env, key)
        assert "inflates past 4 MiB" in err.value.text("en")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Inflated in full it would peak above 64 MiB; bounded, it stays within a few times the
    # cap (zlib grows its output buffer by doubling).
    assert peak < 3 * MAX_BATCH_BYTES, peak


def test_a_body_just_under_the_cap_still_opens() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    plain = b"\x01" + packer.compress(b"[1,\"a\",[]]" + b" " * (MAX_BATCH_BYTES - 20)) \
        + packer.flush()
    key = random_key()
    env = _bomb_envelope(key)
    env = Envelope(env.team, env.scope, env.epoch, env.device, env.seq, env.prev_hash,
                   env.nonce, encrypt_with_nonce(key, env.nonce, plain, env.header_bytes()),
                   env.sig)
    assert len(decrypt_batch(env, key)) == MAX_BATCH_BYTES - 10


def test_the_helper_marks_a_bomb_damaged_instead_of_inflating_it() -> None:
    key = random_key()
    env = _bomb_envelope(key)
    data = encode_page([PageRow(1, env, env.hash, True)], 1, False, 0)
    page = open_page(data, TEAM, 0, {("team", 1): key})  # what the helper process runs
    assert page.items[0].batch is None
    assert "inflates past" in page.items[0].damaged
    opener = PageOpener()  # and through a real helper process where one can start
    opener.start()
    try:
        assert opener.open(data, TEAM, 0, {("team", 1): key}).items[0].batch is None
    finally:
        opener.close()


@pytest.mark.parametrize("epoch", [70000, -1])
def test_an_out_of_range_epoch_becomes_a_damaged_skip(epoch: int) -> None:
    a = sealed_chain(TEAM, "dev-a", 3, random_key(), SigningKey())
    bad = Envelope(TEAM, "team", epoch, "dev-a", a[1].seq, a[1].prev_hash, a[1].nonce,
                   a[1].body, a[1].sig)
    rows = [PageRow(1, a[0], a[0].hash, True), PageRow(2, bad, bad.hash, True),
            PageRow(3, a[2], a[2].hash, True)]
    page = decode_page(encode_page(rows, 3, False, 0), TEAM, 0)
    first, skip, last = page.items
    assert first.envelope == a[0] and last.envelope == a[2]
    assert skip.envelope is None and skip.damaged == UNDELIVERABLE
    assert (skip.device, skip.seq, skip.scope, skip.hash) == ("dev-a", 2, "team", bad.hash)
