"""Domain tests run on the mobile dependency floor too: mark them all ``floor``.

The floor venv has only stdlib, holidays, rfc8785, sqlmodel, pytest and hypothesis, so
nothing under tests/domain may import flet, fastapi or the like.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.floor)
