"""The key ring of one device, and how it is kept on disk.

    passphrase ──Scrypt(params in meta)──▶ KEK ──wraps──▶ master key
    master key ──wraps──▶ device signing key, device exchange key, scope keys (per epoch),
                          snapshot

Changing the passphrase rewraps only the master key: the log is never rewritten. A platform
keystore (PIN/biometrics) would be a second wrapper of the same master key.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field

from app.errors import DamagedKeys, IntegrityError, WrongPassphrase
from app.store import disk
from app.store.crypto import ExchangeKey, ScryptParams, SigningKey, open_sealed, random_key, seal

MASTER = "master"


@dataclass
class KeyRing:
    master: bytes
    signing: SigningKey
    exchange: ExchangeKey
    scopes: dict[tuple[str, int], bytes] = field(default_factory=dict)

    def scope_key(self, scope: str, epoch: int | None = None) -> tuple[int, bytes]:
        """(epoch, key) — the newest epoch unless one is asked for."""
        if epoch is None:
            epochs = [e for (s, e) in self.scopes if s == scope]
            if not epochs:
                raise IntegrityError("error.keys.no_scope_key", scope=scope)
            epoch = max(epochs)
        key = self.scopes.get((scope, epoch))
        if key is None:
            raise IntegrityError("error.keys.no_epoch_key", scope=scope, epoch=epoch)
        return epoch, key


def _aad(name: str) -> bytes:
    return f"assistenzzeit/key/{name}".encode()


def create(conn: sqlite3.Connection, passphrase: str, n: int) -> KeyRing:
    ring = KeyRing(random_key(), SigningKey(), ExchangeKey())
    params = ScryptParams(salt=os.urandom(16), n=n)
    disk.set_meta(conn, "kdf", json.dumps({"salt": params.salt.hex(), "n": params.n,
                                           "r": params.r, "p": params.p}))
    conn.execute("INSERT OR REPLACE INTO keys VALUES (?, ?)",
                 (MASTER, seal(params.derive(passphrase), ring.master, _aad(MASTER))))
    put(conn, ring, "device.sign", ring.signing.to_bytes())
    put(conn, ring, "device.dh", ring.exchange.to_bytes())
    return ring


def put(conn: sqlite3.Connection, ring: KeyRing, name: str, secret: bytes) -> None:
    conn.execute("INSERT OR REPLACE INTO keys VALUES (?, ?)",
                 (name, seal(ring.master, secret, _aad(name))))


def get(conn: sqlite3.Connection, ring: KeyRing, name: str) -> bytes | None:
    """A secret ``put`` earlier, or None."""
    row = conn.execute("SELECT blob FROM keys WHERE name = ?", (name,)).fetchone()
    return None if row is None else open_sealed(ring.master, row[0], _aad(name), f"key {name}")


def add_scope_key(conn: sqlite3.Connection, ring: KeyRing, scope: str, epoch: int,
                  key: bytes | None = None) -> bytes:
    key = key or random_key()
    ring.scopes[(scope, epoch)] = key
    put(conn, ring, f"scope/{epoch}/{scope}", key)
    return key


def _kdf(conn: sqlite3.Connection) -> ScryptParams:
    raw = disk.get_meta(conn, "kdf")
    if raw is None:
        raise IntegrityError("error.keys.no_kdf")
    try:
        p = json.loads(raw)
        return ScryptParams(bytes.fromhex(p["salt"]), int(p["n"]), int(p["r"]), int(p["p"]))
    except (ValueError, KeyError, TypeError) as err:
        raise IntegrityError("error.keys.kdf_damaged") from err


def unwrap_master(conn: sqlite3.Connection, passphrase: str) -> bytes:
    row = conn.execute("SELECT blob FROM keys WHERE name = ?", (MASTER,)).fetchone()
    if row is None:
        raise IntegrityError("error.keys.no_master")
    kek = _kdf(conn).derive(passphrase)
    try:
        return open_sealed(kek, row[0], _aad(MASTER), "master key")
    except IntegrityError as err:
        raise WrongPassphrase("error.passphrase.wrong") from err


def load(conn: sqlite3.Connection, passphrase: str) -> KeyRing:
    """The key ring. A key table SQLite cannot read, a missing or altered key: a
    ``DamagedKeys`` error that says so, and nothing is written."""
    try:
        master = unwrap_master(conn, passphrase)
        secrets = {name: open_sealed(master, blob, _aad(name), f"key {name}")
                   for name, blob in conn.execute("SELECT name, blob FROM keys WHERE name != ?",
                                                  (MASTER,))}
        ring = KeyRing(master, SigningKey.from_bytes(secrets.pop("device.sign")),
                       ExchangeKey.from_bytes(secrets.pop("device.dh")))
        for name, secret in secrets.items():
            if name.startswith("scope/"):
                _, epoch, scope = name.split("/", 2)
                ring.scopes[(scope, int(epoch))] = secret
    except WrongPassphrase:
        raise
    except (sqlite3.DatabaseError, IntegrityError, KeyError, ValueError, TypeError) as err:
        detail = f"{err!r}" if isinstance(err, KeyError) else str(err)
        raise DamagedKeys("error.keys.damaged", detail=detail) from err
    return ring


def change_passphrase(conn: sqlite3.Connection, old: str, new: str, n: int | None = None) -> None:
    """Rewrap the master key under a new passphrase; nothing else changes."""
    master = unwrap_master(conn, old)
    params = ScryptParams(salt=os.urandom(16), n=n or _kdf(conn).n)
    with disk.write_tx(conn):
        disk.set_meta(conn, "kdf", json.dumps({"salt": params.salt.hex(), "n": params.n,
                                               "r": params.r, "p": params.p}))
        conn.execute("UPDATE keys SET blob = ? WHERE name = ?",
                     (seal(params.derive(new), master, _aad(MASTER)), MASTER))
