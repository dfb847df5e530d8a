"""``app.views.flet_patch``: a method call answered after a re-render removed its control
ends that call with an error; the session goes on (unpatched Flet raised, which ended the
tab's receive loop)."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft
import pytest
from flet.messaging.session import Session

from app.views import flet_patch
from tests.conftest import run_async


class Conn:
    """What a ``Session`` needs of its connection: it records what is sent."""

    pubsubhub: Any = None

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send_message(self, message: Any) -> None:
        self.sent.append(message)


async def call_then_answer(removed: bool) -> tuple[BaseException | None, Session]:
    flet_patch.install()
    conn = Conn()
    session = Session(conn)  # type: ignore[arg-type]
    button = ft.Button("Weiter")
    session.index[button._i] = button  # mounted, as a page update registers it
    waiting = asyncio.ensure_future(session.invoke_method(button._i, "focus", None))
    await asyncio.sleep(0)  # the request goes out
    call_id = conn.sent[-1].body.call_id
    if removed:
        session.index.pop(button._i)  # what a re-render does to a replaced control
    session.handle_invoke_method_results(button._i, call_id, None, None)
    try:
        await asyncio.wait_for(waiting, 5)
    except (RuntimeError, TimeoutError) as err:
        return err, session
    return None, session


def test_late_answer_ends_the_call_not_the_session() -> None:
    error, _ = run_async(call_then_answer(removed=True))
    assert isinstance(error, RuntimeError) and "was removed" in str(error)


def test_answer_for_a_live_control_still_arrives() -> None:
    error, _ = run_async(call_then_answer(removed=False))
    assert error is None


def test_unpatched_flet_raises_on_a_late_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flet_patch, "install", lambda: None)
    monkeypatch.setattr(Session, "handle_invoke_method_results", flet_patch._original)
    with pytest.raises(RuntimeError, match="is not registered"):
        run_async(call_then_answer(removed=True))
