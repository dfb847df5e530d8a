"""Which month each archived entity lies in, in about 18 bytes per id (issue 16).

The projection must know, for any op it folds or any row it is asked for, whether the
entity lies in an archived month (then that month comes back first). Kept as a dict, ten
years of a ten-assistant team are 146,000 ids: 6 MB of JSON in every snapshot and about
25 MB of memory, the only part of an unlock that still grew with the years.

Here the ids (UUIDs, as ``uuid7`` makes them) are one sorted byte string of records — the
16 bytes of the UUID and a 2-byte month number — searched by bisection, written to the
snapshot as it is. What changes between snapshots (a month taken out or brought back) is
kept beside it in a small dict and a set of ids taken away, and merged into the sorted
records when the snapshot is written. An id that is not a canonical UUID stays in the dict.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, MutableMapping

_RECORD = 18  # 16 bytes of UUID, 2 bytes of month number
_MONTH = struct.Struct(">H")


def _key(eid: str) -> bytes | None:
    """The UUID's 16 bytes, if ``eid`` is a UUID written as ``str(uuid.UUID)`` does."""
    if len(eid) != 36 or eid[8] != "-" or eid[13] != "-" or eid[18] != "-" or eid[23] != "-":
        return None
    try:
        raw = bytes.fromhex(eid.replace("-", ""))
    except ValueError:
        return None
    return raw if len(raw) == 16 and eid == eid.lower() else None


def _text(key: bytes) -> str:
    h = key.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class ArchivedIndex(MutableMapping[str, str]):
    """Entity id → month ('YYYY-MM') of everything archived; a dict to its users."""

    def __init__(self, months: Iterable[str] = (), records: bytes = b"",
                 others: dict[str, str] | None = None) -> None:
        self._months = list(months)
        self._records = records  # sorted by UUID
        self._count = len(records) // _RECORD
        # ``uuid7`` ids grow with time: what is made today sorts after every archived id,
        # so most lookups of a fold end at one comparison of text. (A canonical UUID's text
        # sorts as its bytes; any other text has no record at all.)
        self._first = _text(records[:16]) if records else ""
        self._last = _text(records[-_RECORD:-2]) if records else ""
        self._added: dict[str, str] = dict(others or {})
        self._removed: set[str] = set()  # ids of records taken away since

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> ArchivedIndex:
        index = cls()
        index._added.update(pairs)
        return index.compacted()

    # ---------------------------------------------------------------- the mapping
    def get(self, eid: str, default: str | None = None) -> str | None:  # type: ignore[override]
        month = self._added.get(eid)
        if month is not None:
            return month
        if not self._count or eid > self._last or eid < self._first or eid in self._removed:
            return default
        found = self._find(eid)
        return default if found is None else self._months[found]

    def __getitem__(self, eid: str) -> str:
        month = self.get(eid)
        if month is None:
            raise KeyError(eid)
        return month

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and self.get(eid) is not None

    def __setitem__(self, eid: str, month: str) -> None:
        self._added[eid] = month
        self._forget_record(eid)  # outdated by the entry in ``_added``

    def __delitem__(self, eid: str) -> None:
        if self.pop(eid, None) is None:
            raise KeyError(eid)

    def pop(self, eid: str, default: str | None = None) -> str | None:  # type: ignore[override]
        month = self.get(eid)
        if month is None:
            return default
        self._added.pop(eid, None)
        self._forget_record(eid)
        return month

    def _forget_record(self, eid: str) -> None:
        if self._count and eid not in self._removed and self._find(eid) is not None:
            self._removed.add(eid)  # only ids that have a record: ``__bool__`` counts them

    def __bool__(self) -> bool:
        return bool(self._added) or self._count > len(self._removed)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __iter__(self) -> Iterator[str]:
        yield from self._added
        for n in range(self._count):
            eid = _text(self._records[n * _RECORD:n * _RECORD + 16])
            if eid not in self._removed and eid not in self._added:
                yield eid

    # ---------------------------------------------------------------- the stored form
    def compacted(self) -> ArchivedIndex:
        """The same index with every UUID in the sorted records (for the snapshot)."""
        if not self._added and not self._removed:
            return self
        gone = {key for key in map(_key, self._removed) if key is not None}
        records = [self._records[at:at + _RECORD]
                   for at in range(0, self._count * _RECORD, _RECORD)]
        if gone:
            records = [r for r in records if r[:16] not in gone]
        months = list(self._months)  # the records' numbers stay as they are
        number = {month: n for n, month in enumerate(months)}
        others: dict[str, str] = {}
        for eid, month in self._added.items():
            key = _key(eid)
            if key is None:
                others[eid] = month
                continue
            n = number.get(month)
            if n is None:
                n = number[month] = len(months)
                months.append(month)
            records.append(key + _MONTH.pack(n))
        records.sort()
        return ArchivedIndex(months, b"".join(records), others)

    def stored(self) -> tuple[list[str], bytes, dict[str, str]]:
        """(months by number, sorted records, ids that are not UUIDs)."""
        index = self.compacted()
        return index._months, index._records, index._added

    def _find(self, eid: str) -> int | None:
        """The month number of ``eid``'s record, by bisection over the sorted records."""
        key = _key(eid)
        if key is None:
            return None
        records, lo, hi = self._records, 0, self._count
        while lo < hi:
            mid = (lo + hi) // 2
            if records[mid * _RECORD:mid * _RECORD + 16] < key:
                lo = mid + 1
            else:
                hi = mid
        at = lo * _RECORD
        if lo < self._count and records[at:at + 16] == key:
            (number,) = _MONTH.unpack_from(records, at + 16)
            return int(number)
        return None
