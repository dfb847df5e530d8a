"""Fixtures shared by all test packages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# CI clones the repository with ``shared/`` beside it: /work/main and /work/shared.
SHARED_DIR = Path(__file__).resolve().parents[1] / ".." / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` directory beside the repository (fixtures, design notes)."""
    return SHARED_DIR


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium for every browser test (see tests/e2e/conftest.py). Imported
    lazily: the floor venv runs domain and store tests without Playwright."""
    from tests.e2e.conftest import launch_browser

    yield from launch_browser()


def run_async(coro: Any) -> Any:
    """Run a coroutine to its end in a thread of its own: when browser tests ran earlier in
    the same session, Playwright's event loop is still running in the main thread."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as err:  # handed back to the test's thread
            result["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in result:
        raise result["error"]
    return result.get("value")
