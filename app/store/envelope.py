"""The envelope: a signed, encrypted batch of ops in one scope (DESIGN.md, "Data").

    header  = {team, scope, epoch, device, seq, prev_hash, nonce}
    body    = AES-256-GCM(scope key of epoch, nonce, zlib(ops), aad = header bytes)
    sig     = Ed25519(device key, header bytes ‖ SHA-256(body))
    hash    = SHA-256(header bytes ‖ body ‖ sig)   -- the next envelope's prev_hash

The membership scope is readable by everyone including the relay: its body is the
compressed plaintext (empty nonce), still signed. ``seq`` counts up per device and
``prev_hash`` chains a device's envelopes, so gaps, replays and forks show.

This codec is the wire format too; ``app/sync/protocol.py`` imports it rather than
defining it twice (STYLE.md #5).
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag

from app.domain.ops import Op, decode_ops, encode_ops
from app.errors import IntegrityError
from app.store.crypto import (
    NONCE_BYTES,
    SigningKey,
    decrypt_with_nonce,
    encrypt_with_nonce,
    sha256,
    verify_signature,
)

PLAIN_SCOPES = frozenset({"membership"})
GENESIS_HASH = b"\x00" * 32


@dataclass(frozen=True, slots=True)
class Envelope:
    team: str
    scope: str
    epoch: int
    device: str
    seq: int
    prev_hash: bytes
    nonce: bytes
    body: bytes
    sig: bytes

    def header_bytes(self) -> bytes:
        return header_bytes(self.team, self.scope, self.epoch, self.device, self.seq,
                            self.prev_hash, self.nonce)

    @property
    def hash(self) -> bytes:
        return sha256(self.header_bytes() + self.body + self.sig)

    @property
    def label(self) -> str:
        """How a person can find it again: 'device 0193… #12 (team)'."""
        return f"envelope {self.seq} of device {self.device[:13]} in scope {self.scope}"

    def to_json(self) -> dict[str, Any]:
        return {"team": self.team, "scope": self.scope, "epoch": self.epoch,
                "device": self.device, "seq": self.seq, "prev_hash": self.prev_hash.hex(),
                "nonce": self.nonce.hex(), "body": self.body.hex(), "sig": self.sig.hex()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Envelope:
        return cls(str(raw["team"]), str(raw["scope"]), int(raw["epoch"]), str(raw["device"]),
                   int(raw["seq"]), bytes.fromhex(raw["prev_hash"]), bytes.fromhex(raw["nonce"]),
                   bytes.fromhex(raw["body"]), bytes.fromhex(raw["sig"]))


def header_bytes(team: str, scope: str, epoch: int, device: str, seq: int,
                 prev_hash: bytes, nonce: bytes) -> bytes:
    # Only ASCII ids, ints and hex: sorted-key compact JSON is already canonical here.
    return json.dumps({"device": device, "epoch": epoch, "nonce": nonce.hex(),
                       "prev_hash": prev_hash.hex(), "scope": scope, "seq": seq, "team": team},
                      separators=(",", ":"), sort_keys=True).encode()


def seal_envelope(ops: list[Op], *, team: str, scope: str, epoch: int, device: str, seq: int,
                  prev_hash: bytes, scope_key: bytes | None, signer: SigningKey) -> Envelope:
    plain = zlib.compress(encode_ops(ops), 6)
    if scope in PLAIN_SCOPES:
        nonce, body = b"", plain
        hdr = header_bytes(team, scope, epoch, device, seq, prev_hash, nonce)
    else:
        if scope_key is None:
            raise IntegrityError(f"no key for scope {scope}")
        nonce = os.urandom(NONCE_BYTES)
        hdr = header_bytes(team, scope, epoch, device, seq, prev_hash, nonce)
        body = encrypt_with_nonce(scope_key, nonce, plain, hdr)
    sig = signer.sign(hdr + sha256(body))
    return Envelope(team, scope, epoch, device, seq, prev_hash, nonce, body, sig)


def verify_envelope(env: Envelope, device_public: bytes) -> None:
    """Raise IntegrityError unless the device's signature covers header and body."""
    if not verify_signature(device_public, env.sig, env.header_bytes() + sha256(env.body)):
        raise IntegrityError(f"{env.label}: signature does not match")


def open_envelope(env: Envelope, scope_key: bytes | None) -> list[Op]:
    """Decrypt and decode. The signature is checked separately by ``verify_envelope``."""
    return open_and_hash(env, scope_key)[1]


def open_and_hash(env: Envelope, scope_key: bytes | None) -> tuple[bytes, list[Op]]:
    """Sync's hot path: decrypt, decode and hash with the header serialized once. The
    signature is NOT checked here: the caller checks it on the newest envelope of a run of
    chained ones, whose signed ``prev_hash`` vouches for all before it (``app/store/ingest.py``)."""
    hdr = env.header_bytes()
    try:
        if env.scope in PLAIN_SCOPES:
            plain = env.body
        else:
            if scope_key is None:
                raise IntegrityError(f"{env.label}: no key for this scope and epoch")
            plain = decrypt_with_nonce(scope_key, env.nonce, env.body, hdr)
        ops = decode_ops(zlib.decompress(plain))
    except (InvalidTag, zlib.error, ValueError, KeyError, IndexError, TypeError) as err:
        raise IntegrityError(f"{env.label}: cannot be decrypted or decoded") from err
    for op in ops:
        if op.device != env.device:
            raise IntegrityError(f"{env.label}: holds an op of another device")
    return sha256(hdr + env.body + env.sig), ops
