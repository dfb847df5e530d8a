"""Checkpoints for new devices (issue 16), the store's side: the projection cut into one part
per scope, and a projection put together again from the parts a device may read.

A part holds what the ops of its scope made: for each entity, the fields that travel in
that scope (``scope_of``) with their values and packed field histories (``history_pack``,
every version, so later ops merge and conflict exactly as after a replay), the conflicts
between versions of those fields, the ops of that scope that were rejected or are parked.
One op holds the fields of one scope (``Store._split``), so the parts do not overlap, and
the parts of the scopes a device reads give what replaying those scopes' envelopes gives:
an assistant's device gets the team scope and its own member scope, never the others.

Archived months (``archive.py``) are read one at a time while cutting, so making a
checkpoint does not bring years back into memory. The sealing, signing and the relay are
the sync side's (``app/sync/checkpoint.py``); installing and completing a started device
are ``install`` and ``backfill`` below.
"""

from __future__ import annotations

import contextlib
import functools
import json
import struct
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from app.domain.hlc import ClockSkewError
from app.domain.merge import Version
from app.domain.model import ENTITIES, columns_of
from app.domain.ops import Op, op_scope, scope_of
from app.errors import IntegrityError
from app.store import archive, archive_sections, bounded, disk
from app.store.archived_index import ArchivedIndex
from app.store.envelope import Envelope
from app.store.history_pack import IdTable, pack, unpack
from app.store.projection import SCHEMA, Projection

PART_KEYS = ("rows", "histories", "conflicts", "rejected", "pending", "months")
# What one part may inflate to on a joining device (five years of a team scope: tens of MB).
MAX_PART_BYTES = 256 * 1024 * 1024
_PART_MAGIC = b"assistenzzeit/checkpoint-part/2\n"
_LEN = struct.Struct(">I")


class Unplaceable(IntegrityError):
    """The projection holds something no scope can be named for (a rejection recorded by an
    app before checkpoints): no checkpoint is made until a full replay (``check``)."""


def field_scope(entity: str, name: str, row: dict[str, Any]) -> str:
    try:
        return scope_of(entity, name, row.get("member_id") or None)
    except ValueError:
        return "team"  # a member row without owner cannot have been sealed


def cut(proj: Projection) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """``({scope: part}, id table)`` of the whole projection. Months the projection keeps
    archived travel as months (``part["months"]``), so a joining device archives them at
    once instead of holding years in memory first. Packed histories are numbered by the
    projection's own id table (archived months by a beginning of it), so the common
    entity — all fields in one scope — goes out as it is, without unpacking."""
    parts: dict[str, dict[str, Any]] = {}
    ids = proj._ids
    owners: dict[tuple[str, str], dict[str, Any]] = {}

    def part(scope: str) -> dict[str, Any]:
        return parts.setdefault(scope, {k: ({} if k != "pending" else []) for k in PART_KEYS})

    for month in sorted(proj.archived_months):
        if proj.archive_loader is None:
            raise IntegrityError(f"the archived month {month} cannot be loaded here")
        payload = proj.archive_loader(month)
        same_ids = payload["ids"] == ids.ids[:len(payload["ids"])]

        def section(scope: str, month: str = month) -> dict[str, Any]:
            sec: dict[str, Any] = part(scope)["months"].setdefault(
                month, {"rows": {}, "histories": {}, "documents": {}})
            return sec

        for entity, rows in payload["rows"].items():
            for eid, row in rows.items():
                text = payload["histories"].get(f"{entity}/{eid}")
                if text is not None and not same_ids:
                    text = pack(unpack(text, row, payload["ids"]), ids)
                _add(section, ids, entity, eid, row, text, None)
                owners[(entity, eid)] = row
        for sid, document in payload["documents"].items():
            sheet = proj.rows["timesheet"][sid]
            section(field_scope("timesheet", "document", sheet))["documents"][sid] = document
    for entity, rows in proj.rows.items():
        for eid, row in rows.items():
            _add(part, ids, entity, eid, row, proj._packed.get(f"{entity}/{eid}"),
                 proj.histories.get((entity, eid)))
            owners[(entity, eid)] = row
    for cid, conflict in proj.conflicts.items():
        row = owners.get((conflict["entity"], conflict["entity_id"]), {})
        part(field_scope(conflict["entity"], conflict["field"], row))["conflicts"][cid] = conflict
    for op_id, reason in proj.rejected.items():
        where = proj.rejected_in.get(op_id)
        if where is None:
            raise Unplaceable(f"the rejected op {op_id} has no recorded scope")
        part(where)["rejected"][op_id] = reason
    for op in proj.pending.values():
        part(op_scope(op, owners.get((op.entity, op.entity_id))))["pending"].append(op.to_wire())
    return parts, ids.ids


def _add(section: Callable[[str], dict[str, Any]], ids: IdTable, entity: str, eid: str,
         row: dict[str, Any], packed: str | None, history: dict[str, list[Version]] | None
         ) -> None:
    """One row and its histories into the sections of the scopes its fields travel in."""
    key = f"{entity}/{eid}"
    if history is None and _one_scope(entity):
        sec = section(field_scope(entity, "id", row))
        defaults = archive_sections.row_defaults(entity)  # what assembly fills in need not travel
        sec["rows"].setdefault(entity, {})[eid] = {
            k: v for k, v in row.items() if k != "id" and (k not in defaults or v != defaults[k])}
        if packed is not None:
            sec["histories"][key] = packed
        return
    if history is None:
        history = {} if packed is None else unpack(packed, row, ids.ids)
    groups: dict[str, dict[str, list[Version]]] = {}
    for name, versions in history.items():
        groups.setdefault(field_scope(entity, name, row), {})[name] = versions
    if not groups:  # a row made by an op without fields
        groups[field_scope(entity, "id", row)] = {}
    for scope, fields in groups.items():
        sec = section(scope)
        sec["rows"].setdefault(entity, {})[eid] = {n: row[n] for n in fields}
        if fields:
            sec["histories"][key] = pack(fields, ids)


@functools.cache
def _one_scope(entity: str) -> bool:
    """Do all fields of ``entity`` travel in one scope (given its owner)?"""
    cols = [c for c in columns_of(ENTITIES[entity]) if c != "id"]
    return len({field_scope(entity, c, {"member_id": "owner"}) for c in cols}) <= 1


def encode_part(part: dict[str, Any]) -> bytes:
    """A part for the wire: its compressed JSON, then each archived month's section
    compressed on its own (``archive_sections``: a joining device stores them as they
    are), indexed in the JSON by offset, size, entity ids and timesheet documents."""
    index: dict[str, dict[str, Any]] = {}
    sections: list[bytes] = []
    at = 0
    for month, sec in sorted(part["months"].items()):
        blob = zlib.compress(json.dumps(sec, separators=(",", ":")).encode(), 6)
        index[month] = {"at": at, "size": len(blob), "documents": sorted(sec["documents"]),
                        "ids": sorted(eid for rows in sec["rows"].values() for eid in rows)}
        sections.append(blob)
        at += len(blob)
    head = zlib.compress(json.dumps({**part, "months": index}, separators=(",", ":")).encode(),
                         6)
    return _PART_MAGIC + _LEN.pack(len(head)) + head + b"".join(sections)


def decode_part(data: bytes) -> dict[str, Any]:
    """A part as ``encode_part`` wrote it, inflated in bounded memory; each month of
    ``months`` gets its section's bytes as ``blob``, not inflated. IntegrityError else."""
    try:
        if not data.startswith(_PART_MAGIC):
            raise ValueError("not a checkpoint part")
        start = len(_PART_MAGIC) + _LEN.size
        (size,) = _LEN.unpack_from(data, len(_PART_MAGIC))
        part = json.loads(bounded.inflate(data[start:start + size], wbits=15,
                                          cap=MAX_PART_BYTES))
        area = memoryview(data)[start + size:]
        if not isinstance(part, dict) or any(not isinstance(part.get(k), dict | list)
                                             for k in PART_KEYS):
            raise ValueError("a checkpoint part lacks its sections")
        end = 0
        for month, entry in part["months"].items():
            at, length = entry["at"], entry["size"]
            if not (isinstance(at, int) and isinstance(length, int)
                    and 0 <= at <= at + length <= len(area)):
                raise ValueError(f"the section of {month} lies outside the part")
            if not all(isinstance(i, str) for i in [*entry["ids"], *entry["documents"]]):
                raise ValueError(f"the index of {month} names an id that is not text")
            entry["blob"] = area[at:at + length]  # a view: the section is not copied
            end = max(end, at + length)
        if end != len(area):
            raise ValueError("bytes in the part that no month names")
    except (ValueError, KeyError, TypeError, RecursionError, struct.error,
            bounded.TooLarge) as err:
        raise IntegrityError(f"a checkpoint part does not decode ({err})") from err
    return part


def assemble(parts: Iterable[dict[str, Any]], ids: list[str], schema: str
             ) -> tuple[Projection, list[dict[str, Any]]]:
    """The projection of the parts (those of the scopes this device reads), and the
    archived months as ``archive.save_sections`` keeps them: each month's sections as they
    came (the projection knows their rows as archived, from the parts' index)."""
    if schema != SCHEMA:
        raise IntegrityError("the checkpoint was made by another app version")
    proj = Projection()
    proj._ids = IdTable(ids)
    months: dict[str, dict[str, Any]] = {}
    documents: dict[str, str] = {}  # timesheet id → month of its archived signed document
    archived: dict[str, str] = {}  # entity or timesheet id → month, for ``proj.archived``
    try:
        for part in parts:
            archive_sections.merge(proj._ids, proj.rows, proj._packed, part["rows"],
                                   part["histories"])
            proj.conflicts.update(part["conflicts"])
            proj._dirty_conflicts.update(part["conflicts"])
            proj.rejected.update(part["rejected"])
            for raw in part["pending"]:
                op = Op.from_wire(raw)
                proj.pending[op.op_id] = op
            for month, entry in part["months"].items():
                m = months.setdefault(str(month), {"month": str(month), "ids": list(ids),
                                                   "sections": []})
                m["sections"].append(entry["blob"])
                archived.update(dict.fromkeys(entry["ids"], str(month)))
                documents.update(dict.fromkeys(entry["documents"], str(month)))
                proj.archived_months.add(str(month))
        for sid, month in documents.items():
            if proj.rows["timesheet"][sid]["document"]:
                raise ValueError(f"timesheet {sid} has its document twice")
            archived[sid] = month
        proj.archived = ArchivedIndex.of(archived.items())
        proj._dirty.update((e, i) for e, rows in proj.rows.items() for i in rows)
        proj.flush()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise IntegrityError(f"a checkpoint part is malformed ({err!r})") from err
    except Exception as err:  # sqlite3 refusing a value of the wrong type, and the like
        raise IntegrityError(f"a checkpoint part does not load ({err})") from err
    return proj, list(months.values())


# ---------------------------------------------------------------------- a started device
def install(store: Any, proj: Projection, months: list[dict[str, Any]],
            heads: list[tuple[str, int, bytes]], cursor: int, newest: int,
            record: dict[str, Any]) -> None:
    """Start a fresh device from a checked checkpoint: its projection, the chain heads the
    tail must continue, the relay cursor it covers. Only a device that holds no envelope
    yet can start so; the next pull then fetches only the tail."""
    with store.exclusive() as conn:
        conn.execute(disk.CHAIN_DDL)
        if store.envelope_count() or disk.get_cursor(conn, "pull", 0):
            raise IntegrityError("only a device that has received nothing yet starts from a "
                                 "checkpoint")
        with contextlib.suppress(ClockSkewError):  # as ingest: never jump to a future stamp
            store.hlc.receive(newest)  # and never stamp an edit below what the team wrote
        # The state first: a crash before the cursor is written leaves a device that
        # starts again (from the checkpoint, or by folding the log over the same state).
        with store.transaction():
            archive.save_sections(store, months)  # sealed under this device's master key
        store.adopt(proj)
        store.write_snapshot()
        with disk.write_tx(conn):
            disk.set_chain_tips(conn, [h for h in heads if h[0] != store.device_id])
            disk.set_cursor(conn, "pull", cursor)
            disk.set_meta(conn, "hlc", str(store.hlc.last))
            disk.set_meta(conn, "checkpoint", json.dumps({**record, "state": "started"}))


def record(store: Any) -> dict[str, Any] | None:
    """What this device knows of the checkpoint it started from (``state``: started,
    verified or refused), None for a device that replayed everything."""
    raw = store.meta("checkpoint")
    return json.loads(raw) if raw else None


def set_state(store: Any, state: str, reason: str = "") -> None:
    rec = record(store) or {}
    store.set_meta({"checkpoint": json.dumps({**rec, "state": state, "reason": reason})})


def store_history(store: Any, rows: list[tuple[int, Envelope]], cursor: int) -> None:
    """Keep envelopes from before the checkpoint (relay cursor ≤ ``cursor``) under row ids
    below 0, in relay order: a full replay (``Store.replay``, ``check``) then folds them
    before the tail, as a device that synced from the start would."""
    with store.transaction(durable=False) as conn:
        disk.insert_envelopes_at(conn, [(c - cursor - 1, env) for c, env in rows])


def forget_received(store: Any) -> None:
    """Undo a start from a checkpoint: keep only this device's own envelopes, pull from
    the start again (the next sync replays the whole log)."""
    with store.exclusive() as conn:
        with disk.write_tx(conn):
            disk.drop_received(conn, store.device_id)
            disk.set_cursor(conn, "pull", 0)
        store.replay()
        store.write_snapshot()
