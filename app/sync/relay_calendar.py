"""Calendar publishing on the relay (used by the calendar feature): a rendered ICS stored under
a 256-bit token of which the relay keeps only the SHA-256, so the database alone cannot be
turned into feed URLs.

    PUT    /v1/teams/{team}/calendars/{name}   signed {ics, token?} → {name, etag, token?, path?}
    DELETE /v1/teams/{team}/calendars/{name}   signed; the feed is gone (404) from then on
    GET    /ics/{token}.ics                    text/calendar, ETag; If-None-Match → 304
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

CAL_NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_calendar_routes(app: FastAPI, store: RelayStore,
                        signed: Callable[..., Awaitable[tuple[Any, bytes]]],
                        limit_anonymous: Callable[[Request], None],
                        parse_json: Callable[[bytes], Any]) -> None:
    @app.put("/v1/teams/{team}/calendars/{name}")
    async def put_calendar(team: str, name: str, request: Request) -> dict[str, Any]:
        _device, body = await signed(request, team)
        if not CAL_NAME_RE.match(name):
            raise Refused(400, "a calendar name is 1–64 of A-Z a-z 0-9 . _ -")
        raw = parse_json(body)
        ics = str(raw.get("ics", "")).encode()
        if not ics.startswith(b"BEGIN:VCALENDAR"):
            raise Refused(400, "ics must be a rendered VCALENDAR")
        token = raw.get("token")
        if token is not None and (not isinstance(token, str) or len(
                protocol.unb64(token)) < 32):
            raise Refused(400, "token must be at least 256 bits, base64url")
        etag = hashlib.sha256(ics).hexdigest()[:32]
        th = _token_hash(token) if token else None
        if not await run_in_threadpool(store.put_calendar, team, name, th, ics, etag):
            token = protocol.b64(secrets.token_bytes(32))
            await run_in_threadpool(store.put_calendar, team, name, _token_hash(token), ics,
                                    etag)
        out: dict[str, Any] = {"name": name, "etag": etag}
        if token:
            out.update(token=token, path=f"/ics/{token}.ics")
        return out

    @app.delete("/v1/teams/{team}/calendars/{name}")
    async def delete_calendar(team: str, name: str, request: Request) -> dict[str, Any]:
        await signed(request, team)
        if not await run_in_threadpool(store.delete_calendar, team, name):
            raise Refused(404, "no such calendar")
        return {"revoked": name}

    @app.get("/ics/{token}.ics")
    async def get_calendar(token: str, request: Request) -> Response:
        limit_anonymous(request)
        found = await run_in_threadpool(store.calendar_by_token, _token_hash(token))
        if found is None:
            raise Refused(404, "no such calendar")
        ics, etag = found
        quoted = f'"{etag}"'
        if quoted in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": quoted})
        return Response(ics, media_type="text/calendar; charset=utf-8",
                        headers={"ETag": quoted, "Cache-Control": "private, max-age=300"})

