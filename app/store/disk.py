"""The store's file: one SQLite database that holds nothing readable without the passphrase.

Tables: ``meta`` (ids and KDF parameters: random, meaningless without keys), ``keys`` (wrapped
keys), ``envelopes`` (own and received, signed and encrypted), ``snapshot`` (the encrypted
projection) and ``cursors`` (sync positions). WAL with ``synchronous=FULL``: a committed
clock-in survives a power cut. One writer at a time (``BEGIN IMMEDIATE``, STYLE.md #8).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.errors import StoreError, StoreNotFound
from app.store.envelope import Envelope

FILE_NAME = "assistenzzeit.db"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (name TEXT PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS envelopes (
    id INTEGER PRIMARY KEY,
    team TEXT NOT NULL, scope TEXT NOT NULL, epoch INTEGER NOT NULL,
    device TEXT NOT NULL, seq INTEGER NOT NULL, prev_hash BLOB NOT NULL,
    nonce BLOB NOT NULL, body BLOB NOT NULL, sig BLOB NOT NULL,
    UNIQUE (device, seq)
);
CREATE TABLE IF NOT EXISTS snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL, blob BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors (
    name TEXT PRIMARY KEY, value INTEGER NOT NULL
);
"""


def store_file(directory: Path) -> Path:
    return Path(directory) / FILE_NAME


def connect(directory: Path, create: bool = False) -> sqlite3.Connection:
    path = store_file(directory)
    if not path.exists():
        if not create:
            raise StoreNotFound("error.store.none", directory=directory)
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        if create:
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)",
                         (str(SCHEMA_VERSION),))
    except sqlite3.DatabaseError as err:
        raise StoreError("error.store.not_a_store", path=path, reason=err) from err
    return conn


@contextmanager
def write_tx(conn: sqlite3.Connection, durable: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction, rolled back whole on any error; durable (fsync) unless told not.

    ``durable=False`` is for what can be fetched again, i.e. pulled envelopes with their
    pull cursor: in WAL mode a commit without fsync is still atomic, a power cut can only
    lose the newest such commits (then pulled again), and the next durable commit's fsync
    makes them durable too, so nothing written later can outlive what it builds on."""
    if not durable:
        conn.execute("PRAGMA synchronous=NORMAL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        if not durable:
            conn.execute("PRAGMA synchronous=FULL")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


_INSERT_SQL = ("INSERT OR IGNORE INTO envelopes (team, scope, epoch, device, seq, prev_hash,"
               " nonce, body, sig) VALUES (?,?,?,?,?,?,?,?,?)")


def _columns(env: Envelope) -> tuple[object, ...]:
    return (env.team, env.scope, env.epoch, env.device, env.seq, env.prev_hash, env.nonce,
            env.body, env.sig)


def insert_envelope(conn: sqlite3.Connection, env: Envelope) -> int | None:
    """Store an envelope; None when it is already there (same device and seq)."""
    cur = conn.execute(_INSERT_SQL, _columns(env))
    return cur.lastrowid if cur.rowcount else None


def insert_envelopes(conn: sqlite3.Connection, envs: list[Envelope]) -> None:
    """Store many envelopes at once; those already there are left as they are."""
    conn.executemany(_INSERT_SQL, [_columns(env) for env in envs])


def insert_envelopes_at(conn: sqlite3.Connection, rows: list[tuple[int, Envelope]]) -> None:
    """Store envelopes under given row ids (history fetched after a checkpoint, below 0)."""
    conn.executemany("INSERT OR IGNORE INTO envelopes (id, team, scope, epoch, device, seq,"
                     " prev_hash, nonce, body, sig) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     [(row, *_columns(env)) for row, env in rows])


def replace_envelope(conn: sqlite3.Connection, row: int, env: Envelope) -> None:
    """Put ``env`` in row ``row`` (a good copy of a damaged envelope)."""
    conn.execute("UPDATE envelopes SET team=?, scope=?, epoch=?, device=?, seq=?, prev_hash=?,"
                 " nonce=?, body=?, sig=? WHERE id=?", (*_columns(env), row))


def envelope_at(conn: sqlite3.Connection, device: str, seq: int) -> tuple[int, Envelope] | None:
    """The stored envelope ``seq`` of ``device`` with its row, if there is one."""
    row = conn.execute(_ROW_SQL + " WHERE device = ? AND seq = ?", (device, seq)).fetchone()
    return None if row is None else (int(row[0]), Envelope(*row[1:]))


def own_envelopes(conn: sqlite3.Connection, device: str, after_seq: int,
                  limit: int) -> list[Envelope]:
    """The envelopes of ``device`` after ``after_seq``, in chain order."""
    rows = conn.execute(_ROW_SQL + " WHERE device = ? AND seq > ? ORDER BY seq LIMIT ?",
                        (device, after_seq, limit)).fetchall()
    return [Envelope(*r[1:]) for r in rows]


def last_row(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT max(id) FROM envelopes").fetchone()[0] or 0)


def drop_envelopes_after(conn: sqlite3.Connection, device: str, after_seq: int) -> None:
    conn.execute("DELETE FROM envelopes WHERE device = ? AND seq > ?", (device, after_seq))


def drop_received(conn: sqlite3.Connection, device: str) -> None:
    """Forget every envelope of other devices and where their chains stood."""
    conn.execute(CHAIN_DDL)
    conn.execute("DELETE FROM envelopes WHERE device != ?", (device,))
    conn.execute("DELETE FROM sync_chains")


def get_cursor(conn: sqlite3.Connection, name: str, default: int = 0) -> int:
    row = conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
    return default if row is None else int(row[0])


def set_cursor(conn: sqlite3.Connection, name: str, value: int) -> None:
    conn.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?)", (name, value))


# The newest envelope (seq, hash) received of each other device: what the next must continue.
CHAIN_DDL = ("CREATE TABLE IF NOT EXISTS sync_chains (device TEXT PRIMARY KEY,"
             " seq INTEGER NOT NULL, hash BLOB NOT NULL)")


def chain_tip(conn: sqlite3.Connection, device: str) -> tuple[int, bytes] | None:
    row = conn.execute("SELECT seq, hash FROM sync_chains WHERE device = ?",
                       (device,)).fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))


def set_chain_tips(conn: sqlite3.Connection, tips: list[tuple[str, int, bytes]]) -> None:
    conn.executemany("INSERT OR REPLACE INTO sync_chains VALUES (?,?,?)", tips)


_ROW_SQL = ("SELECT id, team, scope, epoch, device, seq, prev_hash, nonce, body, sig"
            " FROM envelopes")
# The same row with its text columns as raw bytes: SQLite cannot hand out text that is not
# UTF-8, and such a row must be named, not end the whole read.
_RAW_ROW_SQL = ("SELECT id, CAST(team AS BLOB), CAST(scope AS BLOB), epoch, CAST(device AS BLOB),"
                " seq, CAST(prev_hash AS BLOB), CAST(nonce AS BLOB), CAST(body AS BLOB),"
                " CAST(sig AS BLOB) FROM envelopes WHERE id = ?")
_TEXT_COLUMNS = {0: "team", 1: "scope", 3: "device"}


@dataclass(frozen=True)
class UnreadableRow:
    """An envelope row that cannot be read at all; ``device`` and ``seq`` as far as the
    (device, seq) index still tells them."""

    row: int
    device: str
    seq: int | None
    reason: str


def iter_envelopes(conn: sqlite3.Connection, after: int = 0,
                   unreadable: Callable[[UnreadableRow], None] | None = None
                   ) -> Iterator[tuple[int, Envelope]]:
    """Every envelope after row ``after``, in row order. Rows SQLite cannot read (text that
    is not UTF-8, a damaged page) go to ``unreadable`` and the rest is read row by row;
    without ``unreadable`` they raise StoreError. The common case costs nothing extra."""
    last = after
    try:
        for row in conn.execute(_ROW_SQL + " WHERE id > ? ORDER BY id", (after,)):
            last = row[0]
            yield row[0], Envelope(*row[1:])
    except sqlite3.DatabaseError as err:
        if unreadable is None:
            raise StoreError("error.store.rows_unreadable", row=last, reason=_short(err)) from err
        yield from _iter_carefully(conn, last, unreadable)


def _iter_carefully(conn: sqlite3.Connection, after: int,
                    unreadable: Callable[[UnreadableRow], None]
                    ) -> Iterator[tuple[int, Envelope]]:
    """Row by row, after a read failed. Which rows exist comes from the (device, seq) index,
    a separate part of the file that still names the envelopes of a damaged table page."""
    try:
        index = sorted(conn.execute(
            "SELECT id, CAST(device AS BLOB), seq FROM envelopes"
            " INDEXED BY sqlite_autoindex_envelopes_1 WHERE id > ?", (after,)))
    except sqlite3.DatabaseError as err:
        unreadable(UnreadableRow(after + 1, "", None, f"the envelopes after row {after}"
                                 f" cannot be read ({_short(err)})"))
        return
    for row_id, raw_device, seq in index:
        device = bytes(raw_device or b"").decode("utf-8", "replace")
        try:
            row = conn.execute(_RAW_ROW_SQL, (row_id,)).fetchone()
            yield row_id, _envelope_of(row)
        except (sqlite3.DatabaseError, ValueError, TypeError) as err:
            unreadable(UnreadableRow(int(row_id), device, seq if type(seq) is int else None,
                                     f"the row cannot be read ({_short(err)})"))


def _envelope_of(row: tuple[object, ...]) -> Envelope:
    values = list(row[1:])
    for i, name in _TEXT_COLUMNS.items():
        try:
            values[i] = bytes(values[i]).decode("utf-8")  # type: ignore[call-overload]
        except UnicodeDecodeError as err:
            raise ValueError(f"its {name} is not UTF-8 text") from err
    if not all(type(values[i]) is int for i in (2, 4)) or not all(
            type(values[i]) is bytes for i in (5, 6, 7, 8)):
        raise TypeError("a column holds a value of the wrong type")
    return Envelope(*values)  # type: ignore[arg-type]


def _short(err: Exception) -> str:
    """SQLite's message without the undecodable text it quotes (binary garbage on a screen)."""
    return str(err).split(" with text", 1)[0][:200]


# Signed months taken out of memory (``archive.py``, issue 16): sealed blobs by keyed name.
ARCHIVE_DDL = "CREATE TABLE IF NOT EXISTS archive (name TEXT PRIMARY KEY, blob BLOB NOT NULL)"


def put_archive(conn: sqlite3.Connection, name: str, blob: bytes) -> None:
    conn.execute(ARCHIVE_DDL)
    conn.execute("INSERT OR REPLACE INTO archive VALUES (?, ?)", (name, blob))


def archive_blob(conn: sqlite3.Connection, name: str) -> object:
    """The stored blob (``None`` when missing; not necessarily bytes in a damaged file)."""
    conn.execute(ARCHIVE_DDL)
    row = conn.execute("SELECT blob FROM archive WHERE name = ?", (name,)).fetchone()
    return None if row is None else row[0]
