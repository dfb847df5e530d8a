"""View tests without a browser: a real store in a temp folder and a stand-in for the shell
(``FakeApp``) that records navigation and messages, so a screen's ``build(app)`` and its
handlers can be exercised directly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from app.errors import AssistenzzeitError
from app.store import demo
from app.store.services import Services
from app.store.store import Store
from app.views.state import Session, StoreHolder

TODAY = date(2026, 3, 11)  # a Wednesday


class FakePage:
    """The part of ``ft.Page`` screens use: dialogs (kept in a list) and background tasks."""

    def __init__(self) -> None:
        self.width = 1280
        self.dialogs: list[Any] = []

    def show_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog)

    def pop_dialog(self) -> Any:
        return self.dialogs.pop() if self.dialogs else None

    def run_task(self, handler: Any, *args: Any) -> None:
        pass  # focus and scroll restores: nothing to restore without a browser


class FakeApp:
    """A ``views.host.Host`` for tests: records navigation, messages and renders."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.page = FakePage()
        self.went: list[tuple[str, dict[str, Any]]] = []
        self.messages: list[tuple[str, bool]] = []
        self.renders = 0
        self.phone = False

    @property
    def services(self) -> Services:
        return self.session.services

    def t(self, key: str, **values: object) -> str:
        return self.session.t(key, **values)

    def go(self, screen: str, **params: Any) -> None:
        self.session.screen, self.session.params = screen, params
        self.went.append((screen, params))

    def home(self) -> str:
        return "roster" if self.session.is_employer else "today"

    def act(self, action: Callable[[], object], ok_key: str | None = None, *,
            focus: str | None = None, form: dict[str, Any] | None = None,
            **ok_values: object) -> bool:
        try:
            with self.as_member():
                action()
        except AssistenzzeitError as err:
            key = str(getattr(err, "field", "") or "")
            if form is not None and key in form:  # as the shell: at the form's field
                form["_error"] = (key, str(err))
                return False
            self.messages.append((str(err), True))
            return False
        if ok_key:
            self.messages.append((self.t(ok_key, **ok_values), False))
        return True

    @contextmanager
    def as_member(self) -> Iterator[None]:
        with self.services.store.acting_as(self.session.member_id or ""):
            yield

    def say(self, message: str, error: bool = False) -> None:
        self.messages.append((message, error))

    def render(self) -> None:
        self.renders += 1

    def error_text(self, err: AssistenzzeitError) -> str:
        return str(err)

    def lock(self, e: Any = None) -> None:
        self.session.holder.lock()


def texts(control: Any) -> list[str]:
    """Every visible string in a control tree: Text values, button labels, field labels."""
    out: list[str] = []

    def walk(c: Any) -> None:
        if c is None:
            return
        if isinstance(c, str):
            out.append(c)
            return
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
            return
        if not isinstance(c, ft.BaseControl):
            return
        for attr in ("value", "label", "text"):
            v = getattr(c, attr, None)
            if isinstance(v, str):
                out.append(v)
        for attr in ("content", "controls", "title", "actions"):
            walk(getattr(c, attr, None))

    walk(control)
    return out


def walk_controls(control: Any, into: tuple[str, ...] = ("content", "controls", "actions")
                  ) -> Iterator[Any]:
    """Every Flet control in a tree, parents first (``into``: the attributes followed)."""
    if isinstance(control, list | tuple):
        for child in control:
            yield from walk_controls(child, into)
        return
    if not isinstance(control, ft.BaseControl):
        return
    yield control
    for attr in into:
        yield from walk_controls(getattr(control, attr, None), into)


def buttons(control: Any) -> dict[str, Any]:
    """Buttons of a control tree by label, so a test can press one: ``b[label].on_click(None)``."""
    return {c.content: c for c in walk_controls(control)
            if isinstance(c, ft.Button | ft.OutlinedButton) and isinstance(c.content, str)}


@pytest.fixture
def holder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreHolder]:
    monkeypatch.setenv("ASSISTENZZEIT_KDF_N", "4096")
    h = StoreHolder(tmp_path / "store")
    yield h
    h.close()


@pytest.fixture
def demo_holder(holder: StoreHolder) -> StoreHolder:
    store = Store.create(holder.directory, "pw-demo-123", kdf_n=2**12,
                         clock=lambda: __import__("datetime").datetime(
                             2026, 3, 11, 9, 30, tzinfo=__import__("datetime").UTC))
    services = Services(store)
    demo.build(services, TODAY)
    holder.store, holder.services = store, services
    return holder


def app_for(holder: StoreHolder, name: str) -> FakeApp:
    session = Session(holder=holder)
    session.member_id = holder.services.member_by_name(name)["id"] if holder.services else None
    return FakeApp(session)
