"""The projection's side of archived months (issue 16; the store's side is ``archive``).

``Projection`` inherits this: it takes a signed month's rows out of its tables and puts
them back, and it brings a month back before anything reads or changes its rows, so what
the app shows and how ops fold is the same as if the month had never left memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from app.domain.merge import Version
from app.domain.model import ENTITIES
from app.domain.ops import Op
from app.errors import IntegrityError
from app.store.archived_index import ArchivedIndex
from app.store.history_pack import IdTable, pack, unpack

if TYPE_CHECKING:
    from app.store.replay_archive import ReplayArchive


class ArchivedMonths:
    # Provided by ``Projection``.
    conn: sqlite3.Connection
    rows: dict[str, dict[str, dict[str, Any]]]
    histories: dict[tuple[str, str], dict[str, list[Version]]]
    _packed: dict[str, str]
    _ids: IdTable
    _dirty: set[tuple[str, str]]
    # Entity id → month of what is archived; set by ``Projection.__init__`` and ``load``.
    archived: ArchivedIndex
    archived_months: set[str]
    archive_loader: Callable[[str], dict[str, Any]] | None
    archive_lock: AbstractContextManager[Any]
    # Months a replay took out that no snapshot has written into the store's file yet
    # (``replay_archive``); the store's loader asks it first.
    scratch: ReplayArchive | None = None
    # Counts months taken out and put back: a comparison that lets go of the store's lock
    # between months sees whether the months moved meanwhile (``checkpoint_audit``).
    archive_changes: int = 0

    def flush(self) -> None:
        raise NotImplementedError

    def _unarchive_for(self, op: Op) -> None:
        """Before an op is folded, the month holding its entity comes back into memory;
        a timesheet op (a reopen) brings back its member's month too, so what the month
        shows and what may change in it is exactly as if it had never left."""
        if not self.archived:
            return
        month = self.archived.get(op.entity_id)
        if month is None and op.entity == "timesheet":
            sheet = self.rows["timesheet"].get(op.entity_id) or op.fields
            month = sheet.get("month") if sheet.get("month") in self.archived_months else None
        if month is not None:
            self.bring_back(str(month))

    def take_out(self, month: str, ids: dict[str, list[str]], sheets: list[str]
                 ) -> dict[str, Any]:
        """Remove the rows ``ids`` (per entity) of ``month`` from memory and return them
        with their packed field histories, for the archive to keep. Of the month's
        timesheets ``sheets`` only the signed document leaves: the rest of the row says
        what is locked."""
        self.flush()
        documents = {}
        for sid in sheets:
            sheet = self.rows["timesheet"][sid]
            documents[sid], sheet["document"] = sheet["document"], ""
            self.archived[sid] = month
            self._dirty.add(("timesheet", sid))
        self.flush()
        rows: dict[str, dict[str, Any]] = {}
        histories: dict[str, str] = {}
        with self.conn:
            for entity, eids in ids.items():
                table = self.rows[entity]
                rows[entity] = {eid: table.pop(eid) for eid in eids}
                for eid in eids:
                    key = f"{entity}/{eid}"
                    history = self.histories.pop((entity, eid), None)
                    text = self._packed.pop(key, None) if history is None else pack(
                        history, self._ids)
                    if text is not None:
                        histories[key] = text
                    self.archived[eid] = month
                self.conn.executemany(
                    f"DELETE FROM {ENTITIES[entity].__tablename__} WHERE id = ?",
                    ((eid,) for eid in eids))
        self.archived_months.add(month)
        self.archive_changes += 1
        return {"month": month, "ids": list(self._ids.ids), "rows": rows,
                "histories": histories, "documents": documents}

    def put_back(self, payload: dict[str, Any]) -> None:
        """The inverse of ``take_out``. Only rows archived in this month come back: a
        payload naming others (a damaged or forged archive) changes nothing."""
        month = payload["month"]
        if any(self.archived.get(eid) != month for rows in payload["rows"].values()
               for eid in rows) or any(self.archived.get(sid) != month
                                       for sid in payload["documents"]):
            raise IntegrityError("error.archive.other_month", month=month)
        self.archived_months.discard(month)
        self.archive_changes += 1
        for sid, document in payload["documents"].items():
            self.rows["timesheet"][sid]["document"] = document
            self.archived.pop(sid, None)
            self._dirty.add(("timesheet", sid))
        for entity, rows in payload["rows"].items():
            self.rows[entity].update(rows)
            for eid in rows:
                self.archived.pop(eid, None)
                self._dirty.add((entity, eid))
        # Numbered as this projection numbers (its id table only grows), histories stay
        # packed until an op or a read needs them: bringing a month back stays cheap.
        same_ids = payload["ids"] == self._ids.ids[:len(payload["ids"])]
        for key, text in payload["histories"].items():
            entity, eid = key.split("/", 1)
            if same_ids:
                self._packed[key] = text
            else:
                self.histories[(entity, eid)] = unpack(text, self.rows[entity][eid],
                                                       payload["ids"])
        self.flush()

    def bring_back(self, month: str) -> None:
        """Load an archived month into memory again (reads and ops need its rows)."""
        with self.archive_lock:
            if month not in self.archived_months:
                return
            if self.archive_loader is None:
                raise IntegrityError("error.archive.not_here", month=month)
            self.put_back(self.archive_loader(month))

    def need(self, first: str, last: str) -> None:
        """Reads of the months ``first``..``last`` ('YYYY-MM…') call this first."""
        if self.archived:
            for month in sorted(self.archived_months):  # a copy: bringing back changes it
                if first[:7] <= month <= last[:7]:
                    self.bring_back(month)

