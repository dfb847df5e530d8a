"""Re-publish this device's calendars in the background after changes (issue #7: "re-publishes
after changes when online").

``republish_soon(services)`` returns at once; one worker thread per process uploads fresh
feeds with ``publish.republish_if_online``. Calls that arrive while it runs are folded into
one more round, so a burst of roster edits costs at most two uploads. Offline, no relay or
nothing published: nothing happens. Any failure is logged and never reaches the person.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from app.calendar.publish import republish_if_online

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_STATE = {"running": False, "again": False}


def republish_soon(services: Any) -> threading.Thread | None:
    """Start (or schedule one more round of) the background re-publish; returns the thread
    it started, or None when a running worker will pick the change up."""
    with _LOCK:
        if _STATE["running"]:
            _STATE["again"] = True
            return None
        _STATE["running"] = True
    worker = threading.Thread(target=_work, args=(services,), name="az-calendar", daemon=True)
    worker.start()
    return worker


def _work(services: Any) -> None:
    while True:
        try:
            count = republish_if_online(services)
            if count:
                log.info("re-published %d calendar(s)", count)
        except Exception:  # a calendar refresh must never break the app
            log.exception("re-publishing the calendars failed")
        with _LOCK:
            if not _STATE["again"]:
                _STATE["running"] = False
                return
            _STATE["again"] = False
