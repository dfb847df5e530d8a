"""The *Kalender* screen, built as a control tree against a real store (and a real relay
process for publishing): what each role sees, that every button has a name and a 48 px
target, and that publishing, the opt-in and withdrawing work from the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import flet as ft
import pytest

from app.calendar.publish import load_links
from app.calendar.service import CalendarService
from app.errors import AssistenzzeitError
from app.views import calendar_view
from app.views.state import Session, StoreHolder


class FakeApp:
    """What a screen uses of the shell's ``App``: session, services, t, act, say."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.messages: list[tuple[str, bool]] = []

    @property
    def services(self) -> Any:
        return self.session.services

    def t(self, key: str, **values: object) -> str:
        return self.session.t(key, **values)

    def act(self, action: Callable[[], Any], ok_key: str | None = None, **ok: object) -> bool:
        try:
            with self.services.store.acting_as(self.session.member_id):
                action()
        except AssistenzzeitError as err:
            self.say(str(err), error=True)
            return False
        if ok_key:
            self.say(self.t(ok_key, **ok))
        return True

    def say(self, message: str, error: bool = False) -> None:
        self.messages.append((message, error))


def walk(control: Any) -> Iterator[Any]:
    yield control
    for name in ("content", "controls"):
        child = getattr(control, name, None)
        if isinstance(child, list):
            for c in child:
                yield from walk(c)
        elif isinstance(child, ft.BaseControl):
            yield from walk(child)


def by_key(tree: ft.Control, key: str) -> Any:
    for c in walk(tree):
        if isinstance(c, ft.Semantics) and c.identifier == key:
            return c.content
    raise AssertionError(f"no control {key}")


def texts(tree: ft.Control) -> str:
    return "\n".join(str(c.value) for c in walk(tree) if isinstance(c, ft.Text))


def app_for(team, who: str, monkeypatch, relay: str = "") -> FakeApp:
    monkeypatch.setenv("ASSISTENZZEIT_RELAY", relay)
    holder = StoreHolder(team.store.directory)
    holder.store, holder.services = team.store, team.services
    return FakeApp(Session(holder=holder, member_id=team.ids[who]))


def test_view_assistant_sees_own_and_open_feeds_and_privacy_note(team, monkeypatch):
    app = app_for(team, "ben", monkeypatch)
    tree = calendar_view.build(app)
    text = texts(tree)
    assert "Kalender-Anbieter" in text and "Dienst bei Anna" in text
    assert "Relay-Server" in text
    by_key(tree, "calendar-member")
    by_key(tree, "calendar-open")
    keys = {c.identifier for c in walk(tree) if isinstance(c, ft.Semantics)}
    assert "calendar-team" not in keys and "calendar-import" not in keys
    assert "publish-member" not in keys  # no relay: export only
    for c in walk(tree):
        if isinstance(c, ft.OutlinedButton | ft.FilledButton):
            # No fixed height (it cut labels at 200 %): padding around one line reaches 48.
            pad, font = c.style.padding, c.style.text_style.size
            assert c.content and c.height is None
            assert pad.top + pad.bottom + font * 1.25 >= 47


def test_view_employer_publishes_opts_in_and_revokes(team, monkeypatch, relay, http):
    from app.sync.client import SyncClient

    SyncClient(team.store, relay, http=http).sync()
    app = app_for(team, "anna", monkeypatch, relay)
    tree = calendar_view.build(app)
    by_key(tree, "calendar-team")
    by_key(tree, "calendar-import")
    by_key(tree, "publish-team").on_click(SimpleNamespace())
    assert app.messages[-1] == (app.t("calendar.published"), False)
    link = load_links(team.services)["team"]
    assert http.get(link.url).status_code == 200

    tree = calendar_view.build(app)
    assert link.webcal in texts(tree)
    images = [c for c in walk(tree) if isinstance(c, ft.Image)]
    assert images and images[0].src[:8] == b"\x89PNG\r\n\x1a\n" and images[0].semantics_label

    checkbox = next(c for c in walk(by_key(tree, "calendar-details"))
                    if isinstance(c, ft.Checkbox))
    checkbox.on_change(SimpleNamespace(control=SimpleNamespace(value=True)))
    assert CalendarService(team.services).details_enabled()

    by_key(tree, "revoke-team").on_click(SimpleNamespace())
    assert http.get(link.url).status_code == 404
    assert "team" not in load_links(team.services)


@pytest.mark.parametrize("lang", ["de", "en", "de-LS"])
def test_view_texts_exist_in_every_language(team, monkeypatch, lang):
    app = app_for(team, "anna", monkeypatch)
    app.session.lang = lang
    text = texts(calendar_view.build(app))
    assert "calendar." not in text
