"""Date and time fields: typed entry the way people write it, plus Flet's own pickers.

``date_field`` / ``time_field`` take the same arguments as ``widgets.bound`` and keep the
value in the form dict, stored the way the store reads it (``2026-12-01``, ``08:00``) as soon
as the text is one; the field shows it as people read it (``Di, 01.12.2026`` / ``Tue, 1 Dec
2026``) and accepts ``01.12.2026``, ``1.12.26``, ISO and the shown form (see
``app.i18n.formats``). What cannot be read stays as typed, so the form's save names the field
instead of losing the input. Next to each field a button opens the ``DatePicker`` or
``TimePicker`` dialog (calendar or dial, each with its own typed entry); the picked value is
written into the field without rebuilding the screen, so focus and scroll stay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import flet as ft

from app.i18n import formats as fmt
from app.views import widgets as w
from app.views.state import Session

PICKER_YEARS = 3  # how far before and after today the calendar reaches
LOCALES = {"de": ft.Locale("de", "DE"), "de-LS": ft.Locale("de", "DE"),
           "en": ft.Locale("en", "GB")}


def use_locale(page: ft.Page, lang: str) -> None:
    """Pickers draw month and weekday names in the page's locale; English uses the British
    forms (day first, 24-hour clock) like the rest of the English text."""
    page.locale_configuration = ft.LocaleConfiguration(
        supported_locales=list({id(x): x for x in LOCALES.values()}.values()),
        current_locale=LOCALES.get(lang, LOCALES["de"]))


def _iso_date(text: str) -> str | None:
    try:
        return fmt.parse_date(text).isoformat()
    except ValueError:
        return None


def _iso_time(text: str) -> str | None:
    try:
        return fmt.parse_time(text)
    except ValueError:
        return None


def picked_date(value: Any) -> date | None:
    """The day a DatePicker returned. The browser sends local midnight, which may arrive as
    the evening before in UTC: the nearest midnight is the day that was picked."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC) + timedelta(hours=12)
        return date(value.year, value.month, value.day)
    return value if isinstance(value, date) else None


def _bound(session: Session, form: dict[str, Any], key: str, label: str, default: str,
           read: Callable[[str], str | None], show: Callable[[str], str],
           hint: str) -> ft.TextField:
    stored = str(form.setdefault(key, default) or "")
    box = w.field(session, label, show(stored) if read(stored) == stored else stored,
                  hint=hint)

    def keep(e: ft.Event[ft.TextField]) -> None:
        typed = e.control.value or ""
        form[key] = read(typed) or typed

    box.on_change = keep
    box.on_blur = lambda e: _tidy(box, form, key, read, show)
    return box


def _tidy(box: ft.TextField, form: dict[str, Any], key: str,
          read: Callable[[str], str | None], show: Callable[[str], str]) -> None:
    """On leaving the field, a readable value is shown in the one agreed form."""
    value = read(str(form.get(key) or ""))
    if value is not None and box.value != show(value):
        box.value = show(value)
        w.refresh(box)


def date_field(session: Session, form: dict[str, Any], key: str, label: str,
               default: str = "") -> ft.Control:
    """A date: typed (German or ISO) or picked from a calendar."""
    lang = session.lang
    box = _bound(session, form, key, label, default, _iso_date, lambda v: fmt.day(lang, v),
                 session.t("dates.date_hint"))

    opener: list[ft.Control] = []

    def picked(e: ft.Event[ft.DatePicker]) -> None:
        day = picked_date(e.control.value)
        if day is not None:
            form[key] = day.isoformat()
            box.value = fmt.day(lang, day)
            w.refresh(box)
        _back_to(e.page, opener)

    def open_picker(e: ft.Event[Any]) -> None:
        today = date.today()
        current = _iso_date(str(form.get(key) or "")) or today.isoformat()
        e.page.show_dialog(ft.DatePicker(
            value=datetime.fromisoformat(current), on_change=picked,
            first_date=datetime(today.year - PICKER_YEARS, 1, 1),
            last_date=datetime(today.year + PICKER_YEARS, 12, 31),
            help_text=label, confirm_text=session.t("dates.ok"),
            cancel_text=session.t("common.cancel")))

    return _with_button(session, box, session.t("dates.pick_date", field=label), open_picker,
                        ft.Icons.CALENDAR_MONTH, opener)


def time_field(session: Session, form: dict[str, Any], key: str, label: str,
               default: str = "") -> ft.Control:
    """A time of day: typed (``8``, ``8:00``, ``08.00``, ``0800``) or picked on a dial."""
    box = _bound(session, form, key, label, default, _iso_time, lambda v: v,
                 session.t("dates.time_hint"))

    opener: list[ft.Control] = []

    def picked(e: ft.Event[ft.TimePicker]) -> None:
        value = e.control.value
        if isinstance(value, time):
            form[key] = f"{value:%H:%M}"
            box.value = form[key]
            w.refresh(box)
        _back_to(e.page, opener)

    def open_picker(e: ft.Event[Any]) -> None:
        current = _iso_time(str(form.get(key) or "")) or "08:00"
        e.page.show_dialog(ft.TimePicker(
            value=time.fromisoformat(current), on_change=picked, help_text=label,
            hour_format=ft.TimePickerHourFormat.H24, confirm_text=session.t("dates.ok"),
            # Typing hour and minute works by keyboard and screen reader; the dial (one tap
            # away) does not name its parts.
            entry_mode=ft.TimePickerEntryMode.INPUT,
            cancel_text=session.t("common.cancel")))

    return _with_button(session, box, session.t("dates.pick_time", field=label), open_picker,
                        ft.Icons.SCHEDULE, opener)


def _with_button(session: Session, box: ft.TextField, name: str, handler: w.Handler,
                 icon: Any, opener: list[ft.Control]) -> ft.Control:
    button = w.button(session, name, handler, icon=icon)
    opener.append(button)
    return ft.Column([box, button], spacing=4)


def _back_to(page: ft.Page | None, opener: list[ft.Control]) -> None:
    """After the dialog: the keyboard focus back on the button that opened it (Flutter
    otherwise leaves it on whatever field comes next)."""
    target = opener[0] if opener else None
    focus = getattr(target, "focus", None)
    if page is not None and focus is not None:
        page.run_task(focus)
