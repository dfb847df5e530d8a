"""The relay's tables (SQLAlchemy Core, shared by the SQLite and PostgreSQL stores).

Nothing here is readable content: ids, roles, public keys, ciphertext, hashes of invite
secrets and calendar tokens, wrapped keys, request nonces — and published calendars, which
their publisher chose to make public.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Engine

md = MetaData()
teams = Table("az_teams", md, Column("team", String(64), primary_key=True),
              Column("cursor", BigInteger, nullable=False), Column("created_ms", BigInteger))
members = Table("az_members", md, Column("team", String(64), primary_key=True),
                Column("member", String(64), primary_key=True), Column("role", String(16)),
                Column("active", Boolean, nullable=False))
devices = Table("az_devices", md, Column("team", String(64), primary_key=True),
                Column("device", String(64), primary_key=True), Column("member", String(64)),
                Column("sign_pub", String(64)), Column("dh_pub", String(64)),
                Column("revoked", Boolean, nullable=False))
envelopes = Table(
    "az_envelopes", md, Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team", String(64), nullable=False), Column("cursor", BigInteger, nullable=False),
    Column("scope", String(80), nullable=False), Column("epoch", Integer, nullable=False),
    Column("device", String(64), nullable=False), Column("seq", BigInteger, nullable=False),
    Column("prev_hash", LargeBinary, nullable=False), Column("nonce", LargeBinary, nullable=False),
    Column("body", LargeBinary, nullable=False), Column("sig", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    UniqueConstraint("team", "device", "seq", name="az_env_device_seq"),
    UniqueConstraint("team", "cursor", name="az_env_cursor"))
nonces = Table("az_nonces", md, Column("device", String(64), primary_key=True),
               Column("nonce", String(64), primary_key=True),
               Column("ts", BigInteger, nullable=False, index=True))
invites = Table("az_invites", md, Column("invite", String(64), primary_key=True),
                Column("team", String(64), nullable=False), Column("member", String(64)),
                Column("role", String(16)), Column("inviter", String(64)),
                Column("expires_ms", BigInteger), Column("used_ms", BigInteger))
joins = Table("az_joins", md, Column("team", String(64), primary_key=True),
              Column("device", String(64), primary_key=True), Column("invite", String(64)),
              Column("member", String(64)), Column("sign_pub", String(64)),
              Column("dh_pub", String(64)), Column("hello", Text), Column("sig", String(128)),
              Column("created_ms", BigInteger), Column("status", String(16)))
grants = Table("az_key_grants", md, Column("id", Integer, primary_key=True, autoincrement=True),
               Column("team", String(64), nullable=False),
               Column("recipient", String(64), nullable=False),
               Column("scope", String(80), nullable=False), Column("epoch", Integer),
               Column("wrapped", Text), Column("granter", String(64)),
               Column("sig", String(128)),
               UniqueConstraint("team", "recipient", "scope", "epoch", name="az_grant_once"))
calendars = Table("az_calendars", md, Column("team", String(64), primary_key=True),
                  Column("name", String(64), primary_key=True),
                  Column("token_hash", String(64), nullable=False, unique=True),
                  Column("ics", LargeBinary, nullable=False), Column("etag", String(64)),
                  Column("updated_ms", BigInteger),
                  Column("device", String(64)))  # the publisher; NULL: from before it was kept

# Checkpoints for new devices (``relay_checkpoint.py``): the newest signed manifest of each
# device that makes them (a few per team), and the sealed pieces of those and of one upload
# in progress (only ciphertext, and membership's signed plaintext). ``az_checkpoints``, one
# per team, was its first form; a relay that has it leaves it unused.
checkpoints = Table("az_checkpoint_manifests", md,
                    Column("team", String(64), primary_key=True),
                    Column("signer", String(64), primary_key=True),
                    Column("id", String(64), nullable=False),
                    Column("cursor", BigInteger, nullable=False), Column("manifest", Text),
                    Column("sig", String(128)), Column("made_ms", BigInteger))
checkpoint_pieces = Table(
    "az_checkpoint_pieces", md, Column("team", String(64), primary_key=True),
    Column("id", String(64), primary_key=True), Column("n", Integer, primary_key=True),
    Column("scope", String(80)), Column("hash", String(64), nullable=False),
    Column("blob", LargeBinary, nullable=False))


def upgrade(engine: Engine) -> None:
    """Columns added since a table was first created (``create_all`` adds tables only)."""
    if "device" in {c["name"] for c in inspect(engine).get_columns("az_calendars")}:
        return
    # IF NOT EXISTS on PostgreSQL: several relay processes may start together.
    guard = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE az_calendars ADD COLUMN {guard}device VARCHAR(64)"))
