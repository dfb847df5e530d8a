"""Ops: everything a person does, as data.

An op is ``{op_id, name, entity, entity_id, fields, base, hlc, author, device}``:

* ``name`` is a stable op name (``"shift.planned"``, ``"entry.clocked_in"``), never an import
  path, so it survives refactoring (STYLE.md #7). It says *why*; ``fields`` says *what*.
* ``fields`` holds only what changed; folding sets those fields and nothing else.
* ``base`` is the HLC of the entity version the author saw (0 for a new entity). An op that did
  not see a concurrent edit by someone else is detected as a conflict when folding.

``SCOPE_OF`` says in which scope (DESIGN.md, "Data") the fields of an entity travel, so the
relay and members without the key see nothing they should not. ``VERSION`` and ``upgrade``
are where a future change of an op's shape is handled.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any, NamedTuple

VERSION = 1

# Stable op names. Adding one is fine; renaming one is not.
OP_NAMES = frozenset(
    {
        "team.created", "team.updated",
        "member.added", "member.updated", "member.removed",
        "device.added", "device.revoked",
        "contract.set",
        "funder.set", "budget.set",
        "shift.planned", "shift.updated", "shift.cancelled", "shift.claimed",
        "entry.clocked_in", "entry.clocked_out", "entry.break_started", "entry.break_ended",
        "entry.added", "entry.corrected", "entry.deleted",
        "absence.recorded", "absence.deleted",
        "timesheet.submitted", "timesheet.approved", "timesheet.rejected",
        "timesheet.reopened", "timesheet.exported",
        "handover.written",
        "appointment.imported", "appointment.deleted",
        "availability.set", "request.made", "request.decided",
        "conflict.resolved",
        "need.set", "need.deleted", "template.set", "template.deleted",
    }
)

# Which fields of an entity go into which scope. Fields not listed go to the entity's default.
MEMBERSHIP_FIELDS = {
    "member": {"role", "active", "deleted"},
    "device": {"member_id", "sign_pub", "dh_pub", "revoked", "deleted", "label"},
}
EMPLOYER_ENTITIES = {"funder", "budget", "appointment"}
EMPLOYER_FIELDS = {"member": {"staff_number", "preferences"}, "team": {"holder_address"}}
MEMBER_ENTITIES = {"entry", "absence", "contract", "timesheet"}
# Assistants may write these team-scope entities for themselves.
OWNED_BY = {"entry": "member_id", "absence": "member_id", "timesheet": "member_id",
            "availability": "member_id", "request": "member_id", "handover": "author_id"}


def scope_of(entity: str, field_name: str, owner: str | None) -> str:
    """The scope a field travels in; ``owner`` is the member a member-scoped row belongs to."""
    if field_name in MEMBERSHIP_FIELDS.get(entity, ()):
        return "membership"
    if entity in EMPLOYER_ENTITIES or field_name in EMPLOYER_FIELDS.get(entity, ()):
        return "employer"
    if entity in MEMBER_ENTITIES:
        if not owner:
            raise ValueError(f"{entity} needs a member to belong to")
        return f"member:{owner}"
    return "team"


def op_scope(op: Op, row: dict[str, Any] | None) -> str:
    """The scope ``op`` travels in, as the store chose it (one op holds the fields of one
    scope). A member-scoped op without an owner cannot have been sealed: "team"."""
    owner = op.fields.get("member_id") or (row or {}).get("member_id")
    try:
        return scope_of(op.entity, next(iter(op.fields), "id"), owner)
    except ValueError:
        return "team"


class Op(NamedTuple):
    """Immutable. A named tuple rather than a frozen dataclass: an initial sync creates
    150,000 of them, and a tuple is built five times faster."""

    op_id: str
    name: str
    entity: str
    entity_id: str
    fields: dict[str, Any]
    base: int
    hlc: int
    author: str
    device: str
    v: int = VERSION

    def to_wire(self) -> list[Any]:
        """Full positional form, for ops kept outside an envelope (parked ops in the
        snapshot). In envelopes ops travel as a batch, see ``encode_batch``."""
        return [self.v, self.op_id, self.name, self.entity, self.entity_id, self.fields,
                self.base, self.hlc, self.author, self.device]

    @classmethod
    def from_wire(cls, raw: list[Any]) -> Op:
        v = raw[0]
        if v != VERSION:
            raw = upgrade(raw)
        return cls(raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9])


def upgrade(raw: list[Any]) -> list[Any]:
    """Bring an op of an older shape to the current one (none exist yet)."""
    if raw[0] > VERSION:
        # A newer app wrote it: keep the fields we know, ignore the rest.
        return [VERSION, *raw[1:10]]
    raise ValueError(f"unknown op version {raw[0]}")


# ---------------------------------------------------------------------------- in an envelope
# The ops of one envelope share its device and nearly always one author, and an op's id is
# made from its device and HLC (``op_id_for``), so none of the three travels per op: on a
# five-year history that is 20 of about 100 compressed bytes an op (issue #6's wire budget).
#
#     batch = [BATCH_VERSION, author, [[name, entity, entity_id, fields, base, hlc], …]]
#
# An op by another author (an employer's device writing for someone) adds it as a 7th item.
BATCH_VERSION = 1


def op_id_for(device: str, hlc: int) -> str:
    """The op id: a UUIDv7 whose time is the HLC's wall time, whose counter (RFC 9562,
    method 1) is the HLC's counter (12 bits in ``rand_a``, 4 at the top of ``rand_b``), and
    whose remaining 58 bits come from the device id. Unique because a device's HLC never
    repeats; the same on every replica. Built from strings: it runs for every op received."""
    head = f"{(hlc >> 16) & 0xFFFF_FFFF_FFFF:012x}7{(hlc >> 4) & 0xFFF:03x}"
    return f"{head[:8]}-{head[8:12]}-{head[12:]}-{_device_tails(device)[hlc & 0xF]}"


@lru_cache(maxsize=4096)
def _device_tails(device: str) -> tuple[str, ...]:
    """The last two groups of the id, for each value of the counter's low 4 bits."""
    bits = int.from_bytes(hashlib.sha256(device.encode()).digest()[:8], "big") >> 6
    return tuple(f"{0x8000 | low << 10 | bits >> 48:04x}-{bits & 0xFFFF_FFFF_FFFF:012x}"
                 for low in range(16))


def encode_batch(ops: list[Op]) -> bytes:
    author = ops[0].author if ops else ""
    rows = [[op.name, op.entity, op.entity_id, op.fields, op.base, op.hlc]
            + ([] if op.author == author else [op.author]) for op in ops]
    return json.dumps([BATCH_VERSION, author, rows], separators=(",", ":"),
                      ensure_ascii=False).encode()


def decode_batch(data: bytes, device: str) -> list[Op]:
    """The ops of an envelope of ``device``. Raises ValueError on anything malformed, so
    that a signed but broken envelope cannot crash the fold."""
    version, author, rows = json.loads(data.decode())
    if version != BATCH_VERSION or type(author) is not str or type(rows) is not list:
        raise ValueError(f"not an op batch of version {BATCH_VERSION}")
    ops = []
    for row in rows:
        name, entity, entity_id, fields, base, hlc = row[:6]
        by = row[6] if len(row) > 6 else author
        if not (type(name) is str and type(entity) is str and type(entity_id) is str
                and type(fields) is dict and type(base) is int and type(hlc) is int
                and type(by) is str):
            raise ValueError("an op of the wrong shape")
        # Built as a plain tuple of the Op class: the same object as ``Op(...)`` without
        # its Python-level __new__ (this runs for every op received).
        ops.append(_new_tuple(Op, (op_id_for(device, hlc), name, entity, entity_id, fields,
                                   base, hlc, by, device, VERSION)))
    return ops


_new_tuple = tuple.__new__
