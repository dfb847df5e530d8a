"""The envelope: a signed, encrypted batch of ops in one scope (DESIGN.md, "Data").

    header  = {team, scope, epoch, device, seq, prev_hash, nonce}
    body    = AES-256-GCM(scope key of epoch, nonce, format ‖ deflate(ops), aad = header bytes)
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
import re
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag

from app.domain.ops import Op, decode_batch, encode_batch
from app.errors import DamagedEnvelope, IntegrityError
from app.store import bounded
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
# What one body may inflate to. A push is at most 4 MiB of hex (2 MiB of body), and a batch
# of 2,000 ops inflates to well under 1 MiB; anything past the cap is a deflate bomb and is
# refused as damaged without ever holding more than the cap in memory.
MAX_BATCH_BYTES = bounded.MAX_INFLATED

# The plaintext of a body: one format byte, then the op batch (``app/domain/ops.py``) as raw
# deflate with a preset dictionary. Envelopes are small (a shift's clock events), so the
# names and keys every batch repeats would otherwise cost most of the compressed size.
# The dictionary of a format byte may NEVER change: add a new byte and dictionary instead.
BODY_FORMAT = 1
_ZDICT = {BODY_FORMAT: "".join((
    '"absence.deleted","absence.recorded","appointment.deleted","appointment.imported",',
    '"availability.set","budget.set","conflict.resolved","contract.set","device.revoked",',
    '"funder.set","member.removed","need.deleted","need.set","request.decided",',
    '"request.made","team.created","team.updated","template.deleted","template.set",',
    '"timesheet.approved","timesheet.exported","timesheet.rejected","timesheet.reopened",',
    '"timesheet.submitted","shift.cancelled","shift.claimed","entry.added",',
    '"entry.corrected","entry.deleted","device.added","member.added","member.updated",',
    '"absence","appointment","availability","budget","contract","device","funder","need",',
    '"request","team","template","timesheet","member",',
    '"assistant_device":"assistant_sig":"available":"budget_id":"calendar_details":',
    '"comment":"correction_reason":"cost_center":"counter_device":"counter_member":',
    '"counter_sig":"countersigned_at":"days_per_week":"decided_by":"decision_comment":',
    '"default_budget_id":"dh_pub":"display_name":"doc_hash":"document":"employment":',
    '"end_date":"entry_id":"funder_id":"hourly_wage":"label":"live_in":"month":',
    '"monthly_amount":"name":"on_behalf_of":"plan_id":"preferences":"reference":',
    '"revoked":true,"role":"sign_pub":"signed_at":"staff_number":"standby_wage":',
    '"start_date":"state":"summary":"support_kind":"surcharges":"tz":"uid":',
    '"vacation_days":"valid_from":"valid_to":"version":"weekday":"weekly_hours":',
    '"written_at":"active":true,"deleted":true,"assistant","employer","proxy","payroll",',
    '"status":"planned","location":"","instructions":"","assignee_id":"',
    '"checklist":[],"kind":"work","source":"clock","note":"","breaks":[],',
    '"shift.planned","shift","shift.updated",{"checklist":["handover.written","handover",',
    '{"author_id":"","shift_id":"","text":"',
    '"entry.clocked_out","entry.break_started","entry.break_ended","entry.clocked_in",',
    '"entry",{"member_id":"","start":"","end":null,"breaks":[{"start":"","end":"20',
    '[1,"')).encode()}


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

    def __reduce__(self) -> tuple[Any, ...]:
        # Through the constructor: faster than the default for a frozen slotted class, and
        # a long pull gets thousands per page back from its helper process.
        return (Envelope, (self.team, self.scope, self.epoch, self.device, self.seq,
                           self.prev_hash, self.nonce, self.body, self.sig))

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
    """Sorted-key compact JSON. Ids made of ``[0-9A-Za-z:_-]`` need no escaping, so the
    common case is formatted directly (sync builds this twice per envelope received);
    anything else goes through ``json.dumps``, which gives the same bytes for plain ids."""
    if type(epoch) is int and type(seq) is int and _PLAIN_ID.fullmatch(team + device + scope):
        return (f'{{"device":"{device}","epoch":{epoch},"nonce":"{nonce.hex()}",'
                f'"prev_hash":"{prev_hash.hex()}","scope":"{scope}","seq":{seq},'
                f'"team":"{team}"}}').encode()
    return json.dumps({"device": device, "epoch": epoch, "nonce": nonce.hex(),
                       "prev_hash": prev_hash.hex(), "scope": scope, "seq": seq, "team": team},
                      separators=(",", ":"), sort_keys=True).encode()


_PLAIN_ID = re.compile(r"[0-9A-Za-z:_-]*")


def seal_envelope(ops: list[Op], *, team: str, scope: str, epoch: int, device: str, seq: int,
                  prev_hash: bytes, scope_key: bytes | None, signer: SigningKey) -> Envelope:
    if any(op.device != device for op in ops):
        raise IntegrityError("error.envelope.foreign_ops")
    plain = _compress(encode_batch(ops))
    if scope in PLAIN_SCOPES:
        nonce, body = b"", plain
        hdr = header_bytes(team, scope, epoch, device, seq, prev_hash, nonce)
    else:
        if scope_key is None:
            raise IntegrityError("error.keys.no_scope_key", scope=scope)
        nonce = os.urandom(NONCE_BYTES)
        hdr = header_bytes(team, scope, epoch, device, seq, prev_hash, nonce)
        body = encrypt_with_nonce(scope_key, nonce, plain, hdr)
    sig = signer.sign(hdr + sha256(body))
    return Envelope(team, scope, epoch, device, seq, prev_hash, nonce, body, sig)


def verify_envelope(env: Envelope, device_public: bytes) -> None:
    """Raise IntegrityError unless the device's signature covers header and body."""
    if not verify_signature(device_public, env.sig, env.header_bytes() + sha256(env.body)):
        raise IntegrityError("error.envelope.signature", label=env.label)


def open_envelope(env: Envelope, scope_key: bytes | None) -> list[Op]:
    """Decrypt and decode. The signature is NOT checked here: ``verify_envelope`` does that,
    and sync checks it on the newest envelope of a run of chained ones, whose signed
    ``prev_hash`` vouches for all before it (``app/store/ingest.py``)."""
    return decode_ops(env, decrypt_batch(env, scope_key))


def decrypt_batch(env: Envelope, scope_key: bytes | None) -> bytes:
    """The first half of opening: the op batch, decrypted and inflated. A long pull does
    this in a helper process (``app/sync/page_opener.py``)."""
    try:
        if env.scope in PLAIN_SCOPES:
            plain = env.body
        else:
            if scope_key is None:
                raise IntegrityError("error.envelope.no_key", label=env.label)
            plain = decrypt_with_nonce(scope_key, env.nonce, env.body, env.header_bytes())
    except (InvalidTag, ValueError) as err:
        raise DamagedEnvelope("error.envelope.damaged", label=env.label) from err
    try:
        return inflate_body(plain)
    except (zlib.error, ValueError, IndexError) as err:
        raise DamagedEnvelope("error.envelope.damaged_why", label=env.label, reason=err) from err


def decode_ops(env: Envelope, batch: bytes) -> list[Op]:
    """The second half: the ops of a decrypted batch."""
    try:
        return decode_batch(batch, env.device)
    except (ValueError, KeyError, IndexError, TypeError, RecursionError) as err:
        raise DamagedEnvelope("error.envelope.damaged", label=env.label) from err


def _compress(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=_ZDICT[BODY_FORMAT])
    return bytes((BODY_FORMAT,)) + packer.compress(data) + packer.flush()


def inflate_body(plain: bytes) -> bytes:
    """A body's op batch, inflated in bounded memory (``bounded.TooLarge`` past the cap, a
    ``ValueError`` for an unknown format or a damaged stream)."""
    zdict = _ZDICT.get(plain[0]) if plain else None
    if zdict is None:
        raise ValueError("an unknown body format")
    return bounded.inflate(plain[1:], zdict=zdict, cap=MAX_BATCH_BYTES)
