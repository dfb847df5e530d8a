"""Accessible building blocks every screen uses, so each control gets the same care.

Why our own helpers: Flet's default button is about 32 px high, an ``IconButton``'s tooltip
does not name the button itself, a ``Dropdown`` has no accessible name of its own and radios
are 32 px high. These helpers give every interactive control a visible text that is also its
accessible name, at least 48 px of height, and text scaled by the session's text size.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import flet as ft

from app.i18n import formats as fmt
from app.views.state import Session

MIN_TARGET = 48
FORM_ERROR = "_error"  # (field key, message) of a form's last failed save
# Flet ignores what a handler returns (``lambda e: app.act(...)`` gives a bool); an async
# handler returns its coroutine, which Flet awaits. ``Event[Any]``: Flet types each event by
# its control's class, invariantly, so one handler type for buttons, fields and checkboxes
# has to leave the control open.
Handler = Callable[[ft.Event[Any]], object]
P = ParamSpec("P")


def call(fn: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> Handler:
    """A handler that calls ``fn(*args, **kwargs)``, its arguments bound now: for loops,
    instead of the ``lambda e, k=k:`` default-argument trick, which mypy cannot type."""
    return lambda e: fn(*args, **kwargs)


def size(session: Session, base: float) -> float:
    """Font size scaled by the session's text size (100/150/200 %)."""
    return round(base * session.text_scale / 100, 1)


def text(session: Session, value: str, base: float = 16, bold: bool = False,
         key: str | None = None, color: str | None = None, live: bool = False) -> ft.Control:
    label = ft.Text(value, size=size(session, base), selectable=False, color=color,
                    weight=ft.FontWeight.BOLD if bold else None)
    if key or live:
        # A live region announces state changes (clocked in, saved, errors) to screen readers.
        return ft.Semantics(content=label, identifier=key, live_region=live or None)
    return label


def heading(session: Session, value: str, level: int = 1) -> ft.Control:
    base = {1: 26, 2: 20, 3: 17}.get(level, 17)
    return ft.Semantics(header=True, content=ft.Text(
        value, size=size(session, base), weight=ft.FontWeight.BOLD))


def button(session: Session, label: str, on_click: Handler | None, *, primary: bool = False,
           icon: Any = None, key: str | None = None, large: bool = False,
           selected: bool | None = None, disabled: bool = False,
           expand: bool | int | None = None) -> ft.Control:
    """A button whose visible text is its accessible name; at least 48 px high (72 px when
    ``large``). Padding, never a height: at 200 % text a label wraps and the button grows
    with it instead of cutting it."""
    font = size(session, 22 if large else 16)
    # Half the room a line of text leaves in the target, top and bottom (line ≈ 1.25 × font).
    pad = max(8, round(((72 if large else MIN_TARGET) - font * 1.25) / 2) + 1)
    filled = bool(primary or selected)
    style = ft.ButtonStyle(text_style=ft.TextStyle(size=font,
                                                   weight=ft.FontWeight.BOLD if large else None),
                           padding=ft.Padding(left=20, right=20, top=pad, bottom=pad),
                           # The web's default (compact) density takes 8 px off each side.
                           visual_density=ft.VisualDensity.STANDARD,
                           **focus_style(filled))
    cls = ft.FilledButton if filled else ft.OutlinedButton
    ctl = cls(content=label, icon=icon, on_click=_pressed(session, label, on_click),
              style=style, disabled=disabled, expand=expand)
    if session.focus_name == label and session.focus_target is None:
        session.focus_target = ctl
    if session.focus_name and session.focus_first is None:
        session.focus_first = ctl
    if selected is not None or key:
        # Only state and id: a ``button=True`` here would add a second, nested button node.
        return ft.Semantics(content=ctl, selected=selected, identifier=key)
    return ctl


def _pressed(session: Session, label: str, on_click: Handler | None) -> Any:
    """Remember which button was pressed, so that after the screen is rebuilt the keyboard
    focus is back on it (or on what the action names next), not at the top of the page."""
    if on_click is None:
        return None
    if inspect.iscoroutinefunction(on_click):
        async def run_async(e: ft.Event[Any]) -> None:
            session.focus_name = label
            take_typed(session)
            await on_click(e)
        return run_async

    def run(e: ft.Event[Any]) -> None:
        session.focus_name = label
        take_typed(session)
        on_click(e)
    return run


def focus_style(filled: bool) -> dict[str, Any]:
    """The keyboard focus ring: a 3 px ``on_surface`` border around a ``surface`` fill, so
    the ring has the text contrast (≥ 4.5:1, see ``theme.TEXT_PAIRS``) against both the page
    behind it and the button inside it, on filled buttons too (Material's own focus is a
    faint tint of the fill). Every state is spelled out: a state left out of such a map
    loses Material's default for it."""
    focused, disabled, default = (ft.ControlState.FOCUSED, ft.ControlState.DISABLED,
                                  ft.ControlState.DEFAULT)
    faint = ft.Colors.with_opacity(0.38, ft.Colors.ON_SURFACE)
    ring = ft.BorderSide(3, ft.Colors.ON_SURFACE)
    if filled:
        return {"side": {focused: ring, default: ft.BorderSide(0, ft.Colors.TRANSPARENT)},
                "bgcolor": {focused: ft.Colors.SURFACE, disabled: ft.Colors.with_opacity(
                    0.12, ft.Colors.ON_SURFACE), default: ft.Colors.PRIMARY},
                "color": {focused: ft.Colors.ON_SURFACE, disabled: faint,
                          default: ft.Colors.ON_PRIMARY}}
    return {"side": {focused: ring, disabled: ft.BorderSide(1, faint),
                     default: ft.BorderSide(1, ft.Colors.OUTLINE)},
            "color": {disabled: faint, default: ft.Colors.PRIMARY}}


def month_stepper(session: Session, prev_label: str, next_label: str,
                  step: Callable[[int], None]) -> ft.Control:
    """*Voriger Monat* / *Nächster Monat*: ``step(-1)`` or ``step(1)``."""
    return ft.Row([button(session, prev_label, lambda e: step(-1), icon=ft.Icons.CHEVRON_LEFT),
                   button(session, next_label, lambda e: step(1), icon=ft.Icons.CHEVRON_RIGHT)],
                  wrap=True, spacing=8)


def choice(session: Session, options: Sequence[tuple[str, str]], value: str | None,
           on_pick: Callable[[str], None], label: str | None = None) -> ft.Control:
    """A row of buttons for a small set of choices; the chosen one is filled and marked
    ``selected`` for screen readers. Wraps to the next line at phone width."""
    buttons = [button(session, text_, call(on_pick, key), selected=(key == value))
               for key, text_ in options]
    row = ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)
    if label is None:
        return row
    return ft.Column([ft.Text(label, size=size(session, 15)), row], spacing=4)


def field(session: Session, label: str, value: str = "", *, password: bool = False,
          multiline: bool = False, hint: str | None = None, on_submit: Handler | None = None,
          width: float | None = None, autofocus: bool = False) -> ft.TextField:
    """A text field; its label is the accessible name of the input. Screens do not use
    ``autofocus``: it makes Flutter create an unnamed editing <input> before semantics are
    on, and moving focus unasked disorients screen-reader users."""
    return ft.TextField(label=label, value=value, password=password,
                        can_reveal_password=False, multiline=multiline,
                        min_lines=3 if multiline else None, hint_text=hint,
                        text_size=size(session, 16), on_submit=on_submit, width=width,
                        autofocus=autofocus, label_style=ft.TextStyle(size=size(session, 15)))


def bound(session: Session, form: dict[str, Any], key: str, label: str, default: str = "",
          **kw: Any) -> ft.TextField:
    """A text field whose value lives in ``form`` (the session's form state), so a rebuild
    of the screen (after a choice button) keeps what was typed."""
    box = field(session, label, str(form.setdefault(key, default) or ""), **kw)

    def keep(e: ft.Event[ft.TextField]) -> None:
        form[key] = e.control.value

    box.on_change = keep
    session.bound_fields[(id(form), key)] = (form, key, box)
    return box


def take_typed(session: Session) -> None:
    """Copy what the shown text fields hold into their forms (see ``Session.bound_fields``)."""
    for form, key, box in list(session.bound_fields.values()):
        if box.value is not None:
            form[key] = box.value


def field_error(session: Session, form: dict[str, Any], key: str, box: ft.TextField) -> None:
    """If the form's last save failed at ``key``: the message under that field (red, read
    with the field) and the keyboard focus on it; the other fields keep what was typed."""
    failed = form.get(FORM_ERROR)
    if failed and failed[0] == key:
        box.error = failed[1]
        box.error_max_lines = 4  # a sentence at 200 % text on a phone
        if session.focus_target is None:
            session.focus_target = box


def toggles(session: Session, options: Sequence[tuple[str, str]], chosen: set[str],
            on_toggle: Callable[[str], None], label: str | None = None) -> ft.Control:
    """Several independent on/off buttons (weekdays); chosen ones are filled and selected."""
    buttons = [button(session, text_, call(on_toggle, key), selected=key in chosen)
               for key, text_ in options]
    row = ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)
    return ft.Column([ft.Text(label, size=size(session, 15)), row], spacing=4) if label else row


def checkbox(session: Session, label: str, value: bool, on_change: Handler | None
             ) -> ft.Control:
    # The 48 px container makes Flutter's semantics rectangle (the touch target) 48 px high.
    return ft.Container(height=max(MIN_TARGET, size(session, 16) * 2.2), content=ft.Checkbox(
        label=label, value=value, on_change=on_change,
        label_style=ft.TextStyle(size=size(session, 16))))


def dropdown(session: Session, label: str, options: Sequence[tuple[str, str]],
             value: str | None, on_select: Handler | None = None) -> ft.Dropdown:
    """A dropdown for long lists (Land, time zone). Its label is drawn inside the field and
    repeated as the accessible name of the button that opens it."""
    dd = ft.Dropdown(label=label, value=value, on_select=on_select,
                     text_size=size(session, 16),
                     options=[ft.DropdownOption(key=k, text=v) for k, v in options])
    return dd


def named(control: ft.Control, label: str) -> ft.Control:
    """Give a control without a name of its own (a dropdown) an accessible name."""
    return ft.Semantics(label=label, content=control)


def card(*controls: ft.Control, key: str | None = None) -> ft.Control:
    box = ft.Card(content=ft.Container(ft.Column(list(controls), spacing=8), padding=16))
    return ft.Semantics(content=box, identifier=key) if key else box


def refresh(*controls: ft.Control) -> None:
    """Redraw controls changed in place (no rebuild, so focus and scroll stay). Outside a
    live page (view tests) there is nothing to update; the values still change."""
    for control in controls:
        with contextlib.suppress(RuntimeError):
            control.update()


def message(session: Session) -> ft.Control | None:
    """The session's last confirmation or error, announced as a live region."""
    if not session.message:
        return None
    color = ft.Colors.ERROR if session.message_is_error else None
    return ft.Semantics(live_region=True, identifier="message", content=ft.Container(
        ft.Text(session.message, size=size(session, 16), color=color,
                weight=ft.FontWeight.BOLD),
        padding=8))


def num(session: Session, value: object) -> str:
    """A decimal as people read it: "1.234,50" in German, "1,234.50" in English."""
    return fmt.number(session.lang, value)


def money(session: Session, value: object) -> str:
    """An amount in euro: "4.317,00 €" in German, "€4,317.00" in English."""
    return fmt.money(session.lang, value)


def local_time(session: Session, instant: str) -> str:
    """A signature's or sync's instant (stored in UTC) on the team's wall clock."""
    return fmt.local_clock(session.lang, instant, str(session.services.tz()))


def hours_text(minutes: int | None) -> str:
    if minutes is None:
        return "–"
    return f"{minutes // 60}:{minutes % 60:02d}"
