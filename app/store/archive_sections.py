"""Archived months as a joining device receives them (issue 16): kept as they came.

A checkpoint carries each archived month as one compressed *section* per scope: the rows
of that scope, their packed field histories (``history_pack``) and signed documents. A
joining device stores a month's sections as they are, sealed under its master key
(``archive.save_sections``), instead of decoding years of rows only to encode them again:
five years are 61 months that no screen needs to start. A month's sections are inflated,
checked and merged into one payload (what ``Projection.take_out`` gives) when the month is
read (``archive.load``); a later snapshot that archives it again writes the usual form.

The same merge puts the parts of a checkpoint together (``checkpoint.assemble``): rows of
one entity may come from several scopes, each with the fields that travel in it.
"""

from __future__ import annotations

import functools
import json
import struct
from typing import Any

from app.domain.model import ENTITIES, defaults_of
from app.errors import IntegrityError
from app.store import bounded
from app.store.history_pack import IdTable, pack, unpack

MAGIC = b"assistenzzeit/sections/1\n"
# What one month's section may inflate to (a month of ten assistants: well under 1 MB).
MAX_SECTION_BYTES = 64 * 1024 * 1024
_LEN = struct.Struct(">I")


@functools.cache
def row_defaults(entity: str) -> dict[str, Any]:
    """The values a new row of ``entity`` starts with (KeyError: no such entity)."""
    return defaults_of(ENTITIES[entity])


def merge(ids: IdTable, tables: dict[str, dict[str, dict[str, Any]]],
          packed: dict[str, str], rows: dict[str, Any], histories: dict[str, Any]) -> None:
    """Rows and packed histories of one scope's section into ``tables`` and ``packed``
    (numbered by ``ids``). ValueError, KeyError or TypeError when they are malformed."""
    for entity, erows in rows.items():
        defaults = row_defaults(entity)
        table = tables.setdefault(entity, {})
        for eid, fields in erows.items():
            unknown = set(fields) - set(defaults) | ({"id"} & set(fields))
            if unknown:
                raise ValueError(f"{entity} has no field {sorted(unknown)[0]!r}")
            row = table.get(eid)
            if row is None:
                row = table[eid] = {**defaults, "id": eid}
            row.update(fields)
    for key, text in histories.items():
        entity, eid = key.split("/", 1)
        row = tables[entity][eid]  # KeyError: a history without its row
        if not isinstance(text, str):
            raise TypeError(f"the history of {key} is not packed text")
        if key in packed:  # the entity's fields of another scope came first
            both = unpack(packed[key], row, ids.ids)
            both.update(unpack(text, row, ids.ids))
            packed[key] = pack(both, ids)
        else:
            packed[key] = text


def encode(month: str, ids: list[str], sections: list[bytes | memoryview]) -> bytes:
    """What the archive keeps for a month received as sections (before sealing)."""
    header = json.dumps({"month": month, "ids": ids, "sizes": [len(s) for s in sections]},
                        separators=(",", ":")).encode()
    return MAGIC + _LEN.pack(len(header)) + header + b"".join(sections)


def is_sections(data: bytes) -> bool:
    return data.startswith(MAGIC)


def decode(data: bytes, month: str) -> dict[str, Any]:
    """``month``'s payload (``month``, ``ids``, ``rows``, ``histories``, ``documents``)
    from what ``encode`` wrote; IntegrityError when a section is malformed."""
    try:
        at = len(MAGIC) + _LEN.size
        (size,) = _LEN.unpack_from(data, len(MAGIC))
        header = json.loads(data[at:at + size])
        if header["month"] != month:
            raise IntegrityError("error.archive.other_month", month=month)
        id_list = [str(i) for i in header["ids"]]
        ids = IdTable(id_list)
        payload: dict[str, Any] = {"month": month, "ids": id_list, "rows": {},
                                   "histories": {}, "documents": {}}
        at += size
        for length in header["sizes"]:
            section = json.loads(bounded.inflate(data[at:at + int(length)], wbits=15,
                                                 cap=MAX_SECTION_BYTES))
            at += int(length)
            merge(ids, payload["rows"], payload["histories"], section["rows"],
                  section["histories"])
            payload["documents"].update(section["documents"])
        if at != len(data):
            raise ValueError("bytes after the last section")
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, struct.error,
            RecursionError, bounded.TooLarge) as err:
        raise IntegrityError("error.archive.unreadable", month=month,
                             reason=f"malformed sections: {err!r}") from err
    return payload
