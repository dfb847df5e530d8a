"""The binary pull page: round trips, chained hashes, and refusals of malformed pages."""

from __future__ import annotations

import re
import struct

import pytest

from app.errors import ProtocolError
from app.store.crypto import SigningKey, random_key
from app.store.envelope import Envelope
from app.sync.pull_page import CHAINED, PageRow, decode_page, encode_page
from tests.sync.conftest import sealed_chain

TEAM = "team-1"


def _chain(device: str, n: int, scope: str = "team") -> list[Envelope]:
    return sealed_chain(TEAM, device, n, random_key(), SigningKey(), scope=scope)


def _rows(envs: list[Envelope], unreadable: set[int] = frozenset(),  # type: ignore[assignment]
          first_cursor: int = 1) -> list[PageRow]:
    return [PageRow(first_cursor + i * 2, e, e.hash, i not in unreadable)
            for i, e in enumerate(envs)]


def test_a_page_round_trips_envelopes_and_skips() -> None:
    a, b = _chain("dev-a", 4), _chain("dev-b", 3, scope="membership")
    mixed = [a[0], b[0], a[1], a[2], b[1], a[3], b[2]]
    rows = _rows(mixed, unreadable={3}, first_cursor=11)
    page = decode_page(encode_page(rows, 99, True, after=10), TEAM, after=10)
    assert (page.next, page.more) == (99, True)
    assert [i.cursor for i in page.items] == [r.cursor for r in rows]
    for item, row, env in zip(page.items, rows, mixed, strict=True):
        if row.readable:
            assert item.envelope == env
        else:
            assert item.envelope is None
            assert (item.device, item.seq, item.prev_hash, item.hash) == (
                env.device, env.seq, env.prev_hash, env.hash)


def test_chained_items_leave_out_the_prev_hash() -> None:
    envs = _chain("dev-a", 50)
    one_by_one = sum(len(encode_page(_rows([e]), 0, False, 0)) for e in envs)
    together = len(encode_page(_rows(envs), 0, False, 0))
    assert one_by_one - together > 49 * 32  # every item after the first saves its hash


def test_a_page_that_starts_mid_chain_carries_the_first_prev_hash() -> None:
    envs = _chain("dev-a", 5)[2:]
    page = decode_page(encode_page(_rows(envs), 0, False, 0), TEAM, 0)
    assert [i.envelope for i in page.items] == envs


def _valid() -> bytes:
    return encode_page(_rows(_chain("dev-a", 2)), 5, False, 0)


@pytest.mark.parametrize("mangle,reason", [
    (lambda b: b"AZP9" + b[4:], "not a pull page"),
    (lambda b: b[:-10], "truncated|malformed"),
    (lambda b: b + b"\x00", "after its last item"),
    (lambda b: b"", "malformed"),
])
def test_malformed_pages_are_refused(mangle, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProtocolError) as err:
        decode_page(mangle(_valid()), TEAM, 0)
    assert re.search(reason, err.value.text("en"))


def test_a_chained_first_item_is_refused() -> None:
    data = bytearray(encode_page(_rows(_chain("dev-a", 2)[1:]), 5, False, 0))
    # The single item's flags byte follows the header, device and scope tables and count.
    head = struct.calcsize("<4sQBH") + 1 + len("dev-a") + 2 + 1 + len("team") + 4
    assert data[head] & CHAINED == 0
    data[head] |= CHAINED
    with pytest.raises(ProtocolError) as err:
        decode_page(bytes(data), TEAM, 0)
    assert "without its predecessor" in err.value.text("en")
