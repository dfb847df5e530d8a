"""Bounded inflate: what fits comes back whole; a bomb is refused holding no more than the
cap; damaged streams are a ValueError, never a zlib.error or a MemoryError."""

from __future__ import annotations

import tracemalloc
import zlib

import pytest

from app.store import bounded


def deflate(data: bytes, zdict: bytes = b"") -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, **({"zdict": zdict} if zdict else {}))
    return packer.compress(data) + packer.flush()


def test_bounded_inflate_round_trip_and_cap() -> None:
    data = b"shift.planned " * 1000
    assert bounded.inflate(deflate(data)) == data
    assert bounded.inflate(deflate(data, b"shift"), zdict=b"shift") == data
    assert bounded.inflate(deflate(b"x" * 100), cap=100) == b"x" * 100
    with pytest.raises(bounded.TooLarge) as err:
        bounded.inflate(deflate(b"x" * 101), cap=100)
    assert "inflates past" in err.value.text("en")


def test_bounded_inflate_bomb_in_constant_memory() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = b"".join(packer.compress(b"\0" * (1 << 20)) for _ in range(64)) + packer.flush()
    tracemalloc.start()
    try:
        with pytest.raises(bounded.TooLarge):
            bounded.inflate(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 64 MiB claimed; held: the cap, and zlib's output buffer growing to it.
    assert peak < 3 * bounded.MAX_INFLATED


def test_bounded_inflate_damage_is_value_error() -> None:
    good = deflate(b"hello world" * 50)
    with pytest.raises(ValueError, match="truncated"):
        bounded.inflate(good[: len(good) // 2])
    with pytest.raises(ValueError, match="not a valid deflate"):
        bounded.inflate(b"\xff" * 40)
