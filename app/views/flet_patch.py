"""A fix for Flet 1.0 (installed once, by the composition root in ``app.main``).

A method call on a control (``scroll_to``, ``focus``: the shell's ``_keep_place``) is
answered by the browser a moment later. When a re-render has removed that control in the
meantime (a second click, a message), Flet's ``Session.handle_invoke_method_results`` raises
"Control with ID … is not registered", which ends the session's receive loop: the tab stops
answering every later click and keystroke until it is reloaded. Here such a late answer ends
the waiting call with an error instead (its caller ignores a page that has moved on).
"""

from __future__ import annotations

import logging
from typing import Any

from flet.messaging.session import Session

log = logging.getLogger(__name__)
_original = Session.handle_invoke_method_results


def _late_answer(self: Session, control_id: int, call_id: str, result: Any,
                 error: str | None) -> None:
    if control_id in self.index:
        _original(self, control_id, call_id, result, error)
        return
    log.debug("method call %s answered after control %s was removed", call_id, control_id)
    # Flet keeps its pending calls in private fields; without them the caller still waits,
    # but the session goes on.
    calls: dict[str, Any] = getattr(self, "_Session__method_calls", {})
    results: dict[Any, Any] | None = getattr(self, "_Session__method_call_results", None)
    event = calls.pop(call_id, None)
    if event is not None and results is not None:
        results[event] = (None, f"control {control_id} was removed")
        event.set()


def install() -> None:
    """Idempotent: every session of the process shares the patched ``Session`` class."""
    Session.handle_invoke_method_results = _late_answer  # type: ignore[method-assign]
