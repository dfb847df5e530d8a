"""Are two projections' states equal, archived months included, one month in memory at a time
(issue 16: the check of a checkpoint compares years of state).

Equal means what ``Projection.fingerprint`` compares — every row (an archived month's rows
and signed documents as they would be brought back), the conflicts and which ops were
rejected — without bringing months back or building the history in one dict. The two sides
may have archived different months (the store archives at snapshots, a replay while it
folds, and a month read or reopened since stays in memory), so every row is looked up where
its side keeps it: the archived months of both sides in turn (``same_month``), then the rows
in memory that neither side archived (``same_rest``); a caller may let go of a lock between
those steps (``app/sync/checkpoint_audit.py``).
"""

from __future__ import annotations

from typing import Any

from app.store.projection import Projection

_KEEP = 3  # months held per side (the one compared, and a row's other month, rarely)


class Side:
    """One projection's rows, wherever they are kept."""

    def __init__(self, proj: Projection) -> None:
        self.proj = proj
        self._loaded: dict[str, dict[str, Any]] = {}

    def month(self, month: str) -> dict[str, Any] | None:
        """The archived month's payload, or None when this side keeps it in memory."""
        proj = self.proj
        if month not in proj.archived_months:
            return None
        if month not in self._loaded:
            if len(self._loaded) >= _KEEP:
                del self._loaded[next(iter(self._loaded))]
            if proj.archive_loader is None:
                raise ValueError(f"the archived month {month} cannot be loaded here")
            self._loaded[month] = proj.archive_loader(month)
        return self._loaded[month]

    def row(self, entity: str, eid: str) -> dict[str, Any] | None:
        proj = self.proj
        where = proj.archived.get(eid)
        payload = None if where is None else self.month(where)
        if payload is None:
            return proj.rows[entity].get(eid)
        if entity == "timesheet":  # the row stays in memory, its signed document is archived
            row = proj.rows["timesheet"].get(eid)
            if row is None or eid not in payload["documents"]:
                return row
            return {**row, "document": payload["documents"][eid]}
        archived: dict[str, Any] | None = payload["rows"].get(entity, {}).get(eid)
        return archived


def _rows(payload: dict[str, Any]) -> dict[str, Any]:
    """A month's rows per entity, entities without rows left out (a checkpoint's months
    name only the entities they hold)."""
    return {entity: rows for entity, rows in payload["rows"].items() if rows}


def _keys(payload: dict[str, Any] | None) -> set[tuple[str, str]]:
    if payload is None:
        return set()
    keys = {(entity, eid) for entity, rows in payload["rows"].items() for eid in rows}
    return keys | {("timesheet", sid) for sid in payload["documents"]}


def months_of(a: Projection, b: Projection) -> list[str]:
    """The months either side keeps archived, in the order ``same_month`` takes them."""
    return sorted(a.archived_months | b.archived_months)


def same_month(sa: Side, sb: Side, month: str) -> bool:
    """Are the rows that either side keeps archived in ``month`` equal on both sides?"""
    pa, pb = sa.month(month), sb.month(month)
    if pa is not None and pb is not None and _rows(pa) == _rows(pb):
        # Cut alike (the common case): equal as they are, each row being where its side's
        # index says (``take_out`` notes every id it takes). The timesheets whose documents
        # left are still compared whole, below.
        keys = _keys({"rows": {}, "documents": pa["documents"] | pb["documents"]})
    else:
        keys = _keys(pa) | _keys(pb)
    return all(sa.row(entity, eid) == sb.row(entity, eid) for entity, eid in keys)


def same_rest(a: Projection, b: Projection) -> bool:
    """Conflicts, rejected ops and the rows neither side keeps archived."""
    if a.conflicts != b.conflicts or a.rejected.keys() != b.rejected.keys():
        return False
    if a.rows.keys() != b.rows.keys():
        return False
    for entity, rows in a.rows.items():
        for eid in rows.keys() | b.rows[entity].keys():
            if eid in a.archived or eid in b.archived:
                continue  # compared with its month
            if rows.get(eid) != b.rows[entity].get(eid):
                return False
    return True


def same_state(a: Projection, b: Projection) -> bool:
    """``a.fingerprint() == b.fingerprint()``, without bringing archived months back."""
    sa, sb = Side(a), Side(b)
    return all(same_month(sa, sb, m) for m in months_of(a, b)) and same_rest(a, b)
