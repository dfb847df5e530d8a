"""The store's file: one SQLite database that holds nothing readable without the passphrase.

Tables: ``meta`` (ids and KDF parameters: random, meaningless without keys), ``keys`` (wrapped
keys), ``envelopes`` (own and received, signed and encrypted), ``snapshot`` (the encrypted
projection) and ``cursors`` (sync positions). WAL with ``synchronous=FULL``: a committed
clock-in survives a power cut. One writer at a time (``BEGIN IMMEDIATE``, STYLE.md #8).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
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
            raise StoreNotFound(f"no store in {directory}")
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
        raise StoreError(f"{path} is not an Assistenzzeit store or is damaged ({err})") from err
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


def insert_envelope(conn: sqlite3.Connection, env: Envelope) -> int | None:
    """Store an envelope; None when it is already there (same device and seq)."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO envelopes (team, scope, epoch, device, seq, prev_hash, nonce,"
        " body, sig) VALUES (?,?,?,?,?,?,?,?,?)",
        (env.team, env.scope, env.epoch, env.device, env.seq, env.prev_hash, env.nonce,
         env.body, env.sig))
    return cur.lastrowid if cur.rowcount else None


def iter_envelopes(conn: sqlite3.Connection, after: int = 0) -> Iterator[tuple[int, Envelope]]:
    for row in conn.execute(
            "SELECT id, team, scope, epoch, device, seq, prev_hash, nonce, body, sig"
            " FROM envelopes WHERE id > ? ORDER BY id", (after,)):
        yield row[0], Envelope(*row[1:])
