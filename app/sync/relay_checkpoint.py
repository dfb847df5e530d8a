"""Checkpoints on the relay (issue 16; the format is ``app/sync/checkpoint.py``).

    PUT  /v1/teams/{team}/checkpoints/{id}/pieces/{n}  signed (employer/proxy), raw body
                                                      ≤ 2 MiB: one sealed piece
    POST /v1/teams/{team}/checkpoints                 signed (employer/proxy) {manifest, sig}:
                                                      makes the uploaded pieces the posting
                                                      device's checkpoint, replacing its one
                                                      before
    GET  /v1/teams/{team}/checkpoint?signer=D         signed: {manifest, sig} of device D's
                                                      checkpoint (without D: the newest of the
                                                      team's), 404 when none
    GET  /v1/teams/{team}/checkpoints/{id}/pieces/{n} signed: the piece, 404 unless its
                                                      scope is one this device may read
    GET  /v1/teams/{team}/heads?cursor=N              signed: every device's newest
                                                      (seq, hash) at cursor ≤ N

The relay cannot read a checkpoint, but it checks what it can: the manifest is JSON of the
expected shape and bounded size, signed by the posting device itself, names this team, a
cursor it has, heads that are exactly its log's at that cursor and pieces it holds with the
hashes named. Anything else is a 4xx and changes nothing. The newest checkpoint of each
device that makes them is kept — a joining device asks for its inviter's, so another admin
device's checkpoint does not take its place —, at most ``MAX_PER_TEAM`` per team (the one of
the lowest cursor goes first, never the one just made), plus the pieces of one upload in progress (a new upload drops
an unfinished older one).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import delete, func, insert, select, update
from starlette.concurrency import run_in_threadpool

from app.store.crypto import verify_signature
from app.sync import protocol
from app.sync.checkpoint import MAX_MANIFEST_BYTES, MAX_PIECE_BYTES, MAX_PIECES, signing_bytes
from app.sync.relay_schema import checkpoint_pieces, checkpoints, envelopes, teams
from app.sync.relay_store import Refused, RelayStore
from app.sync.relay_wire import INT63, SCOPE_TEXT_RE, Fields, json_object

CID_RE = re.compile(r"[0-9a-f]{32}")
HASH_RE = re.compile(r"[0-9a-f]{64}")
MAX_HEADS = 10_000
MAX_PER_TEAM = 4  # checkpoints kept per team: one per admin device, the oldest dropped


def add_checkpoint_routes(app: FastAPI, store: RelayStore,
                          signed: Callable[..., Awaitable[tuple[Any, bytes]]]) -> None:
    pieces = CheckpointStore(store)

    @app.put("/v1/teams/{team}/checkpoints/{cid}/pieces/{n}")
    async def put_piece(team: str, cid: str, n: int, request: Request) -> dict[str, Any]:
        _, body = await signed(request, team, admin=True)
        _check_piece_path(cid, n)
        if not body:
            raise Refused(400, "a piece must not be empty")
        if len(body) > MAX_PIECE_BYTES:
            raise Refused(413, f"a piece may be at most {MAX_PIECE_BYTES} bytes")
        digest = hashlib.sha256(body).hexdigest()
        await run_in_threadpool(pieces.put_piece, team, cid, n, body, digest)
        return {"n": n, "hash": digest}

    @app.post("/v1/teams/{team}/checkpoints", status_code=201)
    async def commit(team: str, request: Request) -> dict[str, Any]:
        device, body = await signed(request, team, admin=True)
        raw = Fields(json_object(body))
        text = raw.text("manifest", max_len=MAX_MANIFEST_BYTES)
        sig = raw.hex("sig", (64,))
        if not await run_in_threadpool(verify_signature, device.sign_pub, sig,
                                       signing_bytes(text)):
            raise raw.refuse("sig", "does not verify against the posting device's key")
        manifest = parse_manifest(text, team, device.device)
        await run_in_threadpool(pieces.commit, team, manifest, text, sig.hex())
        return {"id": manifest["id"], "cursor": manifest["cursor"]}

    @app.get("/v1/teams/{team}/checkpoint")
    async def current(team: str, request: Request, signer: str = "") -> dict[str, Any]:
        await signed(request, team)
        if len(signer) > 64:
            raise Refused(400, "signer: at most 64 characters")
        found = await run_in_threadpool(pieces.current, team, signer)
        if found is None:
            raise Refused(404, "this team has no checkpoint")
        return found

    @app.get("/v1/teams/{team}/checkpoints/{cid}/pieces/{n}", response_class=Response)
    async def get_piece(team: str, cid: str, n: int, request: Request) -> Response:
        device, _ = await signed(request, team)
        _check_piece_path(cid, n)
        found = await run_in_threadpool(pieces.piece, team, cid, n)
        allowed = protocol.scopes_for(device.role, device.member)
        if found is None or not protocol.may_read(allowed, found[0]):
            raise Refused(404, f"no piece {n} of checkpoint {cid[:8]} for this device")
        return Response(found[1], media_type="application/octet-stream")

    @app.get("/v1/teams/{team}/heads")
    async def heads(team: str, request: Request, cursor: int = 0) -> dict[str, Any]:
        await signed(request, team)
        if not 0 <= cursor <= INT63:
            raise Refused(400, f"cursor must be 0…{INT63}")
        found = await run_in_threadpool(pieces.heads, team, cursor)
        return {"heads": [[d, s, h.hex()] for d, s, h in found]}


def _check_piece_path(cid: str, n: int) -> None:
    if not CID_RE.fullmatch(cid):
        raise Refused(400, "id (in the path): must be 32 lowercase hex")
    if not 0 <= n < MAX_PIECES:
        raise Refused(400, f"n (in the path): must be 0…{MAX_PIECES - 1}")


def parse_manifest(text: str, team: str, device: str) -> dict[str, Any]:
    """What the relay needs of a manifest, every field checked (400 naming it)."""
    try:
        raw = Fields(json_object(text.encode()), "manifest")
    except Refused as err:
        raise Refused(400, "manifest: must be the text of a JSON object") from err
    if raw.text("team") != team:
        raise raw.refuse("team", "must be this team")
    if raw.ident("signer") != device:
        raise raw.refuse("signer", "must be the posting device")
    cid = raw.text("id", pattern=CID_RE)
    cursor = raw.integer("cursor", 0, INT63)
    heads = []
    for i, h in enumerate(raw.items("heads", MAX_HEADS)):
        if not (isinstance(h, list) and len(h) == 3):
            raise raw.refuse(f"heads[{i}]", "must be [device, seq, hash]")
        f = Fields({"device": h[0], "seq": h[1], "hash": h[2]}, f"manifest.heads[{i}]")
        heads.append((f.ident("device"), f.integer("seq", 1, INT63),
                      bytes.fromhex(f.text("hash", pattern=HASH_RE))))
    if len({d for d, _, _ in heads}) != len(heads):
        raise raw.refuse("heads", "name each device once")
    listed = []
    for i, p in enumerate(raw.items("pieces", MAX_PIECES)):
        f = Fields(p, f"manifest.pieces[{i}]")
        listed.append((f.integer("n", i, i), f.text("scope", max_len=80, pattern=SCOPE_TEXT_RE),
                       f.text("hash", pattern=HASH_RE)))
        f.integer("epoch", 0, protocol.MAX_EPOCH)
    return {"id": cid, "cursor": cursor, "heads": heads, "pieces": listed}


class CheckpointStore:
    """The two tables, through the relay store's engine (SQLite and PostgreSQL alike)."""

    def __init__(self, store: RelayStore) -> None:
        self.store = store

    def put_piece(self, team: str, cid: str, n: int, blob: bytes, digest: str) -> None:
        with self.store._write(team) as conn:
            kept = select(checkpoints.c.id).where(checkpoints.c.team == team)
            # One upload at a time: pieces of any other unfinished upload go.
            conn.execute(delete(checkpoint_pieces).where(
                checkpoint_pieces.c.team == team, checkpoint_pieces.c.id != cid,
                checkpoint_pieces.c.id.not_in(kept)))
            conn.execute(delete(checkpoint_pieces).where(
                checkpoint_pieces.c.team == team, checkpoint_pieces.c.id == cid,
                checkpoint_pieces.c.n == n))
            conn.execute(insert(checkpoint_pieces).values(team=team, id=cid, n=n, scope=None,
                                                          hash=digest, blob=blob))

    def commit(self, team: str, manifest: dict[str, Any], text: str, sig: str) -> None:
        cid, cursor = manifest["id"], manifest["cursor"]
        signer = json.loads(text)["signer"]
        with self.store._write(team) as conn:
            top = conn.execute(select(teams.c.cursor).where(teams.c.team == team)).scalar()
            if top is None or cursor > int(top):
                raise Refused(409, f"manifest.cursor: the relay has no cursor {cursor}")
            if sorted(manifest["heads"]) != self._heads(conn, team, cursor):
                raise Refused(409, "manifest.heads: not the log's heads at that cursor")
            stored = {int(r.n): r.hash for r in conn.execute(
                select(checkpoint_pieces.c.n, checkpoint_pieces.c.hash).where(
                    checkpoint_pieces.c.team == team, checkpoint_pieces.c.id == cid))}
            if stored != {n: h for n, _, h in manifest["pieces"]}:
                raise Refused(409, "manifest.pieces: not the pieces uploaded for this id")
            for n, scope, _ in manifest["pieces"]:
                conn.execute(update(checkpoint_pieces).where(
                    checkpoint_pieces.c.team == team, checkpoint_pieces.c.id == cid,
                    checkpoint_pieces.c.n == n).values(scope=scope))
            conn.execute(delete(checkpoints).where(checkpoints.c.team == team,
                                                   checkpoints.c.signer == signer))
            conn.execute(insert(checkpoints).values(
                team=team, id=cid, signer=signer, cursor=cursor,
                manifest=text, sig=sig, made_ms=json.loads(text).get("made_ms")))
            # A few per team: the oldest others go (a device that made none for long, or is
            # gone); the one just made stays.
            others = conn.execute(select(checkpoints.c.signer).where(
                checkpoints.c.team == team, checkpoints.c.signer != signer).order_by(
                checkpoints.c.cursor.desc(), checkpoints.c.made_ms.desc(),
                checkpoints.c.signer)).scalars().all()
            for old in others[MAX_PER_TEAM - 1:]:
                conn.execute(delete(checkpoints).where(checkpoints.c.team == team,
                                                       checkpoints.c.signer == old))
            conn.execute(delete(checkpoint_pieces).where(
                checkpoint_pieces.c.team == team,
                checkpoint_pieces.c.id.not_in(
                    select(checkpoints.c.id).where(checkpoints.c.team == team))))

    def current(self, team: str, signer: str = "") -> dict[str, Any] | None:
        """The checkpoint of ``signer``, or the team's newest."""
        query = select(checkpoints.c.manifest, checkpoints.c.sig).where(
            checkpoints.c.team == team)
        if signer:
            query = query.where(checkpoints.c.signer == signer)
        with self.store._read() as conn:
            row = conn.execute(query.order_by(checkpoints.c.cursor.desc(),
                                              checkpoints.c.made_ms.desc()).limit(1)).first()
        return None if row is None else {"manifest": row.manifest, "sig": row.sig}

    def piece(self, team: str, cid: str, n: int) -> tuple[str, bytes] | None:
        """(scope, blob) of a piece of the team's committed checkpoint."""
        with self.store._read() as conn:
            row = conn.execute(select(checkpoint_pieces.c.scope, checkpoint_pieces.c.blob)
                               .join(checkpoints, (checkpoints.c.team == checkpoint_pieces.c.team)
                                     & (checkpoints.c.id == checkpoint_pieces.c.id))
                               .where(checkpoint_pieces.c.team == team,
                                      checkpoint_pieces.c.id == cid,
                                      checkpoint_pieces.c.n == n)).first()
        return None if row is None else (str(row.scope), bytes(row.blob))

    def heads(self, team: str, cursor: int) -> list[tuple[str, int, bytes]]:
        with self.store._read() as conn:
            return self._heads(conn, team, cursor)

    @staticmethod
    def _heads(conn: Any, team: str, cursor: int) -> list[tuple[str, int, bytes]]:
        newest = (select(envelopes.c.device, func.max(envelopes.c.seq).label("seq"))
                  .where(envelopes.c.team == team, envelopes.c.cursor <= cursor)
                  .group_by(envelopes.c.device).subquery())
        rows = conn.execute(select(envelopes.c.device, envelopes.c.seq, envelopes.c.hash).join(
            newest, (envelopes.c.device == newest.c.device) & (envelopes.c.seq == newest.c.seq))
            .where(envelopes.c.team == team))
        return sorted((str(d), int(s), bytes(h)) for d, s, h in rows)
