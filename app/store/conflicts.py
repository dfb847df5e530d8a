"""Conflicts for the employer: list the open ones (described, or as stored rows) and settle
one by keeping a value.

The projection keeps the loser of two concurrent edits of one field by different authors
(``projection.conflicts``, see DESIGN.md "Merge"). Settling a conflict is a normal op
(``conflict.resolved``) that writes the chosen value, so every device converges on it; the
local ``resolved`` flag only hides it here at once.

Why "superseded" also counts as settled: the flag lives in one device's projection, not in
the log. A conflict whose field has since been written by someone who had seen both values
(the newest version's ``base`` is at least both stamps) is over on every device — including
the one that did not press the button, and after a projection rebuilt from the log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.domain.hlc import physical_ms
from app.errors import InputError, NotFound
from app.store.services import Services
from app.store.store import Change

SIDES = ("winner", "loser")


def _superseded(services: Services, c: dict[str, Any]) -> bool:
    history = services.store.projection.history_of(c["entity"], c["entity_id"])
    versions = history.get(c["field"]) or []
    if not versions:
        return False
    newest = versions[-1]
    return newest.base >= max(int(c["winner_hlc"]), int(c["loser_hlc"]))


def _name(services: Services, member_id: str) -> str:
    row = services.store.projection.get("member", member_id) or {}
    return str(row.get("display_name") or member_id[:8])


def _when(hlc: int) -> str:
    """The physical time of a stamp as local wall-clock time (what people read)."""
    return datetime.fromtimestamp(physical_ms(int(hlc)) / 1000, UTC).astimezone().strftime(
        "%Y-%m-%d %H:%M")


def open_conflicts(services: Services) -> list[dict[str, Any]]:
    """Unsettled conflicts, oldest first: entity, field, and per side value, who, when."""
    out = []
    for c in services.store.projection.conflicts.values():
        if c.get("resolved") or _superseded(services, c):
            continue
        item: dict[str, Any] = {"id": c["id"], "entity": c["entity"],
                                "entity_id": c["entity_id"], "field": c["field"]}
        for side in SIDES:
            item[side] = {"value": json.loads(c[f"{side}_value"]),
                          "who": _name(services, str(c[f"{side}_author"])),
                          "when": _when(int(c[f"{side}_hlc"])), "hlc": int(c[f"{side}_hlc"])}
        out.append(item)
    return sorted(out, key=lambda i: min(i["winner"]["hlc"], i["loser"]["hlc"]))


def open_rows(services: Services) -> list[dict[str, Any]]:
    """The open conflicts as the projection stores them (raw values, author ids), in the
    order of ``open_conflicts``."""
    rows = services.store.projection.conflicts
    return [dict(rows[c["id"]]) for c in open_conflicts(services)]


def resolve(services: Services, conflict_id: str, keep: str) -> Any:
    """Keep the ``winner`` or ``loser`` value: a new op sets the field to it (stamped after
    both, so it wins everywhere) and the conflict is marked resolved. Returns the value."""
    if keep not in SIDES:
        raise InputError("error.conflict.keep", "keep", choices=", ".join(SIDES))
    proj = services.store.projection
    conflict = proj.conflicts.get(conflict_id)
    if conflict is None:
        raise NotFound("error.conflict.unknown", id=conflict_id)
    value = json.loads(conflict[f"{keep}_value"])
    services.store.commit([Change("conflict.resolved", conflict["entity"],
                                  conflict["entity_id"], {conflict["field"]: value})])
    proj.resolve_conflict(conflict_id)
    return value
