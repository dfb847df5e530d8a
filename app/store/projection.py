"""The projection: ops folded into the SQLModel tables of ``app/domain/model.py``.

The authoritative state while unlocked is kept in plain dicts (fast to fold: well over
50,000 ops/s); touched rows are then written to an in-memory SQLite database whose tables are
the SQLModel classes, which is what reads and queries use. ``serialize`` and ``load`` turn
that database into bytes and back, which is the (encrypted) snapshot.

Folding an op:
1. duplicates (same ``op_id``) are ignored;
2. an author not yet known is parked until membership says who they are;
3. the author's role must allow it (``app/domain/rights.py``), and an approved month is
   locked, else the op is rejected and logged in ``_rejected``;
4. each field takes its place among that field's versions; the winner by ``(hlc, device)``
   becomes the row's value; concurrent versions by different authors become conflicts.
"""

from __future__ import annotations

import gc
import hashlib
import json
import operator
import sqlite3
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import JSON, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

from app.domain.merge import Version, concurrent, wins
from app.domain.model import ENTITIES, Conflict, columns_of, defaults_of
from app.domain.ops import Op, op_scope
from app.domain.rights import may_write
from app.errors import PermissionDenied, SnapshotOutdated
from app.store.archived_index import ArchivedIndex
from app.store.history_pack import IdTable, pack, unpack
from app.store.projection_archive import ArchivedMonths

_new_tuple = tuple.__new__
CONFLICT_NS = uuid.UUID("6f1d5a40-3b7c-4d0e-9a52-1c8f6a3e2b10")
LOCKED_STATUSES = ("approved", "exported")

# Fold state that is not a table row (field histories, rejected and parked ops) travels in
# the snapshot as one compressed JSON document: parsing one document is far faster than
# a row per field version.
_STATE_DDL = "CREATE TABLE IF NOT EXISTS _state (id INTEGER PRIMARY KEY, blob BLOB)"

# A snapshot is only valid for the tables it was made with: after an update that adds a
# column, ops carrying that field must be folded again, so the store replays the log.
# ``state`` names the form of the state document (2: packed histories, ``history_pack``).
SCHEMA = hashlib.sha256(json.dumps(
    {name: columns_of(table) for name, table in sorted(ENTITIES.items())}).encode()
    + b"state 2").hexdigest()[:16]


class Projection(ArchivedMonths):
    """State of the team as folded from ops. Not thread-safe: the store serializes access."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.engine: Engine = create_engine(
            "sqlite://", creator=lambda: self.conn, poolclass=StaticPool
        )
        SQLModel.metadata.create_all(self.engine)
        self.conn.execute(_STATE_DDL)
        self.rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in ENTITIES}
        # Per entity, per field: every version, sorted by (hlc, device). Histories loaded
        # from a snapshot stay packed as JSON until an op touches their entity, so unlocking
        # a long history does not parse what today's work never looks at.
        self.histories: dict[tuple[str, str], dict[str, list[Version]]] = {}
        self._packed: dict[str, str] = {}
        self._ids = IdTable()  # the devices and authors packed histories name by number
        # Rows of signed months kept out of memory (``app/store/archive.py``): entity id →
        # month, and how to fetch a month's rows back (set by the store).
        self.archived = ArchivedIndex()
        self.archived_months: set[str] = set()
        self.archive_loader: Callable[[str], dict[str, Any]] | None = None
        # Reads may bring a month back from the UI thread while sync folds: the store
        # hands over its lock, the one folding takes (``archive.attach``).
        self.archive_lock: AbstractContextManager[Any] = threading.RLock()
        self.conflicts: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, Op] = {}
        self.rejected: dict[str, str] = {}
        self.rejected_in: dict[str, str] = {}  # op id → its scope, for checkpoint.py
        self._dirty: set[tuple[str, str]] = set()
        self._locked: dict[str, set[str]] | None = None
        self._dirty_conflicts: set[str] = set()
        # (device, author) pairs ``_device_problem`` passed; forgotten whenever a member or
        # device changes, since only that can change the answer.
        self._trusted: set[tuple[str, str]] = set()
        self._json_cols = {
            # SQLModel sets ``__table__`` on table classes at runtime; its stubs do not say so.
            name: {c.name for c in table.__table__.columns  # type: ignore[attr-defined]
                   if isinstance(c.type, JSON)}
            for name, table in ENTITIES.items()
        }
        self._defaults = {name: defaults_of(table) for name, table in ENTITIES.items()}

    # ------------------------------------------------------------------ reading
    def session(self) -> Session:
        return Session(self.engine)

    def get(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        if entity_id in self.archived:
            self.bring_back(self.archived[entity_id])
        return self.rows[entity].get(entity_id)

    def history_of(self, entity: str, entity_id: str) -> dict[str, list[Version]]:
        if entity_id in self.archived:
            self.bring_back(self.archived[entity_id])
        key = (entity, entity_id)
        history = self.histories.get(key)
        if history is None:
            packed = self._packed.pop(f"{entity}/{entity_id}", None)
            history = {} if packed is None else unpack(
                packed, self.rows[entity].get(entity_id) or {}, self._ids.ids)
            self.histories[key] = history
        return history

    def version_of(self, entity: str, entity_id: str) -> int:
        """The ``base`` an author who sees this entity now would put on an edit: the newest
        stamp among its fields (each field's history ends with its newest version)."""
        history = self.history_of(entity, entity_id)
        return max((versions[-1].hlc for versions in history.values()), default=0)

    def role_of(self, member_id: str) -> str | None:
        row = self.rows["member"].get(member_id)
        if row is None or not row.get("active", True) or row.get("deleted"):
            return None
        return str(row["role"])

    # ------------------------------------------------------------------ folding
    def check(self, op: Op) -> PermissionDenied | None:
        """Why ``op`` would be rejected, or None when it may be applied."""
        self._unarchive_for(op)
        return self._reason(op, self.role_of(op.author), self._is_bootstrap(op))

    def _reason(self, op: Op, role: str | None, bootstrap: bool) -> PermissionDenied | None:
        row = self.rows[op.entity].get(op.entity_id) if op.entity in self.rows else None
        if op.entity not in ENTITIES:
            return PermissionDenied("error.op.entity", entity=op.entity)
        if bootstrap:
            return None
        if (op.device, op.author) not in self._trusted:
            device_problem = self._device_problem(op)
            if device_problem is not None:
                return device_problem
            self._trusted.add((op.device, op.author))
        if not may_write(role, op, row):
            if role is None:
                return PermissionDenied("error.op.no_member", action=op.name)
            return PermissionDenied("error.op.role", role=role, action=op.name)
        if op.entity in ("entry", "absence") and self._month_locked(op, row):
            return PermissionDenied("error.timesheet.month_approved")
        return None

    def fold(self, ops: Iterable[Op]) -> None:
        # Folding creates many long-lived objects; the cyclic GC would rescan them again
        # and again (a third of the time on long histories) and find nothing to free.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._fold(ops)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _fold(self, ops: Iterable[Op]) -> None:
        membership_changed = False
        pending, rejected, devices = self.pending, self.rejected, self.rows["device"]
        for op in ops:
            op_id = op.op_id
            if self.archived:
                self._unarchive_for(op)
            if op_id in pending or op_id in rejected or self._applied(op):
                continue
            # Author and bootstrap are looked up once here and handed on: this loop is
            # most of an initial sync.
            role = self.role_of(op.author)
            bootstrap = self._is_bootstrap(op)
            if not bootstrap and (role is None or op.device not in devices):
                pending[op_id] = op  # see ``_must_wait``
                continue
            membership_changed |= self._apply(op, role, bootstrap)
        if membership_changed and pending:
            self._retry_pending()
        self.flush()

    def _applied(self, op: Op) -> bool:
        """Seen before? Its op id then stands in the history of one of its fields."""
        key = (op.entity, op.entity_id)
        if key not in self.histories and (
                not self._packed or f"{key[0]}/{key[1]}" not in self._packed):
            return False  # an entity never seen: the common case of an initial sync
        history = self.history_of(*key)
        op_id = op.op_id
        for name in op.fields:
            return any(v.op_id == op_id for v in history.get(name, ()))
        return False

    def _retry_pending(self) -> None:
        progress = True
        while progress and self.pending:
            progress = False
            for op_id, op in list(self.pending.items()):
                if not self._must_wait(op):
                    del self.pending[op_id]
                    self._unarchive_for(op)
                    self._apply(op, self.role_of(op.author), self._is_bootstrap(op))
                    progress = True

    def _device_problem(self, op: Op) -> PermissionDenied | None:
        """An op counts only from a live device of its author, or of an employer or proxy
        writing on the author's behalf (the shared tablet in the flat)."""
        device = self.rows["device"].get(op.device)
        if device is None or device.get("revoked") or device.get("deleted"):
            return PermissionDenied("error.op.device_unknown")
        owner = device.get("member_id")
        if owner != op.author and self.role_of(str(owner)) not in ("employer", "proxy"):
            return PermissionDenied("error.op.device_other")
        return None

    def _must_wait(self, op: Op) -> bool:
        """Ops whose author or device membership has not told us about yet are parked, so
        the outcome does not depend on the order envelopes arrive in."""
        if self._is_bootstrap(op):
            return False
        return self.role_of(op.author) is None or op.device not in self.rows["device"]

    def _is_bootstrap(self, op: Op) -> bool:
        """The team's founding: before an employer exists, the founder makes themselves
        employer; and the employer's first device registers itself."""
        if op.entity not in ("member", "device"):
            return False  # checked first: this runs for every op folded
        self_device = (op.entity == "device" and op.entity_id == op.device
                       and op.fields.get("member_id") == op.author)
        employers = [mid for mid, r in self.rows["member"].items()
                     if r.get("role") == "employer" and not r.get("deleted")]
        if not employers:
            if op.entity == "member":
                return op.entity_id == op.author and op.fields.get("role") == "employer"
            return self_device
        return (self_device and op.author in employers
                and not any(d.get("member_id") == op.author
                            for d in self.rows["device"].values()))

    def _month_locked(self, op: Op, row: dict[str, Any] | None) -> bool:
        """An entry or absence in a month whose newest timesheet version is approved or
        exported may not change (the old and the new place both count)."""
        member = (row or {}).get("member_id") or op.fields.get("member_id")
        locked = self._locked_months().get(str(member or ""))
        if not locked:
            return False
        months: set[str] = set()
        for source in (row or {}, op.fields):
            for start_key, end_key in (("start", "end"), ("start_date", "end_date")):
                if source.get(start_key):
                    months |= _months_between(source[start_key], source.get(end_key))
        return not locked.isdisjoint(months)

    def locked_months(self) -> dict[str, set[str]]:
        """Per member, the months that are signed and locked (approved or exported)."""
        return self._locked_months()

    def _locked_months(self) -> dict[str, set[str]]:
        """Per member, the months whose newest timesheet version is approved or exported;
        kept until a timesheet op changes it, since every entry op asks."""
        if self._locked is None:
            newest: dict[tuple[str, str], dict[str, Any]] = {}
            for sheet in self.rows["timesheet"].values():
                key = (sheet["member_id"], sheet["month"])
                if not sheet["deleted"] and sheet["version"] > newest.get(key, {}).get(
                        "version", 0):
                    newest[key] = sheet
            self._locked = {}
            for (member, month), sheet in newest.items():
                if sheet["status"] in LOCKED_STATUSES:
                    self._locked.setdefault(member, set()).add(month)
        return self._locked

    def _apply(self, op: Op, role: str | None, bootstrap: bool) -> bool:
        """Fold one op; True when it changed membership (roles, activity)."""
        reason = self._reason(op, role, bootstrap)
        if reason is not None:
            self.rejected[op.op_id] = reason.text("en")  # a log for diagnosis, in English
            self.rejected_in[op.op_id] = op_scope(
                op, self.rows.get(op.entity, {}).get(op.entity_id))
            return False
        entity, eid = op.entity, op.entity_id
        rows = self.rows[entity]
        row = rows.get(eid)
        if row is None:
            row = dict(self._defaults[entity])
            row["id"] = eid
            rows[eid] = row
        histories = self.history_of(entity, eid)
        hlc, device, author, base, op_id = op.hlc, op.device, op.author, op.base, op.op_id
        for name, value in op.fields.items():
            if name not in row or name == "id":
                continue  # a field of a newer app version: ignored, still kept in the log
            # ``Version(...)`` runs a Python-level __new__; this is the same tuple, built
            # in C, three times faster (an initial sync makes 600,000 of them).
            new = _new_tuple(Version, (hlc, device, author, base, op_id, value))
            history = histories.get(name)
            if history is None:  # the field's first version: nothing to merge with
                histories[name] = [new]
                row[name] = value
                continue
            for old in history:
                # Only other authors can conflict; checked first as it is the cheap part.
                if old.author != author and concurrent(new, old):
                    self._record_conflict(entity, eid, name, new, old)
            if wins(new, history[-1]):
                history.append(new)
                row[name] = value
            else:
                history.insert(_position(history, new), new)
        self._dirty.add((entity, eid))
        if entity == "timesheet":
            self._locked = None
        elif entity in ("member", "device"):
            self._trusted.clear()
        return entity == "device" or (
            entity == "member" and ("role" in op.fields or "active" in op.fields))

    def _record_conflict(self, entity: str, eid: str, name: str, a: Version, b: Version) -> None:
        winner, loser = (a, b) if wins(a, b) else (b, a)
        cid = str(uuid.uuid5(CONFLICT_NS, f"{entity}/{eid}/{name}/{loser.op_id}/{winner.op_id}"))
        if cid in self.conflicts:
            return
        self.conflicts[cid] = {
            "id": cid, "entity": entity, "entity_id": eid, "field": name,
            "winner_value": json.dumps(winner.value), "winner_author": winner.author,
            "winner_hlc": winner.hlc, "loser_value": json.dumps(loser.value),
            "loser_author": loser.author, "loser_hlc": loser.hlc, "resolved": False,
        }
        self._dirty_conflicts.add(cid)

    def resolve_conflict(self, conflict_id: str) -> None:
        """Mark a conflict as dealt with (the resolution itself is a normal op)."""
        self.conflicts[conflict_id]["resolved"] = True
        self._dirty_conflicts.add(conflict_id)
        self.flush()

    # ------------------------------------------------------------------ materializing
    def flush(self) -> None:
        """Write touched rows to the SQLite tables that queries read."""
        by_entity: dict[str, list[str]] = defaultdict(list)
        for entity, eid in self._dirty:
            by_entity[entity].append(eid)
        with self.conn:
            for entity, ids in by_entity.items():
                table = ENTITIES[entity].__tablename__
                cols = columns_of(ENTITIES[entity])
                jcols = self._json_cols[entity]
                sql = (f"INSERT OR REPLACE INTO {table} ({','.join(cols)}) "
                       f"VALUES ({','.join('?' * len(cols))})")
                rows = self.rows[entity]
                pick = operator.itemgetter(*cols)
                if jcols:
                    where = [n for n, c in enumerate(cols) if c in jcols]
                    values = []
                    for i in ids:
                        row = list(pick(rows[i]))
                        for n in where:
                            row[n] = json.dumps(row[n])
                        values.append(row)
                    self.conn.executemany(sql, values)
                else:
                    self.conn.executemany(sql, (pick(rows[i]) for i in ids))
            if self._dirty_conflicts:
                cols = columns_of(Conflict)
                self.conn.executemany(
                    f"INSERT OR REPLACE INTO conflict ({','.join(cols)}) "
                    f"VALUES ({','.join('?' * len(cols))})",
                    (tuple(self.conflicts[c][k] for k in cols) for c in self._dirty_conflicts))
        self._dirty.clear()
        self._dirty_conflicts.clear()

    def serialize(self) -> bytes:
        """The whole projection as bytes (SQLite's own format), state document included."""
        self.flush()
        packed = dict(self._packed)
        for (entity, eid), history in self.histories.items():
            if history:
                packed[f"{entity}/{eid}"] = pack(history, self._ids)
        self.archived = self.archived.compacted()
        months, records, others = self.archived.stored()
        state = {
            "schema": SCHEMA,
            "ids": self._ids.ids,
            "histories": packed,
            # The archived ids' sorted records go beside the document, as they are.
            "archived": {"months": months, "others": others,
                         "archived_months": sorted(self.archived_months)},
            "rows": self.rows, "conflicts": self.conflicts, "rejected": self.rejected,
            "rejected_in": self.rejected_in,
            "pending": [op.to_wire() for op in self.pending.values()],
        }
        # Not compressed here: the store compresses the whole snapshot once.
        blob = json.dumps(state, separators=(",", ":")).encode()
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO _state VALUES (?, ?)",
                                  [(1, blob), (2, records)])
        data = self.conn.serialize()
        with self.conn:
            self.conn.execute("DELETE FROM _state")  # only the snapshot needs it
        return data

    @classmethod
    def load(cls, data: bytes) -> Projection:
        """Rebuild from a snapshot made by ``serialize``."""
        proj = cls()
        proj.conn.deserialize(data)
        row, index = (proj.conn.execute("SELECT blob FROM _state WHERE id = ?", (n,)).fetchone()
                      for n in (1, 2))
        with proj.conn:
            proj.conn.execute("DELETE FROM _state")
        state = json.loads(row[0])
        if state.get("schema") != SCHEMA:
            raise SnapshotOutdated("error.store.snapshot_outdated")
        proj.rows.update(state["rows"])
        proj.conflicts = state["conflicts"]
        proj.rejected = state["rejected"]
        proj.rejected_in = state.get("rejected_in", {})
        proj._packed = state["histories"]
        proj._ids = IdTable(state["ids"])
        archived = state["archived"]
        if "archived_months" in archived:
            proj.archived = ArchivedIndex(archived["months"], bytes(index[0] if index else b""),
                                          archived["others"])
            proj.archived_months = set(archived["archived_months"])
        else:  # a snapshot from before the index was compact: month → entity ids
            proj.archived = ArchivedIndex.of((eid, month) for month, eids in archived.items()
                                             for eid in eids)
            proj.archived_months = set(archived)
        for raw in state["pending"]:
            op = Op.from_wire(raw)
            proj.pending[op.op_id] = op
        return proj

    def fingerprint(self) -> dict[str, Any]:
        """Everything that must be equal on replicas that saw the same ops (for tests and
        benchmarks; archived months are loaded back first)."""
        for month in sorted(self.archived_months):
            self.bring_back(month)
        return {"rows": self.rows, "conflicts": self.conflicts,
                "rejected": sorted(self.rejected)}


def _months_between(start: str, end: str | None) -> set[str]:
    """'YYYY-MM' of every month from ``start`` to ``end`` (ISO dates or times)."""
    first, last = str(start)[:7], str(end or start)[:7]
    if first == last:
        return {first}  # the common case, kept cheap: this runs for every entry op
    try:
        months: set[str] = set()
        year, month = int(first[:4]), int(first[5:7])
    except ValueError:
        return {first}  # not a date: it cannot be in a locked month
    while f"{year:04d}-{month:02d}" <= last and len(months) < 24:
        months.add(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _position(history: list[Version], new: Version) -> int:
    """Where ``new`` sorts among versions kept in (hlc, device) order."""
    for i, old in enumerate(history):
        if wins(old, new):
            return i
    return len(history)
