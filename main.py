"""Entry point of the native app for `flet build` (see build/README.md)."""

from app.flet_main import run

if __name__ == "__main__":
    run()
