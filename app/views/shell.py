"""The shell: one ``App`` per browser session — routing, theme, navigation, help, lock.

Screens are modules with ``build(host) -> ft.Control`` (``views.host.Host``, which ``App``
satisfies); the shell rebuilds the page on every navigation (the screens are small, and a
fresh build always shows the latest store state, including what other sessions wrote). Before unlock only the first-start, join, demo, unlock
and "Wer sind Sie?" screens exist. Navigation: a ``NavigationRail`` at desktop width, a
*Menü* button at phone width (see ``_layout``); employer/proxy and assistant see different destinations.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import flet as ft

from app import settings
from app.calendar.background import republish_soon
from app.errors import AssistenzzeitError, StoreLocked
from app.store.services import Services
from app.views import (
    approvals,
    budget,
    calendar_view,
    damage_banner,
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
from app.views.date_time_fields import use_locale
from app.views.host import Host
from app.views.state import Session, StoreHolder
from app.views.theme import apply_theme

PHONE_MAX_WIDTH = 700
PRE_UNLOCK = {"start": start.build, "create": start.build_create, "demo": start.build_demo,
              "join": join.build, "unlock": unlock.build, "who": who.build}
# name: (build, nav label key, icon)
SCREENS: dict[str, tuple[Callable[[Host], ft.Control], str, Any]] = {
    "today": (today.build, "nav.today", ft.Icons.TODAY),
    "my_shifts": (my_shifts.build, "nav.my_shifts", ft.Icons.EVENT_NOTE),
    "timesheet": (timesheet.build, "nav.timesheet", ft.Icons.RECEIPT_LONG),
    "roster": (roster.build, "nav.roster", ft.Icons.CALENDAR_MONTH),
    "team": (team.build, "nav.team", ft.Icons.GROUPS),
    "approvals": (approvals.build, "nav.approvals", ft.Icons.TASK_ALT),
    "sign": (sign_view.build, "nav.sign", ft.Icons.DRAW),
    "budget": (budget.build, "nav.budget", ft.Icons.EURO),
    "export": (export.build, "nav.export", ft.Icons.DOWNLOAD),
    "settings": (settings_view.build, "nav.settings", ft.Icons.SETTINGS),
    "devices": (devices.build, "nav.devices", ft.Icons.DEVICES),
    "calendar": (calendar_view.build, "nav.calendar", ft.Icons.EVENT),
}
EMPLOYER_NAV = ("roster", "team", "approvals", "budget", "export", "devices",
                "calendar", "settings")
ASSISTANT_NAV = ("today", "my_shifts", "timesheet", "sign", "calendar", "settings")


def start_session(page: ft.Page, holder: StoreHolder) -> None:
    """Flet's ``main`` for one browser session."""
    App(page, Session.for_device(holder)).boot()


def _host(app: App) -> Host:
    """mypy checks here that ``App`` is a ``Host``: the contract every screen builds on."""
    return app


class App:
    def __init__(self, page: ft.Page, session: Session) -> None:
        self.page = page
        self.session = session
        self._render_lock = threading.RLock()
        self._closed = False
        self._shown = ""  # the screen the last render showed
        self._scroller: ft.Column | None = None

    # ------------------------------------------------------------------ state helpers
    @property
    def services(self) -> Services:
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
            # A device set to unlock itself (kiosk passphrase) trusts its first pick.
            self.session.proven = bool(holder.unlocked and settings.get("passphrase"))
        minutes = int(settings.get("idle_lock_minutes") or 0)
        if minutes > 0:
            page.run_thread(self._idle_watch, minutes)
        self.render()

    def _close(self) -> None:
        self._closed = True
        self.session.holder.off_change(self._store_changed)

    def _store_changed(self, what: str) -> None:
        if what == "locked":
            self.session.proven = False  # the next unlock proves itself again
        if what == "locked" and self.session.screen not in PRE_UNLOCK:
            self.session.screen = "unlock"
            self.session.member_id = None
            self.render()

    def _idle_watch(self, minutes: int) -> None:
        # Why a thread: Flet runs sync handlers in a pool; this only sleeps and checks. It
        # ends when the process stops: the pool's threads are joined at exit.
        stop = self.session.holder.closed
        while not self._closed and not stop.wait(15):
            if (self.session.screen not in PRE_UNLOCK
                    and self.session.idle_seconds() > minutes * 60):
                self.lock()

    def lock(self, e: ft.Event[Any] | None = None) -> None:
        """*Sperren*: the store forgets its keys; every open tab shows the unlock screen."""
        self.session.member_id = None
        self.session.proven = False
        self.session.screen = "unlock"
        self.session.holder.lock()
        self.render()

    # ------------------------------------------------------------------ navigation
    def go(self, screen: str, **params: Any) -> None:
        self.session.touch()
        if screen != self.session.screen:
            self.session.scroll.pop(screen, None)  # another screen opens at its top
        self.session.screen = screen
        self.session.params = params
        self.session.message = ""
        self.render()

    def nav_screens(self) -> tuple[str, ...]:
        return EMPLOYER_NAV if self.session.is_employer else ASSISTANT_NAV

    def home(self) -> str:
        return self.nav_screens()[0]

    def act(self, action: Callable[[], object], ok_key: str | None = None, *,
            focus: str | None = None, form: dict[str, Any] | None = None,
            **ok_values: object) -> bool:
        """Run a write as the session's member; show the outcome; never a traceback.
        ``focus`` names the button that gets the keyboard focus afterwards (else the one
        pressed keeps it). With ``form``, an error about one of its fields is shown at that
        field (``widgets.field_error``). Returns True when it worked."""
        if form is not None:
            form.pop(w.FORM_ERROR, None)
        self.session.touch()
        try:
            with self.as_member():
                action()
        except StoreLocked:
            self.lock()
            return False
        except AssistenzzeitError as err:
            key = str(getattr(err, "field", "") or "").split(".")[-1]
            if form is not None and key in form:
                form[w.FORM_ERROR] = (key, err.text(self.session.lang))
                self.render()
            else:
                self.say(self.error_text(err), error=True)
            return False
        if self.session.is_employer and self.session.screen != "calendar":
            # Roster and team changes: refresh published calendars without waiting.
            republish_soon(self.services)
        if focus:
            self.session.focus_name = focus
        if ok_key:
            self.say(self.t(ok_key, **ok_values))
        else:
            self.render()
        return True

    @contextlib.contextmanager
    def as_member(self) -> Iterator[None]:
        """Rights are the session's member's (without one, the device owner's)."""
        member_id = self.session.member_id
        if not member_id:
            yield
            return
        with self.services.store.acting_as(member_id):
            yield

    def error_text(self, err: AssistenzzeitError) -> str:
        field = getattr(err, "field", None)
        base = err.text(self.session.lang)  # the key's text in the session's language
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
            use_locale(page, session.lang)  # the pickers' month and weekday names
            page.controls.clear()
            page.navigation_bar = None
            session.bound_fields.clear()  # the fields of the screen about to be built
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
            self._keep_place(screen)

    def _keep_place(self, screen: str) -> None:
        """After a rebuild of the same screen: back to where it was scrolled, and the
        keyboard focus on the button pressed (or named by the action), instead of both
        jumping to the top."""
        s = self.session
        offset = s.scroll.get(screen, 0.0) if screen == self._shown else 0.0
        self._shown = screen
        target = s.focus_target or s.focus_first  # the screen's body is built before its bar
        s.focus_target = s.focus_first = None
        s.focus_name = ""
        scroller = self._scroller
        if scroller is None or (offset <= 0 and target is None):
            return

        async def restore() -> None:
            with contextlib.suppress(Exception):  # a page closed meanwhile
                if offset > 0:
                    await scroller.scroll_to(offset=offset, duration=0)
                if target is not None:
                    await target.focus()

        self.page.run_task(restore)

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
            # At phone width switch and lock live in the *Menü*: at 200 % text four header
            # buttons took half the screen. *Hilfe* stays beside *Menü* (one row).
            help_ = w.button(s, self.t("shell.help"), self.show_help, icon=ft.Icons.HELP_OUTLINE)
            actions = ft.Row([w.button(s, self.t("shell.menu"), self.show_menu, primary=True,
                                       icon=self._badged(ft.Icons.MENU, self._waiting())), help_] if self.phone
                             else [help_, *self._tools()],
                             wrap=True, spacing=8, run_spacing=8)
            items += [bar, actions, ft.Divider()]
        msg = w.message(s)
        if msg is not None:
            items.append(msg)
        banner = damage_banner.build(self)  # damaged rows: named on every screen until healed
        if banner is not None:
            items.append(banner)
        items.append(body)
        screen = s.screen

        def scrolled(e: ft.OnScrollEvent) -> None:
            s.scroll[screen] = float(e.pixels)

        self._scroller = ft.Column(items, spacing=12, scroll=ft.ScrollMode.AUTO, expand=True,
                                   on_scroll=scrolled, scroll_interval=150)
        return ft.Container(self._scroller, padding=16, expand=True)

    def _tools(self, then: Callable[[], Any] | None = None) -> list[ft.Control]:
        """*Person wechseln*, *Sperren*; ``then`` runs first (closing the menu)."""
        s = self.session

        def run(action: Callable[[], Any]) -> Any:
            def handler(e: ft.Event[Any]) -> None:
                if then is not None:
                    then()
                action()
            return handler

        return [
            w.button(s, self.t("shell.switch_person"), run(lambda: self.go("who")),
                     icon=ft.Icons.SWITCH_ACCOUNT),
            w.button(s, self.t("shell.lock"), run(self.lock), icon=ft.Icons.LOCK),
        ]

    def _layout(self, framed: ft.Control) -> ft.Control:
        screens = self.nav_screens()
        s = self.session
        current = screens.index(s.screen) if s.screen in screens else 0

        def pick(e: ft.Event[ft.NavigationRail]) -> None:
            index = e.control.selected_index
            if index is not None:  # a rail's change always selects one
                self.go(screens[index])

        if self.phone:
            # Why not ft.NavigationBar: in Flet 1.0.5 web its destinations carry no button
            # semantics (no role, no name: unusable with a screen reader, and 7 labels do not
            # fit 390 px). Phone width gets a *Menü* button that opens the destinations.
            return ft.Column([framed], expand=True)
        rail = ft.NavigationRail(
            selected_index=current, on_change=pick, label_type=ft.NavigationRailLabelType.ALL,
            min_width=100,
            destinations=[ft.NavigationRailDestination(
                icon=self._nav_icon(n), label=ft.Text(self.t(SCREENS[n][1]), size=w.size(s, 14)))
                for n in screens])
        return ft.Row([rail, ft.VerticalDivider(width=1), framed], expand=True,
                      vertical_alignment=ft.CrossAxisAlignment.START)

    def _waiting(self) -> int:
        """The *Freigaben* count: what waits for the employer (0 for everybody else)."""
        if not self.session.is_employer:
            return 0
        with contextlib.suppress(AssistenzzeitError):
            return approvals.pending(self.services)
        return 0

    def _nav_icon(self, screen: str) -> Any:
        icon = SCREENS[screen][2]
        return self._badged(icon, self._waiting()) if screen == "approvals" else icon

    @staticmethod
    def _badged(icon: Any, count: int) -> Any:
        # Why a badge and not a longer label: the count stays visible in the 100 px rail.
        return ft.Icon(icon, badge=ft.Badge(label=str(count))) if count else icon

    def show_menu(self, e: ft.Event[Any] | None = None) -> None:
        """Phone navigation: every destination as a full-width button in a dialog."""
        s = self.session

        def to(screen: str) -> None:
            self.page.pop_dialog()
            self.go(screen)

        dialog = ft.AlertDialog(
            modal=True, title=ft.Text(self.t("shell.menu")),
            content=ft.Column([*[w.button(s, self.t(SCREENS[n][1]), w.call(to, n),
                                          icon=self._nav_icon(n), selected=(n == s.screen))
                                 for n in self.nav_screens()],
                               ft.Divider(), *self._tools(self.page.pop_dialog)],
                              tight=True, spacing=8, scroll=ft.ScrollMode.AUTO),
            actions=[w.button(s, self.t("common.close"), lambda ev: self.page.pop_dialog())])
        self.page.show_dialog(dialog)

    def show_help(self, e: ft.Event[Any] | None = None) -> None:
        s = self.session
        screen = s.screen

        def close(ev: ft.Event[Any]) -> None:
            self.page.pop_dialog()

        dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(self.t("help.title", screen=self.t(f"title.{screen}"))),
            content=ft.Text(self.t(f"help.{screen}"), size=w.size(s, 16)),
            actions=[w.button(s, self.t("common.close"), close, primary=True)])
        self.page.show_dialog(dialog)
