"""Signed months out of memory (issue 16): the archive of closed months in the store's file.

A month whose every time entry lies in a month its assistant has signed and the employer
countersigned (approved or exported: the projection refuses changes to it) is history. When
the snapshot is written, such a month's shifts, time entries and handover notes leave the
projection, and so do the signed documents of its timesheets (the rest of a timesheet row
stays: it says which months are locked). Rows and packed field histories (``history_pack``)
go, compressed and sealed with the master key, into the ``archive`` table, and the snapshot
keeps only which entity ids are archived in which month. Memory and unlock time then follow the open months
and the master data (members, contracts, budgets, timesheets, absences), not the years.

A month comes back into memory, exactly as it left, when

* something reads it: ``Projection.need`` (``month_entries``, ``shifts_between``: a
  timesheet of 2023, an export, a Verwendungsnachweis), or
* an op touches one of its rows or its timesheet (a correction after a reopen, a repeated
  op, a late edit of an old shift): ``Projection._unarchive_for``;

it is archived again by a later snapshot if it is still closed. The log is never touched:
``check`` and a full replay fold every envelope as before, taking closed months out on the
way (``replay_archive``: compressed in memory until the next snapshot writes them here). A table name, not a month, is
what the file shows: each month's row is keyed by an HMAC of the month under the master
key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from app.errors import IntegrityError
from app.store import archive_sections, disk
from app.store.crypto import open_sealed, seal
from app.store.projection import Projection

if TYPE_CHECKING:
    from app.store.replay_archive import ReplayArchive
    from app.store.store import Store


def closed_months(proj: Projection) -> dict[str, dict[str, list[str]]]:
    """The months that may leave memory, each with its entity ids per entity."""
    locked = proj.locked_months()
    months: dict[str, dict[str, list[str]]] = {}
    still_open: set[str] = set()
    for eid, entry in proj.rows["entry"].items():
        month = str(entry["start"] or "")[:7]
        running = entry["end"] is None and not entry["deleted"]
        if running or month not in locked.get(entry["member_id"], ()):
            still_open.add(month)
        else:
            months.setdefault(month, {"entry": [], "shift": [], "handover": []})
            months[month]["entry"].append(eid)
    for month in still_open:
        months.pop(month, None)
    shift_month: dict[str, str] = {}
    for sid, shift in proj.rows["shift"].items():
        month = str(shift["start"] or "")[:7]
        if month in months:
            months[month]["shift"].append(sid)
            shift_month[sid] = month
    for hid, note in proj.rows["handover"].items():
        of_shift = shift_month.get(note.get("shift_id") or "")
        if of_shift is not None:
            months[of_shift]["handover"].append(hid)
    return months


def take_out_closed(proj: Projection) -> list[dict[str, Any]]:
    """Take the closed months out of ``proj``; their payloads (``Projection.take_out``)."""
    closed = closed_months(proj)
    if any(month in proj.archived_months for month in closed):
        # Closed again with rows that came since it left: the payload must hold them all.
        for month in proj.archived_months & set(closed):
            proj.bring_back(month)
        closed = closed_months(proj)
    sheets: dict[str, list[str]] = {}
    for sid, sheet in proj.rows["timesheet"].items():
        if sheet["month"] in closed and sheet["document"]:
            sheets.setdefault(sheet["month"], []).append(sid)
    payloads = [proj.take_out(month, ids, sheets.get(month, []))
                for month, ids in sorted(closed.items())]
    if payloads:
        # Without it the snapshot would carry the freed pages (sealed, but as large as
        # before); with little left in memory it takes milliseconds. A read running on
        # another thread makes SQLite refuse: then the pages go next time.
        with contextlib.suppress(sqlite3.OperationalError):
            proj.conn.execute("VACUUM")
    return payloads


class Taken:
    """What a snapshot writes into the archive: the months it took out of memory, and the
    months a replay took out before (``replay_archive``, not in the file yet), read one at
    a time while they are written."""

    def __init__(self, proj: Projection, fresh: list[dict[str, Any]],
                 carried: ReplayArchive | None) -> None:
        self.proj, self.fresh, self.carried = proj, fresh, carried

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self.fresh
        if self.carried is not None:
            yield from self.carried.carried(self.proj, but=(p["month"] for p in self.fresh))


def archive_closed(store: Store, lock: Any) -> Taken:
    """Take the closed months out of the projection; what ``save`` must then write."""
    proj = store.projection
    attach(store, lock)
    fresh = take_out_closed(proj)
    carried, proj.scratch = proj.scratch, None  # ``undo`` puts it back
    return Taken(proj, fresh, carried)


def save(store: Store, payloads: Iterable[dict[str, Any]]) -> None:
    """Write taken-out months (inside the snapshot's transaction)."""
    with store.exclusive() as conn:
        for payload in payloads:
            name = _name(store, payload["month"])
            data = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)
            disk.put_archive(conn, name, seal(store.ring.master, data, f"archive/{name}".encode()))


def save_sections(store: Store, months: list[dict[str, Any]]) -> None:
    """Write the archived months of a checkpoint as they came, one compressed section per
    scope (``archive_sections``): nothing is decoded or compressed again."""
    with store.exclusive() as conn:
        for month in months:
            name = _name(store, month["month"])
            data = archive_sections.encode(month["month"], month["ids"], month["sections"])
            disk.put_archive(conn, name, seal(store.ring.master, data, f"archive/{name}".encode()))


def undo(store: Store, taken: Taken) -> None:
    """The snapshot was not written: the months stay in memory (or in the replay's
    archive they came from)."""
    for payload in taken.fresh:
        taken.proj.put_back(payload)
    taken.proj.scratch = taken.carried


def load(store: Store, month: str) -> dict[str, Any]:
    """One archived month, checked: sealed under this store's master key for this month."""
    name = _name(store, month)
    try:
        with store.exclusive() as conn:
            blob = disk.archive_blob(conn, name)
    except (sqlite3.DataError, sqlite3.OperationalError) as err:  # not even a blob any more
        raise IntegrityError("error.archive.unreadable", month=month, reason=err) from err
    if not isinstance(blob, bytes):
        raise IntegrityError("error.archive.missing", month=month)
    data = open_sealed(store.ring.master, blob, f"archive/{name}".encode(),
                       f"the archived month {month}")
    if archive_sections.is_sections(data):  # as a checkpoint brought it
        payload = archive_sections.decode(data, month)
    else:
        payload = json.loads(zlib.decompress(data))
    if payload.get("month") != month:
        raise IntegrityError("error.archive.other_month", month=month)
    return payload


def attach(store: Store, lock: Any) -> None:
    """Let the projection fetch archived months from this store, under the store's lock;
    months a replay took out and no snapshot has written yet come from its ``scratch``."""
    proj = store.projection

    def loader(month: str) -> dict[str, Any]:
        if proj.scratch is not None and month in proj.scratch:
            return proj.scratch.load(month)
        return load(store, month)

    proj.archive_loader = loader
    proj.archive_lock = lock


def _name(store: Store, month: str) -> str:
    return hmac.new(store.ring.master, f"archive month {month}".encode(),
                    hashlib.sha256).hexdigest()[:32]
