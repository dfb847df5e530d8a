"""Inflating outside input in constant memory.

A deflate stream can expand about a thousandfold, so a 1 MB body may claim a gigabyte. The
relay (and anything else that inflates what it did not write) asks ``zlib`` for at most
``cap + 1`` bytes of output: past the cap the input is refused as damaged, and memory never
holds more than the cap, whatever the stream says.

    inflate(data, wbits=-15, zdict=…, cap=MAX_INFLATED)   → bytes, or raises TooLarge/ValueError
"""

from __future__ import annotations

import zlib

from app.errors import TooLarge as TooLarge  # importable from here too

MAX_INFLATED = 4 * 1024 * 1024  # far above any real envelope; one body never needs more


def inflate(data: bytes, *, wbits: int = -15, zdict: bytes | None = None,
            cap: int = MAX_INFLATED) -> bytes:
    """The inflated ``data``; ``TooLarge`` past ``cap`` bytes, ``ValueError`` when the stream
    is not valid deflate or ends early."""
    unpacker = zlib.decompressobj(wbits, zdict=zdict) if zdict else zlib.decompressobj(wbits)
    try:
        out = unpacker.decompress(data, cap + 1)
    except zlib.error as err:
        raise ValueError(f"not a valid deflate stream ({err})") from err
    if len(out) > cap:
        raise TooLarge("error.limits.inflates", mib=cap // (1024 * 1024))
    if not unpacker.eof:
        raise ValueError("a truncated deflate stream")
    return out
