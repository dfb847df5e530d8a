"""The compact form of field histories in a snapshot (issue 16).

A field history is every version of one field, each ``Version(hlc, device, author, base,
op_id, value)``. Written out as it is, a version repeats two 36-character ids and a third
derived from them, and the winner repeats the row's value: on a five-year history that was
91 of the snapshot's 116 MB. Packed, per entity:

    [[hlc, device#, author#, base, …], {field: [stamp#, …, [stamp#, value], …]}]

* the ops that wrote the entity are listed once as *stamps* (four numbers each), shared by
  all the fields an op set; devices and authors are indexes into one table of ids that the
  snapshot carries once (``IdTable``);
* the op id is not stored: it is ``op_id_for(device, hlc)`` (``app/domain/ops.py``);
* the winner, always the last version, is a bare stamp number: its value is the row's;
  losing versions (kept for conflicts) carry their value.

Packing is exact: ``unpack(pack(h)) == h`` for every history whose last values are the
row's, which the projection guarantees (the winner's value is what the row holds).
"""

from __future__ import annotations

import json
from typing import Any

from app.domain.merge import Version
from app.domain.ops import op_id_for

_new_tuple = tuple.__new__


class IdTable:
    """Device and member ids by number, so a packed history names each by an int."""

    def __init__(self, ids: list[str] | None = None) -> None:
        self.ids: list[str] = list(ids or [])
        self._index = {value: n for n, value in enumerate(self.ids)}

    def number(self, value: str) -> int:
        n = self._index.get(value)
        if n is None:
            n = self._index[value] = len(self.ids)
            self.ids.append(value)
        return n


def pack(history: dict[str, list[Version]], table: IdTable) -> str:
    """One entity's field histories as a compact JSON text."""
    stamps: list[int] = []
    seen: dict[tuple[int, str, str, int], int] = {}
    fields: dict[str, list[Any]] = {}
    for name, versions in history.items():
        packed: list[Any] = []
        for n, v in enumerate(versions):
            key = (v.hlc, v.device, v.author, v.base)
            stamp = seen.get(key)
            if stamp is None:
                stamp = seen[key] = len(seen)
                stamps += [v.hlc, table.number(v.device), table.number(v.author), v.base]
            packed.append(stamp if n == len(versions) - 1 else [stamp, v.value])
        fields[name] = packed
    return json.dumps([stamps, fields], separators=(",", ":"))


def unpack(text: str, row: dict[str, Any], ids: list[str]) -> dict[str, list[Version]]:
    """The histories ``pack`` wrote; winners take their value from ``row``."""
    flat, fields = json.loads(text)
    stamps = [(flat[i], ids[flat[i + 1]], ids[flat[i + 2]], flat[i + 3])
              for i in range(0, len(flat), 4)]
    history: dict[str, list[Version]] = {}
    for name, packed in fields.items():
        versions = []
        for item in packed:
            stamp, value = (item, row.get(name)) if isinstance(item, int) else item
            hlc, device, author, base = stamps[stamp]
            versions.append(_new_tuple(Version, (hlc, device, author, base,
                                                 op_id_for(device, hlc), value)))
        history[name] = versions
    return history
