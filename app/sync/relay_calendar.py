"""Calendar publishing on the relay (used by the calendar feature): a rendered ICS stored under
a 256-bit token of which the relay keeps only the SHA-256, so the database alone cannot be
turned into feed URLs.

    PUT    /v1/teams/{team}/calendars/{name}   signed {ics, token?} → {name, etag, token?, path?}
    DELETE /v1/teams/{team}/calendars/{name}   signed; the feed is gone (404) from then on
    GET    /ics/{token}.ics                    text/calendar, ETag; If-None-Match → 304

A calendar belongs to the device that published it: another device's PUT or DELETE of it is
refused (403), except the employer's. Revoking a device (or deactivating its member) withdraws
its feeds: ``RelayStore._apply`` deletes them with the membership change.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from app.sync import protocol
from app.sync.relay_store import Refused, RelayStore
from app.sync.relay_wire import Fields

CAL_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43,128}")  # base64url of at least 256 bits


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_calendar_routes(app: FastAPI, store: RelayStore,
                        signed: Callable[..., Awaitable[tuple[Any, bytes]]],
                        limit_anonymous: Callable[[Request], None],
                        fields_of: Callable[[bytes], Awaitable[Fields]]) -> None:
    @app.put("/v1/teams/{team}/calendars/{name}")
    async def put_calendar(team: str, name: str, request: Request) -> dict[str, Any]:
        device, body = await signed(request, team)
        _check_name(name)
        raw = await fields_of(body)
        text = raw.text("ics", max_len=protocol.MAX_BODY_BYTES)
        if not text.startswith("BEGIN:VCALENDAR"):
            raise raw.refuse("ics", "must be a rendered VCALENDAR")
        token = raw.text("token", max_len=128, pattern=TOKEN_RE, default="")
        ics = text.encode()
        etag = await run_in_threadpool(lambda: hashlib.sha256(ics).hexdigest()[:32])
        th = _token_hash(token) if token else None
        owner = (device.device, device.role == "employer")
        if not await run_in_threadpool(store.put_calendar, team, name, th, ics, etag, owner):
            token = protocol.b64(secrets.token_bytes(32))
            await run_in_threadpool(store.put_calendar, team, name, _token_hash(token), ics,
                                    etag, owner)
        out: dict[str, Any] = {"name": name, "etag": etag}
        if token:
            out.update(token=token, path=f"/ics/{token}.ics")
        return out

    @app.delete("/v1/teams/{team}/calendars/{name}")
    async def delete_calendar(team: str, name: str, request: Request) -> dict[str, Any]:
        device, _ = await signed(request, team)
        _check_name(name)
        if not await run_in_threadpool(store.delete_calendar, team, name,
                                       (device.device, device.role == "employer")):
            raise Refused(404, "no such calendar")
        return {"revoked": name}

    @app.get("/ics/{token}.ics")
    async def get_calendar(token: str, request: Request) -> Response:
        limit_anonymous(request)
        if not TOKEN_RE.fullmatch(token):
            raise Refused(404, "no such calendar")
        found = await run_in_threadpool(store.calendar_by_token, _token_hash(token))
        if found is None:
            raise Refused(404, "no such calendar")
        ics, etag = found
        quoted = f'"{etag}"'
        if quoted in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": quoted})
        return Response(ics, media_type="text/calendar; charset=utf-8",
                        headers={"ETag": quoted, "Cache-Control": "private, max-age=300"})


def _check_name(name: str) -> None:
    if not CAL_NAME_RE.fullmatch(name):
        raise Refused(400, "name (in the path): a calendar name is 1–64 of A-Z a-z 0-9 . _ -")
