"""The contract between a screen and the shell: what ``build(host)`` may use.

Screens depend on this protocol, never on ``shell.App`` (which imports every screen): so a
screen can be built by the real shell, by the tests' stand-in (``tests/views/conftest.py``),
and the import graph has no circle. ``App`` satisfies it (``shell._host``, checked by mypy).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

import flet as ft

from app.errors import AssistenzzeitError
from app.store.services import Services
from app.views.state import Session


class Host(Protocol):
    @property
    def session(self) -> Session:
        """This browser session: language, look, who, which screen and its params."""

    @property
    def services(self) -> Services:
        """The unlocked store's services (raises ``StoreLocked`` when it is locked)."""

    @property
    def page(self) -> ft.Page:
        """For dialogs and background tasks (``show_dialog``, ``run_task``)."""

    @property
    def phone(self) -> bool:
        """Phone width: screens lay out in one column."""

    def t(self, key: str, **values: object) -> str:
        """The key's text in the session's language."""

    def go(self, screen: str, **params: Any) -> None:
        """Open another screen."""

    def home(self) -> str:
        """The first screen of this session's role."""

    def act(self, action: Callable[[], object], ok_key: str | None = None, *,
            focus: str | None = None, form: dict[str, Any] | None = None,
            **ok_values: object) -> bool:
        """The one way to write: run ``action`` as the session's member, show the outcome
        (``ok_key`` or the error, at the form's field with ``form``); True when it worked."""

    def as_member(self) -> AbstractContextManager[None]:
        """Reads that check rights (a calendar feed) run as the session's member too."""

    def say(self, message: str, error: bool = False) -> None:
        """Show a message in the live line and render."""

    def render(self) -> None:
        """Rebuild the current screen."""

    def error_text(self, err: AssistenzzeitError) -> str:
        """An error in the session's language, naming the field as the form labels it."""

    def lock(self, e: ft.Event[Any] | None = None) -> None:
        """*Sperren*: the store forgets its keys; every tab shows the unlock screen."""
