"""The relay: a FastAPI app that stores opaque envelopes and never sees plaintext.

Endpoints (all JSON unless noted; "signed" = device request signature, see ``auth.py``):

    GET  /healthz                                   liveness and database ping
    GET  /metrics                                   Prometheus text
    GET  /openapi.json                              this API, described
    POST /v1/teams                                  create a team: {team, sign_pub, genesis:
                                                    envelope}, signed by the genesis device
                                                    itself (``relay_teams.py``)
    POST /v1/teams/{team}/envelopes                 signed push {envelopes: [...]}; idempotent;
                                                    all or nothing → {accepted, duplicates, cursor};
                                                    ids, seq/epoch ranges and known epochs checked
    GET  /v1/teams/{team}/envelopes?after=N&limit=M signed pull → a binary page (pull_page.py)
    GET  /v1/teams/{team}/membership                signed: member ids, roles, device keys
    POST /v1/teams/{team}/invites                   signed (employer/proxy): {invite, member,
                                                    role, expires_ms}; invite = hash of secret
    GET  /v1/teams/{team}/invites/{invite}          the inviting device's public keys
    POST /v1/teams/{team}/joins                     {secret, device, sign_pub, dh_pub, hello,
                                                    sig}: uses the invite once (409 after)
    GET  /v1/teams/{team}/joins                     signed (employer/proxy): pending requests
    POST /v1/teams/{team}/keys                      signed (employer/proxy): wrapped scope keys
    GET  /v1/teams/{team}/keys                      signed: the keys wrapped for this device
    PUT  /v1/teams/{team}/calendars/{name}          signed {ics, token?}: publish a rendered
                                                    ICS under a 256-bit token (only its hash is
                                                    stored); without token on first publish the
                                                    relay makes one → {token, path}
    DELETE /v1/teams/{team}/calendars/{name}        signed: revoke the feed (then 404)
    GET  /ics/{token}.ics                           text/calendar; ETag, If-None-Match → 304
    …/checkpoint, …/checkpoints/…, …/heads          checkpoints for new devices
                                                    (``relay_checkpoint.py``)

Refusals are 4xx with ``{"error": reason}`` and store nothing; a malformed request is one
too, its reason naming the field (``relay_wire.py``), never a 5xx. Limits: body size
(``MAX_BODY_BYTES`` → 413, counted while the body streams in), page size, requests per device
(429). Parsing, signatures and inflating run in worker threads, off the event loop. One JSON
line per request on stderr. All state is in the database: several relay processes may share
one PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from app import settings
from app.errors import AssistenzzeitError
from app.store.crypto import verify_signature
from app.store.envelope import Envelope, verify_envelope
from app.sync import protocol, pull_page
from app.sync.auth import RateLimiter, authenticate, check_call, signed_call, spending_nonce
from app.sync.relay_base import (
    DeviceRow,
    MembershipChange,
    Refused,
    fault_hook,
    now_ms,
    set_faults,
)
from app.sync.relay_calendar import add_calendar_routes
from app.sync.relay_checkpoint import add_checkpoint_routes
from app.sync.relay_observe import Metrics, Observe, note_reason
from app.sync.relay_store import RelayStore, open_relay_store
from app.sync.relay_teams import found_team, membership_changes
from app.sync.relay_wire import INT32, INT63, SCOPE_TEXT_RE, Fields, envelope, json_object, path_id

log = logging.getLogger("assistenzzeit.relay")
SCOPE_RE = re.compile(r"membership|team|employer|member:[0-9a-f-]{36}")
INVITE_RE = re.compile(r"[0-9a-f]{64}")


def _json_log_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def create_app(db: str | RelayStore, *, rate: float = 200.0, burst: float = 400.0) -> FastAPI:
    store = open_relay_store(db) if isinstance(db, str) else db
    set_faults(settings.get("relay_fault"))
    app = FastAPI(title="Assistenzzeit relay", version="1",
                  description="Stores end-to-end encrypted envelopes; never sees plaintext.")
    app.state.store = store
    # Envelope bodies are ciphertext, but on the wire they are hex in JSON: gzip takes that
    # back to about the binary size (and the repeated ids and keys to almost nothing).
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=5)
    metrics = Metrics()
    limiter = RateLimiter(rate, burst)
    if not log.handlers:
        log.addHandler(_json_log_handler())
        log.setLevel(logging.INFO)
        log.propagate = False

    # Outermost of ours: it sees every answer, the 413 for an oversized body included.
    app.add_middleware(Observe, metrics=metrics, log=log, max_body=protocol.MAX_BODY_BYTES)

    # The reason goes into the log line and the JSON body, not a header: headers are
    # latin-1, and reasons are not ("limit must be 1…2000").
    @app.exception_handler(Refused)
    async def refused(request: Request, err: Refused) -> Response:
        metrics.inc(f'az_refusals_total{{status="{err.status}"}}')
        note_reason(request.scope, str(err))
        return JSONResponse({"error": str(err)}, err.status)

    @app.exception_handler(AssistenzzeitError)
    async def bad(request: Request, err: AssistenzzeitError) -> Response:
        note_reason(request.scope, err.text("en")[:200])
        return JSONResponse({"error": err.text("en")}, 400)  # the wire speaks English

    # A query parameter FastAPI could not read: 400 naming it, in the relay's own shape.
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        reason = f"{where or 'the request'}: {first.get('msg', 'malformed')}"
        note_reason(request.scope, reason)
        return JSONResponse({"error": reason}, 400)

    async def body_of(request: Request) -> bytes:
        body = await request.body()
        if len(body) > protocol.MAX_BODY_BYTES:
            raise Refused(413, "request body too large")
        return body

    async def signed(request: Request, team: str, admin: bool = False) -> tuple[DeviceRow, bytes]:
        path_id(team, "team")
        body = await body_of(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        device = await run_in_threadpool(authenticate, store, team, request.headers,
                                         request.method, target, body)
        if not limiter.allow(device.device):
            raise Refused(429, "too many requests from this device; slow down")
        if admin and device.role not in protocol.ADMIN_ROLES:
            raise Refused(403, "only the employer or a proxy may do this")
        return device, body

    async def fields_of(body: bytes) -> Fields:
        """The body's JSON object; a large one is parsed in a worker thread."""
        raw = await run_in_threadpool(json_object, body) if len(body) > 65536 else \
            json_object(body)
        return Fields(raw)

    def limit_anonymous(request: Request) -> None:
        if not limiter.allow("ip:" + (request.client.host if request.client else "?")):
            raise Refused(429, "too many requests; slow down")

    # ------------------------------------------------------------------ health
    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"ok": store.ping()}

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics_text() -> str:
        return metrics.text()

    # ------------------------------------------------------------------ teams
    @app.post("/v1/teams", status_code=201)
    async def create_team(request: Request) -> dict[str, Any]:
        limit_anonymous(request)
        body = await body_of(request)
        # Parsing, both signatures and the bounded inflate: CPU work, in a worker thread.
        team, env, changes, nonce = await run_in_threadpool(
            found_team, request.headers, request.url.path, body)
        if not await run_in_threadpool(store.use_nonce, env.device, nonce, now_ms(),
                                       protocol.REPLAY_WINDOW_MS):
            raise Refused(401, "replayed request (nonce seen before)")
        cursor = await run_in_threadpool(store.create_team, team, env, changes)
        return {"team": team, "cursor": cursor}

    @app.get("/v1/teams/{team}/membership")
    async def membership(team: str, request: Request) -> dict[str, Any]:
        await signed(request, team)
        return await run_in_threadpool(store.membership, team)

    # ------------------------------------------------------------------ envelopes
    @app.post("/v1/teams/{team}/envelopes", response_class=JSONResponse)
    async def push(team: str, request: Request) -> Response:
        path_id(team, "team")
        body = await body_of(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        # One thread hop for the whole push: lookup, checks, verification, transaction.
        result = await run_in_threadpool(push_signed, team, request.headers, target, body)
        fault_hook("after_commit")
        return Response(json.dumps(result), media_type="application/json")

    def push_signed(team: str, headers: Any, target: str, body: bytes) -> dict[str, int]:
        call = signed_call(headers)
        device = check_call(store.device(team, call.device), call, "POST", target, body)
        with spending_nonce(store, call):
            if not limiter.allow(device.device):
                raise Refused(429, "too many requests from this device; slow down")
            raw = Fields(json_object(body)).items("envelopes", protocol.MAX_PUSH_ENVELOPES)
            batch = [envelope(Fields(r, f"envelopes[{i}]")) for i, r in enumerate(raw)]
            changes: list[MembershipChange] = []
            epochs = EpochCheck(team, device.role in protocol.ADMIN_ROLES)
            for env in batch:
                try:
                    protocol.check_header_ranges(env)
                except AssistenzzeitError as err:
                    raise Refused(400, err.text("en")) from err  # the wire speaks English
                if env.team != team:
                    raise Refused(400, f"{env.label} belongs to another team")
                if env.device != device.device:
                    raise Refused(403, f"{env.label} is not this device's own")
                if not SCOPE_RE.fullmatch(env.scope):
                    raise Refused(400, f"{env.label}: unknown scope")
                try:
                    verify_envelope(env, device.sign_pub)
                except AssistenzzeitError as err:
                    raise Refused(400, f"{err.text('en')}; nothing of this batch was stored") from err
                epochs.check(env)
                if env.scope == "membership":
                    if device.role not in protocol.ADMIN_ROLES:
                        raise Refused(403, "only the employer or a proxy may change membership")
                    changes.extend(membership_changes(env))
            batch.sort(key=lambda e: e.seq)
        # The store spends the nonce itself, with the envelopes when it can.
        accepted, dups, cursor = store.push(team, device.device, batch, changes,
                                            nonce=(call.nonce, call.stamp))
        metrics.inc("az_envelopes_pushed_total", accepted)
        return {"accepted": accepted, "duplicates": dups, "cursor": cursor}

    class EpochCheck:
        """An epoch must be one the scope has (+1 for a rotation in flight): the newest an
        employer or proxy has shown (``RelayStore.known_epoch``), or one of theirs earlier in
        this batch. Up to 2 always is (membership's 0, a scope's first key, its first
        rotation), so the common push never asks the database."""

        def __init__(self, team: str, admin: bool) -> None:
            self.team, self.admin = team, admin
            self.batch: dict[str, int] = {}  # scope → newest epoch of an admin in this batch
            self.stored: dict[str, int] = {}  # scope → RelayStore.known_epoch, asked once

        def check(self, env: Envelope) -> None:
            known = self.batch.get(env.scope, 1)
            if env.epoch > known + 1:
                if env.scope not in self.stored:
                    self.stored[env.scope] = store.known_epoch(self.team, env.scope)
                known = max(known, self.stored[env.scope])
            if env.epoch > known + 1:
                raise Refused(400, f"{env.label}: epoch {env.epoch} is unknown in this scope "
                                   f"(newest {known}); nothing of this batch was stored")
            if self.admin:
                self.batch[env.scope] = max(known, env.epoch)

    @app.get("/v1/teams/{team}/envelopes", response_class=Response, responses={200: {
        "content": {pull_page.MEDIA_TYPE: {}},
        "description": "a binary pull page, see app/sync/pull_page.py"}})
    async def pull(team: str, request: Request, after: int = 0,
                   limit: int = protocol.DEFAULT_PAGE) -> Response:
        device, _ = await signed(request, team)
        if not 1 <= limit <= protocol.MAX_PAGE or not 0 <= after <= INT63:
            raise Refused(400, f"limit must be 1…{protocol.MAX_PAGE}, after 0…{INT63}")
        allowed = protocol.scopes_for(device.role, device.member)
        rows = await run_in_threadpool(store.pull, team, after, limit)
        page = pull_page.encode_page(
            (pull_page.PageRow(r.cursor, Envelope(team, r.scope, r.epoch, r.device, r.seq,
                                                  bytes(r.prev_hash), bytes(r.nonce),
                                                  bytes(r.body), bytes(r.sig)),
                               bytes(r.hash), protocol.may_read(allowed, r.scope))
             for r in rows),
            rows[-1].cursor if rows else after, len(rows) == limit, after)
        metrics.inc("az_envelopes_pulled_total", len(rows))
        return Response(page, media_type=pull_page.MEDIA_TYPE)

    @app.get("/v1/teams/{team}/envelopes/{device}/{seq}")
    async def one_envelope(team: str, device: str, seq: int, request: Request
                           ) -> dict[str, Any]:
        """A good copy of one envelope, for a device whose own copy is damaged."""
        reader, _ = await signed(request, team)
        if not (0 < seq < 2**62 and 0 < len(device) <= 64):
            raise Refused(400, "seq must be 1…2^62 and device an id of at most 64 characters")
        env = await run_in_threadpool(store.envelope, team, device, seq)
        if env is None or not protocol.may_read(
                protocol.scopes_for(reader.role, reader.member), env.scope):
            raise Refused(404, f"no envelope {seq} of device {device[:13]} for this device")
        return {"envelope": env.to_json()}

    # ------------------------------------------------------------------ invites and joins
    @app.post("/v1/teams/{team}/invites", status_code=201)
    async def add_invite(team: str, request: Request) -> dict[str, Any]:
        device, body = await signed(request, team, admin=True)
        raw = await fields_of(body)
        invite, member = raw.text("invite", pattern=INVITE_RE), raw.ident("member")
        role = raw.text("role", max_len=16)
        if role not in protocol.ROLES:
            raise raw.refuse("role", f"must be one of {', '.join(protocol.ROLES)}")
        expires = raw.integer("expires_ms", 0, INT63, now_ms() + 7 * 86400 * 1000)
        await run_in_threadpool(store.add_invite, team, invite, member, role, device.device,
                                expires)
        return {"invite": invite}

    @app.get("/v1/teams/{team}/invites/{invite}")
    async def invite_info(team: str, invite: str, request: Request) -> dict[str, Any]:
        limit_anonymous(request)
        path_id(team, "team")
        if not INVITE_RE.fullmatch(invite):
            raise Refused(400, "invite (in the path): must be 64 hex")
        inv = await run_in_threadpool(store.invite, team, invite)
        if inv is None:
            raise Refused(404, "unknown invite")
        if inv.used_ms is not None:
            raise Refused(409, "this invite code has been used already")
        inviter = await run_in_threadpool(store.device, team, inv.inviter)
        if inviter is None or inviter.revoked:
            raise Refused(410, "the inviting device is no longer a member")
        return {"role": inv.role, "inviter": inviter.device,
                "sign_pub": inviter.sign_pub.hex(), "dh_pub": inviter.dh_pub}

    @app.post("/v1/teams/{team}/joins", status_code=201)
    async def join(team: str, request: Request) -> dict[str, Any]:
        limit_anonymous(request)
        path_id(team, "team")
        raw = await fields_of(await body_of(request))
        secret = raw.b64("secret")
        for key, size in (("sign_pub", 32), ("dh_pub", 32), ("hello", 0), ("sig", 64)):
            raw.hex(key, (size,) if size else (), max_bytes=4096)  # well-formed, or refused
        row = {k: raw.text(k, max_len=8192) for k in ("sign_pub", "dh_pub", "hello", "sig")}
        row["device"] = raw.ident("device")
        invite = protocol.invite_id(secret)
        if not await run_in_threadpool(verify_signature, bytes.fromhex(row["sign_pub"]),
                                       bytes.fromhex(row["sig"]), protocol.join_signing_bytes(
                team, invite, row["device"], row["sign_pub"], row["dh_pub"], row["hello"])):
            raise Refused(400, "the join request's signature does not verify")
        member = await run_in_threadpool(store.join, team, invite, row)
        return {"member": member, "status": "pending"}

    @app.get("/v1/teams/{team}/joins")
    async def pending_joins(team: str, request: Request) -> dict[str, Any]:
        await signed(request, team, admin=True)
        return {"joins": await run_in_threadpool(store.joins, team)}

    # ------------------------------------------------------------------ wrapped keys
    @app.post("/v1/teams/{team}/keys", status_code=201)
    async def add_keys(team: str, request: Request) -> dict[str, Any]:
        device, body = await signed(request, team, admin=True)
        raw = (await fields_of(body)).items("grants", 5000)
        rows = [grant_row(Fields(g, f"grants[{i}]")) for i, g in enumerate(raw)]
        if not await run_in_threadpool(grants_verify, team, device.sign_pub, rows):
            raise Refused(400, "a key grant's signature does not verify")
        stored = await run_in_threadpool(store.add_grants, team, device.device, rows)
        return {"stored": stored}

    @app.get("/v1/teams/{team}/keys")
    async def my_keys(team: str, request: Request) -> dict[str, Any]:
        device, _ = await signed(request, team)
        return {"grants": await run_in_threadpool(store.grants_for, team, device.device)}

    add_calendar_routes(app, store, signed, limit_anonymous, fields_of)
    add_checkpoint_routes(app, store, signed)

    return app


def grant_row(g: Fields) -> dict[str, Any]:
    """One wrapped scope key of ``POST …/keys``, every field checked."""
    g.hex("wrapped", max_bytes=4096)
    g.hex("sig", (64,))
    return {"recipient": g.ident("recipient"),
            "scope": g.text("scope", max_len=80, pattern=SCOPE_TEXT_RE),
            "epoch": g.integer("epoch", 0, INT32), "wrapped": g.text("wrapped", max_len=8192),
            "sig": g.text("sig", max_len=128)}


def grants_verify(team: str, public: bytes, rows: list[dict[str, Any]]) -> bool:
    """Every grant signed by the granting device (up to 5000 signatures: a worker thread)."""
    return all(verify_signature(public, bytes.fromhex(r["sig"]), protocol.key_grant_bytes(
        team, r["recipient"], r["scope"], r["epoch"], r["wrapped"])) for r in rows)
