"""Run ``assistenzzeit`` with the *Kalender* screen in the navigation, for the browser test.

Until the shell lists the screen itself (``app/views/shell.py``: SCREENS, EMPLOYER_NAV,
ASSISTANT_NAV), this adds it the same way before starting the real app command.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import flet as ft

from app.cli import main
from app.views import calendar_view, shell

shell.SCREENS.setdefault("calendar", (calendar_view.build, "nav.calendar", ft.Icons.EVENT))
for nav in ("EMPLOYER_NAV", "ASSISTANT_NAV"):
    screens = getattr(shell, nav)
    if "calendar" not in screens:
        setattr(shell, nav, (*screens[:-1], "calendar", screens[-1]))  # before settings

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
