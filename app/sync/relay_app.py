"""The relay: a FastAPI app that stores opaque envelopes and never sees plaintext.

Endpoints (all JSON unless noted; "signed" = device request signature, see ``auth.py``):

    GET  /healthz                                   liveness and database ping
    GET  /metrics                                   Prometheus text
    GET  /openapi.json                              this API, described
    POST /v1/teams                                  create a team: {team, genesis: envelope},
                                                    signed by the genesis device itself
    POST /v1/teams/{team}/envelopes                 signed push {envelopes: [...]}; idempotent;
                                                    all or nothing → {accepted, duplicates, cursor}
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

Refusals are 4xx with ``{"error": reason}`` and store nothing. Limits: body size
(``MAX_BODY_BYTES`` → 413), page size, requests per device (429). One JSON line per request
on stderr. All state is in the database: several relay processes may share one PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from app.errors import AssistenzzeitError
from app.store.crypto import verify_signature
from app.store.envelope import GENESIS_HASH, Envelope, open_envelope, verify_envelope
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
from app.sync.relay_observe import Metrics, Observe, note_reason
from app.sync.relay_store import RelayStore, open_relay_store

log = logging.getLogger("assistenzzeit.relay")
SCOPE_RE = re.compile(r"^(membership|team|employer|member:[0-9a-f-]{36})$")


def _json_log_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def create_app(db: str | RelayStore, *, rate: float = 200.0, burst: float = 400.0) -> FastAPI:
    store = open_relay_store(db) if isinstance(db, str) else db
    set_faults(os.environ.get("ASSISTENZZEIT_RELAY_FAULT"))
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
        note_reason(request.scope, str(err)[:200])
        return JSONResponse({"error": str(err)}, 400)

    async def body_of(request: Request) -> bytes:
        body = await request.body()
        if len(body) > protocol.MAX_BODY_BYTES:
            raise Refused(413, "request body too large")
        return body

    async def signed(request: Request, team: str, admin: bool = False) -> tuple[DeviceRow, bytes]:
        body = await body_of(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        device = await run_in_threadpool(authenticate, store, team, request.headers,
                                         request.method, target, body)
        if not limiter.allow(device.device):
            raise Refused(429, "too many requests from this device; slow down")
        if admin and device.role not in protocol.ADMIN_ROLES:
            raise Refused(403, "only the employer or a proxy may do this")
        return device, body

    def parse_json(body: bytes) -> Any:
        try:
            return json.loads(body or b"{}")
        except ValueError as err:
            raise Refused(400, "the body is not JSON") from err

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
        raw = parse_json(body)
        team = str(raw.get("team", ""))
        env = protocol.envelope_from_wire(raw.get("genesis"))
        if env.team != team or env.scope != "membership" or env.seq != 1 \
                or env.prev_hash != GENESIS_HASH:
            raise Refused(400, "the genesis must be the founding device's first membership "
                               "envelope of this team")
        changes = membership_changes(env)
        dev = next((c for c in changes if c.table == "device" and c.key == env.device), None)
        if dev is None or not dev.values.get("sign_pub"):
            raise Refused(400, "the genesis does not introduce its own device")
        owner = dev.values.get("member")
        if not any(c.table == "member" and c.key == owner and c.values.get("role") == "employer"
                   for c in changes):
            raise Refused(400, "the genesis does not make the device's member the employer")
        public = bytes.fromhex(str(dev.values["sign_pub"]))
        verify_request(request, body, env.device, public)
        try:
            verify_envelope(env, public)
        except AssistenzzeitError as err:
            raise Refused(400, str(err)) from err
        if not await run_in_threadpool(store.use_nonce, env.device,
                                       request.headers.get(protocol.HEADER_NONCE.lower(), ""),
                                       now_ms(), protocol.REPLAY_WINDOW_MS):
            raise Refused(401, "replayed request (nonce seen before)")
        cursor = await run_in_threadpool(store.create_team, team, env, changes)
        return {"team": team, "cursor": cursor}

    def verify_request(request: Request, body: bytes, device: str, public: bytes) -> None:
        h = request.headers
        stamp, nonce = h.get(protocol.HEADER_TIME.lower(), ""), h.get(
            protocol.HEADER_NONCE.lower(), "")
        if h.get(protocol.HEADER_DEVICE.lower()) != device or not stamp.isdigit():
            raise Refused(401, "missing or malformed signature headers")
        if abs(now_ms() - int(stamp)) > protocol.REPLAY_WINDOW_MS:
            raise Refused(401, "the request time is outside the replay window")
        try:
            sig = bytes.fromhex(h.get(protocol.HEADER_SIG.lower(), ""))
        except ValueError as err:
            raise Refused(401, "the signature is not hex") from err
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not verify_signature(public, sig, protocol.signing_string(
                request.method, target, body, int(stamp), nonce)):
            raise Refused(401, "the request signature does not verify")

    @app.get("/v1/teams/{team}/membership")
    async def membership(team: str, request: Request) -> dict[str, Any]:
        await signed(request, team)
        return await run_in_threadpool(store.membership, team)

    # ------------------------------------------------------------------ envelopes
    @app.post("/v1/teams/{team}/envelopes", response_class=JSONResponse)
    async def push(team: str, request: Request) -> Response:
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
            raw = parse_json(body).get("envelopes")
            if not isinstance(raw, list) or len(raw) > protocol.MAX_PUSH_ENVELOPES:
                raise Refused(400, f"envelopes must be a list of at most "
                                   f"{protocol.MAX_PUSH_ENVELOPES}")
            batch = [protocol.envelope_from_wire(r) for r in raw]
            changes: list[MembershipChange] = []
            for env in batch:
                if env.team != team:
                    raise Refused(400, f"{env.label} belongs to another team")
                if env.device != device.device:
                    raise Refused(403, f"{env.label} is not this device's own")
                if not SCOPE_RE.match(env.scope):
                    raise Refused(400, f"{env.label}: unknown scope")
                try:
                    verify_envelope(env, device.sign_pub)
                except AssistenzzeitError as err:
                    raise Refused(400, f"{err}; nothing of this batch was stored") from err
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

    @app.get("/v1/teams/{team}/envelopes", response_class=Response, responses={200: {
        "content": {pull_page.MEDIA_TYPE: {}},
        "description": "a binary pull page, see app/sync/pull_page.py"}})
    async def pull(team: str, request: Request, after: int = 0,
                   limit: int = protocol.DEFAULT_PAGE) -> Response:
        device, _ = await signed(request, team)
        if not 1 <= limit <= protocol.MAX_PAGE or after < 0:
            raise Refused(400, f"limit must be 1…{protocol.MAX_PAGE}, after ≥ 0")
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

    # ------------------------------------------------------------------ invites and joins
    @app.post("/v1/teams/{team}/invites", status_code=201)
    async def add_invite(team: str, request: Request) -> dict[str, Any]:
        device, body = await signed(request, team, admin=True)
        raw = parse_json(body)
        invite, member, role = str(raw.get("invite", "")), str(raw.get("member", "")), \
            str(raw.get("role", ""))
        if not re.fullmatch(r"[0-9a-f]{64}", invite) or role not in (
                "employer", "proxy", "assistant", "payroll"):
            raise Refused(400, "invite must be 64 hex, role a known role")
        expires = int(raw.get("expires_ms") or now_ms() + 7 * 86400 * 1000)
        await run_in_threadpool(store.add_invite, team, invite, member, role, device.device,
                                expires)
        return {"invite": invite}

    @app.get("/v1/teams/{team}/invites/{invite}")
    async def invite_info(team: str, invite: str, request: Request) -> dict[str, Any]:
        limit_anonymous(request)
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
        raw = parse_json(await body_of(request))
        try:
            secret = protocol.unb64(str(raw["secret"]))
            row = {k: str(raw[k]) for k in ("device", "sign_pub", "dh_pub", "hello", "sig")}
            sign_pub = bytes.fromhex(row["sign_pub"])
            sig = bytes.fromhex(row["sig"])
        except (KeyError, ValueError) as err:
            raise Refused(400, "a join request needs secret, device, sign_pub, dh_pub, hello, "
                               "sig") from err
        invite = protocol.invite_id(secret)
        if not verify_signature(sign_pub, sig, protocol.join_signing_bytes(
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
        raw = parse_json(body).get("grants")
        if not isinstance(raw, list) or len(raw) > 5000:
            raise Refused(400, "grants must be a list")
        try:
            rows = [{"recipient": str(g["recipient"]), "scope": str(g["scope"]),
                     "epoch": int(g["epoch"]), "wrapped": str(g["wrapped"]),
                     "sig": str(g["sig"])} for g in raw]
        except (KeyError, TypeError, ValueError) as err:
            raise Refused(400, "a grant needs recipient, scope, epoch, wrapped, sig") from err
        for r in rows:
            if not verify_signature(device.sign_pub, bytes.fromhex(r["sig"]),
                                    protocol.key_grant_bytes(team, r["recipient"], r["scope"],
                                                             r["epoch"], r["wrapped"])):
                raise Refused(400, "a key grant's signature does not verify")
        stored = await run_in_threadpool(store.add_grants, team, device.device, rows)
        return {"stored": stored}

    @app.get("/v1/teams/{team}/keys")
    async def my_keys(team: str, request: Request) -> dict[str, Any]:
        device, _ = await signed(request, team)
        return {"grants": await run_in_threadpool(store.grants_for, team, device.device)}

    add_calendar_routes(app, store, signed, limit_anonymous, parse_json)

    return app


def membership_changes(env: Envelope) -> list[MembershipChange]:
    """What the relay learns from a (plaintext) membership envelope: ids, roles, keys."""
    try:
        ops = open_envelope(env, None)
    except AssistenzzeitError as err:
        raise Refused(400, str(err)) from err
    out: list[MembershipChange] = []
    for op in ops:
        f = op.fields
        if op.entity == "member":
            values: dict[str, Any] = {}
            if "role" in f:
                values["role"] = str(f["role"])
            if "active" in f or "deleted" in f:
                values["active"] = bool(f.get("active", True)) and not f.get("deleted")
            out.append(MembershipChange("member", op.entity_id, values))
        elif op.entity == "device":
            values = {k2: str(f[k1]) for k1, k2 in (("member_id", "member"),
                                                   ("sign_pub", "sign_pub"),
                                                   ("dh_pub", "dh_pub")) if k1 in f}
            if f.get("revoked") or f.get("deleted"):
                values["revoked"] = True
            out.append(MembershipChange("device", op.entity_id, values))
    return out
