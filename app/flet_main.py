"""The native app (``flet build``, started by the top-level ``main.py``): the same shell as
the local web mode, with the store in the user's data folder."""

from __future__ import annotations

from pathlib import Path

import flet as ft

from app import settings
from app.main import close_on_exit, make_main


def run() -> None:
    holder, main = make_main(Path(settings.get("store")))
    try:
        ft.run(main)  # type: ignore[arg-type]
    finally:
        close_on_exit(holder)


if __name__ == "__main__":
    run()
