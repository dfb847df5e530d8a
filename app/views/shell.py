"""The shell: one ``App`` per browser session — routing, theme, navigation, help, lock.

Screens are modules with ``build(app) -> ft.Control``; the shell rebuilds the page on every
navigation (the screens are small, and a fresh build always shows the latest store state,
including what other sessions wrote). Before unlock only the first-start, join, demo, unlock
and "Wer bist du?" screens exist. Navigation: a ``NavigationRail`` at desktop width, a
*Menü* button at phone width (see ``_layout``); employer/proxy and assistant see different destinations.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from typing import Any

import flet as ft

from app import settings
from app.calendar.background import republish_soon
from app.errors import AssistenzzeitError, StoreLocked
from app.views import (
    approval_view,
    approvals,
    budget,
    calendar_view,
    devices,
    export,
    join,
    my_shifts,
    roster,
    settings_view,
    sign_view,
    start,
    team,
    timesheet,
    today,
    unlock,
    who,
)
from app.views import widgets as w
from app.views.state import Session, StoreHolder
from app.views.theme import apply_theme

PHONE_MAX_WIDTH = 700
PRE_UNLOCK = {"start": start.build, "create": start.build_create, "demo": start.build_demo,
              "join": join.build, "unlock": unlock.build, "who": who.build}
# name: (build, nav label key, icon)
SCREENS: dict[str, tuple[Callable[[App], ft.Control], str, Any]] = {
    "today": (today.build, "nav.today", ft.Icons.TODAY),
    "my_shifts": (my_shifts.build, "nav.my_shifts", ft.Icons.EVENT_NOTE),
    "timesheet": (timesheet.build, "nav.timesheet", ft.Icons.RECEIPT_LONG),
    "roster": (roster.build, "nav.roster", ft.Icons.CALENDAR_MONTH),
    "team": (team.build, "nav.team", ft.Icons.GROUPS),
    "approvals": (approvals.build, "nav.approvals", ft.Icons.TASK_ALT),
    "approval": (approval_view.build, "nav.approval", ft.Icons.VERIFIED),
    "sign": (sign_view.build, "nav.sign", ft.Icons.DRAW),
    "budget": (budget.build, "nav.budget", ft.Icons.EURO),
    "export": (export.build, "nav.export", ft.Icons.DOWNLOAD),
    "settings": (settings_view.build, "nav.settings", ft.Icons.SETTINGS),
    "devices": (devices.build, "nav.devices", ft.Icons.DEVICES),
    "calendar": (calendar_view.build, "nav.calendar", ft.Icons.EVENT),
}
EMPLOYER_NAV = ("roster", "team", "approvals", "approval", "budget", "export", "devices",
                "calendar", "settings")
ASSISTANT_NAV = ("today", "my_shifts", "timesheet", "sign", "calendar", "settings")


def start_session(page: ft.Page, holder: StoreHolder) -> None:
    """Flet's ``main`` for one browser session."""
    App(page, Session.for_device(holder)).boot()


class App:
    def __init__(self, page: ft.Page, session: Session) -> None:
        self.page = page
        self.session = session
        self._render_lock = threading.RLock()
        self._closed = False

    # ------------------------------------------------------------------ state helpers
    @property
    def services(self) -> Any:
        return self.session.services

    def t(self, key: str, **values: object) -> str:
        return self.session.t(key, **values)

    @property
    def phone(self) -> bool:
        width = self.page.width or 1280
        return width < PHONE_MAX_WIDTH

    # ------------------------------------------------------------------ boot and lock
    def boot(self) -> None:
        page, holder = self.page, self.session.holder
        page.title = "Assistenzzeit"
        page.padding = 0
        page.on_resize = lambda e: self.render()
        page.on_keyboard_event = lambda e: self.session.touch()
        page.on_close = lambda e: self._close()
        page.on_disconnect = lambda e: None
        holder.on_change(self._store_changed)
        if not holder.exists():
            self.session.screen = "start"
        elif not holder.unlocked and settings.get("passphrase"):
            # A wrong kiosk passphrase is not fatal: the unlock screen asks a person.
            with contextlib.suppress(AssistenzzeitError):
                holder.unlock(str(settings.get("passphrase")))
        if holder.exists():
            self.session.screen = "who" if holder.unlocked else "unlock"
        minutes = int(settings.get("idle_lock_minutes") or 0)
        if minutes > 0:
            page.run_thread(self._idle_watch, minutes)
        self.render()

    def _close(self) -> None:
        self._closed = True
        self.session.holder.off_change(self._store_changed)

    def _store_changed(self, what: str) -> None:
        if what == "locked" and self.session.screen not in PRE_UNLOCK:
            self.session.screen = "unlock"
            self.session.member_id = None
            self.render()

    def _idle_watch(self, minutes: int) -> None:
        # Why a thread: Flet runs sync handlers in a pool; this only sleeps and checks.
        stop = threading.Event()
        while not self._closed and not stop.wait(15):
            if (self.session.screen not in PRE_UNLOCK
                    and self.session.idle_seconds() > minutes * 60):
                self.lock()

    def lock(self, e: Any = None) -> None:
        """*Sperren*: the store forgets its keys; every open tab shows the unlock screen."""
        self.session.member_id = None
        self.session.screen = "unlock"
        self.session.holder.lock()
        self.render()

    # ------------------------------------------------------------------ navigation
    def go(self, screen: str, **params: Any) -> None:
        self.session.touch()
        self.session.screen = screen
        self.session.params = params
        self.session.message = ""
        self.render()

    def nav_screens(self) -> tuple[str, ...]:
        return EMPLOYER_NAV if self.session.is_employer else ASSISTANT_NAV

    def home(self) -> str:
        return self.nav_screens()[0]

    def act(self, action: Callable[[], Any], ok_key: str | None = None,
            **ok_values: object) -> bool:
        """Run a write as the session's member; show the outcome; never a traceback.
        Returns True when it worked."""
        self.session.touch()
        try:
            if self.session.member_id:
                with self.services.store.acting_as(self.session.member_id):
                    action()
            else:
                action()
        except StoreLocked:
            self.lock()
            return False
        except AssistenzzeitError as err:
            self.say(self._error_text(err), error=True)
            return False
        if self.session.is_employer and self.session.screen != "calendar":
            # Roster and team changes: refresh published calendars without waiting.
            republish_soon(self.services)
        if ok_key:
            self.say(self.t(ok_key, **ok_values))
        else:
            self.render()
        return True

    def _error_text(self, err: AssistenzzeitError) -> str:
        field = getattr(err, "field", None)
        base = str(err)
        if field:
            # "shifts[0].start" -> "start": name the field as the form labels it.
            key = "field." + re.sub(r"\[\d+\]", "", str(field)).split(".")[-1]
            label = self.t(key)
            if label != key:
                return self.t("error.field", field=label, message=base)
        return base

    def say(self, message: str, error: bool = False) -> None:
        self.session.message, self.session.message_is_error = message, error
        self.render()

    # ------------------------------------------------------------------ rendering
    def render(self) -> None:
        with self._render_lock:
            page, session = self.page, self.session
            apply_theme(page, session)
            page.controls.clear()
            page.navigation_bar = None
            screen = session.screen
            if screen not in PRE_UNLOCK and not session.holder.unlocked:
                screen = session.screen = "unlock"
            if screen not in PRE_UNLOCK and session.member() is None:
                screen = session.screen = "who"
            if screen in PRE_UNLOCK:
                body = PRE_UNLOCK[screen](self)
                page.add(self._frame(body, with_bar=False))
            else:
                if screen not in self.nav_screens():
                    allowed = screen == "timesheet" and session.is_employer
                    if not allowed:
                        screen = session.screen = self.home()
                store = session.holder.store
                with store.reading() if store is not None else contextlib.nullcontext():
                    body = SCREENS[screen][0](self)
                page.add(self._layout(self._frame(body, with_bar=True)))
            page.update()

    def _frame(self, body: ft.Control, with_bar: bool) -> ft.Control:
        """Top bar (title, who, help, lock), the live message, then the screen."""
        s = self.session
        items: list[ft.Control] = []
        if with_bar:
            member = s.member() or {}
            bar = ft.Row([
                ft.Semantics(header=True, content=ft.Text(
                    self.t(f"title.{s.screen}"), size=w.size(s, 24), weight=ft.FontWeight.BOLD)),
                ft.Text(self.t("shell.signed_in_as", name=member.get("display_name", ""),
                               role=self.t(f"role.{member.get('role', 'assistant')}")),
                        size=w.size(s, 14)),
            ], wrap=True, spacing=16)
            menu = ([w.button(s, self.t("shell.menu"), self.show_menu, primary=True,
                              icon=ft.Icons.MENU)] if self.phone else [])
            actions = ft.Row([
                *menu,
                w.button(s, self.t("shell.help"), self.show_help, icon=ft.Icons.HELP_OUTLINE),
                w.button(s, self.t("shell.switch_role" if s.holder.is_demo else
                                   "shell.switch_person"),
                         lambda e: self.go("who"), icon=ft.Icons.SWITCH_ACCOUNT),
                w.button(s, self.t("shell.lock"), self.lock, icon=ft.Icons.LOCK),
            ], wrap=True, spacing=8, run_spacing=8)
            items += [bar, actions, ft.Divider()]
        msg = w.message(s)
        if msg is not None:
            items.append(msg)
        items.append(body)
        return ft.Container(
            ft.Column(items, spacing=12, scroll=ft.ScrollMode.AUTO, expand=True),
            padding=16, expand=True)

    def _layout(self, framed: ft.Control) -> ft.Control:
        screens = self.nav_screens()
        s = self.session
        current = screens.index(s.screen) if s.screen in screens else 0

        def pick(e: Any) -> None:
            self.go(screens[int(e.control.selected_index)])

        if self.phone:
            # Why not ft.NavigationBar: in Flet 1.0.5 web its destinations carry no button
            # semantics (no role, no name: unusable with a screen reader, and 7 labels do not
            # fit 390 px). Phone width gets a *Menü* button that opens the destinations.
            return ft.Column([framed], expand=True)
        rail = ft.NavigationRail(
            selected_index=current, on_change=pick, label_type=ft.NavigationRailLabelType.ALL,
            min_width=100,
            destinations=[ft.NavigationRailDestination(
                icon=SCREENS[n][2], label=ft.Text(self.t(SCREENS[n][1]), size=w.size(s, 14)))
                for n in screens])
        return ft.Row([rail, ft.VerticalDivider(width=1), framed], expand=True,
                      vertical_alignment=ft.CrossAxisAlignment.START)

    def show_menu(self, e: Any = None) -> None:
        """Phone navigation: every destination as a full-width button in a dialog."""
        s = self.session

        def to(screen: str) -> None:
            self.page.pop_dialog()
            self.go(screen)

        dialog = ft.AlertDialog(
            modal=True, title=ft.Text(self.t("shell.menu")),
            content=ft.Column([w.button(s, self.t(SCREENS[n][1]), (lambda ev, n=n: to(n)),
                                        icon=SCREENS[n][2], selected=(n == s.screen))
                               for n in self.nav_screens()], tight=True, spacing=8,
                              scroll=ft.ScrollMode.AUTO),
            actions=[w.button(s, self.t("common.close"), lambda ev: self.page.pop_dialog())])
        self.page.show_dialog(dialog)

    def show_help(self, e: Any = None) -> None:
        s = self.session
        screen = s.screen

        def close(ev: Any) -> None:
            self.page.pop_dialog()

        dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(self.t("help.title", screen=self.t(f"title.{screen}"))),
            content=ft.Text(self.t(f"help.{screen}"), size=w.size(s, 16)),
            actions=[w.button(s, self.t("common.close"), close, primary=True)])
        self.page.show_dialog(dialog)
