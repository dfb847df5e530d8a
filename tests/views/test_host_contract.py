"""The screen contract: ``views.host.Host`` is what a screen may use; the shell and the tests'
stand-in both provide all of it with the same signatures, and no screen reaches past it into
the shell. (mypy checks ``App`` against ``Host`` in ``shell._host``; this guards the runtime
side and the stand-in, which mypy does not see.)"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.views.host import Host
from app.views.shell import App
from app.views.state import Session, StoreHolder
from tests.views.conftest import FakeApp

APP_DIR = Path(__file__).resolve().parents[2] / "app"
MEMBERS = sorted(n for n in vars(Host) if not n.startswith("_"))


def _params(fn: Any) -> list[tuple[str, Any, Any]]:
    """Names, kinds and defaults (annotations are mypy's job): what a caller relies on."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_host_names_what_screens_need() -> None:
    assert MEMBERS == ["act", "as_member", "error_text", "go", "home", "lock", "page", "phone",
                       "render", "say", "services", "session", "t"]


@pytest.mark.parametrize("kind", ["App", "FakeApp"])
def test_shell_and_stand_in_provide_the_contract(tmp_path: Path, kind: str) -> None:
    session = Session(holder=StoreHolder(tmp_path))
    page: Any = SimpleNamespace(width=1280)  # App's constructor only keeps it
    host: Any = App(page, session) if kind == "App" else FakeApp(session)
    for name in MEMBERS:
        declared = vars(Host)[name]
        if isinstance(declared, property):
            if name != "services":  # services raises StoreLocked on a locked store
                getattr(host, name)
            assert hasattr(type(host), name) or name in vars(host), name
            continue
        # The protocol's function still has ``self``; the host's method is bound.
        assert _params(getattr(host, name)) == _params(getattr(Host, name))[1:], name


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


def test_no_screen_imports_the_shell() -> None:
    screens = [p for p in (APP_DIR / "views").glob("*.py") if p.name != "shell.py"]
    assert len(screens) > 20
    offenders = [p.name for p in screens if "app.views.shell" in _imports(p)]
    assert offenders == []



def test_no_importlib_in_the_app() -> None:
    offenders = [str(p.relative_to(APP_DIR)) for p in APP_DIR.rglob("*.py")
                 if any(n.split(".")[0] == "importlib" for n in _imports(p))]
    assert offenders == []
