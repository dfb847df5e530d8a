"""Checks of what a person typed that are not about time or money: text that must be there.

Dates and months are checked in ``timeutil`` (``iso_date``, ``iso_month``), amounts and spans
in ``limits``. Every check raises ``InputError`` naming the field.
"""

from __future__ import annotations

from app.errors import InputError


def required(value: str, field: str) -> str:
    """The text without surrounding blanks; InputError when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise InputError("error.required", field)
    return value
