"""The relay's request observer: body-size limit, one JSON log line per request, metrics.

The body limit holds while the body streams in, whatever the headers say: a declared
``Content-Length`` over it is answered 413 before anything is read, and a chunked body (no
length) is counted as it arrives and refused (``Refused(413)``, raised from ``receive`` into
the handler reading it) once it passes the limit. No endpoint ever holds more than
``max_body`` bytes of a request.

A pure ASGI middleware. Starlette's ``@app.middleware("http")`` (``BaseHTTPMiddleware``)
runs every request through a task group and memory streams, which cost about as much relay
CPU as the database work of a push; this does the same job by wrapping ``send``.

Log line (stderr, one per request): ``{"ts", "method", "route", "status", "ms", "device",
"reason"}``; ``reason`` is the refusal text an exception handler left with ``note_reason``.
Metrics (``/metrics``, Prometheus text): requests by route and status, request seconds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sync import protocol
from app.sync.relay_base import Refused

_REASON = "az.reason"
TOO_LARGE = "request body too large"
_DEVICE = protocol.HEADER_DEVICE.lower().encode()


class Metrics:
    def __init__(self) -> None:
        self._counter_lock = threading.Lock()
        self.counters: dict[str, float] = defaultdict(float)

    def inc(self, name: str, value: float = 1.0) -> None:
        with self._counter_lock:
            self.counters[name] += value

    def observe(self, route: str, status: int, seconds: float) -> None:
        with self._counter_lock:  # one lock round for the three counters of every request
            self.counters[f'az_requests_total{{route="{route}",status="{status}"}}'] += 1
            self.counters["az_request_seconds_sum"] += seconds
            self.counters["az_request_seconds_count"] += 1

    def text(self) -> str:
        with self._counter_lock:
            return "".join(f"{k} {v:g}\n" for k, v in sorted(self.counters.items()))


def note_reason(scope: Scope, reason: str) -> None:
    """Called by the exception handlers: the refusal reason for the request's log line."""
    scope[_REASON] = reason


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics, log: logging.Logger,
                 max_body: int) -> None:
        self.app, self.metrics, self.log, self.max_body = app, metrics, log, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app raises, the server's error middleware answers 500
        length = device = b""
        for key, value in scope["headers"]:
            if key == b"content-length":
                length = value
            elif key == _DEVICE:
                device = value[:36]

        received = 0

        async def receiving() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise Refused(413, TOO_LARGE)
            return message

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if length.isdigit() and int(length) > self.max_body:
                await JSONResponse({"error": TOO_LARGE}, 413)(scope, receive, sending)
            else:
                await self.app(scope, receiving, sending)
        finally:
            self._record(scope, status, time.perf_counter() - started, device)

    def _record(self, scope: Scope, status: int, seconds: float, device: bytes) -> None:
        route: Any = scope.get("route")
        path = getattr(route, "path", "unmatched")
        self.metrics.observe(path, status, seconds)
        self.log.info(json.dumps({"ts": round(time.time(), 3), "method": scope["method"],
                                  "route": path, "status": status,
                                  "ms": round(seconds * 1000, 2),
                                  "device": device.decode("latin-1"),
                                  "reason": scope.get(_REASON, "")}))
