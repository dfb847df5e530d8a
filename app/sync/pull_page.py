"""The binary pull page: what ``GET /v1/teams/{team}/envelopes`` answers.

An initial sync moves ~150,000 ops in ~45,000 envelopes. As hex in JSON that was 600 bytes
an envelope and a JSON parse plus a hex decode of every field; the ciphertext, nonce and
signature are random bytes that no gzip can shrink. So a page is bytes (all little-endian):

    page   = "AZP1" next:u64 more:u8 n_dev:u16 dev* n_scope:u16 scope* n_item:u32 item*
    dev    = len:u8 utf-8            (device ids of this page, referred to by index)
    scope  = len:u8 utf-8
    item   = flags:u8 cursor_delta:u32 dev:u16 scope:u16 epoch:u16 seq:u32
             [prev_hash:32]          unless CHAINED: it is then the hash of the same
                                     device's item just before, in this page
             skip:     hash:32
             envelope: [nonce:12] body_len:u32 body sig:64

DAMAGED marks a skip the relay cannot deliver as an envelope: a row stored before the relay
checked header ranges (an epoch past u16). Its epoch is sent as 0; the client quarantines it
and the chain goes on past it (old clients just see a skip).

CHAINED is only a compression: the client computes the hash it stands for, and the
envelope's signed header must hold exactly that hash, so a relay cannot forge a link.
The team is the one in the URL. Decoding refuses anything malformed with ``ProtocolError``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

from app.errors import ProtocolError
from app.store.crypto import sha256
from app.store.envelope import Envelope
from app.store.ingest import Received
from app.sync.protocol import MAX_EPOCH, MAX_SEQ

MEDIA_TYPE = "application/vnd.assistenzzeit.pull-v1"
MAGIC = b"AZP1"
SKIP, CHAINED, NONCE, DAMAGED = 1, 2, 4, 8
MAX_NAME = 255  # bytes of a device id or scope name
UNDELIVERABLE = "the relay cannot deliver it: its header is out of the wire format's range"
_HEAD = struct.Struct("<4sQBH")
_ITEM = struct.Struct("<BIHHHI")
_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
NONCE_LEN, HASH_LEN, SIG_LEN = 12, 32, 64


@dataclass(frozen=True, slots=True)
class PageRow:
    """One stored envelope as the relay hands it to the encoder."""

    cursor: int
    envelope: Envelope
    hash: bytes  # as stored: the relay does not recompute it for every pull
    readable: bool  # False: the reader gets a skip


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Received]  # decoded straight into what ``ingest`` takes
    next: int
    more: bool


def encode_page(rows: Iterable[PageRow], next_cursor: int, more: bool, after: int) -> bytes:
    devices: dict[str, int] = {}
    scopes: dict[str, int] = {}
    last_hash: dict[str, bytes] = {}
    items: list[bytes] = []
    cursor = after
    count = 0
    for row in rows:
        env = row.envelope
        if len(env.device.encode()) > MAX_NAME or not 0 <= env.seq <= MAX_SEQ:
            continue  # cannot even be named on the wire; the relay refuses such pushes
        damaged = not 0 <= env.epoch <= MAX_EPOCH or len(env.scope.encode()) > MAX_NAME or (
            bool(env.nonce) and len(env.nonce) != NONCE_LEN)
        readable = row.readable and not damaged
        dev = devices.setdefault(env.device, len(devices))
        scope = scopes.setdefault(env.scope if len(env.scope.encode()) <= MAX_NAME else "?",
                                  len(scopes))
        chained = last_hash.get(env.device) == env.prev_hash
        flags = (0 if readable else SKIP) | (CHAINED if chained else 0) | (
            NONCE if readable and env.nonce else 0) | (DAMAGED if damaged else 0)
        parts = [_ITEM.pack(flags, row.cursor - cursor, dev, scope,
                            0 if damaged else env.epoch, env.seq)]
        if not chained:
            parts.append(env.prev_hash)
        if readable:
            if env.nonce:
                parts.append(env.nonce)
            parts += [_U32.pack(len(env.body)), env.body, env.sig]
        else:
            parts.append(row.hash)
        items.append(b"".join(parts))
        last_hash[env.device] = row.hash
        cursor = row.cursor
        count += 1
    head = [_HEAD.pack(MAGIC, next_cursor, int(more), len(devices))]
    head += [_U8.pack(len(b)) + b for b in (d.encode() for d in devices)]
    head.append(_U16.pack(len(scopes)))
    head += [_U8.pack(len(b)) + b for b in (s.encode() for s in scopes)]
    head.append(_U32.pack(count))
    return b"".join(head + items)


def decode_page(data: bytes, team: str, after: int) -> Page:
    try:
        return _decode(memoryview(data), team, after)
    except (struct.error, IndexError, UnicodeDecodeError) as err:
        raise ProtocolError("error.wire.page_malformed", reason=str(err)) from err


def _strings(buf: memoryview, pos: int, n: int) -> tuple[list[str], int]:
    out = []
    for _ in range(n):
        size = buf[pos]
        out.append(bytes(buf[pos + 1:pos + 1 + size]).decode())
        pos += 1 + size
    return out, pos


def _decode(buf: memoryview, team: str, after: int) -> Page:
    magic, next_cursor, more, n_dev = _HEAD.unpack_from(buf, 0)
    if magic != MAGIC:
        raise ProtocolError("error.wire.not_a_page")
    devices, pos = _strings(buf, _HEAD.size, n_dev)
    (n_scope,) = _U16.unpack_from(buf, pos)
    scopes, pos = _strings(buf, pos + 2, n_scope)
    (count,) = _U32.unpack_from(buf, pos)
    pos += 4
    items: list[Received] = []
    last_hash: dict[str, bytes] = {}
    cursor = after
    unpack_item, item_size, end = _ITEM.unpack_from, _ITEM.size, len(buf)
    for _ in range(count):
        flags, delta, dev, scope_i, epoch, seq = unpack_item(buf, pos)
        pos += item_size
        cursor += delta
        device, scope = devices[dev], scopes[scope_i]
        if flags & CHAINED:
            if device not in last_hash:
                raise ProtocolError("error.wire.page_unchained")
            prev = last_hash[device]
        else:
            prev = bytes(buf[pos:pos + HASH_LEN])
            pos += HASH_LEN
        if flags & SKIP:
            digest = bytes(buf[pos:pos + HASH_LEN])
            pos += HASH_LEN
            items.append(Received(cursor, None, device, seq, prev, digest,
                                  damaged=UNDELIVERABLE if flags & DAMAGED else "",
                                  scope=scope))
        else:
            nonce = b""
            if flags & NONCE:
                nonce = bytes(buf[pos:pos + NONCE_LEN])
                pos += NONCE_LEN
            (size,) = _U32.unpack_from(buf, pos)
            body = bytes(buf[pos + 4:pos + 4 + size])
            sig = bytes(buf[pos + 4 + size:pos + 4 + size + SIG_LEN])
            pos += 4 + size + SIG_LEN
            env = Envelope(team, scope, epoch, device, seq, prev, nonce, body, sig)
            digest = sha256(env.header_bytes() + body + sig)
            items.append(Received(cursor, env, hash=digest))
        if pos > end:
            raise ProtocolError("error.wire.page_truncated")
        last_hash[device] = digest
    if pos != end:
        raise ProtocolError("error.wire.page_trailing")
    return Page(items, next_cursor, bool(more))
